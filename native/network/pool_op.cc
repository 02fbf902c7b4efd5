// Pooling ops: thin adapters from the per-step batch to the pooling kernels.
#include "pool_op.h"

#include "../kernels/pool.h"

namespace faltung::network {

PoolOp::PoolOp(PoolKind kind, const ConvGeometry& geometry)
    : LayerOp(geometry.in_pixels() * geometry.in_channels, geometry.out_pixels() * geometry.in_channels),
      kind_(kind),
      geometry_(geometry) {}

Status PoolOp::forward(const StepContext& context, const float* x, float* y) {
  ConvGeometry geometry = geometry_;
  geometry.batch = context.batch;
  return kind_ == PoolKind::max ? max_pool_forward_f32(y, x, geometry) : avg_pool_forward_f32(y, x, geometry);
}

Status PoolOp::backward(const StepContext& context, const float* x, const float*, float* dy, float* dx) {
  if (dx == nullptr) return Status::ok;  // no parameters: nothing to do without an input gradient
  ConvGeometry geometry = geometry_;
  geometry.batch = context.batch;
  return kind_ == PoolKind::max ? max_pool_backward_f32(dx, dy, x, geometry)
                                : avg_pool_backward_f32(dx, dy, geometry);
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
