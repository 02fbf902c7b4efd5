// Native tests of the pooling kernels: window pooling against the scalar references on seeded
// random geometries (1D/2D/3D, any window and stride, valid/same/explicit pads, channel counts
// around the vector widths), global pooling against plain loops, ties and geometry checks.
#include <cstring>
#include <string>
#include <vector>

#include "../kernels/pool.h"
#include "../runtime/thread_pool.h"
#include "check.h"

namespace faltung::testing {
namespace {

std::vector<double> widen(const std::vector<float>& values) {
  return std::vector<double>(values.begin(), values.end());
}

std::string describe(const ConvGeometry& g) {
  return "N=" + std::to_string(g.batch) + " C=" + std::to_string(g.in_channels) + " in=" +
         std::to_string(g.in[0]) + "x" + std::to_string(g.in[1]) + "x" + std::to_string(g.in[2]) +
         " k=" + std::to_string(g.kernel[0]) + "x" + std::to_string(g.kernel[1]) + "x" +
         std::to_string(g.kernel[2]) + " s=" + std::to_string(g.stride[0]) + "x" +
         std::to_string(g.stride[1]) + "x" + std::to_string(g.stride[2]) + " padding=" +
         std::to_string(static_cast<int>(g.padding));
}

ConvGeometry random_pool_geometry(Random& random, int dims) {
  const int64_t channel_choices[] = {1, 3, 4, 8, 15, 16, 17, 33};
  for (;;) {
    ConvGeometry g;
    g.batch = 1 + random.below(3);
    g.in_channels = channel_choices[random.below(8)];
    g.out_channels = g.in_channels;
    g.padding = static_cast<Padding>(random.below(3));
    for (int dim = 3 - dims; dim < 3; ++dim) {
      g.in[dim] = 1 + random.below(dims == 3 ? 6 : 10);
      g.kernel[dim] = 1 + random.below(4);
      g.stride[dim] = 1 + random.below(3);
      g.pad_before[dim] = random.below(g.kernel[dim]);
      g.pad_after[dim] = random.below(g.kernel[dim]);
    }
    if (resolve_geometry(&g) == Status::ok && check_pool_geometry(g) == Status::ok) return g;
  }
}

}  // namespace

FALTUNG_TEST(pool_window_kernels_match_reference) {
  Random random(61);
  for (int trial = 0; trial < 90; ++trial) {
    const ConvGeometry g = random_pool_geometry(random, 1 + trial % 3);
    const int64_t in_size = g.batch * g.in_pixels() * g.in_channels;
    const int64_t out_size = g.rows() * g.in_channels;
    const std::vector<float> x = random.vector(in_size);
    const std::vector<float> dy = random.vector(out_size);
    std::vector<float> y(static_cast<size_t>(out_size), 99.0f), y_expected(y.size());
    std::vector<float> dx(static_cast<size_t>(in_size), 99.0f), dx_expected(dx.size());

    expect_true(max_pool_forward_f32(y.data(), x.data(), g) == Status::ok, "max forward " + describe(g));
    max_pool_forward_f32_reference(y_expected.data(), x.data(), g);
    expect_close(y.data(), widen(y_expected).data(), out_size, 0.0, 0.0, "max forward " + describe(g));

    expect_true(max_pool_backward_f32(dx.data(), dy.data(), x.data(), g) == Status::ok,
                "max backward " + describe(g));
    max_pool_backward_f32_reference(dx_expected.data(), dy.data(), x.data(), g);
    expect_close(dx.data(), widen(dx_expected).data(), in_size, 1e-6, 1e-5, "max backward " + describe(g));

    expect_true(avg_pool_forward_f32(y.data(), x.data(), g) == Status::ok, "avg forward " + describe(g));
    avg_pool_forward_f32_reference(y_expected.data(), x.data(), g);
    expect_close(y.data(), widen(y_expected).data(), out_size, 1e-6, 1e-5, "avg forward " + describe(g));

    std::fill(dx.begin(), dx.end(), 99.0f);
    expect_true(avg_pool_backward_f32(dx.data(), dy.data(), g) == Status::ok,
                "avg backward " + describe(g));
    avg_pool_backward_f32_reference(dx_expected.data(), dy.data(), g);
    expect_close(dx.data(), widen(dx_expected).data(), in_size, 1e-6, 1e-5, "avg backward " + describe(g));
  }
}

FALTUNG_TEST(pool_max_ties_go_to_the_first_cell) {
  // 1x4 input of equal values, window 2 stride 2, plus a window of two equal maxima and a lower one.
  ConvGeometry g;
  g.in_channels = g.out_channels = 2;
  g.in[2] = 5, g.kernel[2] = 3, g.stride[2] = 2;
  expect_true(resolve_geometry(&g) == Status::ok, "resolve");
  const float x[10] = {1, 5, 1, 5, 0, 4, 1, 5, 1, 5};  // channel 0: 1 1 0 1 1; channel 1: 5 5 4 5 5
  const float dy[4] = {10, 20, 30, 40};                  // outputs (w0, w1) x channels
  float dx[10];
  expect_true(max_pool_backward_f32(dx, dy, x, g) == Status::ok, "max backward");
  // Window 0 covers w 0..2: first max at w0 for both channels; window 1 covers w 2..4: first max
  // at w3 for both (channel 0 has 0 at w2; channel 1 has 4 at w2).
  const double expected[10] = {10, 20, 0, 0, 0, 0, 30, 40, 0, 0};
  expect_close(dx, expected, 10, 0.0, 0.0, "ties");
}

FALTUNG_TEST(pool_global_kernels_match_loops) {
  Random random(71);
  for (int trial = 0; trial < 12; ++trial) {
    const int64_t batch = 1 + random.below(4), positions = 1 + random.below(60);
    const int64_t channels = 1 + random.below(40);
    const std::vector<float> x = random.vector(batch * positions * channels);
    const std::vector<float> dy = random.vector(batch * channels);
    std::vector<double> mean(static_cast<size_t>(batch * channels), 0.0);
    std::vector<double> maximum(mean.size(), -1e30), dmean(x.size()), dmax(x.size(), 0.0);
    std::vector<int64_t> winner(mean.size(), -1);
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t s = 0; s < positions; ++s)
        for (int64_t c = 0; c < channels; ++c) {
          const int64_t i = (n * positions + s) * channels + c, o = n * channels + c;
          mean[o] += x[i] / static_cast<double>(positions);
          if (x[i] > maximum[o]) maximum[o] = x[i], winner[o] = i;
          dmean[i] = dy[o] / static_cast<double>(positions);
        }
    for (size_t o = 0; o < winner.size(); ++o) dmax[winner[o]] = dy[o];
    const std::string label = "N=" + std::to_string(batch) + " S=" + std::to_string(positions) +
                              " C=" + std::to_string(channels);
    std::vector<float> y(mean.size()), dx(x.size(), 99.0f);
    expect_true(global_avg_pool_forward_f32(y.data(), x.data(), batch, positions, channels) == Status::ok, label);
    expect_close(y.data(), mean.data(), batch * channels, 1e-6, 1e-5, "global avg " + label);
    expect_true(global_max_pool_forward_f32(y.data(), x.data(), batch, positions, channels) == Status::ok, label);
    expect_close(y.data(), maximum.data(), batch * channels, 0.0, 0.0, "global max " + label);
    expect_true(global_avg_pool_backward_f32(dx.data(), dy.data(), batch, positions, channels) == Status::ok, label);
    expect_close(dx.data(), dmean.data(), static_cast<int64_t>(dx.size()), 1e-6, 1e-5, "global avg grad " + label);
    std::fill(dx.begin(), dx.end(), 99.0f);
    expect_true(global_max_pool_backward_f32(dx.data(), dy.data(), x.data(), batch, positions, channels) == Status::ok, label);
    expect_close(dx.data(), dmax.data(), static_cast<int64_t>(dx.size()), 0.0, 0.0, "global max grad " + label);
  }
}

