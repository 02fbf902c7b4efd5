// Pooling kernels: per output pixel, loops over the window's real cells with the channel run
// (contiguous in channels-last) as the inner, vectorized loop. Backward passes scatter into dx
// from units of (image, channel block) that never share a dx value, so they run in parallel
// without atomics and give the same result for any thread count. Deliberately portable C++: the
// work is memory-bound and the channel loops vectorize as written.
#include "pool.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "../runtime/isa.h"
#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"

namespace faltung {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The real cells of one window along one dimension: [begin, end).
struct Span {
  int64_t begin, end;
};

inline Span window_span(const ConvGeometry& g, int dim, int64_t out_index) {
  const int64_t start = out_index * g.stride[dim] - g.pad_before[dim];
  return {std::max<int64_t>(start, 0), std::min(start + g.kernel[dim], g.in[dim])};
}

// Runs body over [0, count) in chunks of `grain`, on the pool when the work (about one unit per
// element touched) is worth waking threads for.
void run_chunks(double work, int64_t count, int64_t grain,
                FunctionRef<void(int64_t begin, int64_t end)> body) {
  if (count <= 0) return;
  if (threads_for_work(work) <= 1) {
    body(0, count);
  } else {
    parallel_for(count, grain, body);
  }
}

// Channels per backward unit: whole images when there are enough of them for the threads,
// otherwise channel blocks (multiples of 16) so that small batches still spread out.
int64_t channel_block(int64_t batch, int64_t channels, double work) {
  const int threads = threads_for_work(work);
  if (threads <= 1 || batch >= 2 * threads) return channels;
  const int64_t blocks_per_image = ceil_div(2 * threads, std::max<int64_t>(batch, 1));
  const int64_t block = ceil_div(ceil_div(channels, blocks_per_image), 16) * 16;
  return std::min(channels, block);
}

inline void max_into(float* __restrict out, const float* __restrict values, int64_t count) {
  for (int64_t c = 0; c < count; ++c) out[c] = values[c] > out[c] ? values[c] : out[c];
}

inline void copy_into(float* __restrict out, const float* __restrict values, int64_t count) {
  for (int64_t c = 0; c < count; ++c) out[c] = values[c];
}

inline void add_into(float* __restrict out, const float* __restrict values, int64_t count) {
  for (int64_t c = 0; c < count; ++c) out[c] += values[c];
}

inline void scale(float* out, float factor, int64_t count) {
  for (int64_t c = 0; c < count; ++c) out[c] *= factor;
}

// Tracks the first maximum per channel: best values and where they came from. The 32-bit cell
// number (not a 64-bit offset) keeps the compare-and-select the same width as the floats, so the
// loop vectorizes.
// Both stores are unconditional (a max and a mask select), so the compiler can vectorize them.
inline void argmax_into(float* __restrict best, int32_t* __restrict winner,
                        const float* __restrict values, int32_t cell, int64_t count) {
  for (int64_t c = 0; c < count; ++c) {
    const float value = values[c], current = best[c];
    const int32_t previous = winner[c];
    const int32_t take = -static_cast<int32_t>(value > current);  // all ones or zero
    best[c] = value > current ? value : current;
    winner[c] = (cell & take) | (previous & ~take);
  }
}

// Like argmax_into, but records the winner's float offset in its image (base + channel), which
// the training forward pass keeps for a scatter-only backward pass.
inline void argmax_offsets32_into(float* __restrict best, int32_t* __restrict where,
                                  const float* __restrict values, int32_t base, int32_t count) {
  for (int32_t c = 0; c < count; ++c) {
    const float value = values[c], current = best[c];
    const int32_t take = -static_cast<int32_t>(value > current);  // all ones or zero
    best[c] = value > current ? value : current;
    where[c] = ((base + c) & take) | (where[c] & ~take);
  }
}

inline void argmax_offsets32_start(float* __restrict best, int32_t* __restrict where,
                                   const float* __restrict values, int32_t base, int32_t count) {
  for (int32_t c = 0; c < count; ++c) {
    best[c] = values[c];
    where[c] = base + c;
  }
}

// Global max keeps 64-bit x offsets: its S positions may exceed 32 bits.
inline void argmax_offsets_into(float* best, int64_t* where, const float* values, int64_t offset,
                                int64_t count) {
  for (int64_t c = 0; c < count; ++c) {
    if (values[c] > best[c]) {
      best[c] = values[c];
      where[c] = offset + c;
    }
  }
}

inline void argmax_offsets_start(float* best, int64_t* where, const float* values, int64_t offset,
                                 int64_t count) {
  for (int64_t c = 0; c < count; ++c) {
    best[c] = values[c];
    where[c] = offset + c;
  }
}

// Calls cell(x offset of the cell's channel 0) for every real cell of output pixel (od, oh, ow)
// of image n, in kd, kh, kw order.
template <typename Cell>
inline void for_each_cell(const ConvGeometry& g, int64_t n, int64_t od, int64_t oh, int64_t ow,
                          Cell cell) {
  const Span d = window_span(g, 0, od), h = window_span(g, 1, oh), w = window_span(g, 2, ow);
  const int64_t C = g.in_channels;
  for (int64_t id = d.begin; id < d.end; ++id) {
    for (int64_t ih = h.begin; ih < h.end; ++ih) {
      const int64_t line = ((n * g.in[0] + id) * g.in[1] + ih) * g.in[2];
      for (int64_t iw = w.begin; iw < w.end; ++iw) cell((line + iw) * C);
    }
  }
}

inline int64_t cell_count(const ConvGeometry& g, int64_t od, int64_t oh, int64_t ow) {
  const Span d = window_span(g, 0, od), h = window_span(g, 1, oh), w = window_span(g, 2, ow);
  return (d.end - d.begin) * (h.end - h.begin) * (w.end - w.begin);
}

enum class Kind { max, average };

// Forward for windows that never touch padding (2-D or 1-D, every window full): the common
// 'valid' pooling of CNNs. No per-pixel window clipping, so the per-channel loops dominate.
void pool_forward_unpadded_2d(Kind kind, float* y, const float* x, const ConvGeometry& g) {
  const int64_t C = g.in_channels, H = g.in[1], W = g.in[2], OH = g.out[1], OW = g.out[2];
  const int64_t KH = g.kernel[1], KW = g.kernel[2], SH = g.stride[1], SW = g.stride[2];
  const float inverse = 1.0f / static_cast<float>(KH * KW);
  const int64_t out_rows = g.batch * OH;
  const double work = static_cast<double>(g.rows()) * C * g.window();
#if defined(__x86_64__)
  if (kind == Kind::max && active_isa() == Isa::avx512) {
    run_chunks(work, out_rows, std::max<int64_t>(1, ceil_div(out_rows, 64)), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        const int64_t oh = row % OH, n = row / OH;
        max_pool_row_f32__avx512(y + row * OW * C, x + ((n * H + oh * SH) * W) * C, C, OW, SW, KH, KW, W * C);
      }
    });
    return;
  }
