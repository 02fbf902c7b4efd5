// AVX-512 dropout: 2 x 16 Philox4x32-10 blocks (128 elements) per step. The 32x32->64 multiplies use
// vpmuludq on even and odd lanes; the four output words per block are compared with the threshold
// in block order and their mask bits interleaved into element order (element 4b + k takes word k
// of block b), so loads, stores and the select stay plain masked vector operations.
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

// hi and lo halves of a * multiplier for 16 unsigned 32-bit lanes.
inline void multiply_high_low(__m512i a, __m512i multiplier, __m512i* high, __m512i* low) {
  const __m512i even = _mm512_mul_epu32(a, multiplier);                       // lanes 0, 2, 4, ...
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), multiplier);  // lanes 1, 3, 5, ...
  *low = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  *high = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
}

// Places bit j of a 16-bit mask at bit 4j of the result.
inline uint64_t spread_by_four(uint64_t bits) {
  bits &= 0xFFFFu;
  bits = (bits | (bits << 24)) & 0x000000FF000000FFull;
  bits = (bits | (bits << 12)) & 0x000F000F000F000Full;
  bits = (bits | (bits << 6)) & 0x0303030303030303ull;
  bits = (bits | (bits << 3)) & 0x1111111111111111ull;
  return bits;
}

inline __mmask16 valid_lanes(int64_t valid) {
  return valid >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << valid) - 1u);
}

// The four counter words of 16 blocks.
struct Blocks {
  __m512i c0, c1, c2, c3;
};

// Counters of blocks first_block + lane: low words, and high words plus the carry out of the low.
inline Blocks start_blocks(uint64_t first_block) {
  const __m512i lane_index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i low = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(static_cast<uint32_t>(first_block))), lane_index);
  const __mmask16 carried = _mm512_cmp_epu32_mask(low, lane_index, _MM_CMPINT_LT);
  const __m512i high = _mm512_set1_epi32(static_cast<int>(static_cast<uint32_t>(first_block >> 32)));
  return {low, _mm512_mask_add_epi32(high, carried, high, _mm512_set1_epi32(1)), _mm512_setzero_si512(),
          _mm512_setzero_si512()};
}

inline void philox_round(Blocks* b, __m512i key0, __m512i key1) {
  __m512i high0, low0, high1, low1;
  multiply_high_low(b->c0, _mm512_set1_epi32(static_cast<int>(kMultiplier0)), &high0, &low0);
  multiply_high_low(b->c2, _mm512_set1_epi32(static_cast<int>(kMultiplier1)), &high1, &low1);
  const __m512i next0 = _mm512_xor_si512(_mm512_xor_si512(high1, b->c1), key0);
  const __m512i next2 = _mm512_xor_si512(_mm512_xor_si512(high0, b->c3), key1);
  b->c1 = low1;
  b->c3 = low0;
  b->c0 = next0;
  b->c2 = next2;
}

// Writes elements [offset, offset + 64) of the output (clipped to count) from 16 finished blocks.
inline void emit(const Blocks& b, float* out, float* mask, const float* x, int64_t offset, int64_t count,
                 __m512i limit, __m512 scale) {
  // kept iff word >= threshold (unsigned): bit b of kept_k is element 4b + k of these 64.
  const uint64_t kept = spread_by_four(_mm512_cmp_epu32_mask(b.c0, limit, _MM_CMPINT_NLT)) |
                        (spread_by_four(_mm512_cmp_epu32_mask(b.c1, limit, _MM_CMPINT_NLT)) << 1) |
                        (spread_by_four(_mm512_cmp_epu32_mask(b.c2, limit, _MM_CMPINT_NLT)) << 2) |
                        (spread_by_four(_mm512_cmp_epu32_mask(b.c3, limit, _MM_CMPINT_NLT)) << 3);
  for (int part = 0; part < 4; ++part) {
    const int64_t at = offset + 16 * part;
    if (at >= count) return;
    const __mmask16 lanes = valid_lanes(count - at);
    const __mmask16 keep = static_cast<__mmask16>(kept >> (16 * part));
    const __m512 values = _mm512_maskz_loadu_ps(lanes, x + at);
    _mm512_mask_storeu_ps(out + at, lanes, _mm512_maskz_mul_ps(keep, values, scale));
    _mm512_mask_storeu_ps(mask + at, lanes, _mm512_maskz_mov_ps(keep, scale));
  }
}

}  // namespace

void dropout_forward_f32__avx512(float* out, float* mask, const float* x, int64_t count, uint64_t first,
                                 uint32_t threshold, float scale, uint64_t seed) {
  const __m512i limit = _mm512_set1_epi32(static_cast<int>(threshold));
  const __m512 scale_v = _mm512_set1_ps(scale);
  // Two independent groups of 16 blocks per step: the ten rounds are one long dependency chain, so
  // interleaving two keeps the multipliers busy.
  for (int64_t start = 0; start < count; start += 128) {
    const uint64_t first_block = (first + static_cast<uint64_t>(start)) / 4;
    Blocks a = start_blocks(first_block);
    Blocks b = start_blocks(first_block + 16);
    uint32_t key0 = static_cast<uint32_t>(seed);
    uint32_t key1 = static_cast<uint32_t>(seed >> 32);
    for (int round = 0; round < 10; ++round) {
      if (round > 0) {
        key0 += kWeyl0;
        key1 += kWeyl1;
      }
      const __m512i key0_v = _mm512_set1_epi32(static_cast<int>(key0));
      const __m512i key1_v = _mm512_set1_epi32(static_cast<int>(key1));
      philox_round(&a, key0_v, key1_v);
      philox_round(&b, key0_v, key1_v);
    }
    emit(a, out, mask, x, start, count, limit, scale_v);
    emit(b, out, mask, x, start + 64, count, limit, scale_v);
  }
}

}  // namespace faltung

#endif  // defined(__x86_64__)
