// Window geometry and im2col / col2im, portable C++: the loops are copies and adds of contiguous
// channel runs, which the compiler vectorizes; no ISA variants are needed for memory-bound moves.
// Deliberately allocation-free and single-threaded: callers own the chunking and the threads.
#include "im2col.h"

#include <cstring>

namespace faltung {
namespace {

constexpr int64_t kMaxDim = 2147483647;  // every packed field is an int32

// Walks output pixel rows in (n, od, oh, ow) order without a division per row.
struct RowCursor {
  int64_t n, od, oh, ow;
  const ConvGeometry& g;

  RowCursor(const ConvGeometry& geometry, int64_t row) : g(geometry) {
    ow = row % g.out[2];
    int64_t rest = row / g.out[2];
    oh = rest % g.out[1];
    rest /= g.out[1];
    od = rest % g.out[0];
    n = rest / g.out[0];
  }

  void next() {
    if (++ow < g.out[2]) return;
    ow = 0;
    if (++oh < g.out[1]) return;
    oh = 0;
    if (++od < g.out[0]) return;
    od = 0;
    ++n;
  }
};

inline void copy_floats(float* dst, const float* src, int64_t count) {
  std::memcpy(dst, src, static_cast<size_t>(count) * sizeof(float));
}

inline void zero_floats(float* dst, int64_t count) {
  std::memset(dst, 0, static_cast<size_t>(count) * sizeof(float));
}

inline void add_floats(float* dst, const float* src, int64_t count) {
  for (int64_t i = 0; i < count; ++i) dst[i] += src[i];
}

}  // namespace

Status window_output_size(Padding padding, int64_t in, int64_t kernel, int64_t stride,
                          int64_t dilation, int64_t* pad_before, int64_t* pad_after, int64_t* out) {
  if (in < 1 || kernel < 1 || stride < 1 || dilation < 1 || in > kMaxDim || kernel > kMaxDim ||
      stride > kMaxDim || dilation > kMaxDim) {
    return Status::invalid_argument;
  }
  const int64_t effective = (kernel - 1) * dilation + 1;  // < 2^62: no overflow
  switch (padding) {
    case Padding::valid:
      *pad_before = 0;
      *pad_after = 0;
      break;
    case Padding::same: {
      const int64_t size = (in + stride - 1) / stride;
      const int64_t total = (size - 1) * stride + effective - in;
      *pad_before = total > 0 ? total / 2 : 0;
      *pad_after = total > 0 ? total - total / 2 : 0;
      *out = size;
      return Status::ok;
    }
    case Padding::explicit_pads:
      if (*pad_before < 0 || *pad_after < 0 || *pad_before > kMaxDim || *pad_after > kMaxDim) {
        return Status::invalid_argument;
      }
      break;
    default:
      return Status::invalid_argument;
  }
  const int64_t padded = in + *pad_before + *pad_after;
  if (padded < effective) return Status::invalid_argument;
  *out = (padded - effective) / stride + 1;
  return Status::ok;
}

bool ConvGeometry::is_pointwise() const {
  for (int dim = 0; dim < 3; ++dim) {
    if (kernel[dim] != 1 || stride[dim] != 1 || pad_before[dim] != 0 || pad_after[dim] != 0) {
      return false;
    }
  }
  return true;
}

Status resolve_geometry(ConvGeometry* geometry) {
  ConvGeometry& g = *geometry;
  if (g.batch < 0 || g.batch > kMaxDim || g.in_channels < 1 || g.in_channels > kMaxDim ||
      g.out_channels < 1 || g.out_channels > kMaxDim) {
    return Status::invalid_argument;
  }
  for (int dim = 0; dim < 3; ++dim) {
    const Status status = window_output_size(g.padding, g.in[dim], g.kernel[dim], g.stride[dim],
                                             g.dilation[dim], &g.pad_before[dim], &g.pad_after[dim],
                                             &g.out[dim]);
    if (status != Status::ok) return status;
  }
  return Status::ok;
}

Status check_geometry(const ConvGeometry& geometry) {
  ConvGeometry copy = geometry;
  copy.padding = Padding::explicit_pads;  // re-derive the extents from the pads as resolved
  const Status status = resolve_geometry(&copy);
  if (status != Status::ok) return status;
  for (int dim = 0; dim < 3; ++dim) {
    if (copy.out[dim] != geometry.out[dim]) return Status::invalid_argument;
  }
  return Status::ok;
}

const char* geometry_field_name(int field) {
  static const char* const names[kGeometryFields] = {
      "batch", "input channels", "output channels", "padding mode",
      "input depth", "input height", "input width",
      "kernel depth", "kernel height", "kernel width",
      "stride depth", "stride height", "stride width",
      "dilation depth", "dilation height", "dilation width",
      "pad before depth", "pad before height", "pad before width",
      "pad after depth", "pad after height", "pad after width"};
  return field >= 0 && field < kGeometryFields ? names[field] : "unknown field";
}

int unpack_geometry(const int32_t* packed, ConvGeometry* geometry) {
  ConvGeometry& g = *geometry;
  if (packed[0] < 0) return 0;
  if (packed[1] < 1) return 1;
  if (packed[2] < 1) return 2;
  if (packed[3] < 0 || packed[3] > 2) return 3;
  g.batch = packed[0];
  g.in_channels = packed[1];
  g.out_channels = packed[2];
  g.padding = static_cast<Padding>(packed[3]);
  for (int dim = 0; dim < 3; ++dim) {
    const int fields[6] = {4 + dim, 7 + dim, 10 + dim, 13 + dim, 16 + dim, 19 + dim};
    for (int i = 0; i < 4; ++i) {
      if (packed[fields[i]] < 1) return fields[i];  // extents, kernel, stride, dilation >= 1
    }
    for (int i = 4; i < 6; ++i) {
      if (packed[fields[i]] < 0) return fields[i];  // pads >= 0
    }
    g.in[dim] = packed[fields[0]];
    g.kernel[dim] = packed[fields[1]];
    g.stride[dim] = packed[fields[2]];
    g.dilation[dim] = packed[fields[3]];
    g.pad_before[dim] = packed[fields[4]];
    g.pad_after[dim] = packed[fields[5]];
  }
  return -1;
}

void im2col_f32(float* cols, const float* x, const ConvGeometry& g, int64_t row_begin,
                int64_t row_end) {
  const int64_t C = g.in_channels;
  const int64_t D = g.in[0], H = g.in[1], W = g.in[2];
  const int64_t KD = g.kernel[0], KH = g.kernel[1], KW = g.kernel[2];
  const int64_t image_size = D * H * W * C;
  const int64_t run = KW * C;  // one (kd, kh) tap row: KW pixels of C channels
  // With unit width dilation the KW taps of a row are adjacent in x: one copy when inside.
  const bool contiguous_taps = g.dilation[2] == 1 || KW == 1;
  RowCursor cursor(g, row_begin);
  float* out = cols;
  for (int64_t row = row_begin; row < row_end; ++row, cursor.next()) {
    const float* image = x + cursor.n * image_size;
    const int64_t id0 = cursor.od * g.stride[0] - g.pad_before[0];
    const int64_t ih0 = cursor.oh * g.stride[1] - g.pad_before[1];
    const int64_t iw0 = cursor.ow * g.stride[2] - g.pad_before[2];
    const bool width_inside = iw0 >= 0 && iw0 + (KW - 1) * g.dilation[2] < W;
    for (int64_t kd = 0; kd < KD; ++kd) {
      const int64_t id = id0 + kd * g.dilation[0];
      if (id < 0 || id >= D) {
        zero_floats(out, KH * run);
        out += KH * run;
        continue;
      }
      for (int64_t kh = 0; kh < KH; ++kh) {
        const int64_t ih = ih0 + kh * g.dilation[1];
        if (ih < 0 || ih >= H) {
          zero_floats(out, run);
          out += run;
          continue;
        }
        const float* line = image + (id * H + ih) * W * C;
        if (width_inside && contiguous_taps) {
          copy_floats(out, line + iw0 * C, run);
          out += run;
          continue;
        }
        for (int64_t kw = 0; kw < KW; ++kw, out += C) {
          const int64_t iw = iw0 + kw * g.dilation[2];
          if (iw < 0 || iw >= W) {
            zero_floats(out, C);
          } else {
            copy_floats(out, line + iw * C, C);
          }
        }
      }
    }
  }
}

void col2im_add_f32(float* dx, const float* dcols, const ConvGeometry& g, int64_t row_begin,
                    int64_t row_end) {
  const int64_t C = g.in_channels;
  const int64_t D = g.in[0], H = g.in[1], W = g.in[2];
  const int64_t KD = g.kernel[0], KH = g.kernel[1], KW = g.kernel[2];
  const int64_t image_size = D * H * W * C;
  const int64_t run = KW * C;
  const bool contiguous_taps = g.dilation[2] == 1 || KW == 1;
  RowCursor cursor(g, row_begin);
  const float* in = dcols;
  for (int64_t row = row_begin; row < row_end; ++row, cursor.next()) {
    float* image = dx + cursor.n * image_size;
    const int64_t id0 = cursor.od * g.stride[0] - g.pad_before[0];
    const int64_t ih0 = cursor.oh * g.stride[1] - g.pad_before[1];
    const int64_t iw0 = cursor.ow * g.stride[2] - g.pad_before[2];
    const bool width_inside = iw0 >= 0 && iw0 + (KW - 1) * g.dilation[2] < W;
    for (int64_t kd = 0; kd < KD; ++kd) {
      const int64_t id = id0 + kd * g.dilation[0];
      if (id < 0 || id >= D) {
        in += KH * run;
        continue;
      }
      for (int64_t kh = 0; kh < KH; ++kh) {
        const int64_t ih = ih0 + kh * g.dilation[1];
        if (ih < 0 || ih >= H) {
          in += run;
          continue;
        }
        float* line = image + (id * H + ih) * W * C;
        if (width_inside && contiguous_taps) {
          add_floats(line + iw0 * C, in, run);
          in += run;
          continue;
        }
        for (int64_t kw = 0; kw < KW; ++kw, in += C) {
          const int64_t iw = iw0 + kw * g.dilation[2];
          if (iw >= 0 && iw < W) add_floats(line + iw * C, in, C);
        }
      }
    }
  }
}

}  // namespace faltung
