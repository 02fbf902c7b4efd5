// Temporary portable SGEMM (straight loops) until the packed, blocked, per-ISA version lands.
#include "gemm.h"

namespace faltung {

void sgemm_f32_reference(bool transpose_a, bool transpose_b, int64_t M, int64_t N, int64_t K,
                         float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
                         float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      float sum = 0.0f;
      for (int64_t p = 0; p < K; ++p) {
        const float av = transpose_a ? a[p * lda + i] : a[i * lda + p];
        const float bv = transpose_b ? b[j * ldb + p] : b[p * ldb + j];
        sum += av * bv;
      }
      float& out = c[i * ldc + j];
      out = beta == 0.0f ? alpha * sum : alpha * sum + beta * out;
    }
  }
}

Status sgemm_f32(bool transpose_a, bool transpose_b, int64_t M, int64_t N, int64_t K, float alpha,
                 const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                 int64_t ldc, int) {
  sgemm_f32_reference(transpose_a, transpose_b, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc);
  return Status::ok;
}

}  // namespace faltung
