// Batch normalization op over the batchnorm kernels.
#include "batchnorm_op.h"

#include "../kernels/batchnorm.h"

namespace faltung::network {

BatchNormOp::BatchNormOp(int64_t size, int64_t channels, float* gamma, float* beta, float* moving_mean,
                         float* moving_variance, float momentum, float epsilon)
    : LayerOp(size, size),
      channels_(channels),
      momentum_(momentum),
      epsilon_(epsilon),
      ones_(static_cast<size_t>(channels), 1.0f),
      zeros_(static_cast<size_t>(channels), 0.0f),
      saved_mean_(static_cast<size_t>(channels)),
      saved_inv_std_(static_cast<size_t>(channels)),
      scratch_dgamma_(static_cast<size_t>(channels)),
      scratch_dbeta_(static_cast<size_t>(channels)) {
  auto add = [&](float* value, bool trainable) {
    Parameter parameter;
    parameter.value = value;
    parameter.count = channels;
    parameter.trainable = trainable;
    parameters_.push_back(std::move(parameter));
    return static_cast<int>(parameters_.size()) - 1;
  };
  if (gamma != nullptr) gamma_index_ = add(gamma, true);
  if (beta != nullptr) beta_index_ = add(beta, true);
  mean_index_ = add(moving_mean, false);
  variance_index_ = add(moving_variance, false);
}

Status BatchNormOp::forward(const StepContext& context, const float* x, float* y) {
  const float* gamma = gamma_index_ >= 0 ? parameters_[gamma_index_].value : ones_.data();
  const float* beta = beta_index_ >= 0 ? parameters_[beta_index_].value : zeros_.data();
  float* moving_mean = parameters_[mean_index_].value;
  float* moving_variance = parameters_[variance_index_].value;
  const int64_t rows = context.batch * input_size() / channels_;
  if (!context.training) {
    return batchnorm_inference_f32(y, x, moving_mean, moving_variance, gamma, beta, rows, channels_, epsilon_);
  }
  return batchnorm_training_forward_f32(y, saved_mean_.data(), saved_inv_std_.data(), moving_mean,
                                        moving_variance, x, gamma, beta, rows, channels_, momentum_, epsilon_);
}

Status BatchNormOp::backward(const StepContext& context, const float* x, const float*, float* dy,
                             float* dx) {
  const float* gamma = gamma_index_ >= 0 ? parameters_[gamma_index_].value : ones_.data();
  float* dgamma = gamma_index_ >= 0 ? grow(parameters_[gamma_index_].gradient, channels_) : scratch_dgamma_.data();
  float* dbeta = beta_index_ >= 0 ? grow(parameters_[beta_index_].gradient, channels_) : scratch_dbeta_.data();
  const int64_t rows = context.batch * input_size() / channels_;
  // The kernel always produces dx; without a consumer it goes to the gradient scratch of the
  // caller-less first layer only in the rare network that starts with batch norm.
  if (dx == nullptr) {
    float* sink = grow(scratch_dx_, context.batch * input_size());
    return batchnorm_backward_f32(sink, dgamma, dbeta, dy, x, gamma, saved_mean_.data(), saved_inv_std_.data(),
                                  rows, channels_);
  }
  return batchnorm_backward_f32(dx, dgamma, dbeta, dy, x, gamma, saved_mean_.data(), saved_inv_std_.data(), rows,
                                channels_);
}

}  // namespace faltung::network
