// NEON (AArch64) SGEMM microkernel: an 8x12 register tile (24 q accumulators, 3 B vectors, A taken
// as a scalar operand of fmla). Packing uses the portable routines. Deliberately only intrinsics,
// plain loops and helpers in an anonymous namespace (see the ODR note in STYLE).
#if defined(__aarch64__)

#include <arm_neon.h>

#include "../gemm_microkernels.h"

namespace faltung {
namespace {

constexpr int kMR = 8;

// Loads `count` (< 4) floats into the low lanes, zeros above: no read past the last element.
float32x4_t load_partial(const float* source, size_t count) {
  float32x4_t value = vdupq_n_f32(0.0f);
  value = vsetq_lane_f32(source[0], value, 0);
  if (count > 1) value = vsetq_lane_f32(source[1], value, 1);
  if (count > 2) value = vsetq_lane_f32(source[2], value, 2);
  return value;
}

void store_partial(float* destination, float32x4_t value, size_t count) {
  destination[0] = vgetq_lane_f32(value, 0);
  if (count > 1) destination[1] = vgetq_lane_f32(value, 1);
  if (count > 2) destination[2] = vgetq_lane_f32(value, 2);
}

using TileFn = void (*)(size_t kc, const float* a, size_t a_row_stride, size_t a_k_stride, const float* b,
                        size_t b_k_stride, size_t last_count, float* c, size_t c_row_stride, float alpha,
                        float beta);

// kRows x (4 * kVectors) accumulators; kPartialLast: the last vector covers last_count < 4
// columns, read and written lane by lane.
template <int kRows, int kVectors, bool kUnitRowStride, bool kPartialLast>
void tile(size_t kc, const float* a, size_t a_row_stride, size_t a_k_stride, const float* b, size_t b_k_stride,
          size_t last_count, float* c, size_t c_row_stride, float alpha, float beta) {
  float32x4_t acc[kRows][kVectors];
#pragma GCC unroll 8
  for (int i = 0; i < kRows; ++i) {
#pragma GCC unroll 3
    for (int v = 0; v < kVectors; ++v) acc[i][v] = vdupq_n_f32(0.0f);
  }
  for (size_t p = 0; p < kc; ++p) {
    float32x4_t b_vector[kVectors];
#pragma GCC unroll 3
    for (int v = 0; v < kVectors; ++v) {
      const bool partial = kPartialLast && v == kVectors - 1;
      b_vector[v] = partial ? load_partial(b + 4 * v, last_count) : vld1q_f32(b + 4 * v);
    }
#pragma GCC unroll 8
    for (int i = 0; i < kRows; ++i) {
      const float a_value = kUnitRowStride ? a[i] : a[i * a_row_stride];
#pragma GCC unroll 3
      for (int v = 0; v < kVectors; ++v) acc[i][v] = vfmaq_n_f32(acc[i][v], b_vector[v], a_value);
    }
    a += a_k_stride;
    b += b_k_stride;
  }
  const bool scale = alpha != 1.0f;  // alpha * x == x exactly when alpha == 1
#pragma GCC unroll 8
  for (int i = 0; i < kRows; ++i) {
    float* c_row = c + i * c_row_stride;
#pragma GCC unroll 3
    for (int v = 0; v < kVectors; ++v) {
      const bool partial = kPartialLast && v == kVectors - 1;
      float32x4_t result = scale ? vmulq_n_f32(acc[i][v], alpha) : acc[i][v];
      if (beta != 0.0f) {  // beta == 0 never reads C
        const float32x4_t old = partial ? load_partial(c_row + 4 * v, last_count) : vld1q_f32(c_row + 4 * v);
        result = vfmaq_n_f32(result, old, beta);
      }
      if (partial) {
        store_partial(c_row + 4 * v, result, last_count);
      } else {
        vst1q_f32(c_row + 4 * v, result);
      }
    }
  }
}

struct TileTable {
  TileFn fn[3][2][2][kMR];  // [vectors - 1][unit row stride][partial last][rows - 1]
};

template <int kRows, int kVectors>
constexpr void fill_variants(TileTable& table) {
  table.fn[kVectors - 1][0][0][kRows - 1] = &tile<kRows, kVectors, false, false>;
  table.fn[kVectors - 1][0][1][kRows - 1] = &tile<kRows, kVectors, false, true>;
  table.fn[kVectors - 1][1][0][kRows - 1] = &tile<kRows, kVectors, true, false>;
  table.fn[kVectors - 1][1][1][kRows - 1] = &tile<kRows, kVectors, true, true>;
}

template <int kRows>
constexpr void fill_rows(TileTable& table) {
  if constexpr (kRows > 0) {
    fill_variants<kRows, 1>(table);
    fill_variants<kRows, 2>(table);
    fill_variants<kRows, 3>(table);
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

// tile: c (mr,nr) = alpha * a (mr,kc) * b (kc,nr) + beta * c; mr <= 8, nr <= 12 (contract in header)
void gemm_f32_8x12__neon(size_t mr, size_t nr, size_t kc, const float* a, size_t a_row_stride,
                         size_t a_k_stride, const float* b, size_t b_k_stride, float* c,
                         size_t c_row_stride, float alpha, float beta) {
  const size_t vectors = (nr + 3) / 4;
  const size_t last = nr - 4 * (vectors - 1);
  const TileFn fn = kTiles.fn[vectors - 1][a_row_stride == 1 ? 1 : 0][last < 4 ? 1 : 0][mr - 1];
  fn(kc, a, a_row_stride, a_k_stride, b, b_k_stride, last, c, c_row_stride, alpha, beta);
}

}  // namespace faltung

#endif  // __aarch64__
