// Convolution as im2col + SGEMM over chunks of output rows (docs/conv-backward.md derives the
// backward passes). Each chunk's columns live in a per-thread scratch buffer sized for L2 and are
// reused; threads take whole chunks and call a single-threaded GEMM, or, when there are too few
// chunks, chunks run in turn on a multi-threaded GEMM. Layers with C <= 4 take direct kernels
// where the ISA table has them (AVX-512). Deliberately no per-call allocation and no intrinsics
// here: the arithmetic is in the GEMM or the arch/ kernels, the rest is copies, adds, epilogues.
#include "conv.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "../runtime/isa.h"
#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "gemm.h"

namespace faltung {
namespace {

// Chunk sizing. kColumnBudget floats of im2col rows (512 KB) keep a chunk's columns in L2 while the
// GEMM packs them. kMinChunkRows bounds how often the GEMM repacks the (K, OC) filter: below a
// few hundred rows that repacking, not the arithmetic, would dominate when K is large.
constexpr int64_t kColumnBudget = 128 * 1024;
constexpr int64_t kMinChunkRows = 256;
constexpr int64_t kMaxChunkRows = 4096;
constexpr int64_t kRowAlign = 16;  // a multiple of common GEMM row tiles
// Forward chunks shrunk for load balance never go below this many rows.
constexpr int64_t kMinBalancedRows = 64;
// Filter gradient: at most this many partial sums (fixed, not tied to the thread count) and at
// most this many floats of them in all.
constexpr int64_t kMaxFilterGroups = 16;
constexpr int64_t kPartialBudget = 2 * 1024 * 1024;
// Bias gradient: rows per partial column sum.
constexpr int64_t kBiasBlockRows = 512;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t rows_per_chunk(int64_t columns) {
  const int64_t rows = std::clamp(kColumnBudget / std::max<int64_t>(columns, 1), kMinChunkRows,
                                  kMaxChunkRows);
  return rows / kRowAlign * kRowAlign;
}

// First failure of any chunk. Relaxed: parallel_run's completion orders it before the read.
class FailureFlag {
 public:
  void record(Status status) {
    if (status != Status::ok) value_.store(static_cast<int>(status), std::memory_order_relaxed);
  }
  Status status() const { return static_cast<Status>(value_.load(std::memory_order_relaxed)); }