#endif
  run_chunks(work, out_rows, std::max<int64_t>(1, ceil_div(out_rows, 64)), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t oh = row % OH, n = row / OH;
      const float* x_row = x + ((n * H + oh * SH) * W) * C;
      for (int64_t ow = 0; ow < OW; ++ow) {
        float* out = y + (row * OW + ow) * C;
        const float* corner = x_row + ow * SW * C;
        copy_into(out, corner, C);
        for (int64_t kh = 0; kh < KH; ++kh) {
          for (int64_t kw = kh == 0 ? 1 : 0; kw < KW; ++kw) {
            const float* values = corner + (kh * W + kw) * C;
            if (kind == Kind::max) {
              max_into(out, values, C);
            } else {
              add_into(out, values, C);
            }
          }
        }
        if (kind == Kind::average) scale(out, inverse, C);
      }
    }
  });
}

bool unpadded_2d(const ConvGeometry& g) {
  if (g.in[0] != 1 || g.kernel[0] != 1) return false;
  for (int dim = 1; dim < 3; ++dim) {
    if (g.pad_before[dim] != 0 || g.pad_after[dim] != 0) return false;
    // Every window must be whole: its last tap inside the input.
    if ((g.out[dim] - 1) * g.stride[dim] + g.kernel[dim] > g.in[dim]) return false;
  }
  return true;
}

