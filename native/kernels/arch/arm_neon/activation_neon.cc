// NEON (AArch64) activations and softmax: 4 lanes; the tail goes through a zero-padded stack copy
// on the same vector path as the body, so results never depend on position. Same polynomial exp
// as the x86 files, 2^n built from two exponent-field halves.
// Deliberately only intrinsics and plain loops: nothing here may be instantiated by another TU.
#if defined(__aarch64__)

#include <arm_neon.h>

#include "../../activation.h"

namespace faltung {
namespace {

constexpr int kLanes = 4;

inline float32x4_t load(const float* p, int64_t valid) {
  if (valid == kLanes) return vld1q_f32(p);
  float padded[kLanes] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (int64_t i = 0; i < valid; ++i) padded[i] = p[i];
  return vld1q_f32(padded);
}

inline void store(float* p, float32x4_t value, int64_t valid) {
  if (valid == kLanes) {
    vst1q_f32(p, value);
    return;
  }
  float padded[kLanes];
  vst1q_f32(padded, value);
  for (int64_t i = 0; i < valid; ++i) p[i] = padded[i];
}

// Lane i is all ones when i < valid.
inline uint32x4_t lane_mask(int64_t valid) {
  const uint32_t indices[kLanes] = {0, 1, 2, 3};
  return vcltq_u32(vld1q_u32(indices), vdupq_n_u32(static_cast<uint32_t>(valid)));
}

template <typename Body>  // internal linkage: each instantiation is private to this TU
inline void for_each_vector(int64_t count, Body body) {
  int64_t i = 0;
  for (; i + kLanes <= count; i += kLanes) body(i, int64_t{kLanes});
  if (i < count) body(i, count - i);
}

// exp(r) - 1 = r + r^2 P(r) on |r| <= ln(2)/2 (Cephes expf minimax coefficients).
inline float32x4_t exp_polynomial_tail(float32x4_t r) {
  float32x4_t p = vdupq_n_f32(1.9875691500e-4f);
  p = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), p, r);
  p = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), p, r);
  return vfmaq_f32(r, p, vmulq_f32(r, r));
}

// x = n ln2 + r with n integral, |r| <= ln2/2; ln2 split in two so n * hi is exact.
inline float32x4_t reduce(float32x4_t x, float32x4_t* n) {
  *n = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(1.44269504088896341f)));
  const float32x4_t r = vfmsq_f32(x, *n, vdupq_n_f32(0.693359375f));
  return vfmsq_f32(r, *n, vdupq_n_f32(-2.12194440e-4f));
}

inline float32x4_t power_of_two(int32x4_t k) {
  return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(k, vdupq_n_s32(127)), 23));
}

// vmaxq/vminq propagate NaN on AArch64, so a NaN input stays NaN.
inline float32x4_t exp_ps(float32x4_t x) {
  x = vminq_f32(vdupq_n_f32(88.8f), vmaxq_f32(vdupq_n_f32(-104.0f), x));
  float32x4_t n;
  const float32x4_t r = reduce(x, &n);
  const float32x4_t p = vaddq_f32(exp_polynomial_tail(r), vdupq_n_f32(1.0f));
  const int32x4_t k = vcvtq_s32_f32(n);  // n is already integral
  const int32x4_t half = vshrq_n_s32(k, 1);
  return vmulq_f32(vmulq_f32(p, power_of_two(half)), power_of_two(vsubq_s32(k, half)));
}

inline float32x4_t expm1_ps(float32x4_t x) {
  x = vminq_f32(vdupq_n_f32(88.0f), vmaxq_f32(vdupq_n_f32(-87.0f), x));
  float32x4_t n;
  const float32x4_t r = reduce(x, &n);
  const float32x4_t q = exp_polynomial_tail(r);
  const float32x4_t scale = power_of_two(vcvtq_s32_f32(n));
  return vfmaq_f32(vsubq_f32(scale, vdupq_n_f32(1.0f)), q, scale);
}

inline uint32x4_t negative_mask(float32x4_t x) { return vcltq_f32(x, vdupq_n_f32(0.0f)); }

inline float32x4_t sigmoid_ps(float32x4_t x) {
  const float32x4_t e = exp_ps(vnegq_f32(vabsq_f32(x)));
  const float32x4_t positive = vdivq_f32(vdupq_n_f32(1.0f), vaddq_f32(vdupq_n_f32(1.0f), e));
  return vbslq_f32(negative_mask(x), vmulq_f32(e, positive), positive);
}

inline float32x4_t tanh_ps(float32x4_t x) {
  x = vminq_f32(vdupq_n_f32(10.0f), vmaxq_f32(vdupq_n_f32(-10.0f), x));
  const float32x4_t em = expm1_ps(vaddq_f32(x, x));
  return vdivq_f32(em, vaddq_f32(em, vdupq_n_f32(2.0f)));
}

template <Activation kind>
inline float32x4_t forward_ps(float32x4_t alpha, float32x4_t x) {
  if constexpr (kind == Activation::linear) return x;
  if constexpr (kind == Activation::relu) return vbslq_f32(negative_mask(x), vdupq_n_f32(0.0f), x);
  if constexpr (kind == Activation::leaky_relu) return vbslq_f32(negative_mask(x), vmulq_f32(x, alpha), x);
  if constexpr (kind == Activation::elu) return vbslq_f32(negative_mask(x), vmulq_f32(expm1_ps(x), alpha), x);
  if constexpr (kind == Activation::sigmoid) return sigmoid_ps(x);
  if constexpr (kind == Activation::tanh) return tanh_ps(x);
}

