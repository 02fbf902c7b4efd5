// AVX-512 direct kernels for convolutions with few input channels (C <= 4, the first layers of
// image networks), where the im2col route would run GEMMs only K = taps*C deep or wide (packing
// then costs as much as the arithmetic). Forward: each output pixel's taps are read straight from
// x and broadcast against filter rows, vectorized over OC. Input gradient (stride 1): every dx
// value is one dot product over (taps, OC) of dy and the filter, vectorized over OC. Filter
// gradient: per output line and tap, x broadcasts times dy vectors summed over the line's pixels.
// Deliberately only intrinsics, plain loops and helpers in an anonymous namespace: nothing shared
// with other translation units is instantiated here with AVX-512 code.
#if defined(__x86_64__)

#include <immintrin.h>

#include "../../conv.h"

// GCC 12's AVX-512 headers build shuffles on _mm512_undefined_ps(), which -Wall reports as an
// uninitialized use at every call site; the value is never read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace faltung {
namespace {

// Sum of the 16 lanes by a fixed tree of in-register shuffles (reproducible results).
inline float sum_lanes(__m512 v) {
  v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0x4E));  // swap the 256-bit halves
  v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0xB1));  // swap 128-bit lanes in pairs
  v = _mm512_add_ps(v, _mm512_permute_ps(v, 0x4E));        // swap 64-bit halves of each lane
  v = _mm512_add_ps(v, _mm512_permute_ps(v, 0xB1));        // swap adjacent floats
  return _mm512_cvtss_f32(v);
}

// Keeps a loaded vector in a register: without it GCC re-reads it from memory for each of its
// uses, and 512-bit loads, not FMAs, become the bottleneck.
inline __m512 in_register(__m512 v) {
#if defined(__GNUC__)
  __asm__("" : "+v"(v));
#endif
  return v;
}

// Dot products of kPixels adjacent dx pixels (same n, id, ih; iw, iw+1, ...) for kChannels
// channels. With kPixels > 1 the caller guarantees every width tap of every pixel is inside dy;
// with kPixels == 1 width taps outside are skipped. Depth and height taps are checked here.
template <int kPixels, int kChannels>
void gather(const ConvDirectArgs& a, int64_t n, int64_t id, int64_t ih, int64_t iw) {
  const int64_t OC = a.out_channels, OD = a.out[0], OH = a.out[1], OW = a.out[2];
  const int64_t KH = a.kernel[1], KW = a.kernel[2];
  const int64_t full = OC / 16;
  const __mmask16 tail = static_cast<__mmask16>((1u << (OC % 16)) - 1u);
  // kPixels x kChannels accumulators (at most 24 zmm) stay in registers: every loop over p and c
  // below is fully unrolled. Per step: kChannels filter loads and kPixels dy loads feed
  // kPixels * kChannels FMAs.
  __m512 acc[kPixels][kChannels];
  __m512 odd[kChannels];  // single pixels only: the odd output-channel vectors
#pragma GCC unroll 8
  for (int p = 0; p < kPixels; ++p)
#pragma GCC unroll 4
    for (int c = 0; c < kChannels; ++c) acc[p][c] = _mm512_setzero_ps();
#pragma GCC unroll 4
  for (int c = 0; c < kChannels; ++c) odd[c] = _mm512_setzero_ps();
  for (int64_t kd = 0; kd < a.kernel[0]; ++kd) {
    const int64_t od = id + a.pad_before[0] - kd * a.dilation[0];
    if (od < 0 || od >= OD) continue;
    for (int64_t kh = 0; kh < KH; ++kh) {
      const int64_t oh = ih + a.pad_before[1] - kh * a.dilation[1];
      if (oh < 0 || oh >= OH) continue;
      const float* dy_line = a.dy + ((n * OD + od) * OH + oh) * OW * OC;
      for (int64_t kw = 0; kw < KW; ++kw) {
        const int64_t ow = iw + a.pad_before[2] - kw * a.dilation[2];
        if (kPixels == 1 && (ow < 0 || ow >= OW)) continue;
        const float* d = dy_line + ow * OC;  // pixel p reads column ow + p (stride 1)
        const float* w = a.filter + ((kd * KH + kh) * KW + kw) * kChannels * OC;
        int64_t v = 0;
        if (kPixels == 1) {
          // A single pixel has only kChannels chains: odd vectors go to a second set of
          // accumulators so that twice as many FMAs are in flight.
          for (; v + 2 <= full; v += 2) {
            const __m512 even_grad = in_register(_mm512_loadu_ps(d + v * 16));
            const __m512 odd_grad = in_register(_mm512_loadu_ps(d + v * 16 + 16));
#pragma GCC unroll 4
            for (int c = 0; c < kChannels; ++c) {
              acc[0][c] = _mm512_fmadd_ps(even_grad, _mm512_loadu_ps(w + c * OC + v * 16), acc[0][c]);
              odd[c] = _mm512_fmadd_ps(odd_grad, _mm512_loadu_ps(w + c * OC + v * 16 + 16), odd[c]);
            }
          }
        }
        for (; v < full; ++v) {
          __m512 weights[kChannels];
#pragma GCC unroll 4
          for (int c = 0; c < kChannels; ++c) weights[c] = _mm512_loadu_ps(w + c * OC + v * 16);
#pragma GCC unroll 8
          for (int p = 0; p < kPixels; ++p) {
            const __m512 grad = in_register(_mm512_loadu_ps(d + p * OC + v * 16));
#pragma GCC unroll 4
            for (int c = 0; c < kChannels; ++c) acc[p][c] = _mm512_fmadd_ps(grad, weights[c], acc[p][c]);
          }
        }
        if (tail != 0) {
          __m512 weights[kChannels];
#pragma GCC unroll 4
          for (int c = 0; c < kChannels; ++c) {
            weights[c] = _mm512_maskz_loadu_ps(tail, w + c * OC + full * 16);
          }
#pragma GCC unroll 8
          for (int p = 0; p < kPixels; ++p) {
            const __m512 grad = in_register(_mm512_maskz_loadu_ps(tail, d + p * OC + full * 16));
#pragma GCC unroll 4
            for (int c = 0; c < kChannels; ++c) acc[p][c] = _mm512_fmadd_ps(grad, weights[c], acc[p][c]);
          }
        }
      }
    }
  }
  if (kPixels == 1) {
#pragma GCC unroll 4
    for (int c = 0; c < kChannels; ++c) acc[0][c] = _mm512_add_ps(acc[0][c], odd[c]);
  }
  float* out = a.dx + (((n * a.in[0] + id) * a.in[1] + ih) * a.in[2] + iw) * kChannels;
#pragma GCC unroll 8
  for (int p = 0; p < kPixels; ++p)
#pragma GCC unroll 4
    for (int c = 0; c < kChannels; ++c) out[p * kChannels + c] = sum_lanes(acc[p][c]);
}