FALTUNG_TEST(pool_results_do_not_depend_on_thread_count) {
  ConvGeometry g;
  g.batch = 1, g.in_channels = g.out_channels = 48, g.padding = Padding::same;
  g.in[1] = 33, g.in[2] = 31, g.kernel[1] = 3, g.kernel[2] = 3, g.stride[1] = 2, g.stride[2] = 2;
  expect_true(resolve_geometry(&g) == Status::ok, "resolve");
  Random random(81);
  const std::vector<float> x = random.vector(g.in_pixels() * 48);
  const std::vector<float> dy = random.vector(g.out_pixels() * 48);
  const int saved = num_threads();
  std::vector<float> results[2][2];
  for (int variant = 0; variant < 2; ++variant) {
    set_num_threads(variant == 0 ? 1 : 2);
    results[variant][0].resize(x.size());
    results[variant][1].resize(x.size());
    max_pool_backward_f32(results[variant][0].data(), dy.data(), x.data(), g);
    avg_pool_backward_f32(results[variant][1].data(), dy.data(), g);
  }
  set_num_threads(saved);
  for (int which = 0; which < 2; ++which) {
    expect_true(std::memcmp(results[0][which].data(), results[1][which].data(), x.size() * sizeof(float)) == 0,
                std::string(which == 0 ? "max" : "avg") + " backward differs between 1 and 2 threads");
  }
}