// Forward over output rows (n, od, oh): each row's pixels are independent.
Status pool_forward(Kind kind, float* y, const float* x, const ConvGeometry& g) {
  if (check_pool_geometry(g) != Status::ok) return Status::invalid_argument;
  if (unpadded_2d(g)) {
    pool_forward_unpadded_2d(kind, y, x, g);
    return Status::ok;
  }
  const int64_t C = g.in_channels, OD = g.out[0], OH = g.out[1], OW = g.out[2];
  const int64_t out_rows = g.batch * OD * OH;
  const double work = static_cast<double>(g.rows()) * C * g.window();
  run_chunks(work, out_rows, std::max<int64_t>(1, ceil_div(out_rows, 64)),
             [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t oh = row % OH, od = (row / OH) % OD, n = row / (OH * OD);
      for (int64_t ow = 0; ow < OW; ++ow) {
        float* out = y + (row * OW + ow) * C;
        // Plain loops, not memcpy: for the usual 16-64 channels a library call per pixel costs
        // more than the copy itself.
        bool first = true;
        if (kind == Kind::max) {
          for_each_cell(g, n, od, oh, ow, [&](int64_t offset) {
            if (first) {
              copy_into(out, x + offset, C);
              first = false;
            } else {
              max_into(out, x + offset, C);
            }
          });
        } else {
          for_each_cell(g, n, od, oh, ow, [&](int64_t offset) {
            if (first) {
              copy_into(out, x + offset, C);
              first = false;
            } else {
              add_into(out, x + offset, C);
            }
          });
        }
        if (kind == Kind::average) {
          scale(out, 1.0f / static_cast<float>(cell_count(g, od, oh, ow)), C);
        }
      }
    }
  });
  return Status::ok;
}

// Backward over units (image n, channel block): zero the unit's dx, then scatter every output
// pixel's gradient into it in output order.
Status pool_backward(Kind kind, float* dx, const float* dy, const float* x, const ConvGeometry& g) {
  if (check_pool_geometry(g) != Status::ok) return Status::invalid_argument;
  const int64_t N = g.batch, C = g.in_channels, S = g.in_pixels(), OP = g.out_pixels();
  const double work = static_cast<double>(g.rows()) * C * g.window();
  const int64_t block = channel_block(N, C, work);
  const int64_t blocks = ceil_div(C, block);
  // Relaxed: parallel_run's completion orders the stores before the read below.
  std::atomic<bool> failed{false};
  const int64_t window = g.window();
  run_chunks(work, N * blocks, 1, [&](int64_t begin, int64_t end) {
    // Scratch for max, per thread: the x offsets of the current window's cells, and per channel of
    // the block the best value and the number of the cell it came from.
    int64_t* cells = nullptr;
    float* best = nullptr;
    int32_t* winner = nullptr;
    if (kind == Kind::max) {
      float* scratch = thread_scratch(ScratchSlot::general, static_cast<size_t>(2 * window + 2 * block));
      if (scratch == nullptr) {
        failed.store(true, std::memory_order_relaxed);
        return;
      }
      cells = reinterpret_cast<int64_t*>(scratch);  // 64-byte aligned base
      best = scratch + 2 * window;
      winner = reinterpret_cast<int32_t*>(best + block);
    }
    for (int64_t unit = begin; unit < end; ++unit) {
      const int64_t n = unit / blocks, c0 = (unit % blocks) * block;
      const int64_t width = std::min(block, C - c0);
      float* image = dx + n * S * C;
      if (width == C) {
        std::memset(image, 0, static_cast<size_t>(S * C) * sizeof(float));
      } else {
        for (int64_t s = 0; s < S; ++s) {
          std::memset(image + s * C + c0, 0, static_cast<size_t>(width) * sizeof(float));
        }
      }
      for (int64_t pixel = 0; pixel < OP; ++pixel) {
        const int64_t ow = pixel % g.out[2], oh = (pixel / g.out[2]) % g.out[1];
        const int64_t od = pixel / (g.out[2] * g.out[1]);
        const float* grad = dy + (n * OP + pixel) * C + c0;
        if (kind == Kind::max) {
          int32_t count = 0;
          for_each_cell(g, n, od, oh, ow, [&](int64_t offset) { cells[count++] = offset + c0; });
          std::memcpy(best, x + cells[0], static_cast<size_t>(width) * sizeof(float));
          std::fill(winner, winner + width, 0);
          for (int32_t cell = 1; cell < count; ++cell) argmax_into(best, winner, x + cells[cell], cell, width);
          for (int64_t c = 0; c < width; ++c) dx[cells[winner[c]] + c] += grad[c];
        } else {
          const float inverse = 1.0f / static_cast<float>(cell_count(g, od, oh, ow));
          for_each_cell(g, n, od, oh, ow, [&](int64_t offset) {
            float* target = dx + offset + c0;
            for (int64_t c = 0; c < width; ++c) target[c] += grad[c] * inverse;
          });
        }
      }
    }
  });
  return failed.load(std::memory_order_relaxed) ? Status::out_of_memory : Status::ok;
}