// Sums of the 16 vectors' lanes, one per lane of the result (lane p = sum of acc[p]), by a
// transpose-and-add tree: 15 adds and 30 shuffles for 16 pixels where sum_lanes takes 64 of each.
inline __m512 sum_lanes_of_16(const __m512 (&acc)[16]) {
  __m512 pairs[8];  // per 128-bit lane: [a0 02, a1 02, a0 13, a1 13] of each pair (a0, a1)
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    pairs[i] = _mm512_add_ps(_mm512_unpacklo_ps(acc[2 * i], acc[2 * i + 1]),
                             _mm512_unpackhi_ps(acc[2 * i], acc[2 * i + 1]));
  }
  __m512 quads[4];  // per 128-bit lane: that lane's sum for each of 4 pixels
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    const __m512d low = _mm512_unpacklo_pd(_mm512_castps_pd(pairs[2 * i]), _mm512_castps_pd(pairs[2 * i + 1]));
    const __m512d high = _mm512_unpackhi_pd(_mm512_castps_pd(pairs[2 * i]), _mm512_castps_pd(pairs[2 * i + 1]));
    quads[i] = _mm512_add_ps(_mm512_castpd_ps(low), _mm512_castpd_ps(high));
  }
  // Across 128-bit lanes: [q0 L0+L1, q0 L2+L3, q1 L0+L1, q1 L2+L3], then the totals.
  const __m512 halves01 = _mm512_add_ps(_mm512_shuffle_f32x4(quads[0], quads[1], 0x88),
                                        _mm512_shuffle_f32x4(quads[0], quads[1], 0xDD));
  const __m512 halves23 = _mm512_add_ps(_mm512_shuffle_f32x4(quads[2], quads[3], 0x88),
                                        _mm512_shuffle_f32x4(quads[2], quads[3], 0xDD));
  return _mm512_add_ps(_mm512_shuffle_f32x4(halves01, halves23, 0x88),
                       _mm512_shuffle_f32x4(halves01, halves23, 0xDD));
}

// One dy line's pass of gather_one_channel_k3: dy pixels first + m of `line`, m in [0, 18), each
// loaded once (kVectors vectors, OC = 16 * kVectors, so every offset is a constant), times the
// three width taps' filter vectors into the pixels they feed (p = m - 2 + kw). kChecked skips dy
// pixels outside [m_begin, m_end) (zero padding); [kBegin, kEnd) is the same range known at
// compile time (the common edge blocks: no test per dy pixel).
template <int kBegin, int kEnd, bool kChecked, int kVectors>
inline __attribute__((always_inline)) void k3_pass(__m512 (&acc)[16], const float* line,
                                                   int64_t first, const float* w, int m_begin,
                                                   int m_end) {
  constexpr int64_t OC = 16 * kVectors;
  __m512 weights[3][kVectors];
#pragma GCC unroll 3
  for (int kw = 0; kw < 3; ++kw)
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) weights[kw][v] = in_register(_mm512_loadu_ps(w + kw * OC + v * 16));
  // dy pixels in the order 0, 3, 6, ..., 1, 4, ..., 2, 5, ...: adjacent ones feed overlapping
  // pixels, and in plain order each pixel's three FMAs would follow one another, one FMA latency
  // apart; this order puts the other pixels' FMAs between them.
#pragma GCC unroll 3
  for (int residue = 0; residue < 3; ++residue) {
#pragma GCC unroll 6
    for (int m = residue; m < 18; m += 3) {
      if (m < kBegin || m >= kEnd || (kChecked && (m < m_begin || m >= m_end))) continue;
      const float* d = line + (first + m) * OC;
#pragma GCC unroll 4
      for (int v = 0; v < kVectors; ++v) {
        const __m512 grad = in_register(_mm512_loadu_ps(d + v * 16));
#pragma GCC unroll 3
        for (int kw = 0; kw < 3; ++kw) {
          const int p = m - 2 + kw;
          if (p >= 0 && p < 16) acc[p] = _mm512_fmadd_ps(grad, weights[kw][v], acc[p]);
        }
      }
    }
  }
}

