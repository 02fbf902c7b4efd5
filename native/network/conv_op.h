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

 private:
  ConvGeometry geometry_for(int64_t batch) const;

  ConvGeometry geometry_;
  bool relu_;
};

}  // namespace faltung::network
