// Fully connected op on the last axis: per example `rows` vectors of `inputs` values (rows = 1 for
// the usual flattened input; Keras applies Dense to the last axis of higher-rank inputs).
#pragma once

#include "layer_op.h"

namespace faltung::network {

class DenseOp final : public LayerOp {
 public:
  // kernel (inputs, units), bias (units) or nullptr.
  DenseOp(int64_t rows, int64_t inputs, int64_t units, float* kernel, float* bias);
  Status forward(const StepContext& context, const float* x, float* y) override;
  Status backward(const StepContext& context, const float* x, const float* y, float* dy,
                  float* dx) override;

 private:
  int64_t rows_;
  int64_t inputs_;
  int64_t units_;
};

}  // namespace faltung::network
