// NEON (AArch64) dropout: 4 Philox4x32-10 blocks (16 elements) per step, the 32x32->64 multiplies
// with umull/umull2; a 4x4 transpose turns the words of 4 blocks into 4 vectors of consecutive
// elements (element 4b + k takes word k of block b). Tails go through a zero-padded stack copy.
// Deliberately only intrinsics and plain loops: nothing here may be instantiated by another TU.
#if defined(__aarch64__)

#include <arm_neon.h>

#include "../../dropout.h"

namespace faltung {
namespace {

constexpr uint32_t kMultiplier0 = 0xD2511F53u;
constexpr uint32_t kMultiplier1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;
constexpr uint32_t kWeyl1 = 0xBB67AE85u;

inline void multiply_high_low(uint32x4_t a, uint32x4_t multiplier, uint32x4_t* high, uint32x4_t* low) {
  const uint64x2_t first = vmull_u32(vget_low_u32(a), vget_low_u32(multiplier));
  const uint64x2_t second = vmull_high_u32(a, multiplier);
  *low = vuzp1q_u32(vreinterpretq_u32_u64(first), vreinterpretq_u32_u64(second));
  *high = vuzp2q_u32(vreinterpretq_u32_u64(first), vreinterpretq_u32_u64(second));
}

// out = kept ? x * scale : 0 and mask = kept ? scale : 0 for up to 4 elements.
inline void select_store(float* out, float* mask, const float* x, int64_t valid, uint32x4_t words, uint32x4_t limit,
                         float32x4_t scale) {
  const uint32x4_t kept = vcgeq_u32(words, limit);
  float padded[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (int64_t i = 0; i < valid && i < 4; ++i) padded[i] = x[i];
  const float32x4_t values = valid >= 4 ? vld1q_f32(x) : vld1q_f32(padded);
  const float32x4_t result = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(vmulq_f32(values, scale)), kept));
  const float32x4_t mask_values = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(scale), kept));
  if (valid >= 4) {
    vst1q_f32(out, result);
    vst1q_f32(mask, mask_values);
    return;
  }
  float result_lanes[4], mask_lanes[4];
  vst1q_f32(result_lanes, result);
  vst1q_f32(mask_lanes, mask_values);
  for (int64_t i = 0; i < valid; ++i) {
    out[i] = result_lanes[i];
    mask[i] = mask_lanes[i];
  }
}

}  // namespace

void dropout_forward_f32__neon(float* out, float* mask, const float* x, int64_t count, uint64_t first,
                               uint32_t threshold, float scale, uint64_t seed) {
  const uint32x4_t multiplier0 = vdupq_n_u32(kMultiplier0);
  const uint32x4_t multiplier1 = vdupq_n_u32(kMultiplier1);
  const uint32x4_t limit = vdupq_n_u32(threshold);
  const float32x4_t scale_v = vdupq_n_f32(scale);
  uint32_t counter_low[4], counter_high[4];
  for (int64_t start = 0; start < count; start += 16) {
    const uint64_t first_block = (first + static_cast<uint64_t>(start)) / 4;
    for (int lane = 0; lane < 4; ++lane) {
      const uint64_t block = first_block + static_cast<uint64_t>(lane);
      counter_low[lane] = static_cast<uint32_t>(block);
      counter_high[lane] = static_cast<uint32_t>(block >> 32);
    }
    uint32x4_t c0 = vld1q_u32(counter_low);
    uint32x4_t c1 = vld1q_u32(counter_high);
    uint32x4_t c2 = vdupq_n_u32(0);
    uint32x4_t c3 = vdupq_n_u32(0);
    uint32_t key0 = static_cast<uint32_t>(seed);
    uint32_t key1 = static_cast<uint32_t>(seed >> 32);
    for (int round = 0; round < 10; ++round) {
      if (round > 0) {
        key0 += kWeyl0;
        key1 += kWeyl1;
      }
      uint32x4_t high0, low0, high1, low1;
      multiply_high_low(c0, multiplier0, &high0, &low0);
      multiply_high_low(c2, multiplier1, &high1, &low1);
      const uint32x4_t next0 = veorq_u32(veorq_u32(high1, c1), vdupq_n_u32(key0));
      const uint32x4_t next2 = veorq_u32(veorq_u32(high0, c3), vdupq_n_u32(key1));
      c1 = low1;
      c3 = low0;
      c0 = next0;
      c2 = next2;
    }
    // Transpose words[k][b] into rows of consecutive elements (w0[b], w1[b], w2[b], w3[b]).
    const uint32x4x2_t pair01 = vtrnq_u32(c0, c1);
    const uint32x4x2_t pair23 = vtrnq_u32(c2, c3);
    const uint32x4_t rows[4] = {
        vcombine_u32(vget_low_u32(pair01.val[0]), vget_low_u32(pair23.val[0])),
        vcombine_u32(vget_low_u32(pair01.val[1]), vget_low_u32(pair23.val[1])),
        vcombine_u32(vget_high_u32(pair01.val[0]), vget_high_u32(pair23.val[0])),
        vcombine_u32(vget_high_u32(pair01.val[1]), vget_high_u32(pair23.val[1])),
    };
    for (int row = 0; row < 4; ++row) {
      const int64_t offset = start + 4 * row;
      if (offset >= count) break;
      select_store(out + offset, mask + offset, x + offset, count - offset, rows[row], limit, scale_v);
    }
  }
}

}  // namespace faltung

#endif  // defined(__aarch64__)
