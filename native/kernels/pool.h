// Max and average pooling over 1-3 spatial dims (channels-last), forward and backward, plus
// global pooling over all spatial positions. Deliberately no argmax tensor between forward and
// backward: the backward pass recomputes the winner from x, which keeps the API TensorFlow-shaped.
//
// Dimension key (see im2col.h): N, D H W, C in; KD KH KW window; OD OH OW out; S = D*H*W.
// Pooling windows use ConvGeometry with out_channels == in_channels and unit dilation. Padded cells
// never take part: max ignores them, average divides by the count of real cells (TensorFlow's
// rule). Every window must hold a real cell, so explicit pads must be smaller than the window.
#pragma once

#include <cstdint>

#include "im2col.h"
#include "status.h"

namespace faltung {

// Checks a resolved geometry for pooling (channels equal, dilation 1, pads below the window,
// at most 2^31 - 1 cells per window).
Status check_pool_geometry(const ConvGeometry& geometry);

// x (N,D,H,W,C) -> y (N,OD,OH,OW,C), the maximum of each window's real cells.
Status max_pool_forward_f32(float* y, const float* x, const ConvGeometry& geometry);
// dy (N,OD,OH,OW,C), x (N,D,H,W,C) -> dx (N,D,H,W,C): each dy goes to its window's first maximum
// (scan order kd, kh, kw, as TensorFlow). Overwrites dx.
Status max_pool_backward_f32(float* dx, const float* dy, const float* x, const ConvGeometry& geometry);

// The training form of max pooling: forward also records, per output value, where its winner
// is (the float offset inside its own image of x, below 2^31 by the geometry's limits), so the
// backward pass is a plain scatter instead of a second search. First maximum on ties, as above.
// x (N,D,H,W,C) -> y (N,OD,OH,OW,C), argmax (N,OD,OH,OW,C).
Status max_pool_forward_argmax_f32(float* y, int32_t* argmax, const float* x, const ConvGeometry& geometry);
// dy (N,OD,OH,OW,C), argmax from the forward pass -> dx (N,D,H,W,C). Overwrites dx.
Status max_pool_backward_argmax_f32(float* dx, const float* dy, const int32_t* argmax,
                                    const ConvGeometry& geometry);
// Like max_pool_backward_argmax_f32 through a relu before the pool: dy[j] reaches dx only where
// the pooled value y[j] (the relu'd winner) is > 0, which is where relu' of the winner is 1. Gives
// the same bits as the scatter followed by relu' on dx. Overwrites dx.
Status max_pool_backward_argmax_relu_f32(float* dx, const float* dy, const int32_t* argmax, const float* y,
                                         const ConvGeometry& geometry);

// x (N,D,H,W,C) -> y (N,OD,OH,OW,C), the mean of each window's real cells.
Status avg_pool_forward_f32(float* y, const float* x, const ConvGeometry& geometry);
// dy (N,OD,OH,OW,C) -> dx (N,D,H,W,C): dy / count spread over the window's real cells.
Status avg_pool_backward_f32(float* dx, const float* dy, const ConvGeometry& geometry);

// x (N,S,C) -> y (N,C), mean over the S positions.
Status global_avg_pool_forward_f32(float* y, const float* x, int64_t batch, int64_t positions,
                                   int64_t channels);
// dy (N,C) -> dx (N,S,C) = dy / S.
Status global_avg_pool_backward_f32(float* dx, const float* dy, int64_t batch, int64_t positions,
                                    int64_t channels);
// x (N,S,C) -> y (N,C), maximum over the S positions.
Status global_max_pool_forward_f32(float* y, const float* x, int64_t batch, int64_t positions,
                                   int64_t channels);
// dy (N,C), x (N,S,C) -> dx (N,S,C): dy to the first maximum of each (n, c), zeros elsewhere.
Status global_max_pool_backward_f32(float* dx, const float* dy, const float* x, int64_t batch,
                                    int64_t positions, int64_t channels);

// One window at a time, scalar, float64 sums: the documentation and the test oracle.
void max_pool_forward_f32_reference(float* y, const float* x, const ConvGeometry& geometry);
void max_pool_backward_f32_reference(float* dx, const float* dy, const float* x,
                                     const ConvGeometry& geometry);
void avg_pool_forward_f32_reference(float* y, const float* x, const ConvGeometry& geometry);
void avg_pool_backward_f32_reference(float* dx, const float* dy, const ConvGeometry& geometry);

// One output row of 2-D max pooling with winners over whole windows (no padding): pixels
// [0, OW) of y_row and where_row (C channels each) from the KH x KW window at x_row + ow*SW*C,
// cells row_step floats apart in height and C in width, checked in kh, kw order (the first
// maximum wins). Winners are written as `base` + their offset from x_row. The ISA variant of
// pool.cc's portable row loop.
// max_pool_row_f32__avx512: the same row without winners (inference).
#if defined(__x86_64__)
void max_pool_row_f32__avx512(float* y_row, const float* x_row, int64_t C, int64_t OW, int64_t SW, int64_t KH,
                              int64_t KW, int64_t row_step);
void max_pool_argmax_row_f32__avx512(float* y_row, int32_t* where_row, const float* x_row, int32_t base,
                                     int64_t C, int64_t OW, int64_t SW, int64_t KH, int64_t KW,
                                     int64_t row_step);
#endif

}  // namespace faltung
