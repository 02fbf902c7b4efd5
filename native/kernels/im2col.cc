// Window geometry and im2col / col2im, portable C++: the loops are copies and adds of contiguous
// channel runs, which the compiler vectorizes; no ISA variants are needed for memory-bound moves.
// Deliberately allocation-free and single-threaded: callers own the chunking and the threads.
#include "im2col.h"

#include <algorithm>
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

namespace {

// Row by row, taps computed per row: the general path (any kernel size), and the documentation
// of what the line-based path below computes faster.
void im2col_rows(float* cols, const float* x, const ConvGeometry& g, int64_t row_begin,
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

void col2im_rows(float* dx, const float* dcols, const ConvGeometry& g, int64_t row_begin,
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


// Tap rows (kd, kh) resolved once per output line; longer kernels take the row-by-row path.
constexpr int64_t kMaxTapRows = 64;

// Moves of one tap row (KW*C floats when the width taps are adjacent). Length > 0 is that length
// known at compile time, fully unrolled with no call: the short runs of small-channel layers
// (C = 1 or 3) would otherwise spend more time in memcpy calls than in moving data.
template <int Length>
inline void copy_run(float* dst, const float* src, int64_t count) {
  if constexpr (Length == 0) {
    copy_floats(dst, src, count);
  } else {
    for (int i = 0; i < Length; ++i) dst[i] = src[i];
  }
}

template <int Length>
inline void zero_run(float* dst, int64_t count) {
  if constexpr (Length == 0) {
    zero_floats(dst, count);
  } else {
    for (int i = 0; i < Length; ++i) dst[i] = 0.0f;
  }
}

template <int Length>
inline void add_run(float* dst, const float* src, int64_t count) {
  if constexpr (Length == 0) {
    add_floats(dst, src, count);
  } else {
    for (int i = 0; i < Length; ++i) dst[i] += src[i];
  }
}

// The run lengths (KW*C) given their own unrolled instantiation.
#define FALTUNG_SHORT_RUNS(X) \
  X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(12) X(15) X(16) X(21) X(24) X(27)

// One output line: fixed (n, od, oh), output columns [ow_begin, ow_end). Resolves the KD*KH tap
// rows to offsets in x (-1 in the padding) so the per-pixel work is only the width taps.
struct Line {
  int64_t ow_begin, ow_end;
  int64_t tap_row_offset[kMaxTapRows];  // offset in x of (n, id, ih, 0, 0), or -1 if padded
};

inline void resolve_line(const ConvGeometry& g, int64_t row, int64_t row_end, Line* line) {
  const int64_t OW = g.out[2], OH = g.out[1], OD = g.out[0];
  const int64_t line_index = row / OW;
  line->ow_begin = row % OW;
  line->ow_end = std::min(OW, line->ow_begin + (row_end - row));
  const int64_t oh = line_index % OH, od = (line_index / OH) % OD, n = line_index / (OH * OD);
  const int64_t D = g.in[0], H = g.in[1];
  int64_t tap = 0;
  for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
    const int64_t id = od * g.stride[0] - g.pad_before[0] + kd * g.dilation[0];
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh, ++tap) {
      const int64_t ih = oh * g.stride[1] - g.pad_before[1] + kh * g.dilation[1];
      const bool inside = id >= 0 && id < D && ih >= 0 && ih < H;
      line->tap_row_offset[tap] = inside ? ((n * D + id) * H + ih) * g.in[2] * g.in_channels : -1;
    }
  }
}

template <int Length>
void im2col_lines(float* cols, const float* x, const ConvGeometry& g, int64_t row_begin,
                  int64_t row_end) {
  const int64_t C = g.in_channels, W = g.in[2], KW = g.kernel[2];
  const int64_t taps = g.kernel[0] * g.kernel[1];
  const int64_t run = Length > 0 ? Length : KW * C;
  const int64_t stride = g.stride[2], pad = g.pad_before[2], dilation = g.dilation[2];
  const bool contiguous = dilation == 1 || KW == 1;
  const int64_t reach = (KW - 1) * dilation;
  Line line;
  float* out = cols;
  for (int64_t row = row_begin; row < row_end;) {
    resolve_line(g, row, row_end, &line);
    for (int64_t ow = line.ow_begin; ow < line.ow_end; ++ow) {
      const int64_t iw0 = ow * stride - pad;
      if (contiguous && iw0 >= 0 && iw0 + reach < W) {
        for (int64_t tap = 0; tap < taps; ++tap, out += run) {
          const int64_t offset = line.tap_row_offset[tap];
          if (offset < 0) {
            zero_run<Length>(out, run);
          } else {
            copy_run<Length>(out, x + offset + iw0 * C, run);
          }
        }
        continue;
      }
      for (int64_t tap = 0; tap < taps; ++tap) {
        const int64_t offset = line.tap_row_offset[tap];
        for (int64_t kw = 0; kw < KW; ++kw, out += C) {
          const int64_t iw = iw0 + kw * dilation;
          if (offset < 0 || iw < 0 || iw >= W) {
            zero_floats(out, C);
          } else {
            copy_floats(out, x + offset + iw * C, C);
          }
        }
      }
    }
    row += line.ow_end - line.ow_begin;
  }
}

template <int Length>
void col2im_lines(float* dx, const float* dcols, const ConvGeometry& g, int64_t row_begin,
                  int64_t row_end) {
  const int64_t C = g.in_channels, W = g.in[2], KW = g.kernel[2];
  const int64_t taps = g.kernel[0] * g.kernel[1];
  const int64_t run = Length > 0 ? Length : KW * C;
  const int64_t stride = g.stride[2], pad = g.pad_before[2], dilation = g.dilation[2];
  const bool contiguous = dilation == 1 || KW == 1;
  const int64_t reach = (KW - 1) * dilation;
  Line line;
  const float* in = dcols;
  for (int64_t row = row_begin; row < row_end;) {
    resolve_line(g, row, row_end, &line);
    for (int64_t ow = line.ow_begin; ow < line.ow_end; ++ow) {
      const int64_t iw0 = ow * stride - pad;
      if (contiguous && iw0 >= 0 && iw0 + reach < W) {
        for (int64_t tap = 0; tap < taps; ++tap, in += run) {
          const int64_t offset = line.tap_row_offset[tap];
          if (offset >= 0) add_run<Length>(dx + offset + iw0 * C, in, run);
        }
        continue;
      }
      for (int64_t tap = 0; tap < taps; ++tap) {
        const int64_t offset = line.tap_row_offset[tap];
        for (int64_t kw = 0; kw < KW; ++kw, in += C) {
          const int64_t iw = iw0 + kw * dilation;
          if (offset >= 0 && iw >= 0 && iw < W) add_floats(dx + offset + iw * C, in, C);
        }
      }
    }
    row += line.ow_end - line.ow_begin;
  }
}

}  // namespace

