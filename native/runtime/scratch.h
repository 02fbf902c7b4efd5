// Grow-only, 64-byte aligned per-thread scratch buffers for packed GEMM panels and similar
// workspace. Fresh pages cost ~70x a rewrite on first touch, so kernels never allocate per call.
#pragma once

#include <cstddef>

namespace faltung {

// Slots let one thread hold several buffers at once (e.g. packed A and packed B).
// fused: a conv's output held between the conv and the pool of network/conv_pool_fusion.cc.
enum class ScratchSlot : int { gemm_a = 0, gemm_b = 1, im2col = 2, general = 3, fused = 4, count = 5 };

// Returns a buffer of at least `floats` floats owned by the calling thread, valid until the
// next call with the same slot on the same thread. Returns nullptr if allocation fails.
float* thread_scratch(ScratchSlot slot, size_t floats);

}  // namespace faltung