// 16 adjacent dx pixels of a one-channel input, width kernel 3, width dilation 1, OC = 16 *
// kVectors. Within a dy line the 18 dy pixels the block reads are each loaded once and meet the
// three width taps' filter vectors (the general gather loads each once per tap); dy pixels outside
// the line are skipped (they are zero padding). The 16 sums come out of one transpose tree as one
// vector. Every pixel is summed in the same order wherever the block starts, so overlapping blocks
// agree.
template <int kBegin, int kEnd, bool kChecked, int kVectors>
void gather_one_channel_k3(const ConvDirectArgs& a, int64_t n, int64_t id, int64_t ih, int64_t iw) {
  const int64_t OD = a.out[0], OH = a.out[1], OW = a.out[2];
  constexpr int64_t OC = 16 * kVectors;
  const int64_t KH = a.kernel[1];
  __m512 acc[16];
#pragma GCC unroll 16
  for (int p = 0; p < 16; ++p) acc[p] = _mm512_setzero_ps();
  // Pixel p's width tap kw reads dy pixel first + p + 2 - kw.
  const int64_t first = iw + a.pad_before[2] - 2;
  const int m_begin = first >= 0 ? 0 : static_cast<int>(-first < 18 ? -first : 18);
  const int m_end = OW - first >= 18 ? 18 : static_cast<int>(OW - first > 0 ? OW - first : 0);
  for (int64_t kd = 0; kd < a.kernel[0]; ++kd) {
    const int64_t od = id + a.pad_before[0] - kd * a.dilation[0];
    if (od < 0 || od >= OD) continue;
    for (int64_t kh = 0; kh < KH; ++kh) {
      const int64_t oh = ih + a.pad_before[1] - kh * a.dilation[1];
      if (oh < 0 || oh >= OH) continue;
      const float* line = a.dy + ((n * OD + od) * OH + oh) * OW * OC;
      k3_pass<kBegin, kEnd, kChecked, kVectors>(acc, line, first, a.filter + (kd * KH + kh) * 3 * OC, m_begin, m_end);
    }
  }
  float* out = a.dx + ((n * a.in[0] + id) * a.in[1] + ih) * a.in[2] + iw;
  _mm512_storeu_ps(out, sum_lanes_of_16(acc));
}

// The dx lines of gather_one_channel_k3 (W >= 16): blocks of 16 from the left, the last one moved
// back to end at W (it recomputes, with the same sums, pixels of the block before).
template <int kVectors>
void one_channel_k3_line(const ConvDirectArgs& a, int64_t n, int64_t id, int64_t ih,
                         int64_t inside_begin, int64_t inside_end) {
  const int64_t W = a.in[2];
  const int64_t OW = a.out[2];
  for (int64_t iw = 0; iw < W; iw += 16) {
    const int64_t start = iw + 16 <= W ? iw : W - 16;
    if (start >= inside_begin && start + 16 <= inside_end) {
      gather_one_channel_k3<0, 18, false, kVectors>(a, n, id, ih, start);
      continue;
    }
    // Edge blocks: dy pixels first + m exist for m in [begin, end). Pads of up to 2 give the
    // nine ranges below, compiled; others test each dy pixel.
    const int64_t first = start + a.pad_before[2] - 2;
    const int64_t begin = first >= 0 ? 0 : -first, end = OW - first >= 18 ? 18 : OW - first;
    switch (begin <= 2 && end >= 16 ? begin * 3 + (18 - end) : -1) {
      case 0: gather_one_channel_k3<0, 18, false, kVectors>(a, n, id, ih, start); break;
      case 1: gather_one_channel_k3<0, 17, false, kVectors>(a, n, id, ih, start); break;
      case 2: gather_one_channel_k3<0, 16, false, kVectors>(a, n, id, ih, start); break;
      case 3: gather_one_channel_k3<1, 18, false, kVectors>(a, n, id, ih, start); break;
      case 4: gather_one_channel_k3<1, 17, false, kVectors>(a, n, id, ih, start); break;
      case 5: gather_one_channel_k3<1, 16, false, kVectors>(a, n, id, ih, start); break;
      case 6: gather_one_channel_k3<2, 18, false, kVectors>(a, n, id, ih, start); break;
      case 7: gather_one_channel_k3<2, 17, false, kVectors>(a, n, id, ih, start); break;
      case 8: gather_one_channel_k3<2, 16, false, kVectors>(a, n, id, ih, start); break;
      default: gather_one_channel_k3<0, 18, true, kVectors>(a, n, id, ih, start); break;
    }
  }
}

