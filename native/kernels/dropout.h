// Inverted dropout on a counter-based generator (Philox4x32-10, Salmon et al., SC'11), so element
// i's random number depends on (seed, i) alone: the same seed gives the same mask for any thread
// count, chunking or ISA. Deliberately no generator state: callers pass a fresh seed per step.
//
// Dimension key: count elements.
#pragma once

#include <cstdint>

#include "status.h"

namespace faltung {

// One Philox4x32-10 block: ten rounds of the 4x32 Feistel-like mix, the key bumped by the Weyl
// constants between rounds. Matches Random123's known-answer vectors.
void philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

// Forward. Element i takes word (i % 4) of philox4x32_10(counter {b, b >> 32, 0, 0} with b = i / 4,
// key {seed, seed >> 32}) and is kept iff that word >= floor(rate * 2^32), so P(keep) = 1 - rate:
//   mask[i] = kept ? 1 / (1 - rate) : 0 (formed in double, rounded once),   out[i] = kept ? x[i] * mask[i] : 0 (0 even for inf/NaN x)
// x (count) -> out (count), mask (count). rate in [0, 1). out may alias x.
Status dropout_forward_f32(float* out, float* mask, const float* x, int64_t count, double rate, uint64_t seed);

// Backward: dx[i] = mask[i] != 0 ? dy[i] * mask[i] : 0. dy, mask (count) -> dx (count). dx may alias dy.
Status dropout_backward_f32(float* dx, const float* dy, const float* mask, int64_t count);

// ---- Per-ISA forward kernels, chosen in dropout.cc from active_isa() -----------------------------
// Elements [first, first + count) of the forward pass above, with out, mask and x pointing at element
// `first` (a multiple of 4); threshold = floor(rate * 2^32), scale = 1 / (1 - rate). Every ISA draws
// the same words, so the mask is identical on all of them.
using DropoutKernel = void (*)(float* out, float* mask, const float* x, int64_t count, uint64_t first,
                               uint32_t threshold, float scale, uint64_t seed);
// Portable loop (dropout.cc): the reference and fallback.
void dropout_forward_f32__scalar(float* out, float* mask, const float* x, int64_t count, uint64_t first,
                                 uint32_t threshold, float scale, uint64_t seed);
#if defined(__x86_64__)
// native/kernels/arch/x86_avx2/elementwise_avx2.cc: 8 Philox blocks per step.
void dropout_forward_f32__avx2(float* out, float* mask, const float* x, int64_t count, uint64_t first,
                               uint32_t threshold, float scale, uint64_t seed);
// native/kernels/arch/x86_avx512/elementwise_avx512.cc: 16 Philox blocks per step.
void dropout_forward_f32__avx512(float* out, float* mask, const float* x, int64_t count, uint64_t first,
                                 uint32_t threshold, float scale, uint64_t seed);
#endif
#if defined(__aarch64__)
// native/kernels/arch/arm_neon/elementwise_neon.cc: 4 Philox blocks per step.
void dropout_forward_f32__neon(float* out, float* mask, const float* x, int64_t count, uint64_t first,
                               uint32_t threshold, float scale, uint64_t seed);
#endif
// The kernel for the ISA active now.
DropoutKernel dropout_kernel();

}  // namespace faltung
