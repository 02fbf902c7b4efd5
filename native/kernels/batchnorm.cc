// Batch normalization kernels. Per-channel sums run over fixed tiles (a chunk of rows by a block of
// channels): float sums over 64 rows at a time (plain vectorizable loops, a few ulp each),
// flushed into one double partial per (row chunk, channel), and the partials added in row-chunk
// order: statistics are the same for any thread count. Elementwise passes are plain loops over
// rows. Workspace comes from the calling thread's scratch, never from a per-call allocation.
#include "batchnorm.h"

#include <algorithm>
#include <cmath>

#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"

namespace faltung {
namespace {

constexpr int64_t kTileElements = int64_t{1} << 14;
constexpr int64_t kChannelBlock = 256;
constexpr int64_t kFloatRows = 64;  // rows summed in float before a flush into the double partials

// Fixed decomposition of (rows, channels) into tiles; depends on the shape only.
struct Tiling {
  int64_t rows = 0, channels = 0;
  int64_t rows_per_chunk = 1, row_chunks = 0;
  int64_t block = 1, channel_blocks = 0;

  Tiling(int64_t rows_, int64_t channels_) : rows(rows_), channels(channels_) {
    block = std::max<int64_t>(1, std::min(channels, kChannelBlock));
    channel_blocks = (channels + block - 1) / block;
    rows_per_chunk = std::max<int64_t>(1, kTileElements / block);
    row_chunks = (rows + rows_per_chunk - 1) / rows_per_chunk;
  }
};

// body(row_begin, row_end, channel_begin, channel_end, row_chunk) for every tile, in parallel.
template <typename Body>
void for_each_tile(const Tiling& tiling, Body body) {
  parallel_for(tiling.row_chunks * tiling.channel_blocks, 1, [&](int64_t first, int64_t last) {
    for (int64_t task = first; task < last; ++task) {
      const int64_t row_chunk = task / tiling.channel_blocks;
      const int64_t channel_begin = (task % tiling.channel_blocks) * tiling.block;
      const int64_t row_begin = row_chunk * tiling.rows_per_chunk;
      body(row_begin, std::min(tiling.rows, row_begin + tiling.rows_per_chunk), channel_begin,
           std::min(tiling.channels, channel_begin + tiling.block), row_chunk);
    }
  });
}

// For one tile: totals[c] (double, channels c0..c1) = sum over rows r0..r1 of term(r, c), summed in
// float over kFloatRows rows at a time. term(r, c) reads row r, channel c.
template <typename Term>
void sum_tile(int64_t r0, int64_t r1, int64_t c0, int64_t c1, double* totals, Term term) {
  float block[kChannelBlock];
  const int64_t width = c1 - c0;
  for (int64_t c = c0; c < c1; ++c) totals[c] = 0.0;
  for (int64_t start = r0; start < r1; start += kFloatRows) {
    const int64_t end = std::min(r1, start + kFloatRows);
    for (int64_t c = 0; c < width; ++c) block[c] = 0.0f;
    for (int64_t r = start; r < end; ++r) {
      for (int64_t c = 0; c < width; ++c) block[c] += term(r, c0 + c);
    }
    for (int64_t c = 0; c < width; ++c) totals[c0 + c] += block[c];
  }
}

// Adds partials[row_chunk * channels + c] over row chunks, in order, into totals[c].
void reduce_partials(const double* partials, const Tiling& tiling, double* totals) {
  for (int64_t c = 0; c < tiling.channels; ++c) totals[c] = 0.0;
  for (int64_t chunk = 0; chunk < tiling.row_chunks; ++chunk) {
    const double* row = partials + chunk * tiling.channels;
    for (int64_t c = 0; c < tiling.channels; ++c) totals[c] += row[c];
  }
}

// Elementwise pass over rows in fixed chunks.
template <typename Body>
void for_each_row_chunk(int64_t rows, int64_t channels, Body body) {
  parallel_for(rows, std::max<int64_t>(1, kTileElements / std::max<int64_t>(channels, 1)), body);
}

// Workspace carved from one scratch buffer: `doubles` doubles then `floats` floats.
struct Workspace {
  double* doubles = nullptr;
  float* floats = nullptr;
};

bool take_workspace(int64_t doubles, int64_t floats, Workspace* workspace) {
  float* base = thread_scratch(ScratchSlot::general, static_cast<size_t>(2 * doubles + floats));
  if (base == nullptr) return false;
  workspace->doubles = reinterpret_cast<double*>(base);  // 64-byte aligned
  workspace->floats = base + 2 * doubles;
  return true;
}

bool valid_shape(int64_t rows, int64_t channels) { return rows >= 0 && channels >= 0; }

}  // namespace

Status batchnorm_training_forward_f32(float* y, float* saved_mean, float* saved_inv_std, float* moving_mean,
                                      float* moving_variance, const float* x, const float* gamma, const float* beta,
                                      int64_t rows, int64_t channels, double momentum, double epsilon) {
  if (!valid_shape(rows, channels) || rows < 1 || !(momentum >= 0.0f && momentum <= 1.0f) ||
      !(epsilon >= 0.0f && std::isfinite(epsilon))) {
    return Status::invalid_argument;
  }
  if (channels == 0) return Status::ok;
  if (y == nullptr || saved_mean == nullptr || saved_inv_std == nullptr || moving_mean == nullptr ||
      moving_variance == nullptr || x == nullptr || gamma == nullptr || beta == nullptr) {
    return Status::invalid_argument;
  }
  const Tiling tiling(rows, channels);
  Workspace workspace;
  // partials (row_chunks x C) and mean, variance (C) in double; scale (C) in float.
  if (!take_workspace(tiling.row_chunks * channels + 2 * channels, channels, &workspace)) {
    return Status::out_of_memory;
  }
  double* partials = workspace.doubles;
  double* mean = partials + tiling.row_chunks * channels;
  double* variance = mean + channels;
  float* scale = workspace.floats;

  // Sums of x - x[0, c] (shifted data): the float rounding then scales with the channel's spread,
  // not with its offset, which can be far larger (a channel at 1000 +- 1).
  const float* shift = x;
  for_each_tile(tiling, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1, int64_t chunk) {
    sum_tile(r0, r1, c0, c1, partials + chunk * channels,
             [&](int64_t r, int64_t c) { return x[r * channels + c] - shift[c]; });
  });
  reduce_partials(partials, tiling, mean);
  const double inverse_rows = 1.0 / static_cast<double>(rows);
  for (int64_t c = 0; c < channels; ++c) {
    mean[c] = static_cast<double>(shift[c]) + mean[c] * inverse_rows;
    saved_mean[c] = static_cast<float>(mean[c]);
  }