template <int kChannels>
void lines(const ConvDirectArgs& a, int64_t line_begin, int64_t line_end) {
  constexpr int kBlock = kChannels <= 3 ? 8 : 6;  // kBlock * kChannels <= 24 accumulators
  const int64_t D = a.in[0], H = a.in[1], W = a.in[2];
  // Pixels whose every width tap lands inside dy: (KW-1)*dilation - pad <= iw < OW - pad.
  const int64_t reach = (a.kernel[2] - 1) * a.dilation[2];
  const int64_t inside_begin = reach - a.pad_before[2];
  const int64_t inside_end = a.out[2] - a.pad_before[2];
  const int64_t OC = a.out_channels, OD = a.out[0], OH = a.out[1], OW = a.out[2];
  // One channel, width kernel 3, width dilation 1, OC in {16, 32, 48, 64}: gather_one_channel_k3.
  const bool one_channel_k3 = a.kernel[2] == 3 && a.dilation[2] == 1 && W >= 16 && OC % 16 == 0 &&
                              OC <= 64;
  for (int64_t line = line_begin; line < line_end; ++line) {
    const int64_t ih = line % H, id = (line / H) % D, n = line / (H * D);
    // The first depth and height tap reads a dy line no earlier dx line has read (the others were
    // read, and cached, for the previous lines): fetch it a block ahead of use.
    const int64_t od = id + a.pad_before[0], oh = ih + a.pad_before[1];
    const float* fresh = od < OD && oh < OH ? a.dy + ((n * OD + od) * OH + oh) * OW * OC : nullptr;
    if (kChannels == 1 && one_channel_k3) {
      // The next dx line's new dy line, fetched whole while this line runs.
      if (od < OD && oh + 1 < OH) {
        const char* bytes = reinterpret_cast<const char*>(a.dy + ((n * OD + od) * OH + oh + 1) * OW * OC);
        for (int64_t offset = 0; offset < OW * OC * 4; offset += 64) _mm_prefetch(bytes + offset, _MM_HINT_T0);
      }
      switch (OC / 16) {
        case 1: one_channel_k3_line<1>(a, n, id, ih, inside_begin, inside_end); break;
        case 2: one_channel_k3_line<2>(a, n, id, ih, inside_begin, inside_end); break;
        case 3: one_channel_k3_line<3>(a, n, id, ih, inside_begin, inside_end); break;
        default: one_channel_k3_line<4>(a, n, id, ih, inside_begin, inside_end); break;
      }
      continue;
    }
    int64_t iw = 0;
    while (iw < W) {
      const int64_t ahead = iw + a.pad_before[2] + kBlock;
      if (fresh != nullptr && ahead + kBlock <= OW) {
        const char* bytes = reinterpret_cast<const char*>(fresh + ahead * OC);
        for (int64_t offset = 0; offset < kBlock * OC * 4; offset += 64) {
          _mm_prefetch(bytes + offset, _MM_HINT_T0);
        }
      }
      if (iw >= inside_begin && iw + kBlock <= inside_end && iw + kBlock <= W) {
        gather<kBlock, kChannels>(a, n, id, ih, iw);
        iw += kBlock;
      } else {
        gather<1, kChannels>(a, n, id, ih, iw);
        iw += 1;
      }
    }
  }
}


// ---- forward ------------------------------------------------------------------------------------

// kPixels adjacent output pixels (same n, od, oh; ow, ow+1, ...) for kVectors vectors of output
// channels starting at oc0 (the last vector masked by `last`). Depth and height taps are checked
// here; width taps only when kCheckWidth (single border pixels), otherwise the caller guarantees
// every width tap of every pixel is inside x.
template <int kPixels, int kVectors, bool kCheckWidth>
void forward_pixels(const ConvDirectArgs& a, int64_t n, int64_t od, int64_t oh, int64_t ow,
                    int64_t oc0, __mmask16 last) {
  const int64_t C = a.in_channels, OC = a.out_channels;
  const int64_t D = a.in[0], H = a.in[1], W = a.in[2];
  const int64_t KH = a.kernel[1], KW = a.kernel[2];
  const int64_t pixel_step = a.stride[2] * C;  // x distance between adjacent output pixels
  __m512 acc[kPixels][kVectors];
#pragma GCC unroll 16
  for (int p = 0; p < kPixels; ++p)
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) acc[p][v] = _mm512_setzero_ps();
  const int64_t id0 = od * a.stride[0] - a.pad_before[0];
  const int64_t ih0 = oh * a.stride[1] - a.pad_before[1];
  const int64_t iw0 = ow * a.stride[2] - a.pad_before[2];
  for (int64_t kd = 0; kd < a.kernel[0]; ++kd) {
    const int64_t id = id0 + kd * a.dilation[0];
    if (id < 0 || id >= D) continue;
    for (int64_t kh = 0; kh < KH; ++kh) {
      const int64_t ih = ih0 + kh * a.dilation[1];
      if (ih < 0 || ih >= H) continue;
      const float* x_line = a.x + ((n * D + id) * H + ih) * W * C;
      for (int64_t kw = 0; kw < KW; ++kw) {
        const int64_t iw = iw0 + kw * a.dilation[2];
        if (kCheckWidth && (iw < 0 || iw >= W)) continue;
        const float* xs = x_line + iw * C;
        const float* w = a.filter + ((kd * KH + kh) * KW + kw) * C * OC + oc0;
        for (int64_t c = 0; c < C; ++c, w += OC) {
          __m512 weights[kVectors];
#pragma GCC unroll 4
          for (int v = 0; v < kVectors; ++v) {
            weights[v] = in_register(v == kVectors - 1 ? _mm512_maskz_loadu_ps(last, w + v * 16)
                                                       : _mm512_loadu_ps(w + v * 16));
          }
#pragma GCC unroll 16
          for (int p = 0; p < kPixels; ++p) {
            const __m512 value = _mm512_set1_ps(xs[p * pixel_step + c]);
#pragma GCC unroll 4
            for (int v = 0; v < kVectors; ++v) acc[p][v] = _mm512_fmadd_ps(value, weights[v], acc[p][v]);
          }
        }
      }
    }
  }
  float* out = a.y + (((n * a.out[0] + od) * a.out[1] + oh) * a.out[2] + ow) * OC + oc0;
  const __m512 zero = _mm512_setzero_ps();
