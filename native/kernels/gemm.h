// Single-precision matrix multiply, row-major: C (M,N) = alpha * op(A) (M,K) * op(B) (K,N) + beta * C.
// op(A) is A stored (M,K) with row stride lda, or A^T with A stored (K,M); likewise op(B) is
// B (K,N) or B^T with B stored (N,K). beta == 0 ignores C's old contents (NaNs included).
// Dimension key: M rows of C, N columns of C, K the reduced dimension.
#pragma once

#include <cstdint>

#include "status.h"

namespace faltung {

// max_threads < 1 means "as many as the pool has". Preconditions (checked by callers): M, N, K >= 0,
// leading dimensions at least the stored row length, buffers large enough. Violations that are
// cheap to see (negative sizes, short leading dimensions, null pointers) return invalid_argument.
// K == 0 or alpha == 0 gives C = beta * C without reading A or B. Tiny products run directly on
// the calling thread; larger ones are packed, blocked and split among up to max_threads threads.
// The result does not depend on the thread count (each element is summed in the same order).
Status sgemm_f32(bool transpose_a, bool transpose_b, int64_t M, int64_t N, int64_t K, float alpha,
                 const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                 int64_t ldc, int max_threads = 0);

// The microkernel and cache blocking sgemm_f32 uses on the active ISA path (tests, benchmarks).
struct GemmKernelInfo {
  const char* microkernel;  // e.g. "gemm_f32_14x32__avx512"
  int64_t mr, nr;           // register tile
  int64_t kc, mc, nc;       // cache blocks
};
GemmKernelInfo sgemm_f32_kernel_info();

// Straight triple loop, float accumulation: the fallback's documentation and a test oracle.
void sgemm_f32_reference(bool transpose_a, bool transpose_b, int64_t M, int64_t N, int64_t K,
                         float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
                         float beta, float* c, int64_t ldc);

}  // namespace faltung
