// The one SGEMM microkernel contract, implemented once per ISA in arch/<isa>/gemm_<isa>.cc, plus
// the packing routines the blocked driver (kernels/gemm.cc) feeds them with. Pure C++: no napi.h,
// no allocation, no threads; deliberately no assembly files (intrinsics only, read the asm instead).
#pragma once

#include <cstddef>

namespace faltung {

// gemm_f32_<MR>x<NR>__<isa>(mr, nr, kc, a, a_row_stride, a_k_stride, b, b_k_stride,
//                           c, c_row_stride, alpha, beta)
// computes one register tile of C, for i < mr and j < nr:
//   c[i*c_row_stride + j] = alpha * sum_{p < kc} a[i*a_row_stride + p*a_k_stride] * b[p*b_k_stride + j]
//                           + beta * c[i*c_row_stride + j]
// Strides are in floats. Typical operands:
//   packed A panel (arch-independent layout [kc][rows]): a_row_stride = 1, a_k_stride = rows;
//   A^T stored (K,M) used in place:                      a_row_stride = 1, a_k_stride = lda;
//   A stored (M,K) used in place:                        a_row_stride = lda, a_k_stride = 1;
//   packed B panel ([kc][NR]) or B stored (K,N) in place: b_k_stride = NR or ldb.
// Preconditions (asserted by the driver, not re-checked here): 1 <= mr <= MR, 1 <= nr <= NR,
// kc >= 1, and the elements named above are readable / writable.
// No over-read: only the elements named above are touched (edge tiles use masked or lane-wise
// loads), so a panel need not be padded and C may end at the last element of an allocation.
// beta == 0 never reads C, so NaNs or garbage there do not propagate (BLAS semantics).
// Accumulation order: for each (i, j) the products are added for p = 0, 1, ..., kc-1 into one
// float accumulator (fused multiply-add where the ISA has it), then scaled by alpha. The order
// does not depend on mr, nr or the tile's position, so results do not depend on how the driver
// tiles or splits the matrix among threads.
using GemmMicrokernelFn = void (*)(size_t mr, size_t nr, size_t kc, const float* a, size_t a_row_stride,
                                   size_t a_k_stride, const float* b, size_t b_k_stride, float* c,
                                   size_t c_row_stride, float alpha, float beta);

// Packs op(A) rows [0, rows) x k [0, kc) into panel[p * rows + i] (the [kc][rows] layout above).
// op(A)(i, p) is a[i*lda + p], or a[p*lda + i] when transposed. rows <= 16.
using GemmPackAFn = void (*)(bool transposed, const float* a, size_t lda, size_t rows, size_t kc,
                             float* panel);
// Packs op(B) k [0, kc) x columns [0, cols) into panel[p * NR + j] for j < cols (cols <= NR);
// columns [cols, NR) of the panel are left unwritten (the microkernel never reads them).
// op(B)(p, j) is b[p*ldb + j], or b[j*ldb + p] when transposed.
using GemmPackBFn = void (*)(bool transposed, const float* b, size_t ldb, size_t kc, size_t cols,
                             size_t nr_stride, float* panel);

// Portable kernel and packing (also the fallback on every architecture).
void gemm_f32_4x8__scalar(size_t mr, size_t nr, size_t kc, const float* a, size_t a_row_stride,
                          size_t a_k_stride, const float* b, size_t b_k_stride, float* c,
                          size_t c_row_stride, float alpha, float beta);
void gemm_pack_a__scalar(bool transposed, const float* a, size_t lda, size_t rows, size_t kc, float* panel);
void gemm_pack_b__scalar(bool transposed, const float* b, size_t ldb, size_t kc, size_t cols,
                         size_t nr_stride, float* panel);

#if defined(__x86_64__)
// AVX2 + FMA3: 16 ymm registers, a 6x16 tile (12 accumulators, 2 B vectors, 1 broadcast).
void gemm_f32_6x16__avx2(size_t mr, size_t nr, size_t kc, const float* a, size_t a_row_stride,
                         size_t a_k_stride, const float* b, size_t b_k_stride, float* c,
                         size_t c_row_stride, float alpha, float beta);
// AVX-512F: 32 zmm registers, a 14x32 tile (28 accumulators, 2 B vectors, broadcasts of A).
void gemm_f32_14x32__avx512(size_t mr, size_t nr, size_t kc, const float* a, size_t a_row_stride,
                            size_t a_k_stride, const float* b, size_t b_k_stride, float* c,
                            size_t c_row_stride, float alpha, float beta);
// Packing with 16x16 in-register transposes (A stored (M,K)) and wide copies.
void gemm_pack_a__avx512(bool transposed, const float* a, size_t lda, size_t rows, size_t kc, float* panel);
void gemm_pack_b__avx512(bool transposed, const float* b, size_t ldb, size_t kc, size_t cols,
                         size_t nr_stride, float* panel);
#endif

#if defined(__aarch64__)
// NEON: 32 q registers, an 8x12 tile (24 accumulators, 3 B vectors, A by scalar operand).
void gemm_f32_8x12__neon(size_t mr, size_t nr, size_t kc, const float* a, size_t a_row_stride,
                         size_t a_k_stride, const float* b, size_t b_k_stride, float* c,
                         size_t c_row_stride, float alpha, float beta);
#endif

}  // namespace faltung
