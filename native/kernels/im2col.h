// Sliding-window geometry (shared by conv and pool) and im2col / col2im over up to 3 spatial dims,
// channels-last. 1D and 2D are the 3D code with unit dims. Deliberately no GEMM and no threads here:
// callers chunk the rows and run the chunks in parallel.
//
// Dimension key: N batch, D H W input depth/height/width, C input channels, OC output channels,
// KD KH KW kernel (window) extents, OD OH OW output extents, P = N*OD*OH*OW output pixels,
// K = KD*KH*KW*C the column count (Keras kernel order: kd, kh, kw, c).
#pragma once

#include <cstdint>

#include "status.h"

namespace faltung {

// How the pads of a window dimension are chosen. explicit_pads: pad_before/pad_after as given.
// valid: no padding. same: TensorFlow's rule, out = ceil(in / stride) and
//   pad_total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - in, 0),
//   pad_before = pad_total / 2 (rounded down), pad_after = the rest.
enum class Padding : int { explicit_pads = 0, valid = 1, same = 2 };

// One spatial dimension's output extent and pads. Returns invalid_argument when a size is out of
// range or the (padded) input is smaller than the dilated window. The one place the rule lives;
// lib/ops/conv-util.ts mirrors it.
Status window_output_size(Padding padding, int64_t in, int64_t kernel, int64_t stride,
                          int64_t dilation, int64_t* pad_before, int64_t* pad_after, int64_t* out);

// The full geometry of a convolution or pooling window over (N, D, H, W, C) input.
// Spatial arrays are indexed 0 = depth, 1 = height, 2 = width; unused dims are 1 (pads 0).
struct ConvGeometry {
  int64_t batch = 1;         // N
  int64_t in_channels = 1;   // C
  int64_t out_channels = 1;  // OC (pooling: equal to C)
  Padding padding = Padding::valid;
  int64_t in[3] = {1, 1, 1};
  int64_t kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1};
  int64_t dilation[3] = {1, 1, 1};
  int64_t pad_before[3] = {0, 0, 0};
  int64_t pad_after[3] = {0, 0, 0};
  int64_t out[3] = {1, 1, 1};  // filled by resolve_geometry

  int64_t in_pixels() const { return in[0] * in[1] * in[2]; }          // D*H*W
  int64_t out_pixels() const { return out[0] * out[1] * out[2]; }      // OD*OH*OW
  int64_t window() const { return kernel[0] * kernel[1] * kernel[2]; }  // KD*KH*KW
  int64_t rows() const { return batch * out_pixels(); }                // P
  int64_t columns() const { return window() * in_channels; }           // K
  // All kernel dims 1, stride 1, no padding: the input already is the column matrix.
  bool is_pointwise() const;
};

// Computes pads (unless explicit) and output extents. Returns invalid_argument for any size out
// of range (batch < 0; channels, extents, kernel, stride or dilation < 1; negative pads; any
// dimension above 2^31 - 1; a window larger than the padded input).
Status resolve_geometry(ConvGeometry* geometry);

// Re-checks a resolved geometry cheaply (kernels call it before touching memory): every size in
// range, pads non-negative and the output extents the ones the padding rule gives.
Status check_geometry(const ConvGeometry& geometry);

// The packed form the bindings receive (an Int32Array of kGeometryFields entries):
//   [N, C, OC, padding, D, H, W, KD, KH, KW, SD, SH, SW, DD, DH, DW,
//    pad_before D, H, W, pad_after D, H, W]
constexpr int kGeometryFields = 22;
// A name per packed field, for error messages ("kernel height").
const char* geometry_field_name(int field);
// Fills `geometry` from the packed form (without resolving). Returns the first field whose value
// is out of its range, or -1 when all are plausible.
int unpack_geometry(const int32_t* packed, ConvGeometry* geometry);

// x (N,D,H,W,C) -> cols (row_end - row_begin, K): output pixel rows [row_begin, row_end) of the
// flattened (n, od, oh, ow) order; padded taps are zeros. cols is dense (row stride K).
void im2col_f32(float* cols, const float* x, const ConvGeometry& geometry, int64_t row_begin,
                int64_t row_end);

// dcols (row_end - row_begin, K) added into dx (N,D,H,W,C): the adjoint of im2col_f32. Padded
// taps are dropped. Rows are applied in order, so the result is fixed for a given row order.
void col2im_add_f32(float* dx, const float* dcols, const ConvGeometry& geometry, int64_t row_begin,
                    int64_t row_end);

}  // namespace faltung