void im2col_f32(float* cols, const float* x, const ConvGeometry& g, int64_t row_begin,
                int64_t row_end) {
  const int64_t run = g.kernel[2] * g.in_channels;
  if (g.kernel[0] * g.kernel[1] > kMaxTapRows) return im2col_rows(cols, x, g, row_begin, row_end);
  const bool contiguous = g.dilation[2] == 1 || g.kernel[2] == 1;
  switch (contiguous ? run : 0) {
#define FALTUNG_RUN(length) \
  case length:              \
    return im2col_lines<length>(cols, x, g, row_begin, row_end);
    FALTUNG_SHORT_RUNS(FALTUNG_RUN)
#undef FALTUNG_RUN
    default:
      return im2col_lines<0>(cols, x, g, row_begin, row_end);
  }
}

void col2im_add_f32(float* dx, const float* dcols, const ConvGeometry& g, int64_t row_begin,
                    int64_t row_end) {
  const int64_t run = g.kernel[2] * g.in_channels;
  if (g.kernel[0] * g.kernel[1] > kMaxTapRows) return col2im_rows(dx, dcols, g, row_begin, row_end);
  const bool contiguous = g.dilation[2] == 1 || g.kernel[2] == 1;
  switch (contiguous ? run : 0) {
#define FALTUNG_RUN(length) \
  case length:              \
    return col2im_lines<length>(dx, dcols, g, row_begin, row_end);
    FALTUNG_SHORT_RUNS(FALTUNG_RUN)
#undef FALTUNG_RUN
    default:
      return col2im_lines<0>(dx, dcols, g, row_begin, row_end);
  }
}

}  // namespace faltung
