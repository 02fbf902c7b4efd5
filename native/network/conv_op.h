// Convolution layer op (1D/2D/3D through one geometry) with bias and an optional fused relu.
#pragma once

#include "../kernels/im2col.h"
#include "layer_op.h"

namespace faltung::network {

class ConvOp final : public LayerOp {
 public:
  // geometry: resolved for batch 1 (the batch is set per step). kernel (K, OC), bias (OC) or nullptr.
  ConvOp(const ConvGeometry& geometry, float* kernel, float* bias, bool relu);

  Status forward(const StepContext& context, const float* x, float* y) override;
  Status backward(const StepContext& context, const float* x, const float* y, float* dy,
                  float* dx) override;

  // For network/conv_pool_fusion.cc: the forward of `count` examples (x and y at their first),
  // whether the epilogue applies relu, and the backward from a dy that relu' already masked.
  Status forward_examples(const float* x, float* y, int64_t count) const;
  bool relu() const { return relu_; }
  Status backward_masked(const StepContext& context, const float* x, const float* dy, float* dx);

 private:
  ConvGeometry geometry_for(int64_t batch) const;

  ConvGeometry geometry_;
  bool relu_;
};

}  // namespace faltung::network
