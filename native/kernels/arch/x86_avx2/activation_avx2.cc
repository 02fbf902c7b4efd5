// AVX2 + FMA activations and softmax: 8 lanes, masked loads/stores for the tail (the same vector
// path as the body, so results never depend on position), and the polynomial exp of the AVX-512
// file with 2^n built from two exponent-field halves (no scalef here) so that overflow gives inf
// and underflow passes through denormals to 0.
// Deliberately only intrinsics and plain loops: nothing here may be instantiated by another TU.
#if defined(__x86_64__)

#include <immintrin.h>

#include "../../activation.h"

namespace faltung {
namespace {

constexpr int kLanes = 8;

// Lane i is on when i < valid.
inline __m256i lane_mask(int64_t valid) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(valid)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// valid == kLanes in the body (a constant after inlining), fewer in the tail.
inline __m256 load(const float* p, int64_t valid) {
  return valid == kLanes ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, lane_mask(valid));
}

inline void store(float* p, __m256 value, int64_t valid) {
  if (valid == kLanes) {
    _mm256_storeu_ps(p, value);
  } else {
    _mm256_maskstore_ps(p, lane_mask(valid), value);
  }
}

template <typename Body>  // internal linkage: each instantiation is private to this TU
inline void for_each_vector(int64_t count, Body body) {
  int64_t i = 0;
  for (; i + kLanes <= count; i += kLanes) body(i, int64_t{kLanes});
  if (i < count) body(i, count - i);
}

inline float horizontal_sum(__m256 v) {
  __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
  sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
  return _mm_cvtss_f32(sum);
}

inline float horizontal_max(__m256 v) {
  __m128 max = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  max = _mm_max_ps(max, _mm_movehl_ps(max, max));
  max = _mm_max_ss(max, _mm_movehdup_ps(max));
  return _mm_cvtss_f32(max);
}

// exp(r) - 1 = r + r^2 P(r) on |r| <= ln(2)/2 (Cephes expf minimax coefficients).
inline __m256 exp_polynomial_tail(__m256 r) {
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  return _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r);
}

// x = n ln2 + r with n integral, |r| <= ln2/2; ln2 split in two so n * hi is exact.
inline __m256 reduce(__m256 x, __m256* n) {
  *n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                       _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256 r = _mm256_fnmadd_ps(*n, _mm256_set1_ps(0.693359375f), x);
  return _mm256_fnmadd_ps(*n, _mm256_set1_ps(-2.12194440e-4f), r);
}

// 2^k for integral k in [-126, 127], straight into the exponent field.
inline __m256 power_of_two(__m256i k) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23));
}

// Clamps keep n in [-150, 128]; max/min take x as the second operand so a NaN passes through.
inline __m256 exp_ps(__m256 x) {
  x = _mm256_min_ps(_mm256_set1_ps(88.8f), _mm256_max_ps(_mm256_set1_ps(-104.0f), x));
  __m256 n;
  const __m256 r = reduce(x, &n);
  const __m256 p = _mm256_add_ps(exp_polynomial_tail(r), _mm256_set1_ps(1.0f));
  const __m256i k = _mm256_cvtps_epi32(n);
  const __m256i half = _mm256_srai_epi32(k, 1);  // p * 2^half * 2^(k - half): each factor normal
  return _mm256_mul_ps(_mm256_mul_ps(p, power_of_two(half)), power_of_two(_mm256_sub_epi32(k, half)));
}

// expm1(x) = 2^n (exp(r) - 1) + (2^n - 1): no cancellation near 0.
inline __m256 expm1_ps(__m256 x) {
  x = _mm256_min_ps(_mm256_set1_ps(88.0f), _mm256_max_ps(_mm256_set1_ps(-87.0f), x));
  __m256 n;
  const __m256 r = reduce(x, &n);
  const __m256 q = exp_polynomial_tail(r);
  const __m256 scale = power_of_two(_mm256_cvtps_epi32(n));
  return _mm256_fmadd_ps(q, scale, _mm256_sub_ps(scale, _mm256_set1_ps(1.0f)));
}

inline __m256 negative_mask(__m256 x) { return _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ); }

inline __m256 sigmoid_ps(__m256 x) {
  const __m256 abs_x = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
  const __m256 e = exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), abs_x));  // exp(-|x|)
  const __m256 positive = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
  return _mm256_blendv_ps(positive, _mm256_mul_ps(e, positive), negative_mask(x));
}

inline __m256 tanh_ps(__m256 x) {
  x = _mm256_min_ps(_mm256_set1_ps(10.0f), _mm256_max_ps(_mm256_set1_ps(-10.0f), x));
  const __m256 em = expm1_ps(_mm256_add_ps(x, x));
  return _mm256_div_ps(em, _mm256_add_ps(em, _mm256_set1_ps(2.0f)));
}

template <Activation kind>
inline __m256 forward_ps(__m256 alpha, __m256 x) {
  if constexpr (kind == Activation::linear) return x;
  if constexpr (kind == Activation::relu) return _mm256_andnot_ps(negative_mask(x), x);
  if constexpr (kind == Activation::leaky_relu) return _mm256_blendv_ps(x, _mm256_mul_ps(x, alpha), negative_mask(x));
  if constexpr (kind == Activation::elu) {
    return _mm256_blendv_ps(x, _mm256_mul_ps(expm1_ps(x), alpha), negative_mask(x));
  }
  if constexpr (kind == Activation::sigmoid) return sigmoid_ps(x);
  if constexpr (kind == Activation::tanh) return tanh_ps(x);
}

