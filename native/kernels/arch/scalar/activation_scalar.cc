// Scalar activations and softmax: plain loops on libm (std::exp, std::expm1, std::tanh), the
// fallback path and the documentation of what the vector kernels compute. Compiled with base
// flags only; the cheap activations still auto-vectorize, the libm ones deliberately do not.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "../../activation.h"

namespace faltung {
namespace {

// condition ? if_true : if_false on the bits. Both arms are computed before the call, and under
// -ftrapping-math GCC will not if-convert a ?: whose arm holds an FP operation, so a plain ?:
// would leave a branch (mispredicted half the time on signed data) and no vectorization.
inline float select(bool condition, float if_true, float if_false) {
  uint32_t true_bits, false_bits;
  std::memcpy(&true_bits, &if_true, sizeof true_bits);
  std::memcpy(&false_bits, &if_false, sizeof false_bits);
  const uint32_t mask = 0u - static_cast<uint32_t>(condition);
  const uint32_t bits = (true_bits & mask) | (false_bits & ~mask);
  float result;
  std::memcpy(&result, &bits, sizeof result);
  return result;
}

}  // namespace

void activation_forward_f32__scalar(Activation kind, float alpha, float* out, const float* in, int64_t count) {
  switch (kind) {
    case Activation::linear:
      for (int64_t i = 0; i < count; ++i) out[i] = in[i];
      return;
    case Activation::relu:
      for (int64_t i = 0; i < count; ++i) out[i] = in[i] < 0.0f ? 0.0f : in[i];
      return;
    case Activation::leaky_relu:
      for (int64_t i = 0; i < count; ++i) out[i] = select(in[i] < 0.0f, alpha * in[i], in[i]);
      return;
    case Activation::elu:
      for (int64_t i = 0; i < count; ++i) out[i] = in[i] < 0.0f ? alpha * std::expm1(in[i]) : in[i];
      return;
    case Activation::sigmoid:
      // exp(-|x|) never overflows; for x < 0, sigmoid = e / (1 + e) keeps tiny results accurate.
      for (int64_t i = 0; i < count; ++i) {
        const float x = in[i];
        const float e = std::exp(-std::fabs(x));
        const float positive = 1.0f / (1.0f + e);
        out[i] = select(x < 0.0f, e * positive, positive);
      }
      return;
    case Activation::tanh:
      for (int64_t i = 0; i < count; ++i) out[i] = std::tanh(in[i]);
      return;
  }
}

void activation_backward_f32__scalar(Activation kind, float alpha, float* dx, const float* dy, const float* y,
                                     int64_t count) {
  switch (kind) {
    case Activation::linear:
      for (int64_t i = 0; i < count; ++i) dx[i] = dy[i];
      return;
    case Activation::relu:
      for (int64_t i = 0; i < count; ++i) dx[i] = select(y[i] > 0.0f, dy[i], 0.0f);
      return;
    case Activation::leaky_relu:
      for (int64_t i = 0; i < count; ++i) dx[i] = select(y[i] > 0.0f, dy[i], alpha * dy[i]);
      return;
    case Activation::elu:
      for (int64_t i = 0; i < count; ++i) dx[i] = select(y[i] > 0.0f, dy[i], (y[i] + alpha) * dy[i]);
      return;
    case Activation::sigmoid:
      for (int64_t i = 0; i < count; ++i) dx[i] = dy[i] * (y[i] * (1.0f - y[i]));
      return;
    case Activation::tanh:
      for (int64_t i = 0; i < count; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
      return;
  }
}

void softmax_rows_f32__scalar(float* out, const float* logits, int64_t rows, int64_t classes, float* row_max,
                              float* row_sum) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = logits + r * classes;
    float* y = out + r * classes;
    float max = x[0];
    for (int64_t j = 1; j < classes; ++j) max = x[j] > max ? x[j] : max;
    float sum = 0.0f;
    for (int64_t j = 0; j < classes; ++j) {
      y[j] = std::exp(x[j] - max);  // y may alias x: x[j] is read before y[j] is written
      sum += y[j];
    }
    const float inverse = 1.0f / sum;
    for (int64_t j = 0; j < classes; ++j) y[j] *= inverse;
    if (row_max != nullptr) row_max[r] = max;
    if (row_sum != nullptr) row_sum[r] = sum;
  }
}

void softmax_backward_rows_f32__scalar(float* dx, const float* dy, const float* y, int64_t rows, int64_t classes) {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t offset = r * classes;
    float dot = 0.0f;
    for (int64_t j = 0; j < classes; ++j) dot += dy[offset + j] * y[offset + j];
    for (int64_t j = 0; j < classes; ++j) dx[offset + j] = y[offset + j] * (dy[offset + j] - dot);
  }
}

void exp_f32__scalar(float* out, const float* in, int64_t count) {
  for (int64_t i = 0; i < count; ++i) out[i] = std::exp(in[i]);
}

}  // namespace faltung
