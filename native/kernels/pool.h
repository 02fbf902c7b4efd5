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

}  // namespace faltung
