// Pooling layer ops: windowed max/average (1D/2D/3D) and global max/average over all positions.
#pragma once

#include "../kernels/im2col.h"
#include "layer_op.h"

namespace faltung::network {

enum class PoolKind : int { max = 0, average = 1 };

class PoolOp final : public LayerOp {
 public:
  PoolOp(PoolKind kind, const ConvGeometry& geometry);
  Status forward(const StepContext& context, const float* x, float* y) override;
  Status backward(const StepContext& context, const float* x, const float* y, float* dy,
                  float* dx) override;

 private:
  PoolKind kind_;
  ConvGeometry geometry_;
  // Max pooling while training: where each output's winner was, for a scatter-only backward.
  std::vector<int32_t> argmax_;
};

class GlobalPoolOp final : public LayerOp {
 public:
  // x (positions, channels) per example -> y (channels).
  GlobalPoolOp(PoolKind kind, int64_t positions, int64_t channels);
  Status forward(const StepContext& context, const float* x, float* y) override;
  Status backward(const StepContext& context, const float* x, const float* y, float* dy,
                  float* dx) override;

 private:
  PoolKind kind_;
  int64_t positions_;
  int64_t channels_;
};

}  // namespace faltung::network