Status check_global(int64_t batch, int64_t positions, int64_t channels) {
  return batch < 0 || positions < 1 || channels < 1 ? Status::invalid_argument : Status::ok;
}

}  // namespace

Status check_pool_geometry(const ConvGeometry& g) {
  // The max backward numbers window cells with int32.
  if (check_geometry(g) != Status::ok || g.in_channels != g.out_channels ||
      g.window() > 2147483647) {
    return Status::invalid_argument;
  }
  for (int dim = 0; dim < 3; ++dim) {
    if (g.dilation[dim] != 1 || g.pad_before[dim] >= g.kernel[dim] ||
        g.pad_after[dim] >= g.kernel[dim]) {
      return Status::invalid_argument;
    }
  }
  return Status::ok;
}

Status max_pool_forward_f32(float* y, const float* x, const ConvGeometry& g) {
  return pool_forward(Kind::max, y, x, g);
}

Status max_pool_backward_f32(float* dx, const float* dy, const float* x, const ConvGeometry& g) {
  return pool_backward(Kind::max, dx, dy, x, g);
}

namespace {

// The portable form of max_pool_argmax_row_f32__avx512 (pool.h), cell by cell.
void max_pool_argmax_row_portable(float* y_row, int32_t* where_row, const float* x_row, int32_t base, int64_t C,
                                  int64_t OW, int64_t SW, int64_t KH, int64_t KW, int64_t row_step) {
  for (int64_t ow = 0; ow < OW; ++ow) {
    float* best = y_row + ow * C;
    int32_t* where = where_row + ow * C;
    const int64_t corner = ow * SW * C;
    argmax_offsets32_start(best, where, x_row + corner, static_cast<int32_t>(base + corner), static_cast<int32_t>(C));
    for (int64_t kh = 0; kh < KH; ++kh) {
      for (int64_t kw = kh == 0 ? 1 : 0; kw < KW; ++kw) {
        const int64_t cell = corner + kh * row_step + kw * C;
        argmax_offsets32_into(best, where, x_row + cell, static_cast<int32_t>(base + cell), static_cast<int32_t>(C));
      }
    }
  }
}

using ArgmaxRow = void (*)(float*, int32_t*, const float*, int32_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                           int64_t);

ArgmaxRow argmax_row_kernel() {
#if defined(__x86_64__)
  if (active_isa() == Isa::avx512) return max_pool_argmax_row_f32__avx512;
#endif
  return max_pool_argmax_row_portable;
}

}  // namespace

