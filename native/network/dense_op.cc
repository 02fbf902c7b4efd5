// Dense op: the dense kernels with batch * rows as the GEMM's row count.
#include "dense_op.h"

#include "../kernels/dense.h"

namespace faltung::network {

DenseOp::DenseOp(int64_t rows, int64_t inputs, int64_t units, float* kernel, float* bias)
    : LayerOp(rows * inputs, rows * units), rows_(rows), inputs_(inputs), units_(units) {
  Parameter kernel_parameter;
  kernel_parameter.value = kernel;
  kernel_parameter.count = inputs * units;
  parameters_.push_back(std::move(kernel_parameter));
  if (bias != nullptr) {
    Parameter bias_parameter;
    bias_parameter.value = bias;
    bias_parameter.count = units;
    parameters_.push_back(std::move(bias_parameter));
  }
}

Status DenseOp::forward(const StepContext& context, const float* x, float* y) {
  const float* bias = parameters_.size() > 1 ? parameters_[1].value : nullptr;
  return dense_forward_f32(y, x, parameters_[0].value, bias, context.batch * rows_, inputs_, units_);
}

Status DenseOp::backward(const StepContext& context, const float* x, const float*, float* dy,
                         float* dx) {
  Parameter& kernel = parameters_[0];
  float* dbias = parameters_.size() > 1 ? grow(parameters_[1].gradient, units_) : nullptr;
  return dense_backward_f32(dx, grow(kernel.gradient, kernel.count), dbias, dy, x, kernel.value,
                            context.batch * rows_, inputs_, units_, false);
}

}  // namespace faltung::network
