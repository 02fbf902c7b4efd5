// AVX2 dropout: 2 x 8 Philox4x32-10 blocks (64 elements) per step. The 32x32->64 multiplies use
// vpmuludq on even and odd lanes; the four words per block are compared with the threshold in block
// order and their mask bits interleaved into element order (element 4b + k takes word k of block
// b), then expanded back to lane masks for the select.
// Deliberately only intrinsics and plain loops: nothing here may be instantiated by another TU.
#if defined(__x86_64__)

#include <immintrin.h>

#include "../../dropout.h"

namespace faltung {
namespace {

constexpr uint32_t kMultiplier0 = 0xD2511F53u;
constexpr uint32_t kMultiplier1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;
constexpr uint32_t kWeyl1 = 0xBB67AE85u;

inline void multiply_high_low(__m256i a, __m256i multiplier, __m256i* high, __m256i* low) {
  const __m256i even = _mm256_mul_epu32(a, multiplier);                       // lanes 0, 2, 4, 6
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), multiplier);  // lanes 1, 3, 5, 7
  *low = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  *high = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

// 8 bits: bit j of the lanes where word >= threshold (unsigned: max(w, t) == w).
inline uint32_t kept_bits(__m256i words, __m256i limit) {
  const __m256i kept = _mm256_cmpeq_epi32(_mm256_max_epu32(words, limit), words);
  return static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(kept)));
}

// Places bit j of an 8-bit mask at bit 4j of the result.
inline uint32_t spread_by_four(uint32_t bits) {
  bits &= 0xFFu;
  bits = (bits | (bits << 12)) & 0x000F000Fu;
  bits = (bits | (bits << 6)) & 0x03030303u;
  bits = (bits | (bits << 3)) & 0x11111111u;
  return bits;
}

// All-ones in lane j where bit j of `bits` is set.
inline __m256 lanes_from_bits(uint32_t bits) {
  const __m256i select = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  const __m256i spread = _mm256_and_si256(_mm256_set1_epi32(static_cast<int>(bits)), select);
  return _mm256_castsi256_ps(_mm256_cmpeq_epi32(spread, select));
}

inline __m256i first_lanes(int64_t valid) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(valid)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

struct Blocks {
  __m256i c0, c1, c2, c3;
};

// Counters of blocks first_block + lane; the carry out of the low word is an unsigned low < lane,
// compared as signed after flipping the sign bits.
inline Blocks start_blocks(uint64_t first_block) {
  const __m256i lane_index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i sign = _mm256_set1_epi32(static_cast<int>(0x80000000u));
  const __m256i low = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(first_block))), lane_index);
  const __m256i carried = _mm256_cmpgt_epi32(_mm256_xor_si256(lane_index, sign), _mm256_xor_si256(low, sign));
  const __m256i high = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(first_block >> 32)));
  return {low, _mm256_sub_epi32(high, carried), _mm256_setzero_si256(), _mm256_setzero_si256()};  // carried is -1
}

inline void philox_round(Blocks* b, __m256i key0, __m256i key1) {
  __m256i high0, low0, high1, low1;
  multiply_high_low(b->c0, _mm256_set1_epi32(static_cast<int>(kMultiplier0)), &high0, &low0);
  multiply_high_low(b->c2, _mm256_set1_epi32(static_cast<int>(kMultiplier1)), &high1, &low1);
  const __m256i next0 = _mm256_xor_si256(_mm256_xor_si256(high1, b->c1), key0);
  const __m256i next2 = _mm256_xor_si256(_mm256_xor_si256(high0, b->c3), key1);
  b->c1 = low1;
  b->c3 = low0;
  b->c0 = next0;
  b->c2 = next2;
}

// Writes elements [offset, offset + 32) of the output (clipped to count) from 8 finished blocks.
inline void emit(const Blocks& b, float* out, float* mask, const float* x, int64_t offset, int64_t count,
                 __m256i limit, __m256 scale) {
  const uint32_t kept = spread_by_four(kept_bits(b.c0, limit)) | (spread_by_four(kept_bits(b.c1, limit)) << 1) |
                        (spread_by_four(kept_bits(b.c2, limit)) << 2) | (spread_by_four(kept_bits(b.c3, limit)) << 3);
  for (int part = 0; part < 4; ++part) {
    const int64_t at = offset + 8 * part;
    if (at >= count) return;
    const __m256 keep = lanes_from_bits(kept >> (8 * part));
    const int64_t valid = count - at;
    if (valid >= 8) {
      _mm256_storeu_ps(out + at, _mm256_and_ps(_mm256_mul_ps(_mm256_loadu_ps(x + at), scale), keep));
      _mm256_storeu_ps(mask + at, _mm256_and_ps(scale, keep));
    } else {
      const __m256i lanes = first_lanes(valid);
      const __m256 values = _mm256_maskload_ps(x + at, lanes);
      _mm256_maskstore_ps(out + at, lanes, _mm256_and_ps(_mm256_mul_ps(values, scale), keep));
      _mm256_maskstore_ps(mask + at, lanes, _mm256_and_ps(scale, keep));
    }
  }
}

}  // namespace

void dropout_forward_f32__avx2(float* out, float* mask, const float* x, int64_t count, uint64_t first,
                               uint32_t threshold, float scale, uint64_t seed) {
  const __m256i limit = _mm256_set1_epi32(static_cast<int>(threshold));
  const __m256 scale_v = _mm256_set1_ps(scale);
  // Two independent groups of 8 blocks per step: the ten rounds are one long dependency chain.
  for (int64_t start = 0; start < count; start += 64) {
    const uint64_t first_block = (first + static_cast<uint64_t>(start)) / 4;
    Blocks a = start_blocks(first_block);
    Blocks b = start_blocks(first_block + 8);
    uint32_t key0 = static_cast<uint32_t>(seed);
    uint32_t key1 = static_cast<uint32_t>(seed >> 32);
    for (int round = 0; round < 10; ++round) {
      if (round > 0) {
        key0 += kWeyl0;
        key1 += kWeyl1;
      }
      const __m256i key0_v = _mm256_set1_epi32(static_cast<int>(key0));
      const __m256i key1_v = _mm256_set1_epi32(static_cast<int>(key1));
      philox_round(&a, key0_v, key1_v);
      philox_round(&b, key0_v, key1_v);
    }
    emit(a, out, mask, x, start, count, limit, scale_v);
    emit(b, out, mask, x, start + 32, count, limit, scale_v);
  }
}

}  // namespace faltung

#endif  // defined(__x86_64__)