  // Second pass on the centred values: no cancellation, unlike E[x^2] - E[x]^2. Centred on the
  // float mean (its rounding shifts the variance by (mean - float mean)^2, far below float's ulp).
  for_each_tile(tiling, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1, int64_t chunk) {
    sum_tile(r0, r1, c0, c1, partials + chunk * channels, [&](int64_t r, int64_t c) {
      const float centred = x[r * channels + c] - saved_mean[c];
      return centred * centred;
    });
  });
  reduce_partials(partials, tiling, variance);

  const double keep = momentum;
  for (int64_t c = 0; c < channels; ++c) {
    variance[c] *= inverse_rows;
    const double inv_std = 1.0 / std::sqrt(variance[c] + static_cast<double>(epsilon));
    saved_inv_std[c] = static_cast<float>(inv_std);
    scale[c] = static_cast<float>(gamma[c] * inv_std);
    moving_mean[c] = static_cast<float>(moving_mean[c] * keep + mean[c] * (1.0 - keep));
    moving_variance[c] = static_cast<float>(moving_variance[c] * keep + variance[c] * (1.0 - keep));
  }

  for_each_row_chunk(rows, channels, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* in = x + r * channels;
      float* out = y + r * channels;
      for (int64_t c = 0; c < channels; ++c) out[c] = (in[c] - saved_mean[c]) * scale[c] + beta[c];
    }
  });
  return Status::ok;
}

