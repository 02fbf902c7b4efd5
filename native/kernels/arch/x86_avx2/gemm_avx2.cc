// AVX2 + FMA3 SGEMM microkernel: a 6x16 register tile (12 ymm accumulators, 2 B vectors and one
// broadcast of A: 15 of the 16 ymm registers). Packing uses the portable routines. Deliberately
// only intrinsics, plain loops and helpers in an anonymous namespace (see the ODR note in STYLE).
#if defined(__x86_64__)

#include <immintrin.h>

#include <cstdint>

#include "../gemm_microkernels.h"

namespace faltung {
namespace {

constexpr int kMR = 6;

// Eight -1 then eight 0: loading 8 lanes at (8 - count) gives a mask with `count` lanes set.
alignas(32) const int32_t kMaskSource[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

__m256i lane_mask(size_t count) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMaskSource + 8 - count));
}

using TileFn = void (*)(size_t kc, const float* a, size_t a_row_stride, size_t a_k_stride, const float* b,
                        size_t b_k_stride, __m256i last_mask, float* c, size_t c_row_stride, float alpha,
                        float beta);

// kRows x (8 * kVectors) accumulators in ymm registers for the whole k loop. kMaskedLast: the last
// vector covers fewer than 8 columns and is read and written with vmaskmov, which never touches
// the masked-off lanes (no fault, no over-read). AMD's masked loads are slower, hence the flag:
// full tiles use plain loads.
template <int kRows, int kVectors, bool kUnitRowStride, bool kMaskedLast>
void tile(size_t kc, const float* a, size_t a_row_stride, size_t a_k_stride, const float* b, size_t b_k_stride,
          __m256i last_mask, float* c, size_t c_row_stride, float alpha, float beta) {
  __m256 acc0[kRows];
  __m256 acc1[kRows];
#pragma GCC unroll 8
  for (int i = 0; i < kRows; ++i) {
    acc0[i] = _mm256_setzero_ps();
    acc1[i] = _mm256_setzero_ps();
  }
  for (size_t p = 0; p < kc; ++p) {
    __m256 b0;
    __m256 b1 = _mm256_setzero_ps();
    if (kVectors == 2) {
      b0 = _mm256_loadu_ps(b);
      b1 = kMaskedLast ? _mm256_maskload_ps(b + 8, last_mask) : _mm256_loadu_ps(b + 8);
    } else {
      b0 = kMaskedLast ? _mm256_maskload_ps(b, last_mask) : _mm256_loadu_ps(b);
    }
#pragma GCC unroll 8
    for (int i = 0; i < kRows; ++i) {
      const __m256 a_value = _mm256_broadcast_ss(kUnitRowStride ? a + i : a + i * a_row_stride);
      acc0[i] = _mm256_fmadd_ps(a_value, b0, acc0[i]);
      if (kVectors == 2) acc1[i] = _mm256_fmadd_ps(a_value, b1, acc1[i]);
    }
    a += a_k_stride;
    b += b_k_stride;
  }
  const __m256 alpha_vector = _mm256_set1_ps(alpha);
  const __m256 beta_vector = _mm256_set1_ps(beta);
  const bool scale = alpha != 1.0f;  // alpha * x == x exactly when alpha == 1
#pragma GCC unroll 8
  for (int i = 0; i < kRows; ++i) {
    float* c_row = c + i * c_row_stride;
    __m256 r0 = scale ? _mm256_mul_ps(acc0[i], alpha_vector) : acc0[i];
    __m256 r1 = scale ? _mm256_mul_ps(acc1[i], alpha_vector) : acc1[i];
    float* last = kVectors == 2 ? c_row + 8 : c_row;
    __m256& r_last = kVectors == 2 ? r1 : r0;
    if (beta != 0.0f) {  // beta == 0 never reads C
      if (kVectors == 2) r0 = _mm256_fmadd_ps(beta_vector, _mm256_loadu_ps(c_row), r0);
      const __m256 c_last = kMaskedLast ? _mm256_maskload_ps(last, last_mask) : _mm256_loadu_ps(last);
      r_last = _mm256_fmadd_ps(beta_vector, c_last, r_last);
    }
    if (kVectors == 2) _mm256_storeu_ps(c_row, r0);
    if (kMaskedLast) {
      _mm256_maskstore_ps(last, last_mask, r_last);
    } else {
      _mm256_storeu_ps(last, r_last);
    }
  }
}

struct TileTable {
  TileFn fn[2][2][2][kMR];  // [vectors - 1][unit row stride][masked last][rows - 1]
};

template <int kRows>
constexpr void fill_rows(TileTable& table) {
  if constexpr (kRows > 0) {
    table.fn[0][0][0][kRows - 1] = &tile<kRows, 1, false, false>;
    table.fn[0][0][1][kRows - 1] = &tile<kRows, 1, false, true>;
    table.fn[0][1][0][kRows - 1] = &tile<kRows, 1, true, false>;
    table.fn[0][1][1][kRows - 1] = &tile<kRows, 1, true, true>;
    table.fn[1][0][0][kRows - 1] = &tile<kRows, 2, false, false>;
    table.fn[1][0][1][kRows - 1] = &tile<kRows, 2, false, true>;
    table.fn[1][1][0][kRows - 1] = &tile<kRows, 2, true, false>;
    table.fn[1][1][1][kRows - 1] = &tile<kRows, 2, true, true>;
    fill_rows<kRows - 1>(table);
  }
}

constexpr TileTable make_tile_table() {
  TileTable table{};
  fill_rows<kMR>(table);
  return table;
}

constexpr TileTable kTiles = make_tile_table();

}  // namespace

// tile: c (mr,nr) = alpha * a (mr,kc) * b (kc,nr) + beta * c; mr <= 6, nr <= 16 (contract in header)
void gemm_f32_6x16__avx2(size_t mr, size_t nr, size_t kc, const float* a, size_t a_row_stride,
                         size_t a_k_stride, const float* b, size_t b_k_stride, float* c,
                         size_t c_row_stride, float alpha, float beta) {
  const size_t vectors = nr > 8 ? 2 : 1;
  const size_t last = nr - 8 * (vectors - 1);
  const TileFn fn = kTiles.fn[vectors - 1][a_row_stride == 1 ? 1 : 0][last < 8 ? 1 : 0][mr - 1];
  fn(kc, a, a_row_stride, a_k_stride, b, b_k_stride, lane_mask(last), c, c_row_stride, alpha, beta);
}

}  // namespace faltung

#endif  // __x86_64__
