// AVX-512 max pooling over whole windows (no padding), one output row per call, with and without
// the winners that training records: each 16-channel block of an output pixel keeps its running
// maximum (and winner offsets) in registers over the window, where the portable loop reloads and
// re-stores them for every cell. Training's max pools (MNIST convnet: 2x2/2 on 26x26x32) spent
// more time there than in the conv before them. Deliberately only these loops: windows with
// padding and average pooling stay in portable pool.cc.
#if defined(__x86_64__)

#include <immintrin.h>

#include "../../pool.h"

namespace faltung {

void max_pool_argmax_row_f32__avx512(float* y_row, int32_t* where_row, const float* x_row, int32_t base,
                                     int64_t C, int64_t OW, int64_t SW, int64_t KH, int64_t KW,
                                     int64_t row_step) {
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int64_t ow = 0; ow < OW; ++ow) {
    const float* corner = x_row + ow * SW * C;
    const int64_t corner_offset = base + ow * SW * C;
    for (int64_t c = 0; c < C; c += 16) {
      const __mmask16 mask = C - c >= 16 ? static_cast<__mmask16>(0xFFFF)
                                         : static_cast<__mmask16>((1u << (C - c)) - 1u);
      __m512 best = _mm512_maskz_loadu_ps(mask, corner + c);
      __m512i where = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int32_t>(corner_offset + c)), lanes);
      for (int64_t kh = 0; kh < KH; ++kh) {
        for (int64_t kw = kh == 0 ? 1 : 0; kw < KW; ++kw) {
          const int64_t cell = kh * row_step + kw * C + c;
          const __m512 value = _mm512_maskz_loadu_ps(mask, corner + cell);
          // Strictly greater, ordered: the first maximum wins and a NaN never replaces a value
          // (nor is replaced), as in the portable loop.
          const __mmask16 take = _mm512_cmp_ps_mask(value, best, _CMP_GT_OQ);
          best = _mm512_mask_mov_ps(best, take, value);
          where = _mm512_mask_mov_epi32(
              where, take, _mm512_add_epi32(_mm512_set1_epi32(static_cast<int32_t>(corner_offset + cell)), lanes));
        }
      }
      _mm512_mask_storeu_ps(y_row + ow * C + c, mask, best);
      _mm512_mask_storeu_epi32(where_row + ow * C + c, mask, where);
    }
  }
}

void max_pool_row_f32__avx512(float* y_row, const float* x_row, int64_t C, int64_t OW, int64_t SW, int64_t KH,
                              int64_t KW, int64_t row_step) {
  for (int64_t ow = 0; ow < OW; ++ow) {
    const float* corner = x_row + ow * SW * C;
    for (int64_t c = 0; c < C; c += 16) {
      const __mmask16 mask = C - c >= 16 ? static_cast<__mmask16>(0xFFFF)
                                         : static_cast<__mmask16>((1u << (C - c)) - 1u);
      __m512 best = _mm512_maskz_loadu_ps(mask, corner + c);
      for (int64_t kh = 0; kh < KH; ++kh) {
        for (int64_t kw = kh == 0 ? 1 : 0; kw < KW; ++kw) {
          const __m512 value = _mm512_maskz_loadu_ps(mask, corner + kh * row_step + kw * C + c);
          // value > best ? value : best, as the portable loop: a NaN in x never wins, and a NaN
          // corner stays.
          best = _mm512_mask_mov_ps(best, _mm512_cmp_ps_mask(value, best, _CMP_GT_OQ), value);
        }
      }
      _mm512_mask_storeu_ps(y_row + ow * C + c, mask, best);
    }
  }
}

}  // namespace faltung

#endif  // defined(__x86_64__)
