// Pooling ops: thin adapters from the per-step batch to the pooling kernels.
#include "pool_op.h"

#include <algorithm>

#include "../kernels/pool.h"

namespace faltung::network {

PoolOp::PoolOp(PoolKind kind, const ConvGeometry& geometry)
    : LayerOp(geometry.in_pixels() * geometry.in_channels, geometry.out_pixels() * geometry.in_channels),
      kind_(kind),
      geometry_(geometry) {}

Status PoolOp::forward(const StepContext& context, const float* x, float* y) {
  ConvGeometry geometry = geometry_;
  geometry.batch = context.batch;
  if (kind_ == PoolKind::average) return avg_pool_forward_f32(y, x, geometry);
  if (!context.training) return max_pool_forward_f32(y, x, geometry);
  reserve_argmax(context.batch);
  return max_pool_forward_argmax_f32(y, argmax_.data(), x, geometry);
}

void PoolOp::reserve_argmax(int64_t batch) {
  argmax_.resize(static_cast<size_t>(std::max<int64_t>(static_cast<int64_t>(argmax_.size()), batch * output_size())));
}

Status PoolOp::forward_examples_argmax(const float* x, float* y, int64_t first, int64_t count) {
  ConvGeometry geometry = geometry_;
  geometry.batch = count;
  // Winners are offsets within their example, so a slice of examples writes its slice of argmax_.
  return max_pool_forward_argmax_f32(y, argmax_.data() + first * output_size(), x, geometry);
}

Status PoolOp::backward_through_relu(const StepContext& context, const float* y, const float* dy, float* dx) {
  ConvGeometry geometry = geometry_;
  geometry.batch = context.batch;
  return max_pool_backward_argmax_relu_f32(dx, dy, argmax_.data(), y, geometry);
}

Status PoolOp::backward(const StepContext& context, const float* x, const float*, float* dy, float* dx) {
  if (dx == nullptr) return Status::ok;  // no parameters: nothing to do without an input gradient
  ConvGeometry geometry = geometry_;
  geometry.batch = context.batch;
  if (kind_ == PoolKind::average) return avg_pool_backward_f32(dx, dy, geometry);
  // The winners recorded by the training forward pass (compute_gradients runs forward first).
  if (context.training) return max_pool_backward_argmax_f32(dx, dy, argmax_.data(), geometry);
  return max_pool_backward_f32(dx, dy, x, geometry);
}

GlobalPoolOp::GlobalPoolOp(PoolKind kind, int64_t positions, int64_t channels)
    : LayerOp(positions * channels, channels), kind_(kind), positions_(positions), channels_(channels) {}

Status GlobalPoolOp::forward(const StepContext& context, const float* x, float* y) {
  return kind_ == PoolKind::max ? global_max_pool_forward_f32(y, x, context.batch, positions_, channels_)
                                : global_avg_pool_forward_f32(y, x, context.batch, positions_, channels_);
}

Status GlobalPoolOp::backward(const StepContext& context, const float* x, const float*, float* dy,
                              float* dx) {
  if (dx == nullptr) return Status::ok;
  return kind_ == PoolKind::max
             ? global_max_pool_backward_f32(dx, dy, x, context.batch, positions_, channels_)
             : global_avg_pool_backward_f32(dx, dy, context.batch, positions_, channels_);
}

}  // namespace faltung::network
