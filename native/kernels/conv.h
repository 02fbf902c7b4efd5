// Convolution over 1-3 spatial dims, channels-last, forward and backward, as im2col + SGEMM on
// L2-sized chunks of output rows, with direct per-ISA kernels for layers of C <= 4 input channels.
// Deliberately no Winograd/FFT paths and no activation other than a fused relu: other activations
// are applied by the caller.
//
// Dimension key (see im2col.h): N, D H W, C in; KD KH KW, OC kernel; OD OH OW out;
// P = N*OD*OH*OW output pixels (rows), K = KD*KH*KW*C columns.
// Layouts: x (N,D,H,W,C), filter (KD,KH,KW,C,OC) = (K, OC) row-major (Keras), y (N,OD,OH,OW,OC).
// The geometry must be resolved (resolve_geometry); kernels re-check it and return
// invalid_argument if it is not.
#pragma once

#include <cstdint>

#include "im2col.h"
#include "status.h"

namespace faltung {

// x (N,D,H,W,C), filter (K,OC), bias (OC) or nullptr -> y (N,OD,OH,OW,OC) = relu?(cols * filter + bias).
Status conv_forward_f32(float* y, const float* x, const float* filter, const float* bias,
                        const ConvGeometry& geometry, bool relu);

// dy (N,OD,OH,OW,OC), filter (K,OC) -> dx (N,D,H,W,C) = col2im(dy * filter^T). Overwrites dx.
Status conv_backward_input_f32(float* dx, const float* dy, const float* filter,
                               const ConvGeometry& geometry);

// x (N,D,H,W,C), dy (N,OD,OH,OW,OC) -> dfilter (K,OC) = sum over chunks of cols^T * dy.
// Chunks are summed in a fixed order, so the result does not depend on the thread count.
Status conv_backward_filter_f32(float* dfilter, const float* x, const float* dy,
                                const ConvGeometry& geometry);

// Both gradients of the parameters at once: dfilter as conv_backward_filter_f32 and, unless dbias
// is nullptr, dbias (OC) as conv_backward_bias_f32, in one pass over dy where the direct kernels
// apply (the sums may then round differently from the separate calls).
Status conv_backward_filter_bias_f32(float* dfilter, float* dbias, const float* x, const float* dy,
                                     const ConvGeometry& geometry);

// dy (rows, channels) -> dbias (channels) = column sums of dy, in a fixed order.
Status conv_backward_bias_f32(float* dbias, const float* dy, int64_t rows, int64_t channels);

// ---- ISA variants (native/kernels/arch) -------------------------------------------------------

// Plain arguments of the direct kernels for few input channels (no member functions, so ISA
// translation units instantiate nothing shared). C <= 4 and OC >= 16; the input gradient also
// needs stride 1 in every dim. The filter gradient reads x and dy.
struct ConvDirectArgs {
  float* y;             // forward output
  const float* x;       // forward input
  const float* bias;    // forward, or nullptr
  bool relu;            // forward epilogue
  float* dx;            // input gradient output
  const float* dy;      // input gradient input
  const float* filter;
  int64_t in[3], out[3], kernel[3], stride[3], dilation[3], pad_before[3];
  int64_t in_channels, out_channels;
};

// dx lines [line_begin, line_end) of the (n, id, ih) lines of dx (N,D,H,W,C), each value gathered
// as a dot product over (taps, OC) of dy and the filter. Overwrites those lines.
using ConvDirectInputLines = void (*)(const ConvDirectArgs& args, int64_t line_begin,
                                      int64_t line_end);
// y lines [line_begin, line_end) of the (n, od, oh) lines of y (N,OD,OH,OW,OC): each output
// pixel's taps read straight from x (no im2col), vectorized over OC, with the bias/relu epilogue.
using ConvDirectForwardLines = void (*)(const ConvDirectArgs& args, int64_t line_begin,
                                        int64_t line_end);
// Adds the contributions of the (n, od, oh) lines [line_begin, line_end) of dy (and the x taps
// they read) to dfilter (K, OC), and their column sums to dbias (OC) unless it is nullptr, in an
// order fixed by the line range.
using ConvDirectFilterLines = void (*)(const ConvDirectArgs& args, float* dfilter, float* dbias,
                                       int64_t line_begin, int64_t line_end);
#if defined(__x86_64__)
void conv_backward_input_direct_avx512(const ConvDirectArgs& args, int64_t line_begin,
                                       int64_t line_end);
void conv_forward_direct_avx512(const ConvDirectArgs& args, int64_t line_begin, int64_t line_end);
void conv_backward_filter_direct_avx512(const ConvDirectArgs& args, float* dfilter, float* dbias,
                                        int64_t line_begin, int64_t line_end);
#endif

// Direct loops with float64 sums, one output at a time: the documentation and the test oracle.
void conv_forward_f32_reference(float* y, const float* x, const float* filter, const float* bias,
                                const ConvGeometry& geometry, bool relu);
void conv_backward_input_f32_reference(float* dx, const float* dy, const float* filter,
                                       const ConvGeometry& geometry);
void conv_backward_filter_f32_reference(float* dfilter, const float* x, const float* dy,
                                        const ConvGeometry& geometry);

}  // namespace faltung
