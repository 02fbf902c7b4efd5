// AVX-512 activations and softmax: 16 lanes, masked tails (the tail takes the same vector path, so
// an element's result never depends on its position), and a polynomial exp (Cephes expf
// coefficients, Cody-Waite reduction, scalef for the 2^n step) accurate to ~1 ulp.
// Deliberately only intrinsics and plain loops: nothing here may be instantiated by another TU.
#if defined(__x86_64__)

#include <immintrin.h>

#include "../../activation.h"

namespace faltung {
namespace {

inline __mmask16 tail_mask(int64_t remaining) {
  return static_cast<__mmask16>((1u << remaining) - 1u);
}

// exp(r) = 1 + r + r^2 * P(r) on |r| <= ln(2)/2 (Cephes expf minimax coefficients).
inline __m512 exp_polynomial_tail(__m512 r) {
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  return _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r);  // r + r^2 P(r) = exp(r) - 1
}

// x = n ln2 + r with n integral, |r| <= ln2/2; ln2 split in two so n * hi is exact.
inline __m512 reduce(__m512 x, __m512* n) {
  *n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                            _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(*n, _mm512_set1_ps(0.693359375f), x);
  return _mm512_fnmadd_ps(*n, _mm512_set1_ps(-2.12194440e-4f), r);
}

// Clamps keep n in range; max/min take x as the second operand so a NaN passes through.
inline __m512 exp_ps(__m512 x) {
  x = _mm512_min_ps(_mm512_set1_ps(88.8f), _mm512_max_ps(_mm512_set1_ps(-104.0f), x));
  __m512 n;
  const __m512 r = reduce(x, &n);
  const __m512 p = _mm512_add_ps(exp_polynomial_tail(r), _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);  // p * 2^n: overflows to inf, underflows through denormals to 0
}

// expm1(x) = 2^n (exp(r) - 1) + (2^n - 1): exact-ish near 0, where exp(x) - 1 would cancel.
inline __m512 expm1_ps(__m512 x) {
  x = _mm512_min_ps(_mm512_set1_ps(88.0f), _mm512_max_ps(_mm512_set1_ps(-87.0f), x));
  __m512 n;
  const __m512 r = reduce(x, &n);
  const __m512 q = exp_polynomial_tail(r);
  const __m512 scale = _mm512_scalef_ps(_mm512_set1_ps(1.0f), n);
  return _mm512_fmadd_ps(q, scale, _mm512_sub_ps(scale, _mm512_set1_ps(1.0f)));
}

inline __m512 sigmoid_ps(__m512 x) {
  const __m512 e = exp_ps(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_abs_ps(x)));  // exp(-|x|)
  const __m512 positive = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
  const __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
  return _mm512_mask_mul_ps(positive, negative, e, positive);
}

// tanh(x) = expm1(2x) / (expm1(2x) + 2); |x| >= 10 rounds to +-1 anyway, so clamp there.
inline __m512 tanh_ps(__m512 x) {
  x = _mm512_min_ps(_mm512_set1_ps(10.0f), _mm512_max_ps(_mm512_set1_ps(-10.0f), x));
  const __m512 em = expm1_ps(_mm512_add_ps(x, x));
  return _mm512_div_ps(em, _mm512_add_ps(em, _mm512_set1_ps(2.0f)));
}

template <Activation kind>
inline __m512 forward_ps(__m512 alpha, __m512 x) {
  const __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
  if constexpr (kind == Activation::linear) return x;
  if constexpr (kind == Activation::relu) return _mm512_mask_mov_ps(x, negative, _mm512_setzero_ps());
  if constexpr (kind == Activation::leaky_relu) return _mm512_mask_mul_ps(x, negative, x, alpha);
  if constexpr (kind == Activation::elu) return _mm512_mask_mul_ps(x, negative, expm1_ps(x), alpha);
  if constexpr (kind == Activation::sigmoid) return sigmoid_ps(x);
  if constexpr (kind == Activation::tanh) return tanh_ps(x);
}

template <Activation kind>
inline __m512 backward_ps(__m512 alpha, __m512 dy, __m512 y) {
  const __mmask16 positive = _mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_GT_OQ);
  const __m512 one = _mm512_set1_ps(1.0f);
  if constexpr (kind == Activation::linear) return dy;
  if constexpr (kind == Activation::relu) return _mm512_maskz_mov_ps(positive, dy);
  if constexpr (kind == Activation::leaky_relu) return _mm512_mask_mov_ps(_mm512_mul_ps(alpha, dy), positive, dy);
  if constexpr (kind == Activation::elu) {
    return _mm512_mask_mov_ps(_mm512_mul_ps(_mm512_add_ps(y, alpha), dy), positive, dy);
  }
  if constexpr (kind == Activation::sigmoid) return _mm512_mul_ps(dy, _mm512_mul_ps(y, _mm512_sub_ps(one, y)));
  if constexpr (kind == Activation::tanh) return _mm512_mul_ps(dy, _mm512_fnmadd_ps(y, y, one));
}