#pragma GCC unroll 4
  for (int v = 0; v < kVectors; ++v) {
    const __mmask16 mask = v == kVectors - 1 ? last : static_cast<__mmask16>(0xFFFF);
    const __m512 bias = a.bias != nullptr ? _mm512_maskz_loadu_ps(mask, a.bias + oc0 + v * 16) : zero;
#pragma GCC unroll 16
    for (int p = 0; p < kPixels; ++p) {
      __m512 result = _mm512_add_ps(acc[p][v], bias);
      // max(0, r) returns r when r is NaN (the second operand wins), as the scalar epilogue does.
      if (a.relu) result = _mm512_max_ps(zero, result);
      // A full-width store where possible: masked stores are slower on some cores.
      if (mask == 0xFFFF) {
        _mm512_storeu_ps(out + p * OC + v * 16, result);
      } else {
        _mm512_mask_storeu_ps(out + p * OC + v * 16, mask, result);
      }
    }
  }
}

// kVectors vectors of channels from oc0 across one output line, in blocks of kPixels pixels where
// every width tap is inside x and single checked pixels elsewhere.
template <int kVectors>
void forward_line(const ConvDirectArgs& a, int64_t n, int64_t od, int64_t oh, int64_t oc0,
                  __mmask16 last) {
  constexpr int kPixels = kVectors == 4 ? 6 : kVectors == 3 ? 8 : kVectors == 2 ? 12 : 16;
  const int64_t OW = a.out[2], W = a.in[2], stride = a.stride[2], pad = a.pad_before[2];
  const int64_t reach = (a.kernel[2] - 1) * a.dilation[2];
  // ow with ow*stride - pad >= 0 and ow*stride - pad + reach <= W - 1.
  const int64_t inside_begin = (pad + stride - 1) / stride;
  const int64_t inside_end = W - 1 - reach + pad >= 0 ? (W - 1 - reach + pad) / stride + 1 : 0;
  int64_t ow = 0;
  while (ow < OW) {
    if (ow >= inside_begin && ow + kPixels <= inside_end) {
      forward_pixels<kPixels, kVectors, false>(a, n, od, oh, ow, oc0, last);
      ow += kPixels;
    } else {
      forward_pixels<1, kVectors, true>(a, n, od, oh, ow, oc0, last);
      ow += 1;
    }
  }
}


// ---- filter gradient ----------------------------------------------------------------------------

