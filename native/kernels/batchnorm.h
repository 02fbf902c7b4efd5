// Batch normalization over the last axis (channels-last, as Keras' default axis=-1), float32 data;
// per-channel sums in float over 64-row blocks, combined in double. Training forward saves the batch
// mean and inverse standard deviation for the backward pass (derivation: docs/batchnorm-backward.md).
// Deliberately no other axis, no virtual batches, no renormalization.
//
// Dimension key: rows = product of all axes but the last (N*H*W for NHWC), channels = C (last axis).
#pragma once

#include <cstdint>

#include "status.h"

namespace faltung {

// Training forward. x (rows, C), gamma, beta (C) -> y (rows, C), saved_mean, saved_inv_std (C);
// moving_mean, moving_variance (C) updated in place. rows >= 1.
//   mean_c    = (1/rows) sum_r x[r,c]
//   var_c     = (1/rows) sum_r (x[r,c] - mean_c)^2             (biased: Keras' moments)
//   inv_std_c = 1 / sqrt(var_c + epsilon)
//   y[r,c]    = gamma_c * (x[r,c] - mean_c) * inv_std_c + beta_c
//   moving_mean_c     <- moving_mean_c * momentum + mean_c * (1 - momentum)
//   moving_variance_c <- moving_variance_c * momentum + var_c * (1 - momentum)
// The moving variance takes the BIASED batch variance, as Keras 3 (ops.moments) and tf.keras 2
// (which removes fused_batch_norm's Bessel correction) both do; PyTorch would use rows/(rows-1).
// Keras' defaults: momentum 0.99, epsilon 1e-3. y may alias x.
Status batchnorm_training_forward_f32(float* y, float* saved_mean, float* saved_inv_std, float* moving_mean,
                                      float* moving_variance, const float* x, const float* gamma, const float* beta,
                                      int64_t rows, int64_t channels, double momentum, double epsilon);

// Inference with given statistics, as tf.nn.batch_normalization computes it:
//   s_c = gamma_c / sqrt(variance_c + epsilon),   y[r,c] = x[r,c] * s_c + (beta_c - mean_c * s_c)
// x (rows, C), mean, variance, gamma, beta (C) -> y (rows, C). y may alias x.
Status batchnorm_inference_f32(float* y, const float* x, const float* mean, const float* variance,
                               const float* gamma, const float* beta, int64_t rows, int64_t channels, double epsilon);

// Backward of the training forward, with xhat = (x - mean) * inv_std:
//   dbeta_c  = sum_r dy[r,c]
//   dgamma_c = sum_r dy[r,c] * xhat[r,c]
//   dx[r,c]  = gamma_c * inv_std_c * (dy[r,c] - dbeta_c / rows - xhat[r,c] * dgamma_c / rows)
// dy, x (rows, C), gamma, saved_mean, saved_inv_std (C) -> dx (rows, C), dgamma, dbeta (C). dx may alias dy.
Status batchnorm_backward_f32(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                              const float* gamma, const float* saved_mean, const float* saved_inv_std, int64_t rows,
                              int64_t channels);

}  // namespace faltung