 private:
  std::atomic<int> value_{0};
};

// Runs body(index) for every index in [0, count) on up to `threads` threads; indices are handed
// out from a shared counter, so uneven chunks balance themselves.
void for_each_index(int threads, int64_t count, FunctionRef<void(int64_t)> body) {
  if (threads <= 1 || count <= 1) {
    for (int64_t index = 0; index < count; ++index) body(index);
    return;
  }
  std::atomic<int64_t> next{0};
  parallel_run(threads, [&](int, int) {
    for (;;) {
      // Relaxed: the counter only hands out indices; each index's data is its own.
      const int64_t index = next.fetch_add(1, std::memory_order_relaxed);
      if (index >= count) break;
      body(index);
    }
  });
}

// y rows (rows, channels) += bias, then relu (which keeps NaN, as TensorFlow does).
void bias_relu_rows(float* y, int64_t rows, int64_t channels, const float* bias, bool relu) {
  for (int64_t row = 0; row < rows; ++row) {
    float* values = y + row * channels;
    if (bias != nullptr) {
      for (int64_t c = 0; c < channels; ++c) values[c] += bias[c];
    }
    if (relu) {
      for (int64_t c = 0; c < channels; ++c) values[c] = values[c] < 0.0f ? 0.0f : values[c];
    }
  }
}

// The direct input gradient of each ISA (nullptr: that ISA takes the im2col route).
ConvDirectInputLines direct_input_lines(Isa isa) {
  static const ConvDirectInputLines table[kIsaCount] = {
      nullptr,  // scalar
      nullptr,  // neon
      nullptr,  // avx2
#if defined(__x86_64__)
      conv_backward_input_direct_avx512,
#else
      nullptr,
#endif
  };
  return table[static_cast<int>(isa)];
}

ConvDirectForwardLines direct_forward_lines(Isa isa) {
  static const ConvDirectForwardLines table[kIsaCount] = {
      nullptr,  // scalar
      nullptr,  // neon
      nullptr,  // avx2
#if defined(__x86_64__)
      conv_forward_direct_avx512,
#else
      nullptr,
#endif
  };
  return table[static_cast<int>(isa)];
}

ConvDirectFilterLines direct_filter_lines(Isa isa) {
  static const ConvDirectFilterLines table[kIsaCount] = {
      nullptr,  // scalar
      nullptr,  // neon
      nullptr,  // avx2
#if defined(__x86_64__)
      conv_backward_filter_direct_avx512,
#else
      nullptr,
#endif
  };
  return table[static_cast<int>(isa)];
}

// Where reading taps straight from x beats im2col + a GEMM only K = taps*C deep: few input
// channels and enough output channels to fill a vector.
bool direct_forward_applies(const ConvGeometry& g) {
  return g.in_channels <= 4 && g.out_channels >= 16;
}

// The general direct filter gradient reuses each dy vector for the C channels of a tap only: with
// C = 1 it is load-bound and the GEMM route (cols^T * dy) is faster, so it starts at C = 2. C = 1
// has its own kernel, which keeps every tap in registers, for the tap counts it is built for.
bool direct_filter_applies(const ConvGeometry& g) {
  if (g.out_channels < 16 || g.in_channels > 4) return false;
  if (g.in_channels >= 2) return true;
  const int64_t taps = g.kernel[0] * g.kernel[1] * g.kernel[2];
  return taps == 3 || taps == 5 || taps == 9 || taps == 25 || taps == 27;
}

ConvDirectArgs direct_args(const ConvGeometry& g) {
  ConvDirectArgs args{};
  for (int dim = 0; dim < 3; ++dim) {
    args.in[dim] = g.in[dim];
    args.out[dim] = g.out[dim];
    args.kernel[dim] = g.kernel[dim];
    args.stride[dim] = g.stride[dim];
    args.dilation[dim] = g.dilation[dim];
    args.pad_before[dim] = g.pad_before[dim];
  }
  args.in_channels = g.in_channels;
  args.out_channels = g.out_channels;
  return args;
}

// Where the direct gather beats dy * filter^T + col2im: stride 1 (every dx value is then a plain
// dot product, no stride arithmetic), few input channels (the GEMM would be only K = taps*C
// columns wide), and enough output channels to fill a vector.
bool direct_input_applies(const ConvGeometry& g) {
  return g.stride[0] == 1 && g.stride[1] == 1 && g.stride[2] == 1 && g.in_channels <= 4 &&
         g.out_channels >= 16;
}

}  // namespace

Status conv_forward_f32(float* y, const float* x, const float* filter, const float* bias,
                        const ConvGeometry& g, bool relu) {
  if (check_geometry(g) != Status::ok) return Status::invalid_argument;
  const int64_t P = g.rows(), K = g.columns(), C = g.in_channels, OC = g.out_channels;
  if (P == 0) return Status::ok;
  const bool pointwise = g.is_pointwise();
  const int threads = threads_for_work(2.0 * static_cast<double>(P) * K * OC);
  const ConvDirectForwardLines direct =
      direct_forward_applies(g) ? direct_forward_lines(active_isa()) : nullptr;
  if (direct != nullptr) {  // output lines are independent: any split gives the same values
    ConvDirectArgs args = direct_args(g);
    args.y = y;
    args.x = x;
    args.bias = bias;
    args.relu = relu;
    args.filter = filter;
    const int64_t lines = g.batch * g.out[0] * g.out[1];
    const int64_t grain = std::max<int64_t>(1, ceil_div(lines, 8 * threads));
    for_each_index(threads, ceil_div(lines, grain), [&](int64_t task) {
      direct(args, task * grain, std::min(lines, (task + 1) * grain));
    });
    return Status::ok;
  }
  int64_t rows = rows_per_chunk(K);
  if (threads > 1) {
    // Output rows are independent, so smaller chunks for load balance change no value.
    const int64_t balanced = ceil_div(ceil_div(P, 4 * threads), kRowAlign) * kRowAlign;
    rows = std::max(std::min(rows, balanced), kMinBalancedRows);
  }
  const int64_t chunks = ceil_div(P, rows);
  FailureFlag failure;
  auto run_chunk = [&](int64_t chunk, int gemm_threads) {
    const int64_t begin = chunk * rows, end = std::min(P, begin + rows);
    const float* columns = x + begin * C;  // pointwise: the input rows are the columns
    if (!pointwise) {
      float* scratch = thread_scratch(ScratchSlot::im2col, static_cast<size_t>((end - begin) * K));
      if (scratch == nullptr) return failure.record(Status::out_of_memory);
      im2col_f32(scratch, x, g, begin, end);
      columns = scratch;
    }
    float* out = y + begin * OC;
    failure.record(sgemm_f32(false, false, end - begin, OC, K, 1.0f, columns, K, filter, OC, 0.0f,
                             out, OC, gemm_threads));
    if (bias != nullptr || relu) bias_relu_rows(out, end - begin, OC, bias, relu);
  };
  if (threads > 1 && chunks >= threads) {
    for_each_index(threads, chunks, [&](int64_t chunk) { run_chunk(chunk, 1); });
  } else {
    for (int64_t chunk = 0; chunk < chunks; ++chunk) run_chunk(chunk, threads);
  }
  return failure.status();
}

Status conv_backward_input_f32(float* dx, const float* dy, const float* filter,
                               const ConvGeometry& g) {
  if (check_geometry(g) != Status::ok) return Status::invalid_argument;
  const int64_t N = g.batch, P = g.rows(), K = g.columns(), C = g.in_channels, OC = g.out_channels;
  if (N == 0) return Status::ok;
  const int threads = threads_for_work(2.0 * static_cast<double>(P) * K * OC);
  FailureFlag failure;

  const ConvDirectInputLines direct = direct_input_applies(g) ? direct_input_lines(active_isa()) : nullptr;
  if (direct != nullptr) {  // every dx line gathered independently: no zeroing, no scatter
    ConvDirectArgs args = direct_args(g);
    args.dx = dx;
    args.dy = dy;
    args.filter = filter;
    const int64_t lines = N * g.in[0] * g.in[1];
    const int64_t grain = std::max<int64_t>(1, ceil_div(lines, 8 * threads));
    for_each_index(threads, ceil_div(lines, grain), [&](int64_t task) {
      direct(args, task * grain, std::min(lines, (task + 1) * grain));
    });
    return Status::ok;
  }

  if (g.is_pointwise()) {  // dx rows = dy rows * filter^T, no col2im
    int64_t rows = rows_per_chunk(K);
    if (threads > 1) {
      const int64_t balanced = ceil_div(ceil_div(P, 4 * threads), kRowAlign) * kRowAlign;
      rows = std::max(std::min(rows, balanced), kMinBalancedRows);
    }
    const int64_t chunks = ceil_div(P, rows);
    auto run_chunk = [&](int64_t chunk, int gemm_threads) {
      const int64_t begin = chunk * rows, end = std::min(P, begin + rows);
      failure.record(sgemm_f32(false, true, end - begin, C, OC, 1.0f, dy + begin * OC, OC, filter,
                               OC, 0.0f, dx + begin * C, C, gemm_threads));
    };
    if (threads > 1 && chunks >= threads) {
      for_each_index(threads, chunks, [&](int64_t chunk) { run_chunk(chunk, 1); });
    } else {
      for (int64_t chunk = 0; chunk < chunks; ++chunk) run_chunk(chunk, threads);
    }
    return failure.status();
  }

  // col2im scatters into overlapping input regions, so an image's rows must be applied by one
  // thread, in order. Units are groups of whole images (small images) or one image cut into
  // chunks (large ones); threads take whole units. Either way every dx value receives its
  // contributions in row order, so the result does not depend on the chunking or the threads.
  const int64_t image_rows = g.out_pixels();
  const int64_t image_size = g.in_pixels() * C;
  int64_t rows = rows_per_chunk(K);
  int64_t images_per_unit = 1;
  if (image_rows <= rows) {
    images_per_unit = rows / image_rows;
    if (threads > 1) images_per_unit = std::min(images_per_unit, ceil_div(N, 2 * threads));
    rows = images_per_unit * image_rows;
  }
  const int64_t units = ceil_div(N, images_per_unit);
  auto run_unit = [&](int64_t unit, int gemm_threads) {
    const int64_t first = unit * images_per_unit, last = std::min(N, first + images_per_unit);
    std::memset(dx + first * image_size, 0,
                static_cast<size_t>((last - first) * image_size) * sizeof(float));
    const int64_t unit_end = last * image_rows;
    for (int64_t begin = first * image_rows; begin < unit_end; begin += rows) {
      const int64_t end = std::min(unit_end, begin + rows);
      float* dcols = thread_scratch(ScratchSlot::im2col, static_cast<size_t>((end - begin) * K));
      if (dcols == nullptr) return failure.record(Status::out_of_memory);
      failure.record(sgemm_f32(false, true, end - begin, K, OC, 1.0f, dy + begin * OC, OC, filter,
                               OC, 0.0f, dcols, K, gemm_threads));
      col2im_add_f32(dx, dcols, g, begin, end);
    }
  };
  if (threads > 1 && units >= threads) {
    for_each_index(threads, units, [&](int64_t unit) { run_unit(unit, 1); });
  } else {
    for (int64_t unit = 0; unit < units; ++unit) run_unit(unit, threads);
  }
  return failure.status();
}

Status conv_backward_filter_f32(float* dfilter, const float* x, const float* dy,
                                const ConvGeometry& g) {
  return conv_backward_filter_bias_f32(dfilter, nullptr, x, dy, g);
}

Status conv_backward_filter_bias_f32(float* dfilter, float* dbias, const float* x, const float* dy,
                                     const ConvGeometry& g) {
  if (check_geometry(g) != Status::ok) return Status::invalid_argument;
  const int64_t P = g.rows(), K = g.columns(), C = g.in_channels, OC = g.out_channels;
  const int64_t filter_size = K * OC;
  if (P == 0) {
    std::memset(dfilter, 0, static_cast<size_t>(filter_size) * sizeof(float));
    if (dbias != nullptr) std::memset(dbias, 0, static_cast<size_t>(OC) * sizeof(float));
    return Status::ok;
  }
  const bool pointwise = g.is_pointwise();
  const int threads = threads_for_work(2.0 * static_cast<double>(P) * K * OC);
  const ConvDirectFilterLines direct =
      direct_filter_applies(g) ? direct_filter_lines(active_isa()) : nullptr;
  if (direct != nullptr) {
    // Fixed groups of output lines (by shape, not threads), each summed in order into its own
    // partial (dfilter, then dbias); partials added in group order: the same numbers for any
    // thread count. Group 0 sums straight into the outputs.
    ConvDirectArgs args = direct_args(g);
    args.x = x;
    args.dy = dy;
    const int64_t lines = g.batch * g.out[0] * g.out[1];
    const int64_t partial_size = filter_size + (dbias != nullptr ? OC : 0);
    const int64_t groups = std::clamp<int64_t>(
        std::min(kPartialBudget / partial_size, kMaxFilterGroups), 1, lines);
    float* partials = nullptr;
    if (groups > 1) {
      partials = thread_scratch(ScratchSlot::general, static_cast<size_t>((groups - 1) * partial_size));
      if (partials == nullptr) return Status::out_of_memory;
    }
    for_each_index(threads, groups, [&](int64_t group) {
      float* filter_target = group == 0 ? dfilter : partials + (group - 1) * partial_size;
      float* bias_target = dbias == nullptr ? nullptr : group == 0 ? dbias : filter_target + filter_size;
      std::memset(filter_target, 0, static_cast<size_t>(filter_size) * sizeof(float));
      if (bias_target != nullptr) std::memset(bias_target, 0, static_cast<size_t>(OC) * sizeof(float));
      direct(args, filter_target, bias_target, group * lines / groups, (group + 1) * lines / groups);
    });
    if (groups > 1) {
      parallel_for(filter_size, 4096, [&](int64_t begin, int64_t end) {
        for (int64_t group = 1; group < groups; ++group) {
          const float* partial = partials + (group - 1) * partial_size;
          for (int64_t i = begin; i < end; ++i) dfilter[i] += partial[i];
        }
      });
      if (dbias != nullptr) {
        for (int64_t group = 1; group < groups; ++group) {
          const float* partial = partials + (group - 1) * partial_size + filter_size;
          for (int64_t c = 0; c < OC; ++c) dbias[c] += partial[c];
        }
      }
    }
    return Status::ok;
  }
  if (dbias != nullptr) {
    const Status status = conv_backward_bias_f32(dbias, dy, P, OC);
    if (status != Status::ok) return status;
  }
  // The partition (chunk rows, groups) depends on the shapes only: each group sums its chunks in
  // order into its own partial, and the partials are added in group order.
  const int64_t rows = rows_per_chunk(K);
  const int64_t chunks = ceil_div(P, rows);
  const int64_t groups = std::clamp<int64_t>(
      std::min(kPartialBudget / filter_size, kMaxFilterGroups), 1, chunks);
  FailureFlag failure;
  auto run_group = [&](int64_t group, float* target, int gemm_threads) {
    const int64_t first = group * chunks / groups, last = (group + 1) * chunks / groups;
    for (int64_t chunk = first; chunk < last; ++chunk) {
      const int64_t begin = chunk * rows, end = std::min(P, begin + rows);
      const float* columns = x + begin * C;
      if (!pointwise) {
        float* scratch = thread_scratch(ScratchSlot::im2col, static_cast<size_t>((end - begin) * K));
        if (scratch == nullptr) return failure.record(Status::out_of_memory);
        im2col_f32(scratch, x, g, begin, end);
        columns = scratch;
      }
      failure.record(sgemm_f32(true, false, K, OC, end - begin, 1.0f, columns, K, dy + begin * OC,
                               OC, chunk == first ? 0.0f : 1.0f, target, OC, gemm_threads));
    }
  };

  if (groups == 1) {
    run_group(0, dfilter, threads);
    return failure.status();
  }
  if (threads > 1 && groups >= threads) {
    float* partials =
        thread_scratch(ScratchSlot::general, static_cast<size_t>((groups - 1) * filter_size));
    if (partials == nullptr) return Status::out_of_memory;
    for_each_index(threads, groups, [&](int64_t group) {
      run_group(group, group == 0 ? dfilter : partials + (group - 1) * filter_size, 1);
    });
    if (failure.status() != Status::ok) return failure.status();
    // dfilter = ((p0 + p1) + p2) + ..., element by element: the same sums as the serial path.
    parallel_for(filter_size, 4096, [&](int64_t begin, int64_t end) {
      for (int64_t group = 1; group < groups; ++group) {
        const float* partial = partials + (group - 1) * filter_size;
        for (int64_t i = begin; i < end; ++i) dfilter[i] += partial[i];
      }
    });
    return Status::ok;
  }
  float* partial = thread_scratch(ScratchSlot::general, static_cast<size_t>(filter_size));
  if (partial == nullptr) return Status::out_of_memory;
  run_group(0, dfilter, threads);
  for (int64_t group = 1; group < groups; ++group) {
    run_group(group, partial, threads);
    for (int64_t i = 0; i < filter_size; ++i) dfilter[i] += partial[i];
  }
  return failure.status();
}

Status conv_backward_bias_f32(float* dbias, const float* dy, int64_t rows, int64_t channels) {
  if (rows < 0 || channels < 1) return Status::invalid_argument;
  const int64_t blocks = ceil_div(rows, kBiasBlockRows);
  if (blocks == 0) {
    std::memset(dbias, 0, static_cast<size_t>(channels) * sizeof(float));
    return Status::ok;
  }
  float* partials = thread_scratch(ScratchSlot::general, static_cast<size_t>(blocks * channels));
  if (partials == nullptr) return Status::out_of_memory;
  const int threads = threads_for_work(static_cast<double>(rows) * channels);
  for_each_index(threads, blocks, [&](int64_t block) {
    float* sums = partials + block * channels;
    const int64_t begin = block * kBiasBlockRows, end = std::min(rows, begin + kBiasBlockRows);
    std::memcpy(sums, dy + begin * channels, static_cast<size_t>(channels) * sizeof(float));
    for (int64_t row = begin + 1; row < end; ++row) {
      const float* values = dy + row * channels;
      for (int64_t c = 0; c < channels; ++c) sums[c] += values[c];
    }
  });
  for (int64_t c = 0; c < channels; ++c) {
    double total = 0.0;
    for (int64_t block = 0; block < blocks; ++block) total += partials[block * channels + c];
    dbias[c] = static_cast<float>(total);
  }
  return Status::ok;
}

// ---- references -------------------------------------------------------------------------------

namespace {

// Calls tap(n, output pixel index, tap index k (kd,kh,kw), input pixel offset in x) for every
// in-range tap of every output pixel, in (n, od, oh, ow, kd, kh, kw) order.
template <typename Tap>
void for_each_tap(const ConvGeometry& g, Tap tap) {
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t od = 0; od < g.out[0]; ++od)
      for (int64_t oh = 0; oh < g.out[1]; ++oh)
        for (int64_t ow = 0; ow < g.out[2]; ++ow) {
          const int64_t pixel = ((n * g.out[0] + od) * g.out[1] + oh) * g.out[2] + ow;
          for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
            for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
              for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
                const int64_t id = od * g.stride[0] - g.pad_before[0] + kd * g.dilation[0];
                const int64_t ih = oh * g.stride[1] - g.pad_before[1] + kh * g.dilation[1];
                const int64_t iw = ow * g.stride[2] - g.pad_before[2] + kw * g.dilation[2];
                if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] || iw < 0 || iw >= g.in[2]) {
                  continue;
                }
                const int64_t k = (kd * g.kernel[1] + kh) * g.kernel[2] + kw;
                tap(pixel, k, ((n * g.in[0] + id) * g.in[1] + ih) * g.in[2] + iw);
              }
        }
}

}  // namespace