// One output line's contribution to dfilter for kVectors vectors of channels from oc0: for each
// tap, the pixels whose input cell is inside x, accumulated as x broadcasts times dy vectors.
// kUnroll accumulator sets (pixel p goes to set p % kUnroll, summed in order at the end) keep
// enough independent FMA chains in flight when C * kVectors is small.
template <int kChannels, int kVectors>
void filter_line(const ConvDirectArgs& a, float* dfilter, int64_t n, int64_t od, int64_t oh,
                 int64_t oc0, __mmask16 last) {
  constexpr int kChains = kChannels * kVectors;
  constexpr int kUnroll = kChains >= 8 ? 1 : (8 + kChains - 1) / kChains;
  const int64_t OC = a.out_channels, OW = a.out[2];
  const int64_t D = a.in[0], H = a.in[1], W = a.in[2];
  const int64_t KH = a.kernel[1], KW = a.kernel[2];
  const int64_t stride = a.stride[2];
  const float* dy_line = a.dy + ((n * a.out[0] + od) * a.out[1] + oh) * OW * OC + oc0;
  for (int64_t kd = 0; kd < a.kernel[0]; ++kd) {
    const int64_t id = od * a.stride[0] - a.pad_before[0] + kd * a.dilation[0];
    if (id < 0 || id >= D) continue;
    for (int64_t kh = 0; kh < KH; ++kh) {
      const int64_t ih = oh * a.stride[1] - a.pad_before[1] + kh * a.dilation[1];
      if (ih < 0 || ih >= H) continue;
      const float* x_line = a.x + ((n * D + id) * H + ih) * W * kChannels;
      for (int64_t kw = 0; kw < KW; ++kw) {
        // Pixels with iw = ow * stride + shift inside [0, W).
        const int64_t shift = kw * a.dilation[2] - a.pad_before[2];
        const int64_t first = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
        const int64_t end_limit = W - 1 - shift >= 0 ? (W - 1 - shift) / stride + 1 : 0;
        const int64_t end = end_limit < OW ? end_limit : OW;
        if (first >= end) continue;
        float* rows = dfilter + ((kd * KH + kh) * KW + kw) * kChannels * OC + oc0;
        __m512 acc[kUnroll][kChannels][kVectors];
#pragma GCC unroll 8
        for (int u = 0; u < kUnroll; ++u)
#pragma GCC unroll 4
          for (int c = 0; c < kChannels; ++c)
#pragma GCC unroll 4
            for (int v = 0; v < kVectors; ++v) acc[u][c][v] = _mm512_setzero_ps();
        int64_t ow = first;
        for (; ow + kUnroll <= end; ow += kUnroll) {
#pragma GCC unroll 8
          for (int u = 0; u < kUnroll; ++u) {
            const float* d = dy_line + (ow + u) * OC;
            const float* xs = x_line + ((ow + u) * stride + shift) * kChannels;
            __m512 grad[kVectors];
#pragma GCC unroll 4
            for (int v = 0; v < kVectors; ++v) {
              grad[v] = in_register(v == kVectors - 1 ? _mm512_maskz_loadu_ps(last, d + v * 16)
                                                      : _mm512_loadu_ps(d + v * 16));
            }
#pragma GCC unroll 4
            for (int c = 0; c < kChannels; ++c) {
              const __m512 value = _mm512_set1_ps(xs[c]);
#pragma GCC unroll 4
              for (int v = 0; v < kVectors; ++v) acc[u][c][v] = _mm512_fmadd_ps(value, grad[v], acc[u][c][v]);
            }
          }
        }
        for (int u = 0; ow < end; ++ow, ++u) {  // the remaining pixels, same sets in turn
          const float* d = dy_line + ow * OC;
          const float* xs = x_line + (ow * stride + shift) * kChannels;
#pragma GCC unroll 4
          for (int v = 0; v < kVectors; ++v) {
            const __m512 grad = in_register(v == kVectors - 1 ? _mm512_maskz_loadu_ps(last, d + v * 16)
                                                              : _mm512_loadu_ps(d + v * 16));
#pragma GCC unroll 4
            for (int c = 0; c < kChannels; ++c) {
              acc[u][c][v] = _mm512_fmadd_ps(_mm512_set1_ps(xs[c]), grad, acc[u][c][v]);
            }
          }
        }
#pragma GCC unroll 4
        for (int c = 0; c < kChannels; ++c) {
#pragma GCC unroll 4
          for (int v = 0; v < kVectors; ++v) {
            const __mmask16 mask = v == kVectors - 1 ? last : static_cast<__mmask16>(0xFFFF);
            __m512 sum = _mm512_maskz_loadu_ps(mask, rows + c * OC + v * 16);
#pragma GCC unroll 8
            for (int u = 0; u < kUnroll; ++u) sum = _mm512_add_ps(sum, acc[u][c][v]);
            _mm512_mask_storeu_ps(rows + c * OC + v * 16, mask, sum);
          }
        }
      }
    }
  }
}

template <int kChannels>
void filter_lines(const ConvDirectArgs& a, float* dfilter, int64_t line_begin, int64_t line_end) {
  const int64_t OD = a.out[0], OH = a.out[1], OC = a.out_channels;
  for (int64_t line = line_begin; line < line_end; ++line) {
    const int64_t oh = line % OH, od = (line / OH) % OD, n = line / (OH * OD);
    for (int64_t oc0 = 0; oc0 < OC; oc0 += 64) {
      const int64_t count = OC - oc0 < 64 ? OC - oc0 : 64;
      const int vectors = static_cast<int>((count + 15) / 16);
      const __mmask16 last = static_cast<__mmask16>((1u << (count - (vectors - 1) * 16)) - 1u);
      switch (vectors) {
        case 1: filter_line<kChannels, 1>(a, dfilter, n, od, oh, oc0, last); break;
        case 2: filter_line<kChannels, 2>(a, dfilter, n, od, oh, oc0, last); break;
        case 3: filter_line<kChannels, 3>(a, dfilter, n, od, oh, oc0, last); break;
        default: filter_line<kChannels, 4>(a, dfilter, n, od, oh, oc0, last); break;
      }
    }
  }
}

// ---- filter gradient, one input channel ---------------------------------------------------------

// With C = 1 every dy vector meets one x value per tap, so the general kernel above, which walks
// tap by tap, reloads each dy vector kTaps times and is load-bound. Here the whole (taps x channels)
// block of dfilter stays in registers across the lines [line_begin, line_end): each pixel loads its
// dy vectors once and broadcasts its kTaps x values against them. The bias gradient (column sums of
// dy) rides along on the same loads when dbias is given. Sums run line by line, pixel by pixel,
// then are added to dfilter (and dbias) once: fixed by the line range, not by the threads.
// kTaps * kVectors accumulators + kVectors bias sums + kVectors dy vectors stay within 32 zmm.
template <int kTaps, int kVectors>
void filter_lines_one_channel(const ConvDirectArgs& a, float* dfilter, float* dbias,
                              int64_t line_begin, int64_t line_end, int64_t oc0, __mmask16 last) {
  const int64_t OD = a.out[0], OH = a.out[1], OW = a.out[2], OC = a.out_channels;
  const int64_t D = a.in[0], H = a.in[1], W = a.in[2];
  const int64_t KD = a.kernel[0], KH = a.kernel[1], KW = a.kernel[2];
  const int64_t stride = a.stride[2], pad = a.pad_before[2];
  const int64_t reach = (KW - 1) * a.dilation[2];
  // Output pixels whose every width tap is inside x (as in forward_line).
  const int64_t inside_begin = (pad + stride - 1) / stride;
  const int64_t inside_limit = W - 1 - reach + pad >= 0 ? (W - 1 - reach + pad) / stride + 1 : 0;
  const int64_t inside_end = inside_limit < OW ? inside_limit : OW;
  __m512 acc[kTaps][kVectors];
  __m512 bias[kVectors];
#pragma GCC unroll 32
  for (int t = 0; t < kTaps; ++t)
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) acc[t][v] = _mm512_setzero_ps();
#pragma GCC unroll 4
  for (int v = 0; v < kVectors; ++v) bias[v] = _mm512_setzero_ps();

  // One pixel: its dy vectors times each tap's x value, taps[t][offset] (interior pixels read x in
  // place, border pixels a zero-padded copy).
  auto pixel = [&](const float* d, const float* const* taps, int64_t offset) __attribute__((always_inline)) {
    __m512 grad[kVectors];
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) {
      grad[v] = in_register(v == kVectors - 1 ? _mm512_maskz_loadu_ps(last, d + v * 16)
                                              : _mm512_loadu_ps(d + v * 16));
      if (dbias != nullptr) bias[v] = _mm512_add_ps(bias[v], grad[v]);
    }