FALTUNG_TEST(pool_rejects_bad_geometry) {
  ConvGeometry g;
  g.in_channels = g.out_channels = 2;
  g.padding = Padding::explicit_pads;
  g.in[2] = 5, g.kernel[2] = 2, g.pad_before[2] = 2;  // a window of padding only
  expect_true(resolve_geometry(&g) == Status::ok, "resolve");
  float buffer[64] = {};
  expect_true(max_pool_forward_f32(buffer, buffer, g) == Status::invalid_argument,
              "a pad as large as the window was accepted");
  g.pad_before[2] = 0;
  expect_true(resolve_geometry(&g) == Status::ok, "resolve");
  g.out_channels = 3;
  expect_true(avg_pool_forward_f32(buffer, buffer, g) == Status::invalid_argument,
              "channels != out_channels was accepted");
  expect_true(global_max_pool_forward_f32(buffer, buffer, 1, 0, 2) == Status::invalid_argument,
              "zero positions were accepted");
}

}  // namespace faltung::testing

namespace faltung::testing {

namespace {

// The training forms of max pooling (winners recorded forward, scatter backward, and the scatter
// through a relu) and the inference forward against the references, on random x (with many ties
// when `ties`).
void check_argmax_forms(const ConvGeometry& g, Random& random, bool ties) {
  const int64_t in_size = g.batch * g.in_pixels() * g.in_channels;
  const int64_t out_size = g.rows() * g.in_channels;
  std::vector<float> x = random.vector(in_size);
  if (ties) {
    for (float& value : x) value = static_cast<float>(random.below(3)) - 1.0f;
  }
  const std::vector<float> dy = random.vector(out_size);
  std::vector<float> y(static_cast<size_t>(out_size), 99.0f), y_expected(y.size());
  std::vector<int32_t> argmax(static_cast<size_t>(out_size), -1);
  std::vector<float> dx(static_cast<size_t>(in_size), 99.0f), dx_expected(dx.size());
  expect_true(max_pool_forward_argmax_f32(y.data(), argmax.data(), x.data(), g) == Status::ok,
              "argmax forward " + describe(g));
  max_pool_forward_f32_reference(y_expected.data(), x.data(), g);
  expect_close(y.data(), widen(y_expected).data(), out_size, 0.0, 0.0, "argmax forward " + describe(g));
  // The inference form (no winners) on the same windows.
  std::vector<float> y_plain(static_cast<size_t>(out_size), 99.0f);
  expect_true(max_pool_forward_f32(y_plain.data(), x.data(), g) == Status::ok, "max forward " + describe(g));
  expect_close(y_plain.data(), widen(y_expected).data(), out_size, 0.0, 0.0, "max forward " + describe(g));
  expect_true(max_pool_backward_argmax_f32(dx.data(), dy.data(), argmax.data(), g) == Status::ok,
              "argmax backward " + describe(g));
  max_pool_backward_f32_reference(dx_expected.data(), dy.data(), x.data(), g);
  expect_close(dx.data(), widen(dx_expected).data(), in_size, 1e-6, 1e-5, "argmax backward " + describe(g));
  // Through a relu before the pool: only where the winner (the pooled value) is > 0.
  std::vector<float> dx_relu(static_cast<size_t>(in_size), 99.0f);
  expect_true(max_pool_backward_argmax_relu_f32(dx_relu.data(), dy.data(), argmax.data(), y.data(), g) == Status::ok,
              "argmax relu backward " + describe(g));
  for (int64_t i = 0; i < in_size; ++i) dx_expected[i] = x[i] > 0.0f ? dx_expected[i] : 0.0f;
  expect_close(dx_relu.data(), widen(dx_expected).data(), in_size, 1e-6, 1e-5, "argmax relu backward " + describe(g));
}

}  // namespace

FALTUNG_TEST(pool_max_argmax_forms_match_reference) {
  Random random(67);
  for (int trial = 0; trial < 90; ++trial) {
    check_argmax_forms(random_pool_geometry(random, 1 + trial % 3), random, trial % 4 == 0);
  }
}

FALTUNG_TEST(pool_max_argmax_whole_windows) {
  // 2-D windows without padding (the row path, AVX-512 on x86): channel tails, strides below, at
  // and above the window, ties, and windows that leave the last rows and columns unread.
  Random random(71);
  const int64_t channels[] = {1, 5, 16, 17, 32, 40};
  for (int trial = 0; trial < 48; ++trial) {
    ConvGeometry g;
    g.batch = 1 + random.below(3);
    g.in_channels = g.out_channels = channels[trial % 6];
    g.padding = Padding::valid;
    for (int dim = 1; dim < 3; ++dim) {
      g.in[dim] = 2 + random.below(14);
      g.kernel[dim] = 1 + random.below(3);
      g.stride[dim] = 1 + random.below(3);
    }
    if (resolve_geometry(&g) != Status::ok) continue;
    check_argmax_forms(g, random, trial % 3 == 0);
  }
}

}  // namespace faltung::testing
