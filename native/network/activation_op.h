// Activation ops: elementwise (relu, leaky relu, elu, sigmoid, tanh) and softmax over the last axis.
#pragma once

#include "../kernels/activation.h"
#include "layer_op.h"

namespace faltung::network {

class ActivationOp final : public LayerOp {
 public:
  ActivationOp(Activation kind, float alpha, int64_t size);
  Activation kind() const { return kind_; }
  Status forward(const StepContext& context, const float* x, float* y) override;
  Status backward(const StepContext& context, const float* x, const float* y, float* dy,
                  float* dx) override;

 private:
  Activation kind_;
  float alpha_;
};

class SoftmaxOp final : public LayerOp {
 public:
  // Per example `size` values, softmax over groups of `classes` (the last axis).
  SoftmaxOp(int64_t size, int64_t classes);
  int64_t classes() const { return classes_; }
  Status forward(const StepContext& context, const float* x, float* y) override;
  Status backward(const StepContext& context, const float* x, const float* y, float* dy,
                  float* dx) override;

 private:
  int64_t classes_;
};

}  // namespace faltung::network
