// Dropout op over the dropout kernels; inference copies x through.
#include "dropout_op.h"

#include <cstring>

#include "../kernels/dropout.h"

namespace faltung::network {

DropoutOp::DropoutOp(float rate, int64_t size, uint64_t op_index)
    : LayerOp(size, size), rate_(rate), op_index_(op_index) {}

Status DropoutOp::forward(const StepContext& context, const float* x, float* y) {
  const int64_t count = context.batch * input_size();
  if (!context.training || rate_ == 0.0f) {
    if (y != x) std::memcpy(y, x, sizeof(float) * static_cast<size_t>(count));
    return Status::ok;
  }
  // Each op gets its own stream: mix the op index into the step seed (splitmix64 constant).
  const uint64_t seed = context.seed ^ ((op_index_ + 1) * 0x9E3779B97F4A7C15ull);
  return dropout_forward_f32(y, grow(mask_, count), x, count, rate_, seed);
}

Status DropoutOp::backward(const StepContext& context, const float*, const float*, float* dy,
                           float* dx) {
  if (dx == nullptr) return Status::ok;
  const int64_t count = context.batch * input_size();
  if (!context.training || rate_ == 0.0f) {
    if (dx != dy) std::memcpy(dx, dy, sizeof(float) * static_cast<size_t>(count));
    return Status::ok;
  }
  return dropout_backward_f32(dx, dy, mask_.data(), count);
}

}  // namespace faltung::network
