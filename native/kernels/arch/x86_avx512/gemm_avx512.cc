// AVX-512F SGEMM microkernel (14x32 register tile) and packing with in-register 16x16 transposes.
// Compiled with -mavx512f and friends; deliberately only intrinsics, plain loops and helpers in an
// anonymous namespace, so no inline function shared with other translation units is instantiated
// here with AVX-512 code (the linker could otherwise hand that copy to the scalar path).
#if defined(__x86_64__)

#include <immintrin.h>

#include "../gemm_microkernels.h"

namespace faltung {
namespace {

constexpr int kMR = 14;
constexpr int kNR = 32;  // two zmm vectors

// Lanes [0, count) set; count in [0, 16].
__mmask16 lane_mask(size_t count) { return static_cast<__mmask16>((1u << count) - 1u); }

using TileFn = void (*)(size_t kc, const float* a, size_t a_row_stride, size_t a_k_stride, const float* b,
                        size_t b_k_stride, __mmask16 last_mask, float* c, size_t c_row_stride, float alpha,
                        float beta);

// One register tile: kRows x (16 * kVectors) accumulators live in zmm registers for the whole k
// loop (28 + 2 B vectors + 1 broadcast = 31 of 32 registers at the full 14x32). last_mask selects
// the columns of the last vector (all 16 except at the right edge); B and C are read and written
// through it, so an edge tile touches exactly its nr columns. kUnitRowStride: rows of A are
// adjacent (packed panels, A^T in place), so the 14 broadcasts use immediate offsets.
template <int kRows, int kVectors, bool kUnitRowStride>
void tile(size_t kc, const float* a, size_t a_row_stride, size_t a_k_stride, const float* b, size_t b_k_stride,
          __mmask16 last_mask, float* c, size_t c_row_stride, float alpha, float beta) {
  __m512 acc0[kRows];
  __m512 acc1[kRows];
#pragma GCC unroll 16
  for (int i = 0; i < kRows; ++i) {
    acc0[i] = _mm512_setzero_ps();
    acc1[i] = _mm512_setzero_ps();
  }
  // Warm C's lines while the k loop runs: they are needed (written, maybe read) at the end.
#pragma GCC unroll 16
  for (int i = 0; i < kRows; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * c_row_stride), _MM_HINT_T0);
    if (kVectors == 2) _mm_prefetch(reinterpret_cast<const char*>(c + i * c_row_stride + 16), _MM_HINT_T0);
  }
  for (size_t p = 0; p < kc; ++p) {
    __m512 b0;
    __m512 b1 = _mm512_setzero_ps();
    if (kVectors == 2) {
      b0 = _mm512_loadu_ps(b);
      b1 = _mm512_maskz_loadu_ps(last_mask, b + 16);
    } else {
      b0 = _mm512_maskz_loadu_ps(last_mask, b);
    }
#pragma GCC unroll 16
    for (int i = 0; i < kRows; ++i) {
      const __m512 a_value = _mm512_set1_ps(kUnitRowStride ? a[i] : a[i * a_row_stride]);
      acc0[i] = _mm512_fmadd_ps(a_value, b0, acc0[i]);
      if (kVectors == 2) acc1[i] = _mm512_fmadd_ps(a_value, b1, acc1[i]);
    }
    a += a_k_stride;
    b += b_k_stride;
  }
  const __m512 alpha_vector = _mm512_set1_ps(alpha);
  const __m512 beta_vector = _mm512_set1_ps(beta);
  const bool scale = alpha != 1.0f;  // alpha * x == x exactly when alpha == 1: skip the multiply
#pragma GCC unroll 16
  for (int i = 0; i < kRows; ++i) {
    float* c_row = c + i * c_row_stride;
    __m512 r0 = scale ? _mm512_mul_ps(acc0[i], alpha_vector) : acc0[i];
    __m512 r1 = scale ? _mm512_mul_ps(acc1[i], alpha_vector) : acc1[i];
    if (kVectors == 2) {
      if (beta != 0.0f) {  // beta == 0 never reads C (NaNs there must not propagate)
        r0 = _mm512_fmadd_ps(beta_vector, _mm512_loadu_ps(c_row), r0);
        r1 = _mm512_fmadd_ps(beta_vector, _mm512_maskz_loadu_ps(last_mask, c_row + 16), r1);
      }
      _mm512_storeu_ps(c_row, r0);
      _mm512_mask_storeu_ps(c_row + 16, last_mask, r1);
    } else {
      if (beta != 0.0f) r0 = _mm512_fmadd_ps(beta_vector, _mm512_maskz_loadu_ps(last_mask, c_row), r0);
      _mm512_mask_storeu_ps(c_row, last_mask, r0);
    }
  }
}

// Every (rows, vectors, unit row stride) instantiation, filled at compile time.
struct TileTable {
  TileFn fn[2][2][kMR];  // [vectors - 1][unit row stride][rows - 1]
};

template <int kRows>
constexpr void fill_rows(TileTable& table) {
  if constexpr (kRows > 0) {
    table.fn[0][0][kRows - 1] = &tile<kRows, 1, false>;
    table.fn[0][1][kRows - 1] = &tile<kRows, 1, true>;
    table.fn[1][0][kRows - 1] = &tile<kRows, 2, false>;
    table.fn[1][1][kRows - 1] = &tile<kRows, 2, true>;
    fill_rows<kRows - 1>(table);
  }
}

