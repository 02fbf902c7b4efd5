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

  // For network/conv_pool_fusion.cc (max pooling while training): room for a batch's winners,
  // the forward of examples [first, first + count) (x and y at that first example), and the
  // backward through a relu before the pool (y: this op's output).
  PoolKind kind() const { return kind_; }
  void reserve_argmax(int64_t batch);
  Status forward_examples_argmax(const float* x, float* y, int64_t first, int64_t count);
  Status backward_through_relu(const StepContext& context, const float* y, const float* dy, float* dx);

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
