// Portable SGEMM microkernel (4x8 tile) and packing: the fallback on every architecture and the
// readable statement of the contract in ../gemm_microkernels.h. Deliberately plain loops: no
// intrinsics, no unrolling by hand; the full-tile branch only gives the compiler fixed bounds.
#include "../gemm_microkernels.h"

namespace faltung {
namespace {

constexpr size_t kMR = 4;
constexpr size_t kNR = 8;

}  // namespace

// tile: c (mr,nr) = alpha * a (mr,kc) * b (kc,nr) + beta * c; see the contract in the header.
void gemm_f32_4x8__scalar(size_t mr, size_t nr, size_t kc, const float* a, size_t a_row_stride,
                          size_t a_k_stride, const float* b, size_t b_k_stride, float* c,
                          size_t c_row_stride, float alpha, float beta) {
  float acc[kMR][kNR] = {};
  if (mr == kMR && nr == kNR && a_row_stride == 1) {
    // Fixed bounds: the compiler keeps acc in registers (and vectorizes it where it can).
    for (size_t p = 0; p < kc; ++p) {
      const float* a_column = a + p * a_k_stride;
      const float* b_row = b + p * b_k_stride;
      for (size_t i = 0; i < kMR; ++i) {
        for (size_t j = 0; j < kNR; ++j) acc[i][j] += a_column[i] * b_row[j];
      }
    }
  } else {
    for (size_t p = 0; p < kc; ++p) {
      const float* b_row = b + p * b_k_stride;
      for (size_t i = 0; i < mr; ++i) {
        const float a_value = a[i * a_row_stride + p * a_k_stride];
        for (size_t j = 0; j < nr; ++j) acc[i][j] += a_value * b_row[j];
      }
    }
  }
  for (size_t i = 0; i < mr; ++i) {
    float* c_row = c + i * c_row_stride;
    for (size_t j = 0; j < nr; ++j) {
      // beta == 0 must not read C: 0 * NaN would be NaN.
      c_row[j] = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * c_row[j];
    }
  }
}

// panel (kc, rows) <- op(A) (rows, kc)
void gemm_pack_a__scalar(bool transposed, const float* a, size_t lda, size_t rows, size_t kc, float* panel) {
  if (transposed) {  // A stored (K,M): each k is a contiguous run of rows
    for (size_t p = 0; p < kc; ++p) {
      for (size_t i = 0; i < rows; ++i) panel[p * rows + i] = a[p * lda + i];
    }
  } else {
    for (size_t i = 0; i < rows; ++i) {
      for (size_t p = 0; p < kc; ++p) panel[p * rows + i] = a[i * lda + p];
    }
  }
}

// panel (kc, nr_stride) <- op(B) (kc, cols), columns >= cols untouched
void gemm_pack_b__scalar(bool transposed, const float* b, size_t ldb, size_t kc, size_t cols,
                         size_t nr_stride, float* panel) {
  if (transposed) {  // B stored (N,K): each column of op(B) is a contiguous run
    for (size_t j = 0; j < cols; ++j) {
      for (size_t p = 0; p < kc; ++p) panel[p * nr_stride + j] = b[j * ldb + p];
    }
  } else {
    for (size_t p = 0; p < kc; ++p) {
      for (size_t j = 0; j < cols; ++j) panel[p * nr_stride + j] = b[p * ldb + j];
    }
  }
}

}  // namespace faltung