template <Activation kind>
inline __m256 backward_ps(__m256 alpha, __m256 dy, __m256 y) {
  const __m256 positive = _mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_GT_OQ);
  const __m256 one = _mm256_set1_ps(1.0f);
  if constexpr (kind == Activation::linear) return dy;
  if constexpr (kind == Activation::relu) return _mm256_and_ps(positive, dy);
  if constexpr (kind == Activation::leaky_relu) return _mm256_blendv_ps(_mm256_mul_ps(alpha, dy), dy, positive);
  if constexpr (kind == Activation::elu) {
    return _mm256_blendv_ps(_mm256_mul_ps(_mm256_add_ps(y, alpha), dy), dy, positive);
  }
  if constexpr (kind == Activation::sigmoid) return _mm256_mul_ps(dy, _mm256_mul_ps(y, _mm256_sub_ps(one, y)));
  if constexpr (kind == Activation::tanh) return _mm256_mul_ps(dy, _mm256_fnmadd_ps(y, y, one));
}

template <Activation kind>
void forward_loop(float alpha, float* out, const float* in, int64_t count) {
  const __m256 alpha_v = _mm256_set1_ps(alpha);
  for_each_vector(count, [&](int64_t i, int64_t valid) {
    store(out + i, forward_ps<kind>(alpha_v, load(in + i, valid)), valid);
  });
}

template <Activation kind>
void backward_loop(float alpha, float* dx, const float* dy, const float* y, int64_t count) {
  const __m256 alpha_v = _mm256_set1_ps(alpha);
  for_each_vector(count, [&](int64_t i, int64_t valid) {
    store(dx + i, backward_ps<kind>(alpha_v, load(dy + i, valid), load(y + i, valid)), valid);
  });
}

}  // namespace

void activation_forward_f32__avx2(Activation kind, float alpha, float* out, const float* in, int64_t count) {
  switch (kind) {
    case Activation::linear: return forward_loop<Activation::linear>(alpha, out, in, count);
    case Activation::relu: return forward_loop<Activation::relu>(alpha, out, in, count);
    case Activation::leaky_relu: return forward_loop<Activation::leaky_relu>(alpha, out, in, count);
    case Activation::elu: return forward_loop<Activation::elu>(alpha, out, in, count);
    case Activation::sigmoid: return forward_loop<Activation::sigmoid>(alpha, out, in, count);
    case Activation::tanh: return forward_loop<Activation::tanh>(alpha, out, in, count);
  }
}

void activation_backward_f32__avx2(Activation kind, float alpha, float* dx, const float* dy, const float* y,
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

void softmax_rows_f32__avx2(float* out, const float* logits, int64_t rows, int64_t classes, float* row_max,
                            float* row_sum) {
  const __m256 minus_infinity = _mm256_set1_ps(-__builtin_inff());
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = logits + r * classes;
    float* y = out + r * classes;
    __m256 max_v = minus_infinity;
    for_each_vector(classes, [&](int64_t j, int64_t valid) {
      const __m256 loaded = load(x + j, valid);
      max_v = _mm256_max_ps(max_v, valid == kLanes ? loaded
                                                   : _mm256_blendv_ps(minus_infinity, loaded,
                                                                      _mm256_castsi256_ps(lane_mask(valid))));
    });
    const float max = horizontal_max(max_v);
    const __m256 max_b = _mm256_set1_ps(max);
    __m256 sum_v = _mm256_setzero_ps();
    for_each_vector(classes, [&](int64_t j, int64_t valid) {
      __m256 e = exp_ps(_mm256_sub_ps(load(x + j, valid), max_b));
      if (valid != kLanes) e = _mm256_and_ps(e, _mm256_castsi256_ps(lane_mask(valid)));
      sum_v = _mm256_add_ps(sum_v, e);
      store(y + j, e, valid);  // y may alias x: this block of x is already read
    });
    const float sum = horizontal_sum(sum_v);
    const __m256 inverse = _mm256_set1_ps(1.0f / sum);
    for_each_vector(classes, [&](int64_t j, int64_t valid) {
      store(y + j, _mm256_mul_ps(load(y + j, valid), inverse), valid);
    });
    if (row_max != nullptr) row_max[r] = max;
    if (row_sum != nullptr) row_sum[r] = sum;
  }
}

void softmax_backward_rows_f32__avx2(float* dx, const float* dy, const float* y, int64_t rows, int64_t classes) {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t offset = r * classes;
    __m256 dot_v = _mm256_setzero_ps();
    for_each_vector(classes, [&](int64_t j, int64_t valid) {
      dot_v = _mm256_fmadd_ps(load(dy + offset + j, valid), load(y + offset + j, valid), dot_v);
    });
    const __m256 dot = _mm256_set1_ps(horizontal_sum(dot_v));
    for_each_vector(classes, [&](int64_t j, int64_t valid) {
      const __m256 y_v = load(y + offset + j, valid);
      store(dx + offset + j, _mm256_mul_ps(y_v, _mm256_sub_ps(load(dy + offset + j, valid), dot)), valid);
    });
  }
}

void exp_f32__avx2(float* out, const float* in, int64_t count) {
  for_each_vector(count, [&](int64_t i, int64_t valid) { store(out + i, exp_ps(load(in + i, valid)), valid); });
}

}  // namespace faltung

#endif  // defined(__x86_64__)
