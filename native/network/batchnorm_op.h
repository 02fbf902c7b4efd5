// Batch normalization op over the last axis: batch statistics while training (updating the moving
// ones), moving statistics at inference. Parameters in Keras order: gamma, beta, moving mean,
// moving variance (the last two are not trainable).
#pragma once

#include "layer_op.h"

namespace faltung::network {

class BatchNormOp final : public LayerOp {
 public:
  // Per example `size` values = positions * channels. gamma/beta may be nullptr (scale/center off).
  BatchNormOp(int64_t size, int64_t channels, float* gamma, float* beta, float* moving_mean,
              float* moving_variance, float momentum, float epsilon);
  Status forward(const StepContext& context, const float* x, float* y) override;
  Status backward(const StepContext& context, const float* x, const float* y, float* dy,
                  float* dx) override;

 private:
  int64_t channels_;
  float momentum_;
  float epsilon_;
  int gamma_index_ = -1;
  int beta_index_ = -1;
  int mean_index_ = -1;
  int variance_index_ = -1;
  std::vector<float> ones_;   // gamma when scale is off
  std::vector<float> zeros_;  // beta when center is off
  std::vector<float> saved_mean_;
  std::vector<float> saved_inv_std_;
  std::vector<float> scratch_dgamma_;
  std::vector<float> scratch_dbeta_;
  std::vector<float> scratch_dx_;  // dx when batch norm is the first layer (nobody reads it)
};

}  // namespace faltung::network
