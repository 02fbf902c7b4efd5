// Activation ops: backward passes use the forward output y, as the kernels are written for.
#include "activation_op.h"

namespace faltung::network {

ActivationOp::ActivationOp(Activation kind, float alpha, int64_t size)
    : LayerOp(size, size), kind_(kind), alpha_(alpha) {}

Status ActivationOp::forward(const StepContext& context, const float* x, float* y) {
  return activation_forward_f32(kind_, alpha_, y, x, context.batch * input_size());
}

Status ActivationOp::backward(const StepContext& context, const float*, const float* y, float* dy,
                              float* dx) {
  if (dx == nullptr) return Status::ok;
  return activation_backward_f32(kind_, alpha_, dx, dy, y, context.batch * input_size());
}

SoftmaxOp::SoftmaxOp(int64_t size, int64_t classes) : LayerOp(size, size), classes_(classes) {}

Status SoftmaxOp::forward(const StepContext& context, const float* x, float* y) {
  return softmax_forward_f32(y, x, context.batch * input_size() / classes_, classes_);
}

Status SoftmaxOp::backward(const StepContext& context, const float*, const float* y, float* dy,
                           float* dx) {
  if (dx == nullptr) return Status::ok;
  return softmax_backward_f32(dx, dy, y, context.batch * input_size() / classes_, classes_);
}

}  // namespace faltung::network