Status batchnorm_inference_f32(float* y, const float* x, const float* mean, const float* variance,
                               const float* gamma, const float* beta, int64_t rows, int64_t channels, double epsilon) {
  if (!valid_shape(rows, channels) || !(epsilon >= 0.0f && std::isfinite(epsilon))) return Status::invalid_argument;
  if (rows == 0 || channels == 0) return Status::ok;
  if (y == nullptr || x == nullptr || mean == nullptr || variance == nullptr || gamma == nullptr ||
      beta == nullptr) {
    return Status::invalid_argument;
  }
  Workspace workspace;
  if (!take_workspace(0, 2 * channels, &workspace)) return Status::out_of_memory;
  float* scale = workspace.floats;
  float* shift = scale + channels;
  for (int64_t c = 0; c < channels; ++c) {
    scale[c] = gamma[c] / std::sqrt(variance[c] + epsilon);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  for_each_row_chunk(rows, channels, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* in = x + r * channels;
      float* out = y + r * channels;
      for (int64_t c = 0; c < channels; ++c) out[c] = in[c] * scale[c] + shift[c];
    }
  });
  return Status::ok;
}

Status batchnorm_backward_f32(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                              const float* gamma, const float* saved_mean, const float* saved_inv_std, int64_t rows,
                              int64_t channels) {
  if (!valid_shape(rows, channels) || rows < 1) return Status::invalid_argument;
  if (channels == 0) return Status::ok;
  if (dx == nullptr || dgamma == nullptr || dbeta == nullptr || dy == nullptr || x == nullptr || gamma == nullptr ||
      saved_mean == nullptr || saved_inv_std == nullptr) {
    return Status::invalid_argument;
  }
  const Tiling tiling(rows, channels);
  Workspace workspace;
  // Two partial tables (sum dy, sum dy * (x - mean)) and their totals in double; three per-channel
  // coefficients in float.
  const int64_t table = tiling.row_chunks * channels;
  if (!take_workspace(2 * table + 2 * channels, 3 * channels, &workspace)) return Status::out_of_memory;
  double* partial_dy = workspace.doubles;
  double* partial_dy_centred = partial_dy + table;
  double* sum_dy = partial_dy_centred + table;
  double* sum_dy_centred = sum_dy + channels;
  float* gain = workspace.floats;     // gamma * inv_std
  float* offset = gain + channels;    // dbeta / rows
  float* slope = offset + channels;   // dgamma * inv_std / rows

  for_each_tile(tiling, [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1, int64_t chunk) {
    sum_tile(r0, r1, c0, c1, partial_dy + chunk * channels, [&](int64_t r, int64_t c) { return dy[r * channels + c]; });
    sum_tile(r0, r1, c0, c1, partial_dy_centred + chunk * channels, [&](int64_t r, int64_t c) {
      return dy[r * channels + c] * (x[r * channels + c] - saved_mean[c]);
    });
  });
  reduce_partials(partial_dy, tiling, sum_dy);
  reduce_partials(partial_dy_centred, tiling, sum_dy_centred);

  const double inverse_rows = 1.0 / static_cast<double>(rows);
  for (int64_t c = 0; c < channels; ++c) {
    const double inv_std = saved_inv_std[c];
    const double d_gamma = sum_dy_centred[c] * inv_std;
    gain[c] = static_cast<float>(gamma[c] * inv_std);  // before dgamma is written: they may alias
    offset[c] = static_cast<float>(sum_dy[c] * inverse_rows);
    slope[c] = static_cast<float>(d_gamma * inv_std * inverse_rows);
    dbeta[c] = static_cast<float>(sum_dy[c]);
    dgamma[c] = static_cast<float>(d_gamma);
  }

  for_each_row_chunk(rows, channels, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* dy_row = dy + r * channels;
      const float* x_row = x + r * channels;
      float* dx_row = dx + r * channels;
      for (int64_t c = 0; c < channels; ++c) {
        dx_row[c] = gain[c] * (dy_row[c] - offset[c] - (x_row[c] - saved_mean[c]) * slope[c]);
      }
    }
  });
  return Status::ok;
}

}  // namespace faltung