constexpr TileTable make_tile_table() {
  TileTable table{};
  fill_rows<kMR>(table);
  return table;
}

constexpr TileTable kTiles = make_tile_table();

// dst[col * dst_stride + row] = src[row * src_stride + col] for row < rows, col < cols (both <= 16).
// Rows past `rows` enter as zeros; columns past `cols` are neither read nor stored, so nothing
// outside the named elements is touched.
void transpose_16x16(const float* src, size_t src_stride, size_t rows, size_t cols, float* dst,
                     size_t dst_stride) {
  const __mmask16 load_mask = lane_mask(cols);
  const __mmask16 store_mask = lane_mask(rows);
  __m512 r[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) {
    r[i] = static_cast<size_t>(i) < rows ? _mm512_maskz_loadu_ps(load_mask, src + i * src_stride)
                                         : _mm512_setzero_ps();
  }
  // Stage 1: interleave pairs of rows (2x2 blocks of scalars).
  __m512 t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // Stage 2: 4x4 blocks inside each 128-bit lane.
  __m512 u[16];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    u[4 * i + 0] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  // Stages 3 and 4: move 128-bit lanes between registers.
  __m512 v[16];
#pragma GCC unroll 2
  for (int h = 0; h < 2; ++h) {
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) {
      v[8 * h + i] = _mm512_shuffle_f32x4(u[8 * h + i], u[8 * h + 4 + i], 0x88);
      v[8 * h + 4 + i] = _mm512_shuffle_f32x4(u[8 * h + i], u[8 * h + 4 + i], 0xDD);
    }
  }
  __m512 out[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    out[i] = _mm512_shuffle_f32x4(v[i], v[8 + i], 0x88);
    out[8 + i] = _mm512_shuffle_f32x4(v[i], v[8 + i], 0xDD);
  }
  // out[col] now holds column col of the source block.
#pragma GCC unroll 16
  for (int col = 0; col < 16; ++col) {
    if (static_cast<size_t>(col) < cols) _mm512_mask_storeu_ps(dst + col * dst_stride, store_mask, out[col]);
  }
}

}  // namespace

// tile: c (mr,nr) = alpha * a (mr,kc) * b (kc,nr) + beta * c; mr <= 14, nr <= 32 (contract in header)
void gemm_f32_14x32__avx512(size_t mr, size_t nr, size_t kc, const float* a, size_t a_row_stride,
                            size_t a_k_stride, const float* b, size_t b_k_stride, float* c,
                            size_t c_row_stride, float alpha, float beta) {
  const size_t vectors = nr > 16 ? 2 : 1;
  const __mmask16 last_mask = lane_mask(nr - 16 * (vectors - 1));
  const TileFn fn = kTiles.fn[vectors - 1][a_row_stride == 1 ? 1 : 0][mr - 1];
  fn(kc, a, a_row_stride, a_k_stride, b, b_k_stride, last_mask, c, c_row_stride, alpha, beta);
}

// panel (kc, rows) <- op(A) (rows, kc); rows <= 16
void gemm_pack_a__avx512(bool transposed, const float* a, size_t lda, size_t rows, size_t kc, float* panel) {
  if (transposed) {  // A stored (K,M): one masked copy of `rows` floats per k
    const __mmask16 mask = lane_mask(rows);
    for (size_t p = 0; p < kc; ++p) {
      _mm512_mask_storeu_ps(panel + p * rows, mask, _mm512_maskz_loadu_ps(mask, a + p * lda));
    }
    return;
  }
  for (size_t p = 0; p < kc; p += 16) {
    const size_t block = kc - p < 16 ? kc - p : 16;
    transpose_16x16(a + p, lda, rows, block, panel + p * rows, rows);
  }
}

// panel (kc, nr_stride) <- op(B) (kc, cols); cols <= 32
void gemm_pack_b__avx512(bool transposed, const float* b, size_t ldb, size_t kc, size_t cols,
                         size_t nr_stride, float* panel) {
  if (!transposed) {  // B stored (K,N): copy up to two vectors per k
    const __mmask16 mask0 = lane_mask(cols < 16 ? cols : 16);
    const __mmask16 mask1 = lane_mask(cols > 16 ? cols - 16 : 0);
    for (size_t p = 0; p < kc; ++p) {
      const float* src = b + p * ldb;
      float* dst = panel + p * nr_stride;
      _mm512_mask_storeu_ps(dst, mask0, _mm512_maskz_loadu_ps(mask0, src));
      if (mask1 != 0) _mm512_mask_storeu_ps(dst + 16, mask1, _mm512_maskz_loadu_ps(mask1, src + 16));
    }
    return;
  }
  // B stored (N,K): column j of op(B) is row j of b; transpose 16x16 blocks.
  for (size_t j = 0; j < cols; j += 16) {
    const size_t width = cols - j < 16 ? cols - j : 16;
    for (size_t p = 0; p < kc; p += 16) {
      const size_t block = kc - p < 16 ? kc - p : 16;
      transpose_16x16(b + j * ldb + p, ldb, width, block, panel + p * nr_stride + j, nr_stride);
    }
  }
}

}  // namespace faltung

#endif  // __x86_64__
