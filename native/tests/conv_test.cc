// Native tests of the window geometry, im2col/col2im and the conv kernels: the chunked GEMM path
// against the direct-loop references on seeded random geometries (1D/2D/3D, strides 1-3,
// dilations 1-2, valid/same/explicit pads, pointwise, several chunks), plus thread independence.
#include <cstring>
#include <string>
#include <vector>

#include "../kernels/conv.h"
#include "../kernels/im2col.h"
#include "../runtime/thread_pool.h"
#include "check.h"

namespace faltung::testing {
namespace {

std::vector<double> widen(const std::vector<float>& values) {
  return std::vector<double>(values.begin(), values.end());
}

std::string describe(const ConvGeometry& g) {
  char text[256];
  std::snprintf(text, sizeof text,
                "N=%lld C=%lld OC=%lld in=%lldx%lldx%lld k=%lldx%lldx%lld s=%lldx%lldx%lld "
                "d=%lldx%lldx%lld pad=%d out=%lldx%lldx%lld",
                (long long)g.batch, (long long)g.in_channels, (long long)g.out_channels,
                (long long)g.in[0], (long long)g.in[1], (long long)g.in[2], (long long)g.kernel[0],
                (long long)g.kernel[1], (long long)g.kernel[2], (long long)g.stride[0],
                (long long)g.stride[1], (long long)g.stride[2], (long long)g.dilation[0],
                (long long)g.dilation[1], (long long)g.dilation[2], static_cast<int>(g.padding),
                (long long)g.out[0], (long long)g.out[1], (long long)g.out[2]);
  return text;
}

// A random resolvable geometry with `dims` spatial dims (the leading ones are unit).
ConvGeometry random_geometry(Random& random, int dims) {
  for (;;) {
    ConvGeometry g;
    g.batch = 1 + random.below(3);
    g.in_channels = 1 + random.below(7);
    g.out_channels = 1 + random.below(9);
    g.padding = static_cast<Padding>(random.below(3));
    for (int dim = 3 - dims; dim < 3; ++dim) {
      g.in[dim] = 1 + random.below(dims == 3 ? 6 : 11);
      g.kernel[dim] = 1 + random.below(4);
      g.stride[dim] = 1 + random.below(3);
      g.dilation[dim] = 1 + random.below(2);
      g.pad_before[dim] = random.below(3);
      g.pad_after[dim] = random.below(3);
    }
    if (resolve_geometry(&g) == Status::ok) return g;
  }
}

void check_forward(const ConvGeometry& g, uint64_t seed, bool with_bias, bool relu) {
  Random random(seed);
  const std::vector<float> x = random.vector(g.batch * g.in_pixels() * g.in_channels);
  const std::vector<float> filter = random.vector(g.columns() * g.out_channels);
  const std::vector<float> bias = random.vector(g.out_channels);
  std::vector<float> y(static_cast<size_t>(g.rows() * g.out_channels), 99.0f);
  std::vector<float> expected(y.size());
  const float* bias_data = with_bias ? bias.data() : nullptr;
  expect_true(conv_forward_f32(y.data(), x.data(), filter.data(), bias_data, g, relu) == Status::ok,
              "conv_forward_f32 failed: " + describe(g));
  conv_forward_f32_reference(expected.data(), x.data(), filter.data(), bias_data, g, relu);
  expect_close(y.data(), widen(expected).data(), static_cast<int64_t>(y.size()), 1e-5, 1e-4,
               "forward " + describe(g));
}

void check_backward(const ConvGeometry& g, uint64_t seed) {
  Random random(seed);
  const std::vector<float> x = random.vector(g.batch * g.in_pixels() * g.in_channels);
  const std::vector<float> filter = random.vector(g.columns() * g.out_channels);
  const std::vector<float> dy = random.vector(g.rows() * g.out_channels);
  std::vector<float> dx(x.size(), 99.0f), dx_expected(x.size());
  std::vector<float> dfilter(filter.size(), 99.0f), dfilter_expected(filter.size());
  expect_true(conv_backward_input_f32(dx.data(), dy.data(), filter.data(), g) == Status::ok,
              "conv_backward_input_f32 failed: " + describe(g));
  conv_backward_input_f32_reference(dx_expected.data(), dy.data(), filter.data(), g);
  expect_close(dx.data(), widen(dx_expected).data(), static_cast<int64_t>(dx.size()), 1e-5, 1e-4,
               "backward input " + describe(g));
  expect_true(conv_backward_filter_f32(dfilter.data(), x.data(), dy.data(), g) == Status::ok,
              "conv_backward_filter_f32 failed: " + describe(g));
  conv_backward_filter_f32_reference(dfilter_expected.data(), x.data(), dy.data(), g);
  expect_close(dfilter.data(), widen(dfilter_expected).data(),
               static_cast<int64_t>(dfilter.size()), 1e-4, 1e-4, "backward filter " + describe(g));

  // Filter and bias in one pass: the same dfilter, and dbias = column sums of dy.
  std::vector<float> both_filter(filter.size(), 99.0f), dbias(g.out_channels, 99.0f);
  std::vector<double> dbias_expected(g.out_channels, 0.0);
  for (int64_t row = 0; row < g.rows(); ++row)
    for (int64_t c = 0; c < g.out_channels; ++c) dbias_expected[c] += dy[row * g.out_channels + c];
  expect_true(conv_backward_filter_bias_f32(both_filter.data(), dbias.data(), x.data(), dy.data(), g) ==
                  Status::ok,
              "conv_backward_filter_bias_f32 failed: " + describe(g));
  expect_close(both_filter.data(), widen(dfilter_expected).data(),
               static_cast<int64_t>(both_filter.size()), 1e-4, 1e-4, "backward filter+bias " + describe(g));
  expect_close(dbias.data(), dbias_expected.data(), g.out_channels, 1e-4, 1e-4,
               "backward bias (with filter) " + describe(g));
}

}  // namespace

FALTUNG_TEST(conv_window_output_size_follows_tensorflow) {
  struct Case {
    Padding padding;
    int64_t in, kernel, stride, dilation, before, after, out;
  };
  const Case cases[] = {
      {Padding::same, 5, 3, 2, 1, 1, 1, 3},   {Padding::same, 6, 3, 2, 1, 0, 1, 3},
      {Padding::same, 7, 4, 1, 2, 3, 3, 7},   {Padding::same, 4, 2, 1, 1, 0, 1, 4},
      {Padding::same, 5, 1, 3, 1, 0, 0, 2},   {Padding::same, 1, 5, 1, 1, 2, 2, 1},
      {Padding::valid, 5, 3, 2, 1, 0, 0, 2},  {Padding::valid, 7, 3, 1, 3, 0, 0, 1},
      {Padding::valid, 3, 3, 5, 1, 0, 0, 1},  {Padding::explicit_pads, 4, 3, 2, 1, 2, 1, 3},
  };
  for (const Case& c : cases) {
    int64_t before = c.padding == Padding::explicit_pads ? c.before : -7;
    int64_t after = c.padding == Padding::explicit_pads ? c.after : -7;
    int64_t out = -1;
    const Status status =
        window_output_size(c.padding, c.in, c.kernel, c.stride, c.dilation, &before, &after, &out);
    const std::string label = "in=" + std::to_string(c.in) + " k=" + std::to_string(c.kernel) +
                              " s=" + std::to_string(c.stride) + " d=" + std::to_string(c.dilation);
    expect_true(status == Status::ok, "window_output_size failed for " + label);
    expect_true(before == c.before && after == c.after && out == c.out,
                label + ": got pads " + std::to_string(before) + "/" + std::to_string(after) +
                    " out " + std::to_string(out));
  }
  int64_t before = 0, after = 0, out = 0;
  expect_true(window_output_size(Padding::valid, 2, 3, 1, 1, &before, &after, &out) ==
                  Status::invalid_argument,
              "a window larger than the input must be rejected");
  expect_true(window_output_size(Padding::valid, 0, 1, 1, 1, &before, &after, &out) ==
                  Status::invalid_argument,
              "an empty input extent must be rejected");
  before = -1;
  expect_true(window_output_size(Padding::explicit_pads, 4, 1, 1, 1, &before, &after, &out) ==
                  Status::invalid_argument,
              "a negative pad must be rejected");
}

FALTUNG_TEST(conv_unpack_geometry_names_the_bad_field) {
  int32_t packed[kGeometryFields] = {2, 3, 4, 1, 1, 5, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
  ConvGeometry g;
  expect_true(unpack_geometry(packed, &g) == -1, "a valid packed geometry was rejected");
  expect_true(resolve_geometry(&g) == Status::ok && g.out[1] == 3 && g.out[2] == 3,
              "packed geometry resolved to the wrong output");
  packed[11] = 0;  // stride height
  expect_true(unpack_geometry(packed, &g) == 11, "stride height 0 not reported");
  expect_true(std::string(geometry_field_name(11)) == "stride height", "field 11's name");
  packed[11] = 1;
  packed[3] = 3;  // padding mode
  expect_true(unpack_geometry(packed, &g) == 3, "padding mode 3 not reported");
  packed[3] = 1;
  packed[17] = -1;  // pad before height
  expect_true(unpack_geometry(packed, &g) == 17, "a negative pad not reported");
}

FALTUNG_TEST(conv_col2im_is_the_adjoint_of_im2col) {
  Random random(11);
  for (int trial = 0; trial < 30; ++trial) {
    const ConvGeometry g = random_geometry(random, 1 + trial % 3);
    const std::vector<float> x = random.vector(g.batch * g.in_pixels() * g.in_channels);
    const std::vector<float> dcols = random.vector(g.rows() * g.columns());
    std::vector<float> cols(dcols.size());
    std::vector<float> dx(x.size(), 0.0f);
    // Two row ranges exercise a cursor that starts mid-image.
    const int64_t split = g.rows() / 2;
    im2col_f32(cols.data(), x.data(), g, 0, split);
    im2col_f32(cols.data() + split * g.columns(), x.data(), g, split, g.rows());
    col2im_add_f32(dx.data(), dcols.data(), g, 0, split);
    col2im_add_f32(dx.data(), dcols.data() + split * g.columns(), g, split, g.rows());
    double lhs = 0.0, rhs = 0.0;  // <im2col(x), dcols> == <x, col2im(dcols)>
    for (size_t i = 0; i < cols.size(); ++i) lhs += static_cast<double>(cols[i]) * dcols[i];
    for (size_t i = 0; i < x.size(); ++i) rhs += static_cast<double>(x[i]) * dx[i];
    const double expected[1] = {lhs};
    const float got[1] = {static_cast<float>(rhs)};
    expect_close(got, expected, 1, 1e-4, 1e-5, "adjoint " + describe(g));
  }
}

FALTUNG_TEST(conv_forward_matches_reference) {
  Random random(21);
  for (int trial = 0; trial < 60; ++trial) {
    const ConvGeometry g = random_geometry(random, 1 + trial % 3);
    check_forward(g, 100 + trial, trial % 2 == 0, trial % 3 == 0);
  }
}

FALTUNG_TEST(conv_backward_matches_reference) {
  Random random(31);
  for (int trial = 0; trial < 60; ++trial) {
    check_backward(random_geometry(random, 1 + trial % 3), 200 + trial);
  }
}

FALTUNG_TEST(conv_pointwise_and_multi_chunk_shapes) {
  // Pointwise (no im2col), strided 1x1 (im2col), and shapes with several chunks both for small K
  // (4096-row chunks) and large K (256-row chunks, several filter-gradient groups), and a kernel
  // with more tap rows than im2col's line path takes.
  ConvGeometry pointwise;
  pointwise.batch = 3, pointwise.in_channels = 5, pointwise.out_channels = 7;
  pointwise.in[1] = 9, pointwise.in[2] = 11;
  ConvGeometry strided = pointwise;
  strided.stride[1] = 2, strided.stride[2] = 3;
  ConvGeometry small_k;
  small_k.batch = 3, small_k.in_channels = 1, small_k.out_channels = 4;
  small_k.in[1] = 42, small_k.in[2] = 42, small_k.kernel[1] = 3, small_k.kernel[2] = 3;
  ConvGeometry large_k;
  large_k.batch = 2, large_k.in_channels = 40, large_k.out_channels = 3;
  large_k.padding = Padding::same;
  large_k.in[1] = 23, large_k.in[2] = 21, large_k.kernel[1] = 3, large_k.kernel[2] = 3;
  ConvGeometry wide;  // 9x9 taps: more tap rows than the line path resolves, so the row path runs
  wide.batch = 2, wide.in_channels = 2, wide.out_channels = 3, wide.padding = Padding::same;
  wide.in[1] = 12, wide.in[2] = 10, wide.kernel[1] = 9, wide.kernel[2] = 9, wide.stride[1] = 2;
  ConvGeometry* shapes[] = {&pointwise, &strided, &small_k, &large_k, &wide};
  uint64_t seed = 300;
  for (ConvGeometry* g : shapes) {
    expect_true(resolve_geometry(g) == Status::ok, "resolve " + describe(*g));
    expect_true(g != &pointwise || g->is_pointwise(), "pointwise geometry not detected");
    check_forward(*g, seed++, true, true);
    check_backward(*g, seed++);
  }
}

FALTUNG_TEST(conv_direct_kernel_shapes) {
  // C <= 4, OC >= 16: the shapes the AVX-512 direct kernels take (other ISAs run the im2col route
  // on them) -- forward with any stride, input gradient with stride 1 -- with OC groups and tails,
  // dilations, pads, 1D/2D/3D and widths below, at and above their pixel blocks.
  Random random(45);
  const int64_t out_channels[] = {16, 17, 32, 33, 64, 80, 130};
  for (int trial = 0; trial < 42; ++trial) {
    ConvGeometry g;
    g.batch = 1 + random.below(2);
    g.in_channels = 1 + trial % 4;
    g.out_channels = out_channels[trial % 7];
    g.padding = static_cast<Padding>(random.below(3));
    const int dims = 1 + trial % 3;
    for (int dim = 3 - dims; dim < 3; ++dim) {
      g.in[dim] = 1 + random.below(dims == 3 ? 5 : dims == 2 ? 24 : 60);
      g.kernel[dim] = 1 + random.below(3);
      g.dilation[dim] = 1 + random.below(2);
      g.pad_before[dim] = random.below(3);
      g.pad_after[dim] = random.below(3);
      g.stride[dim] = trial % 2 == 0 ? 1 : 1 + random.below(3);
    }
    if (resolve_geometry(&g) != Status::ok) continue;
    check_forward(g, 600 + trial, trial % 3 != 0, trial % 2 == 0);
    check_backward(g, 700 + trial);
  }
}

FALTUNG_TEST(conv_one_channel_filter_gradient_tap_counts) {
  // C = 1: the filter gradient's register-blocked kernel for 3, 5, 9, 25 and 27 taps (1D k3/k5,
  // 2D 3x3/5x5, 3D 3x3x3), with channel blocks and tails, strides, dilations and every padding,
  // so that interior pixels, border pixels and whole border lines all occur.
  Random random(47);
  const int64_t kernels[][3] = {{1, 1, 3}, {1, 1, 5}, {1, 3, 3}, {1, 5, 5}, {3, 3, 3}, {1, 9, 1}};
  const int64_t out_channels[] = {16, 17, 32, 33, 48, 64, 80};
  for (int trial = 0; trial < 36; ++trial) {
    ConvGeometry g;
    g.batch = 1 + random.below(3);
    g.in_channels = 1;
    g.out_channels = out_channels[trial % 7];
    g.padding = static_cast<Padding>(trial % 3);
    const int64_t* kernel = kernels[trial % 6];
    for (int dim = 0; dim < 3; ++dim) {
      g.kernel[dim] = kernel[dim];
      g.in[dim] = kernel[dim] == 1 ? 1 : 1 + random.below(dim == 0 ? 6 : 30);
      if (kernel[dim] == 1) continue;
      g.dilation[dim] = 1 + random.below(2);
      g.stride[dim] = 1 + random.below(2);
      g.pad_before[dim] = random.below(3);
      g.pad_after[dim] = random.below(3);
    }
    if (resolve_geometry(&g) != Status::ok) continue;
    check_backward(g, 800 + trial);
  }
}

FALTUNG_TEST(conv_one_channel_width3_input_gradient) {
  // C = 1, width kernel 3, width dilation 1, OC a multiple of 16 up to 64, W >= 16: the input
  // gradient's 16-pixel blocks (edge blocks checked, the last block overlapping the one before),
  // with every padding, height and depth kernels, and height dilations.
  Random random(49);
  const int64_t widths[] = {16, 17, 28, 31, 40, 47};
  for (int trial = 0; trial < 36; ++trial) {
    ConvGeometry g;
    g.batch = 1 + random.below(2);
    g.in_channels = 1;
    g.out_channels = 16 * (1 + trial % 4);
    g.padding = static_cast<Padding>(trial % 3);
    const bool volume = trial % 5 == 4;
    g.in[0] = volume ? 1 + random.below(4) : 1;
    g.kernel[0] = volume ? 1 + random.below(3) : 1;
    g.in[1] = 1 + random.below(9);
    g.kernel[1] = 1 + random.below(3);
    g.dilation[1] = 1 + random.below(2);
    g.in[2] = widths[trial % 6];
    g.kernel[2] = 3;
    for (int dim = 0; dim < 3; ++dim) {
      g.pad_before[dim] = random.below(3);
      g.pad_after[dim] = random.below(3);
    }
    if (resolve_geometry(&g) != Status::ok) continue;
    check_backward(g, 900 + trial);
  }
}

FALTUNG_TEST(conv_results_do_not_depend_on_thread_count) {
  // An im2col-route shape (C = 24) and a direct-route shape (C = 3, OC = 32, stride 1).
  ConvGeometry wide;
  wide.batch = 4, wide.in_channels = 24, wide.out_channels = 16, wide.padding = Padding::same;
  wide.in[1] = 19, wide.in[2] = 17, wide.kernel[1] = 3, wide.kernel[2] = 3, wide.stride[2] = 2;
  ConvGeometry narrow;
  narrow.batch = 3, narrow.in_channels = 3, narrow.out_channels = 32, narrow.padding = Padding::same;
  narrow.in[1] = 21, narrow.in[2] = 23, narrow.kernel[1] = 3, narrow.kernel[2] = 3;
  for (ConvGeometry* g : {&wide, &narrow}) {
    expect_true(resolve_geometry(g) == Status::ok, "resolve");
    Random random(41);
    const std::vector<float> x = random.vector(g->batch * g->in_pixels() * g->in_channels);
    const std::vector<float> filter = random.vector(g->columns() * g->out_channels);
    const std::vector<float> dy = random.vector(g->rows() * g->out_channels);
    const int saved = num_threads();
    std::vector<float> results[2][3];
    for (int variant = 0; variant < 2; ++variant) {
      set_num_threads(variant == 0 ? 1 : 2);
      auto& r = results[variant];
      r[0].resize(dy.size());
      r[1].resize(x.size());
      r[2].resize(filter.size());
      conv_forward_f32(r[0].data(), x.data(), filter.data(), nullptr, *g, false);
      conv_backward_input_f32(r[1].data(), dy.data(), filter.data(), *g);
      conv_backward_filter_f32(r[2].data(), x.data(), dy.data(), *g);
    }
    set_num_threads(saved);
    const char* names[3] = {"forward", "backward input", "backward filter"};
    for (int which = 0; which < 3; ++which) {
      expect_true(std::memcmp(results[0][which].data(), results[1][which].data(),
                              results[0][which].size() * sizeof(float)) == 0,
                  std::string(names[which]) + " differs between 1 and 2 threads: " + describe(*g));
    }
  }
}

FALTUNG_TEST(conv_backward_bias_sums_columns) {
  Random random(51);
  for (int64_t rows : {0, 1, 511, 512, 513, 2000}) {
    const int64_t channels = 1 + random.below(20);
    const std::vector<float> dy = random.vector(rows * channels);
    std::vector<float> dbias(static_cast<size_t>(channels), 99.0f);
    std::vector<double> expected(static_cast<size_t>(channels), 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < channels; ++c) expected[c] += dy[r * channels + c];
    expect_true(conv_backward_bias_f32(dbias.data(), dy.data(), rows, channels) == Status::ok,
                "conv_backward_bias_f32 failed");
    expect_close(dbias.data(), expected.data(), channels, 1e-4, 1e-5,
                 "bias gradient rows=" + std::to_string(rows));
  }
}

FALTUNG_TEST(conv_kernels_reject_inconsistent_geometry) {
  ConvGeometry g;
  g.in[2] = 5, g.kernel[2] = 3;
  expect_true(resolve_geometry(&g) == Status::ok, "resolve");
  g.out[2] = 4;  // not what the pads give
  float buffer[64] = {};
  expect_true(conv_forward_f32(buffer, buffer, buffer, nullptr, g, false) == Status::invalid_argument,
              "forward accepted an inconsistent output extent");
  expect_true(conv_backward_input_f32(buffer, buffer, buffer, g) == Status::invalid_argument,
              "backward input accepted an inconsistent output extent");
  expect_true(conv_backward_filter_f32(buffer, buffer, buffer, g) == Status::invalid_argument,
              "backward filter accepted an inconsistent output extent");
  expect_true(conv_backward_bias_f32(buffer, buffer, -1, 3) == Status::invalid_argument,
              "bias gradient accepted negative rows");
}

}  // namespace faltung::testing
