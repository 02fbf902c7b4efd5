// Elementwise activations and softmax, forward and backward, float32.
// Backward passes take the forward OUTPUT y (never the input), so layers need not keep inputs;
// in-place calls (out == in, dx == dy) are supported. No autodiff, no broadcasting.
//
// Dimension key: count elements; rows x classes for softmax (softmax runs along the last axis).
#pragma once

#include <cstdint>

#include "status.h"

namespace faltung {

// Keras activation semantics; alpha is used by leaky_relu (slope for x < 0) and elu (scale).
//   linear      y = x                               dx = dy
//   relu        y = x < 0 ? 0 : x                   dx = y > 0 ? dy : 0
//   leaky_relu  y = x < 0 ? alpha * x : x           dx = y > 0 ? dy : alpha * dy
//   elu         y = x < 0 ? alpha * expm1(x) : x    dx = y > 0 ? dy : (y + alpha) * dy
//   sigmoid     y = 1 / (1 + exp(-x))               dx = dy * y * (1 - y)
//   tanh        y = tanh(x)                         dx = dy * (1 - y * y)
// Reading the sign of y in place of x's needs alpha >= 0 (checked). At x == 0 the backward pass
// takes the left derivative (relu' = 0, leaky' = alpha, elu' = alpha). NaN inputs give NaN.
enum class Activation : int { linear = 0, relu = 1, leaky_relu = 2, elu = 3, sigmoid = 4, tanh = 5 };
constexpr int kActivationCount = 6;

// in (count) -> out (count). Status::invalid_argument for an unknown kind, alpha < 0 or NaN,
// count < 0 or null buffers with count > 0.
Status activation_forward_f32(Activation kind, float alpha, float* out, const float* in, int64_t count);
// dy (count), y (count) -> dx (count).
Status activation_backward_f32(Activation kind, float alpha, float* dx, const float* dy, const float* y,
                               int64_t count);

// Numerically stable softmax along the last axis: out[r, j] = exp(x[r, j] - m_r) / sum_k exp(x[r, k] - m_r)
// with m_r = max_k x[r, k]. logits (rows, classes) -> out (rows, classes). classes >= 1 when rows > 0.
Status softmax_forward_f32(float* out, const float* logits, int64_t rows, int64_t classes);
// dx[r, j] = y[r, j] * (dy[r, j] - sum_k dy[r, k] * y[r, k]).  dy, y (rows, classes) -> dx (rows, classes).
Status softmax_backward_f32(float* dx, const float* dy, const float* y, int64_t rows, int64_t classes);

// Elementwise exp of the vectorized kernels (the scalar path uses libm). Exposed for the ulp tests
// and for callers that want the same exp the activations use. in (count) -> out (count).
void exp_f32(float* out, const float* in, int64_t count);

// ---- Per-ISA kernels, reached through the dispatch table in activation.cc -----------------------
// Each processes one contiguous block on the calling thread. softmax_rows_* also report, when
// row_max / row_sum are not null, each row's maximum and sum of exp(x - max) (for log-sum-exp).
struct ActivationKernels {
  void (*forward)(Activation kind, float alpha, float* out, const float* in, int64_t count);
  void (*backward)(Activation kind, float alpha, float* dx, const float* dy, const float* y, int64_t count);
  void (*softmax_rows)(float* out, const float* logits, int64_t rows, int64_t classes, float* row_max,
                       float* row_sum);
  void (*softmax_backward_rows)(float* dx, const float* dy, const float* y, int64_t rows, int64_t classes);
  void (*exp)(float* out, const float* in, int64_t count);
};

// The table for the ISA active now (native/runtime/isa.h); read once per call.
const ActivationKernels& activation_kernels();

// native/kernels/arch/scalar/activation_scalar.cc: libm, the reference and fallback.
void activation_forward_f32__scalar(Activation kind, float alpha, float* out, const float* in, int64_t count);
void activation_backward_f32__scalar(Activation kind, float alpha, float* dx, const float* dy, const float* y,
                                  int64_t count);
void softmax_rows_f32__scalar(float* out, const float* logits, int64_t rows, int64_t classes, float* row_max,
                           float* row_sum);
void softmax_backward_rows_f32__scalar(float* dx, const float* dy, const float* y, int64_t rows, int64_t classes);
void exp_f32__scalar(float* out, const float* in, int64_t count);
#if defined(__x86_64__)
// native/kernels/arch/x86_avx2/activation_avx2.cc
void activation_forward_f32__avx2(Activation kind, float alpha, float* out, const float* in, int64_t count);
void activation_backward_f32__avx2(Activation kind, float alpha, float* dx, const float* dy, const float* y,
                                  int64_t count);
void softmax_rows_f32__avx2(float* out, const float* logits, int64_t rows, int64_t classes, float* row_max,
                           float* row_sum);
void softmax_backward_rows_f32__avx2(float* dx, const float* dy, const float* y, int64_t rows, int64_t classes);
void exp_f32__avx2(float* out, const float* in, int64_t count);
// native/kernels/arch/x86_avx512/activation_avx512.cc
void activation_forward_f32__avx512(Activation kind, float alpha, float* out, const float* in, int64_t count);
void activation_backward_f32__avx512(Activation kind, float alpha, float* dx, const float* dy, const float* y,
                                  int64_t count);
void softmax_rows_f32__avx512(float* out, const float* logits, int64_t rows, int64_t classes, float* row_max,
                           float* row_sum);
void softmax_backward_rows_f32__avx512(float* dx, const float* dy, const float* y, int64_t rows, int64_t classes);
void exp_f32__avx512(float* out, const float* in, int64_t count);
#endif
#if defined(__aarch64__)
// native/kernels/arch/arm_neon/activation_neon.cc
void activation_forward_f32__neon(Activation kind, float alpha, float* out, const float* in, int64_t count);
void activation_backward_f32__neon(Activation kind, float alpha, float* dx, const float* dy, const float* y,
                                  int64_t count);
void softmax_rows_f32__neon(float* out, const float* logits, int64_t rows, int64_t classes, float* row_max,
                           float* row_sum);
void softmax_backward_rows_f32__neon(float* dx, const float* dy, const float* y, int64_t rows, int64_t classes);
void exp_f32__neon(float* out, const float* in, int64_t count);
#endif

}  // namespace faltung
