// Convolution op: forward with the fused bias + relu epilogue; backward masks dy by relu' (from the
// saved output) and then runs the conv backward kernels (filter and bias in one pass over dy).
#include "conv_op.h"

#include "../kernels/activation.h"
#include "../kernels/conv.h"

namespace faltung::network {

ConvOp::ConvOp(const ConvGeometry& geometry, float* kernel, float* bias, bool relu)
    : LayerOp(geometry.in_pixels() * geometry.in_channels, geometry.out_pixels() * geometry.out_channels),
      geometry_(geometry),
      relu_(relu) {
  Parameter kernel_parameter;
  kernel_parameter.value = kernel;
  kernel_parameter.count = geometry.columns() * geometry.out_channels;
  parameters_.push_back(std::move(kernel_parameter));
  if (bias != nullptr) {
    Parameter bias_parameter;
    bias_parameter.value = bias;
    bias_parameter.count = geometry.out_channels;
    parameters_.push_back(std::move(bias_parameter));
  }
}

ConvGeometry ConvOp::geometry_for(int64_t batch) const {
  ConvGeometry geometry = geometry_;
  geometry.batch = batch;
  return geometry;
}

Status ConvOp::forward(const StepContext& context, const float* x, float* y) {
  return forward_examples(x, y, context.batch);
}

Status ConvOp::forward_examples(const float* x, float* y, int64_t count) const {
  const float* bias = parameters_.size() > 1 ? parameters_[1].value : nullptr;
  return conv_forward_f32(y, x, parameters_[0].value, bias, geometry_for(count), relu_);
}

Status ConvOp::backward(const StepContext& context, const float* x, const float* y, float* dy,
                        float* dx) {
  const ConvGeometry geometry = geometry_for(context.batch);
  const int64_t rows = geometry.rows();
  const int64_t count = rows * geometry.out_channels;
  if (relu_) {
    // In place: dy is scratch, and a second buffer would cost its traffic and its pages.
    Status status = activation_backward_f32(Activation::relu, 0.0f, dy, dy, y, count);
    if (status != Status::ok) return status;
  }
  return backward_masked(context, x, dy, dx);
}

Status ConvOp::backward_masked(const StepContext& context, const float* x, const float* dy, float* dx) {
  const ConvGeometry geometry = geometry_for(context.batch);
  Parameter& kernel = parameters_[0];
  float* dbias = parameters_.size() > 1 ? grow(parameters_[1].gradient, parameters_[1].count) : nullptr;
  Status status = conv_backward_filter_bias_f32(grow(kernel.gradient, kernel.count), dbias, x, dy, geometry);
  if (status != Status::ok) return status;
  if (dx != nullptr) status = conv_backward_input_f32(dx, dy, kernel.value, geometry);
  return status;
}

}  // namespace faltung::network
