// Dropout kernels: Philox blocks computed on the fly in fixed chunks (multiples of 4 elements, so
// a block never straddles two chunks) over the thread pool, through a per-ISA table. The scalar
// kernel below is the reference; the vector ones (arch/*/elementwise_*.cc) draw the same words.
#include "dropout.h"

#include <cmath>
#include <cstring>

#include "../runtime/isa.h"
#include "../runtime/thread_pool.h"

namespace faltung {
namespace {

constexpr int64_t kChunk = int64_t{1} << 14;  // a multiple of 64, the widest kernel's step

constexpr uint32_t kMultiplier0 = 0xD2511F53u;
constexpr uint32_t kMultiplier1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
constexpr uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1

inline void philox_block(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1,
                         uint32_t out[4]) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += kWeyl0;
      k1 += kWeyl1;
    }
    const uint64_t product0 = static_cast<uint64_t>(kMultiplier0) * c0;
    const uint64_t product1 = static_cast<uint64_t>(kMultiplier1) * c2;
    const uint32_t next0 = static_cast<uint32_t>(product1 >> 32) ^ c1 ^ k0;
    const uint32_t next2 = static_cast<uint32_t>(product0 >> 32) ^ c3 ^ k1;
    c1 = static_cast<uint32_t>(product1);
    c3 = static_cast<uint32_t>(product0);
    c0 = next0;
    c2 = next2;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

// condition ? if_true : if_false on the bits: under -ftrapping-math a ?: with an FP operation in an
// arm stays a branch, mispredicted at every other element for rate 0.5.
inline float select(bool condition, float if_true, float if_false) {
  uint32_t true_bits, false_bits;
  std::memcpy(&true_bits, &if_true, sizeof true_bits);
  std::memcpy(&false_bits, &if_false, sizeof false_bits);
  const uint32_t mask = 0u - static_cast<uint32_t>(condition);
  const uint32_t bits = (true_bits & mask) | (false_bits & ~mask);
  float result;
  std::memcpy(&result, &bits, sizeof result);
  return result;
}

}  // namespace

void philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]) {
  philox_block(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out);
}

void dropout_forward_f32__scalar(float* out, float* mask, const float* x, int64_t count, uint64_t first,
                                 uint32_t threshold, float scale, uint64_t seed) {
  const uint32_t key0 = static_cast<uint32_t>(seed);
  const uint32_t key1 = static_cast<uint32_t>(seed >> 32);
  uint32_t words[4];
  for (int64_t start = 0; start < count; start += 4) {
    const uint64_t block = (first + static_cast<uint64_t>(start)) / 4;
    philox_block(static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32), 0u, 0u, key0, key1, words);
    const int64_t valid = count - start < 4 ? count - start : 4;
    for (int64_t lane = 0; lane < valid; ++lane) {
      const int64_t i = start + lane;
      const bool kept = words[lane] >= threshold;
      mask[i] = select(kept, scale, 0.0f);
      out[i] = select(kept, x[i] * scale, 0.0f);  // a dropped inf or NaN gives 0, as Keras' where()
    }
  }
}

DropoutKernel dropout_kernel() {
  switch (active_isa()) {
#if defined(__x86_64__)
    case Isa::avx512: return dropout_forward_f32__avx512;
    case Isa::avx2: return dropout_forward_f32__avx2;
#endif
#if defined(__aarch64__)
    case Isa::neon: return dropout_forward_f32__neon;
#endif
    default: return dropout_forward_f32__scalar;
  }
}

Status dropout_forward_f32(float* out, float* mask, const float* x, int64_t count, double rate, uint64_t seed) {
  if (count < 0 || !(rate >= 0.0 && rate < 1.0)) return Status::invalid_argument;
  if (count > 0 && (out == nullptr || mask == nullptr || x == nullptr)) return Status::invalid_argument;
  // floor(rate * 2^32) < 2^32 because rate < 1 (and the product is exact in double).
  const uint32_t threshold = static_cast<uint32_t>(std::floor(rate * 4294967296.0));
  const float scale = static_cast<float>(1.0 / (1.0 - rate));  // finite: 1 - rate >= 2^-53
  const DropoutKernel kernel = dropout_kernel();
  parallel_for(count, kChunk, [&](int64_t begin, int64_t end) {
    kernel(out + begin, mask + begin, x + begin, end - begin, static_cast<uint64_t>(begin), threshold, scale, seed);
  });
  return Status::ok;
}

Status dropout_backward_f32(float* dx, const float* dy, const float* mask, int64_t count) {
  if (count < 0) return Status::invalid_argument;
  if (count > 0 && (dx == nullptr || dy == nullptr || mask == nullptr)) return Status::invalid_argument;
  parallel_for(count, kChunk, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) dx[i] = select(mask[i] != 0.0f, dy[i] * mask[i], 0.0f);
  });
  return Status::ok;
}

}  // namespace faltung