Status max_pool_forward_argmax_f32(float* y, int32_t* argmax, const float* x, const ConvGeometry& g) {
  if (check_pool_geometry(g) != Status::ok || g.in_pixels() * g.in_channels > 2147483647) {
    return Status::invalid_argument;
  }
  if (unpadded_2d(g)) {
    // Whole windows: a row at a time, in the same kh, kw order per pixel as the general loop.
    const int64_t C = g.in_channels, H = g.in[1], W = g.in[2], OH = g.out[1], OW = g.out[2];
    const ArgmaxRow row_kernel = argmax_row_kernel();
    const int64_t out_rows = g.batch * OH;
    const double work = static_cast<double>(g.rows()) * C * g.window();
    run_chunks(work, out_rows, std::max<int64_t>(1, ceil_div(out_rows, 64)), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        const int64_t oh = row % OH, n = row / OH;
        const int64_t local = oh * g.stride[1] * W * C;  // x_row's offset in its image
        row_kernel(y + row * OW * C, argmax + row * OW * C, x + n * H * W * C + local, static_cast<int32_t>(local), C,
                   OW, g.stride[2], g.kernel[1], g.kernel[2], W * C);
      }
    });
    return Status::ok;
  }
  const int64_t C = g.in_channels, OD = g.out[0], OH = g.out[1], OW = g.out[2];
  const int64_t image = g.in_pixels() * C;
  const int64_t out_rows = g.batch * OD * OH;
  const double work = static_cast<double>(g.rows()) * C * g.window();
  run_chunks(work, out_rows, std::max<int64_t>(1, ceil_div(out_rows, 64)), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t oh = row % OH, od = (row / OH) % OD, n = row / (OH * OD);
      const float* x_image = x + n * image;
      for (int64_t ow = 0; ow < OW; ++ow) {
        float* best = y + (row * OW + ow) * C;
        int32_t* where = argmax + (row * OW + ow) * C;
        bool first = true;
        for_each_cell(g, n, od, oh, ow, [&](int64_t offset) {
          const int32_t local = static_cast<int32_t>(offset - n * image);
          if (first) {
            argmax_offsets32_start(best, where, x_image + local, local, static_cast<int32_t>(C));
            first = false;
          } else {
            argmax_offsets32_into(best, where, x_image + local, local, static_cast<int32_t>(C));
          }
        });
      }
    }
  });
  return Status::ok;
}

Status max_pool_backward_argmax_f32(float* dx, const float* dy, const int32_t* argmax, const ConvGeometry& g) {
  return max_pool_backward_argmax_relu_f32(dx, dy, argmax, nullptr, g);
}

Status max_pool_backward_argmax_relu_f32(float* dx, const float* dy, const int32_t* argmax, const float* y,
                                         const ConvGeometry& g) {
  if (check_pool_geometry(g) != Status::ok || g.in_pixels() * g.in_channels > 2147483647) {
    return Status::invalid_argument;
  }
  const int64_t image = g.in_pixels() * g.in_channels;
  const int64_t outputs = g.out_pixels() * g.in_channels;
  const double work = static_cast<double>(g.batch) * (image + outputs);
  // One unit per image: its dx is zeroed and scattered into by one thread, in output order, so
  // overlapping windows add up in a fixed order whatever the thread count.
  run_chunks(work, g.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      float* dx_image = dx + n * image;
      std::memset(dx_image, 0, static_cast<size_t>(image) * sizeof(float));
      const float* dy_image = dy + n * outputs;
      const int32_t* where = argmax + n * outputs;
      const float* y_image = y == nullptr ? nullptr : y + n * outputs;
      for (int64_t j = 0; j < outputs; ++j) {
        const int32_t target = where[j];
        // relu' of the winner is 0: nothing reaches dx (it stays +0, as relu' * dx would give
        // for a +0 sum, and adds nothing where other windows share the winner).
        if (y_image != nullptr && !(y_image[j] > 0.0f)) continue;
        // The forward pass wrote every entry; a corrupt one must not write out of bounds.
        if (static_cast<uint32_t>(target) < static_cast<uint64_t>(image)) dx_image[target] += dy_image[j];
      }
    }
  });
  return Status::ok;
}

Status avg_pool_forward_f32(float* y, const float* x, const ConvGeometry& g) {
  return pool_forward(Kind::average, y, x, g);
}

Status avg_pool_backward_f32(float* dx, const float* dy, const ConvGeometry& g) {
  return pool_backward(Kind::average, dx, dy, nullptr, g);
}