template <typename Body>  // internal linkage: each instantiation is private to this TU
inline void for_each_vector(int64_t count, Body body) {
  int64_t i = 0;
  for (; i + 16 <= count; i += 16) body(i, static_cast<__mmask16>(0xFFFF));
  if (i < count) body(i, tail_mask(count - i));
}


template <Activation kind>
void forward_loop(float alpha, float* out, const float* in, int64_t count) {
  const __m512 alpha_v = _mm512_set1_ps(alpha);
  for_each_vector(count, [&](int64_t i, __mmask16 mask) {
    _mm512_mask_storeu_ps(out + i, mask, forward_ps<kind>(alpha_v, _mm512_maskz_loadu_ps(mask, in + i)));
  });
}

template <Activation kind>
void backward_loop(float alpha, float* dx, const float* dy, const float* y, int64_t count) {
  const __m512 alpha_v = _mm512_set1_ps(alpha);
  for_each_vector(count, [&](int64_t i, __mmask16 mask) {
    const __m512 result =
        backward_ps<kind>(alpha_v, _mm512_maskz_loadu_ps(mask, dy + i), _mm512_maskz_loadu_ps(mask, y + i));
    _mm512_mask_storeu_ps(dx + i, mask, result);
  });
}

}  // namespace

void activation_forward_f32__avx512(Activation kind, float alpha, float* out, const float* in, int64_t count) {
  switch (kind) {
    case Activation::linear: return forward_loop<Activation::linear>(alpha, out, in, count);
    case Activation::relu: return forward_loop<Activation::relu>(alpha, out, in, count);
    case Activation::leaky_relu: return forward_loop<Activation::leaky_relu>(alpha, out, in, count);
    case Activation::elu: return forward_loop<Activation::elu>(alpha, out, in, count);
    case Activation::sigmoid: return forward_loop<Activation::sigmoid>(alpha, out, in, count);
    case Activation::tanh: return forward_loop<Activation::tanh>(alpha, out, in, count);
  }
}

void activation_backward_f32__avx512(Activation kind, float alpha, float* dx, const float* dy, const float* y,
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

void softmax_rows_f32__avx512(float* out, const float* logits, int64_t rows, int64_t classes, float* row_max,
                              float* row_sum) {
  const __m512 minus_infinity = _mm512_set1_ps(-__builtin_inff());
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = logits + r * classes;
    float* y = out + r * classes;
    __m512 max_v = minus_infinity;
    for_each_vector(classes, [&](int64_t j, __mmask16 mask) {
      max_v = _mm512_max_ps(max_v, _mm512_mask_loadu_ps(minus_infinity, mask, x + j));
    });
    const float max = _mm512_reduce_max_ps(max_v);
    const __m512 max_b = _mm512_set1_ps(max);
    __m512 sum_v = _mm512_setzero_ps();
    for_each_vector(classes, [&](int64_t j, __mmask16 mask) {
      const __m512 e = exp_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, x + j), max_b));
      sum_v = _mm512_mask_add_ps(sum_v, mask, sum_v, e);
      _mm512_mask_storeu_ps(y + j, mask, e);  // y may alias x: this block of x is already read
    });
    const float sum = _mm512_reduce_add_ps(sum_v);
    const __m512 inverse = _mm512_set1_ps(1.0f / sum);
    for_each_vector(classes, [&](int64_t j, __mmask16 mask) {
      _mm512_mask_storeu_ps(y + j, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, y + j), inverse));
    });
    if (row_max != nullptr) row_max[r] = max;
    if (row_sum != nullptr) row_sum[r] = sum;
  }
}

void softmax_backward_rows_f32__avx512(float* dx, const float* dy, const float* y, int64_t rows,
                                       int64_t classes) {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t offset = r * classes;
    __m512 dot_v = _mm512_setzero_ps();
    for_each_vector(classes, [&](int64_t j, __mmask16 mask) {
      dot_v = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, dy + offset + j),
                              _mm512_maskz_loadu_ps(mask, y + offset + j), dot_v);
    });
    const __m512 dot = _mm512_set1_ps(_mm512_reduce_add_ps(dot_v));
    for_each_vector(classes, [&](int64_t j, __mmask16 mask) {
      const __m512 y_v = _mm512_maskz_loadu_ps(mask, y + offset + j);
      const __m512 dy_v = _mm512_maskz_loadu_ps(mask, dy + offset + j);
      _mm512_mask_storeu_ps(dx + offset + j, mask, _mm512_mul_ps(y_v, _mm512_sub_ps(dy_v, dot)));
    });
  }
}

void exp_f32__avx512(float* out, const float* in, int64_t count) {
  for_each_vector(count, [&](int64_t i, __mmask16 mask) {
    _mm512_mask_storeu_ps(out + i, mask, exp_ps(_mm512_maskz_loadu_ps(mask, in + i)));
  });
}

}  // namespace faltung

#endif  // defined(__x86_64__)