#pragma GCC unroll 32
    for (int t = 0; t < kTaps; ++t) {
      const __m512 value = _mm512_set1_ps(taps[t][offset]);
#pragma GCC unroll 4
      for (int v = 0; v < kVectors; ++v) acc[t][v] = _mm512_fmadd_ps(value, grad[v], acc[t][v]);
    }
  };

  // A pixel with taps outside x: its tap values copied, zero outside.
  auto border_pixel = [&](const float* dy_line, const float* const* rows, const int64_t* shifts,
                          int64_t ow) __attribute__((always_inline)) {
    float values[kTaps];
    const float* taps[kTaps];
    for (int u = 0; u < kTaps; ++u) {
      const int64_t iw = ow * stride + shifts[u];
      values[u] = rows[u] != nullptr && iw >= 0 && iw < W ? rows[u][iw] : 0.0f;
      taps[u] = values + u;
    }
    pixel(dy_line + ow * OC, taps, 0);
  };

  for (int64_t line = line_begin; line < line_end; ++line) {
    const int64_t oh = line % OH, od = (line / OH) % OD, n = line / (OH * OD);
    const float* dy_line = a.dy + ((n * OD + od) * OH + oh) * OW * OC + oc0;
    // Each tap's x row (nullptr where its depth or height lands outside x) and width shift.
    const float* rows[kTaps];
    int64_t shifts[kTaps];
    bool rows_inside = true;
    int t = 0;
    for (int64_t kd = 0; kd < KD; ++kd) {
      const int64_t id = od * a.stride[0] - a.pad_before[0] + kd * a.dilation[0];
      for (int64_t kh = 0; kh < KH; ++kh) {
        const int64_t ih = oh * a.stride[1] - a.pad_before[1] + kh * a.dilation[1];
        const bool inside = id >= 0 && id < D && ih >= 0 && ih < H;
        rows_inside = rows_inside && inside;
        for (int64_t kw = 0; kw < KW; ++kw, ++t) {
          rows[t] = inside ? a.x + ((n * D + id) * H + ih) * W : nullptr;
          shifts[t] = kw * a.dilation[2] - pad;
        }
      }
    }
    int64_t ow = 0;
    if (rows_inside) {
      // Border pixels before the interior, then the interior read in place.
      for (; ow < inside_begin && ow < OW; ++ow) border_pixel(dy_line, rows, shifts, ow);
      // Each tap's x at the first interior pixel (inside x, as for every interior pixel).
      const int64_t first = ow;
      const float* taps[kTaps];
      for (int u = 0; u < kTaps; ++u) taps[u] = rows[u] + first * stride + shifts[u];
      for (; ow < inside_end; ++ow) pixel(dy_line + ow * OC, taps, (ow - first) * stride);
    }
    // The rest: border pixels, or every pixel of a line at the edge.
    for (; ow < OW; ++ow) border_pixel(dy_line, rows, shifts, ow);
  }
#pragma GCC unroll 32
  for (int t = 0; t < kTaps; ++t) {
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) {
      const __mmask16 mask = v == kVectors - 1 ? last : static_cast<__mmask16>(0xFFFF);
      float* target = dfilter + t * OC + oc0 + v * 16;
      _mm512_mask_storeu_ps(target, mask, _mm512_add_ps(_mm512_maskz_loadu_ps(mask, target), acc[t][v]));
    }
  }
  if (dbias != nullptr) {
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) {
      const __mmask16 mask = v == kVectors - 1 ? last : static_cast<__mmask16>(0xFFFF);
      float* target = dbias + oc0 + v * 16;
      _mm512_mask_storeu_ps(target, mask, _mm512_add_ps(_mm512_maskz_loadu_ps(mask, target), bias[v]));
    }
  }
}