Status global_avg_pool_forward_f32(float* y, const float* x, int64_t batch, int64_t positions,
                                   int64_t channels) {
  if (check_global(batch, positions, channels) != Status::ok) return Status::invalid_argument;
  const int64_t C = channels, S = positions;
  const double work = static_cast<double>(batch) * S * C;
  const int64_t block = channel_block(batch, C, work), blocks = ceil_div(C, block);
  std::atomic<bool> failed{false};
  run_chunks(work, batch * blocks, 1, [&](int64_t begin, int64_t end) {
    // Float64 sums: a mean over tens of thousands of positions stays exact to float precision.
    double* sums = reinterpret_cast<double*>(
        thread_scratch(ScratchSlot::general, static_cast<size_t>(2 * block)));
    if (sums == nullptr) {
      failed.store(true, std::memory_order_relaxed);
      return;
    }
    for (int64_t unit = begin; unit < end; ++unit) {
      const int64_t n = unit / blocks, c0 = (unit % blocks) * block;
      const int64_t width = std::min(block, C - c0);
      std::fill(sums, sums + width, 0.0);
      for (int64_t s = 0; s < S; ++s) {
        const float* values = x + (n * S + s) * C + c0;
        for (int64_t c = 0; c < width; ++c) sums[c] += values[c];
      }
      for (int64_t c = 0; c < width; ++c) {
        y[n * C + c0 + c] = static_cast<float>(sums[c] / static_cast<double>(S));
      }
    }
  });
  return failed.load(std::memory_order_relaxed) ? Status::out_of_memory : Status::ok;
}

Status global_avg_pool_backward_f32(float* dx, const float* dy, int64_t batch, int64_t positions,
                                    int64_t channels) {
  if (check_global(batch, positions, channels) != Status::ok) return Status::invalid_argument;
  const int64_t C = channels, S = positions;
  const float inverse = static_cast<float>(1.0 / static_cast<double>(S));
  run_chunks(static_cast<double>(batch) * S * C, batch * S, 256, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const float* grad = dy + (row / S) * C;
      float* out = dx + row * C;
      for (int64_t c = 0; c < C; ++c) out[c] = grad[c] * inverse;
    }
  });
  return Status::ok;
}

Status global_max_pool_forward_f32(float* y, const float* x, int64_t batch, int64_t positions,
                                   int64_t channels) {
  if (check_global(batch, positions, channels) != Status::ok) return Status::invalid_argument;
  const int64_t C = channels, S = positions;
  const double work = static_cast<double>(batch) * S * C;
  const int64_t block = channel_block(batch, C, work), blocks = ceil_div(C, block);
  run_chunks(work, batch * blocks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t unit = begin; unit < end; ++unit) {
      const int64_t n = unit / blocks, c0 = (unit % blocks) * block;
      const int64_t width = std::min(block, C - c0);
      float* out = y + n * C + c0;
      std::memcpy(out, x + n * S * C + c0, static_cast<size_t>(width) * sizeof(float));
      for (int64_t s = 1; s < S; ++s) max_into(out, x + (n * S + s) * C + c0, width);
    }
  });
  return Status::ok;
}

Status global_max_pool_backward_f32(float* dx, const float* dy, const float* x, int64_t batch,
                                    int64_t positions, int64_t channels) {
  if (check_global(batch, positions, channels) != Status::ok) return Status::invalid_argument;
  const int64_t C = channels, S = positions;
  const double work = static_cast<double>(batch) * S * C;
  const int64_t block = channel_block(batch, C, work), blocks = ceil_div(C, block);
  std::atomic<bool> failed{false};
  run_chunks(work, batch * blocks, 1, [&](int64_t begin, int64_t end) {
    float* scratch = thread_scratch(ScratchSlot::general, static_cast<size_t>(3 * block));
    if (scratch == nullptr) {
      failed.store(true, std::memory_order_relaxed);
      return;
    }
    int64_t* where = reinterpret_cast<int64_t*>(scratch);
    float* best = scratch + 2 * block;
    for (int64_t unit = begin; unit < end; ++unit) {
      const int64_t n = unit / blocks, c0 = (unit % blocks) * block;
      const int64_t width = std::min(block, C - c0);
      argmax_offsets_start(best, where, x + n * S * C + c0, n * S * C + c0, width);
      for (int64_t s = 1; s < S; ++s) {
        const int64_t offset = (n * S + s) * C + c0;
        argmax_offsets_into(best, where, x + offset, offset, width);
      }
      for (int64_t s = 0; s < S; ++s) {
        std::memset(dx + (n * S + s) * C + c0, 0, static_cast<size_t>(width) * sizeof(float));
      }
      for (int64_t c = 0; c < width; ++c) dx[where[c]] = dy[n * C + c0 + c];
    }
  });
  return failed.load(std::memory_order_relaxed) ? Status::out_of_memory : Status::ok;
}