void conv_forward_f32_reference(float* y, const float* x, const float* filter, const float* bias,
                                const ConvGeometry& g, bool relu) {
  const int64_t C = g.in_channels, OC = g.out_channels;
  std::vector<double> sums(static_cast<size_t>(g.rows() * OC), 0.0);
  for_each_tap(g, [&](int64_t pixel, int64_t k, int64_t in_pixel) {
    for (int64_t c = 0; c < C; ++c) {
      const double value = x[in_pixel * C + c];
      for (int64_t oc = 0; oc < OC; ++oc) {
        sums[pixel * OC + oc] += value * filter[(k * C + c) * OC + oc];
      }
    }
  });
  for (int64_t i = 0; i < g.rows() * OC; ++i) {
    double value = sums[i] + (bias != nullptr ? bias[i % OC] : 0.0);
    if (relu && value < 0.0) value = 0.0;
    y[i] = static_cast<float>(value);
  }
}

void conv_backward_input_f32_reference(float* dx, const float* dy, const float* filter,
                                       const ConvGeometry& g) {
  const int64_t C = g.in_channels, OC = g.out_channels;
  const int64_t size = g.batch * g.in_pixels() * C;
  std::vector<double> sums(static_cast<size_t>(size), 0.0);
  for_each_tap(g, [&](int64_t pixel, int64_t k, int64_t in_pixel) {
    for (int64_t c = 0; c < C; ++c) {
      double sum = 0.0;
      for (int64_t oc = 0; oc < OC; ++oc) sum += dy[pixel * OC + oc] * filter[(k * C + c) * OC + oc];
      sums[in_pixel * C + c] += sum;
    }
  });
  for (int64_t i = 0; i < size; ++i) dx[i] = static_cast<float>(sums[i]);
}

void conv_backward_filter_f32_reference(float* dfilter, const float* x, const float* dy,
                                        const ConvGeometry& g) {
  const int64_t C = g.in_channels, OC = g.out_channels;
  const int64_t size = g.columns() * OC;
  std::vector<double> sums(static_cast<size_t>(size), 0.0);
  for_each_tap(g, [&](int64_t pixel, int64_t k, int64_t in_pixel) {
    for (int64_t c = 0; c < C; ++c) {
      const double value = x[in_pixel * C + c];
      for (int64_t oc = 0; oc < OC; ++oc) sums[(k * C + c) * OC + oc] += value * dy[pixel * OC + oc];
    }
  });
  for (int64_t i = 0; i < size; ++i) dfilter[i] = static_cast<float>(sums[i]);
}

}  // namespace faltung