// Channel blocks of at most kMaxVectors vectors (the last one masked) for kTaps taps.
template <int kTaps, int kMaxVectors>
void filter_one_channel(const ConvDirectArgs& a, float* dfilter, float* dbias, int64_t line_begin,
                        int64_t line_end) {
  const int64_t OC = a.out_channels;
  for (int64_t oc0 = 0; oc0 < OC; oc0 += 16 * kMaxVectors) {
    const int64_t count = OC - oc0 < 16 * kMaxVectors ? OC - oc0 : 16 * kMaxVectors;
    const int vectors = static_cast<int>((count + 15) / 16);
    const __mmask16 last = static_cast<__mmask16>((1u << (count - (vectors - 1) * 16)) - 1u);
    switch (vectors) {
      case 1: filter_lines_one_channel<kTaps, 1>(a, dfilter, dbias, line_begin, line_end, oc0, last); break;
      case 2:
        if constexpr (kMaxVectors >= 2) filter_lines_one_channel<kTaps, 2>(a, dfilter, dbias, line_begin, line_end, oc0, last);
        break;
      case 3:
        if constexpr (kMaxVectors >= 3) filter_lines_one_channel<kTaps, 3>(a, dfilter, dbias, line_begin, line_end, oc0, last);
        break;
      default:
        if constexpr (kMaxVectors >= 4) filter_lines_one_channel<kTaps, 4>(a, dfilter, dbias, line_begin, line_end, oc0, last);
        break;
    }
  }
}

// The column sums of dy over the lines, added to dbias (the general kernel's bias gradient).
void bias_lines(const ConvDirectArgs& a, float* dbias, int64_t line_begin, int64_t line_end) {
  const int64_t OC = a.out_channels, OW = a.out[2];
  for (int64_t oc0 = 0; oc0 < OC; oc0 += 16) {
    const __mmask16 mask = OC - oc0 >= 16 ? static_cast<__mmask16>(0xFFFF)
                                          : static_cast<__mmask16>((1u << (OC - oc0)) - 1u);
    __m512 sum = _mm512_setzero_ps();
    for (int64_t line = line_begin; line < line_end; ++line) {
      const float* d = a.dy + line * OW * OC + oc0;
      for (int64_t ow = 0; ow < OW; ++ow) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(mask, d + ow * OC));
    }
    _mm512_mask_storeu_ps(dbias + oc0, mask, _mm512_add_ps(_mm512_maskz_loadu_ps(mask, dbias + oc0), sum));
  }
}

}  // namespace

void conv_backward_filter_direct_avx512(const ConvDirectArgs& args, float* dfilter, float* dbias,
                                        int64_t line_begin, int64_t line_end) {
  if (args.in_channels == 1) {
    switch (args.kernel[0] * args.kernel[1] * args.kernel[2]) {
      case 3: return filter_one_channel<3, 4>(args, dfilter, dbias, line_begin, line_end);
      case 5: return filter_one_channel<5, 4>(args, dfilter, dbias, line_begin, line_end);
      case 9: return filter_one_channel<9, 2>(args, dfilter, dbias, line_begin, line_end);
      case 25: return filter_one_channel<25, 1>(args, dfilter, dbias, line_begin, line_end);
      case 27: return filter_one_channel<27, 1>(args, dfilter, dbias, line_begin, line_end);
      default: break;  // other tap counts: the general kernel below
    }
  }
  // Line by line, so that the bias sums read each dy line while the filter gradient has it cached.
  for (int64_t line = line_begin; line < line_end; ++line) {
    switch (args.in_channels) {
      case 1: filter_lines<1>(args, dfilter, line, line + 1); break;
      case 2: filter_lines<2>(args, dfilter, line, line + 1); break;
      case 3: filter_lines<3>(args, dfilter, line, line + 1); break;
      case 4: filter_lines<4>(args, dfilter, line, line + 1); break;
      default: return;  // the caller only sends C <= 4
    }
    if (dbias != nullptr) bias_lines(args, dbias, line, line + 1);
  }
}

void conv_forward_direct_avx512(const ConvDirectArgs& args, int64_t line_begin, int64_t line_end) {
  const int64_t OD = args.out[0], OH = args.out[1], OC = args.out_channels;
  for (int64_t line = line_begin; line < line_end; ++line) {
    const int64_t oh = line % OH, od = (line / OH) % OD, n = line / (OH * OD);
    // Groups of up to 64 channels (4 vectors); the last vector of the last group is masked.
    for (int64_t oc0 = 0; oc0 < OC; oc0 += 64) {
      const int64_t count = OC - oc0 < 64 ? OC - oc0 : 64;
      const int vectors = static_cast<int>((count + 15) / 16);
      const int64_t in_last = count - (vectors - 1) * 16;
      const __mmask16 last = static_cast<__mmask16>((1u << in_last) - 1u);
      switch (vectors) {
        case 1: forward_line<1>(args, n, od, oh, oc0, last); break;
        case 2: forward_line<2>(args, n, od, oh, oc0, last); break;
        case 3: forward_line<3>(args, n, od, oh, oc0, last); break;
        default: forward_line<4>(args, n, od, oh, oc0, last); break;
      }
    }
  }
}

void conv_backward_input_direct_avx512(const ConvDirectArgs& args, int64_t line_begin,
                                       int64_t line_end) {
  switch (args.in_channels) {
    case 1: return lines<1>(args, line_begin, line_end);
    case 2: return lines<2>(args, line_begin, line_end);
    case 3: return lines<3>(args, line_begin, line_end);
    case 4: return lines<4>(args, line_begin, line_end);
    default: return;  // the caller only sends C <= 4
  }
}

}  // namespace faltung

#endif  // defined(__x86_64__)