template <Activation kind>
inline float32x4_t backward_ps(float32x4_t alpha, float32x4_t dy, float32x4_t y) {
  const uint32x4_t positive = vcgtq_f32(y, vdupq_n_f32(0.0f));
  const float32x4_t one = vdupq_n_f32(1.0f);
  if constexpr (kind == Activation::linear) return dy;
  if constexpr (kind == Activation::relu) return vbslq_f32(positive, dy, vdupq_n_f32(0.0f));
  if constexpr (kind == Activation::leaky_relu) return vbslq_f32(positive, dy, vmulq_f32(alpha, dy));
  if constexpr (kind == Activation::elu) return vbslq_f32(positive, dy, vmulq_f32(vaddq_f32(y, alpha), dy));
  if constexpr (kind == Activation::sigmoid) return vmulq_f32(dy, vmulq_f32(y, vsubq_f32(one, y)));
  if constexpr (kind == Activation::tanh) return vmulq_f32(dy, vfmsq_f32(one, y, y));
}

template <Activation kind>
void forward_loop(float alpha, float* out, const float* in, int64_t count) {
  const float32x4_t alpha_v = vdupq_n_f32(alpha);
  for_each_vector(count, [&](int64_t i, int64_t valid) {
    store(out + i, forward_ps<kind>(alpha_v, load(in + i, valid)), valid);
  });
}

template <Activation kind>
void backward_loop(float alpha, float* dx, const float* dy, const float* y, int64_t count) {
  const float32x4_t alpha_v = vdupq_n_f32(alpha);
  for_each_vector(count, [&](int64_t i, int64_t valid) {
    store(dx + i, backward_ps<kind>(alpha_v, load(dy + i, valid), load(y + i, valid)), valid);
  });
}

}  // namespace

void activation_forward_f32__neon(Activation kind, float alpha, float* out, const float* in, int64_t count) {
  switch (kind) {
    case Activation::linear: return forward_loop<Activation::linear>(alpha, out, in, count);
    case Activation::relu: return forward_loop<Activation::relu>(alpha, out, in, count);
    case Activation::leaky_relu: return forward_loop<Activation::leaky_relu>(alpha, out, in, count);
    case Activation::elu: return forward_loop<Activation::elu>(alpha, out, in, count);
    case Activation::sigmoid: return forward_loop<Activation::sigmoid>(alpha, out, in, count);
    case Activation::tanh: return forward_loop<Activation::tanh>(alpha, out, in, count);
  }
}

void activation_backward_f32__neon(Activation kind, float alpha, float* dx, const float* dy, const float* y,
                                   int64_t count) {
  switch (kind) {
    case Activation::linear: return backward_loop<Activation::linear>(alpha, dx, dy, y, count);
    case Activation::relu: return backward_loop<Activation::relu>(alpha, dx, dy, y, count);
    case Activation::leaky_relu: return backward_loop<Activation::leaky_relu>(alpha, dx, dy, y, count);
    case Activation::elu: return backward_loop<Activation::elu>(alpha, dx, dy, y, count);
    case Activation::sigmoid: return backward_loop<Activation::sigmoid>(alpha, dx, dy, y, count);
    case Activation::tanh: return backward_loop<Activation::tanh>(alpha, dx, dy, y, count);
  }
}

void softmax_rows_f32__neon(float* out, const float* logits, int64_t rows, int64_t classes, float* row_max,
                            float* row_sum) {
  const float32x4_t minus_infinity = vdupq_n_f32(-__builtin_inff());
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = logits + r * classes;
    float* y = out + r * classes;
    float32x4_t max_v = minus_infinity;
    for_each_vector(classes, [&](int64_t j, int64_t valid) {
      const float32x4_t loaded = load(x + j, valid);
      max_v = vmaxq_f32(max_v, valid == kLanes ? loaded : vbslq_f32(lane_mask(valid), loaded, minus_infinity));
    });
    const float max = vmaxvq_f32(max_v);
    const float32x4_t max_b = vdupq_n_f32(max);
    float32x4_t sum_v = vdupq_n_f32(0.0f);
    for_each_vector(classes, [&](int64_t j, int64_t valid) {
      float32x4_t e = exp_ps(vsubq_f32(load(x + j, valid), max_b));
      if (valid != kLanes) e = vbslq_f32(lane_mask(valid), e, vdupq_n_f32(0.0f));
      sum_v = vaddq_f32(sum_v, e);
      store(y + j, e, valid);  // y may alias x: this block of x is already read
    });
    const float sum = vaddvq_f32(sum_v);
    const float32x4_t inverse = vdupq_n_f32(1.0f / sum);
    for_each_vector(classes, [&](int64_t j, int64_t valid) {
      store(y + j, vmulq_f32(load(y + j, valid), inverse), valid);
    });
    if (row_max != nullptr) row_max[r] = max;
    if (row_sum != nullptr) row_sum[r] = sum;
  }
}

void softmax_backward_rows_f32__neon(float* dx, const float* dy, const float* y, int64_t rows, int64_t classes) {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t offset = r * classes;
    float32x4_t dot_v = vdupq_n_f32(0.0f);
    for_each_vector(classes, [&](int64_t j, int64_t valid) {
      dot_v = vfmaq_f32(dot_v, load(dy + offset + j, valid), load(y + offset + j, valid));
    });
    const float32x4_t dot = vdupq_n_f32(vaddvq_f32(dot_v));
    for_each_vector(classes, [&](int64_t j, int64_t valid) {
      const float32x4_t y_v = load(y + offset + j, valid);
      store(dx + offset + j, vmulq_f32(y_v, vsubq_f32(load(dy + offset + j, valid), dot)), valid);
    });
  }
}

void exp_f32__neon(float* out, const float* in, int64_t count) {
  for_each_vector(count, [&](int64_t i, int64_t valid) { store(out + i, exp_ps(load(in + i, valid)), valid); });
}

}  // namespace faltung

#endif  // defined(__aarch64__)
