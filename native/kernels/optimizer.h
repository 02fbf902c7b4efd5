// Fused in-place optimizer updates with Keras 3 semantics, one pass over each parameter vector.
// Every formula below is what the kernel computes, element by element, in float32. Hyperparameters
// come in as double (JS numbers, like Keras' Python floats) and derived constants such as 1 - beta1
// are formed in double and rounded once; norms and step sizes are computed in double. Deliberately no schedules, no state allocation and no variable bookkeeping:
// the TypeScript optimizers own the state buffers and the step counter (docs/optimizers.md).
//
// Dimension key: count, the number of parameters; every buffer holds `count` floats.
#pragma once

#include <cstdint>

#include "status.h"

namespace faltung {

// Keras' per-variable gradient clipping, applied to g before any update below (at most one on;
// Keras rejects both):
//   clip_norm > 0:   g <- g * clip_norm / max(||g||_2, clip_norm)   (this tensor's norm, in double)
//   clip_value > 0:  g <- min(max(g, -clip_value), clip_value)
// Zero turns a clip off. The gradient buffer itself is never modified.
struct GradientClip {
  double clip_norm = 0.0;
  double clip_value = 0.0;
};

// SGD:  w <- w - lr * g
Status sgd_update_f32(float* weights, const float* gradients, int64_t count, double learning_rate,
                      GradientClip clip = {});

// SGD with momentum mu (Keras SGD(momentum=mu)):
//   v <- mu * v - lr * g
//   w <- w + v                      (nesterov = false)
//   w <- w + mu * v - lr * g        (nesterov = true, with the new v)
Status momentum_update_f32(float* weights, float* velocity, const float* gradients, int64_t count,
                           double learning_rate, double momentum, bool nesterov, GradientClip clip = {});

// Adam, and AdamW when weight_decay > 0 (Keras Adam / AdamW). step t >= 1 counts this update.
//   alpha <- lr * sqrt(1 - beta2^t) / (1 - beta1^t)    (bias correction folded into the step size)
//   w <- w - w * weight_decay * lr                      (decoupled decay, before the Adam step)
//   m <- m + (g - m) * (1 - beta1)
//   v <- v + (g^2 - v) * (1 - beta2)
//   v_max <- max(v_max, v), and v_max replaces v below  (AMSGrad, only when v_max != nullptr)
//   w <- w - alpha * m / (sqrt(v) + epsilon)
// Keras' defaults: lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, AdamW weight_decay 0.004.
Status adam_update_f32(float* weights, float* m, float* v, float* v_max, const float* gradients, int64_t count,
                       double learning_rate, double beta1, double beta2, double epsilon, int64_t step,
                       double weight_decay, GradientClip clip = {});

// RMSprop (Keras RMSprop):
//   s <- rho * s + (1 - rho) * g^2
//   a <- rho * a + (1 - rho) * g;  d = s - a^2 + epsilon     (centered: mean_gradient a != nullptr)
//                                   d = s + epsilon           (otherwise)
//   increment = lr * g / sqrt(d)
//   u <- momentum * u + increment;  w <- w - u               (momentum_buffer u != nullptr)
//   w <- w - increment                                        (otherwise)
// Keras' defaults: lr 0.001, rho 0.9, momentum 0, epsilon 1e-7, not centered.
Status rmsprop_update_f32(float* weights, float* mean_square, float* momentum_buffer, float* mean_gradient,
                          const float* gradients, int64_t count, double learning_rate, double rho,
                          double momentum, double epsilon, GradientClip clip = {});

// sqrt(sum g^2) in double, chunked in a fixed order (the clip_norm norm; also for global norms).
Status l2_norm_f32(double* norm, const float* values, int64_t count);

}  // namespace faltung