// ---- references -------------------------------------------------------------------------------

namespace {

template <typename Body>
void for_each_output(const ConvGeometry& g, Body body) {
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t od = 0; od < g.out[0]; ++od)
      for (int64_t oh = 0; oh < g.out[1]; ++oh)
        for (int64_t ow = 0; ow < g.out[2]; ++ow) {
          const int64_t pixel = ((n * g.out[0] + od) * g.out[1] + oh) * g.out[2] + ow;
          for (int64_t c = 0; c < g.in_channels; ++c) body(n, od, oh, ow, pixel, c);
        }
}

// x offsets of the real cells of one output pixel's window for channel c, in scan order.
std::vector<int64_t> window_cells(const ConvGeometry& g, int64_t n, int64_t od, int64_t oh,
                                  int64_t ow, int64_t c) {
  std::vector<int64_t> cells;
  for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
        const int64_t id = od * g.stride[0] - g.pad_before[0] + kd;
        const int64_t ih = oh * g.stride[1] - g.pad_before[1] + kh;
        const int64_t iw = ow * g.stride[2] - g.pad_before[2] + kw;
        if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] || iw < 0 || iw >= g.in[2]) continue;
        cells.push_back((((n * g.in[0] + id) * g.in[1] + ih) * g.in[2] + iw) * g.in_channels + c);
      }
  return cells;
}

}  // namespace

void max_pool_forward_f32_reference(float* y, const float* x, const ConvGeometry& g) {
  for_each_output(g, [&](int64_t n, int64_t od, int64_t oh, int64_t ow, int64_t pixel, int64_t c) {
    const std::vector<int64_t> cells = window_cells(g, n, od, oh, ow, c);
    float best = x[cells[0]];
    for (int64_t cell : cells) best = x[cell] > best ? x[cell] : best;
    y[pixel * g.in_channels + c] = best;
  });
}

void max_pool_backward_f32_reference(float* dx, const float* dy, const float* x,
                                     const ConvGeometry& g) {
  std::memset(dx, 0, static_cast<size_t>(g.batch * g.in_pixels() * g.in_channels) * sizeof(float));
  for_each_output(g, [&](int64_t n, int64_t od, int64_t oh, int64_t ow, int64_t pixel, int64_t c) {
    const std::vector<int64_t> cells = window_cells(g, n, od, oh, ow, c);
    int64_t winner = cells[0];
    for (int64_t cell : cells) winner = x[cell] > x[winner] ? cell : winner;
    dx[winner] += dy[pixel * g.in_channels + c];
  });
}

void avg_pool_forward_f32_reference(float* y, const float* x, const ConvGeometry& g) {
  for_each_output(g, [&](int64_t n, int64_t od, int64_t oh, int64_t ow, int64_t pixel, int64_t c) {
    const std::vector<int64_t> cells = window_cells(g, n, od, oh, ow, c);
    double sum = 0.0;
    for (int64_t cell : cells) sum += x[cell];
    y[pixel * g.in_channels + c] = static_cast<float>(sum / static_cast<double>(cells.size()));
  });
}

void avg_pool_backward_f32_reference(float* dx, const float* dy, const ConvGeometry& g) {
  const int64_t size = g.batch * g.in_pixels() * g.in_channels;
  std::vector<double> sums(static_cast<size_t>(size), 0.0);
  for_each_output(g, [&](int64_t n, int64_t od, int64_t oh, int64_t ow, int64_t pixel, int64_t c) {
    const std::vector<int64_t> cells = window_cells(g, n, od, oh, ow, c);
    const double share = dy[pixel * g.in_channels + c] / static_cast<double>(cells.size());
    for (int64_t cell : cells) sums[static_cast<size_t>(cell)] += share;
  });
  for (int64_t i = 0; i < size; ++i) dx[i] = static_cast<float>(sums[i]);
}

}  // namespace faltung
