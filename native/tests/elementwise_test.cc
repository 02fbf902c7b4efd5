// Native tests of the elementwise and training kernels (activations, softmax, losses, optimizers,
// batch normalization, dropout) against double-precision loops written here, on every ISA main.cc
// selects. Also the exp ulp sweep and the Philox4x32-10 known-answer vectors.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "../kernels/activation.h"
#include "../kernels/batchnorm.h"
#include "../kernels/dropout.h"
#include "../kernels/loss.h"
#include "../kernels/optimizer.h"
#include "../runtime/isa.h"
#include "../runtime/thread_pool.h"
#include "check.h"

namespace faltung::testing {
namespace {

std::string where(const char* what, int64_t size) {
  return std::string(what) + " [" + isa_name(active_isa()) + ", " + std::to_string(num_threads()) +
         " threads, size " + std::to_string(size) + "]";
}

// Distance in units in the last place of float at `reference` (0 when both are the same value).
double ulp_error(float actual, double reference) {
  if (std::isnan(reference)) return std::isnan(actual) ? 0.0 : 1e30;
  if (std::isinf(reference)) return actual == reference ? 0.0 : 1e30;
  const float rounded = static_cast<float>(reference);
  const double spacing =
      std::fabs(static_cast<double>(std::nextafter(std::fabs(rounded), std::numeric_limits<float>::infinity())) -
                std::fabs(static_cast<double>(rounded)));
  const double floor_spacing = std::ldexp(1.0, -149);  // denormal spacing
  return std::fabs(static_cast<double>(actual) - reference) / std::fmax(spacing, floor_spacing);
}

double activation_reference(Activation kind, double alpha, double x) {
  switch (kind) {
    case Activation::linear: return x;
    case Activation::relu: return x < 0 ? 0 : x;
    case Activation::leaky_relu: return x < 0 ? alpha * x : x;
    case Activation::elu: return x < 0 ? alpha * std::expm1(x) : x;
    case Activation::sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case Activation::tanh: return std::tanh(x);
  }
  return 0;
}

double activation_gradient_reference(Activation kind, double alpha, double dy, double y) {
  switch (kind) {
    case Activation::linear: return dy;
    case Activation::relu: return y > 0 ? dy : 0;
    case Activation::leaky_relu: return y > 0 ? dy : alpha * dy;
    case Activation::elu: return y > 0 ? dy : (y + alpha) * dy;
    case Activation::sigmoid: return dy * y * (1 - y);
    case Activation::tanh: return dy * (1 - y * y);
  }
  return 0;
}

const Activation kAllActivations[] = {Activation::linear,  Activation::relu,    Activation::leaky_relu,
                                      Activation::elu,     Activation::sigmoid, Activation::tanh};

// ---------------------------------------------------------------------------------------------
FALTUNG_TEST(exp_is_within_two_ulp_everywhere) {
  // Every 97th float bit pattern between -104 and 89: about 20 million inputs, all exponents.
  std::vector<float> inputs;
  for (uint32_t bits = 0; bits < 0x42B20000u; bits += 97) {  // 0 .. 89.0
    float value;
    std::memcpy(&value, &bits, sizeof value);
    inputs.push_back(value);
    if (value < 104.0f) inputs.push_back(-value);
  }
  std::vector<float> outputs(inputs.size());
  exp_f32(outputs.data(), inputs.data(), static_cast<int64_t>(inputs.size()));
  double worst = 0;
  float worst_input = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const double reference = std::exp(static_cast<double>(inputs[i]));
    if (reference > std::numeric_limits<float>::max()) {
      expect_true(std::isinf(outputs[i]) && outputs[i] > 0, where("exp overflows to +inf", 1));
      continue;
    }
    const double error = ulp_error(outputs[i], reference);
    if (error > worst) {
      worst = error;
      worst_input = inputs[i];
    }
  }
  // The scalar path is libm; the vector paths must stay within 2 ulp (denormal results included).
  if (!(worst <= 2.0)) {
    record_failure(where("exp", static_cast<int64_t>(inputs.size())) + ": worst error " + std::to_string(worst) +
                   " ulp at x = " + std::to_string(worst_input));
  }
  const float specials[] = {-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(), -1e4f, 1e4f, 0.0f, -0.0f};
  float results[7];
  exp_f32(results, specials, 7);
  expect_true(results[0] == 0.0f, where("exp(-inf) == 0", 7));
  expect_true(std::isinf(results[1]), where("exp(inf) == inf", 7));
  expect_true(std::isnan(results[2]), where("exp(NaN) is NaN", 7));
  expect_true(results[3] == 0.0f, where("exp(-1e4) == 0", 7));
  expect_true(std::isinf(results[4]), where("exp(1e4) == inf", 7));
  expect_true(results[5] == 1.0f && results[6] == 1.0f, where("exp(+-0) == 1", 7));
}

FALTUNG_TEST(activations_are_accurate_over_a_sweep) {
  // Within a few ulp of the double result wherever that result is a normal float; where the
  // result is tiny (sigmoid far left) the absolute error must stay below the smallest normal.
  const int64_t count = 200001;
  std::vector<float> x(count), y(count);
  for (int64_t i = 0; i < count; ++i) x[i] = -60.0f + 120.0f * static_cast<float>(i) / (count - 1);
  for (Activation kind : {Activation::elu, Activation::sigmoid, Activation::tanh}) {
    expect_true(activation_forward_f32(kind, 1.0f, y.data(), x.data(), count) == Status::ok, "status");
    double worst = 0;
    int64_t worst_index = 0;
    for (int64_t i = 0; i < count; ++i) {
      const double reference = activation_reference(kind, 1.0, x[i]);
      if (std::fabs(reference) < std::numeric_limits<float>::min()) {
        expect_true(std::fabs(y[i] - reference) < std::numeric_limits<float>::min(), where("tiny result", count));
        continue;
      }
      const double error = ulp_error(y[i], reference);
      if (error > worst) {
        worst = error;
        worst_index = i;
      }
    }
    if (!(worst <= 4.0)) {
      record_failure(where("activation sweep", count) + ": kind " + std::to_string(static_cast<int>(kind)) +
                     " worst " + std::to_string(worst) + " ulp at x = " + std::to_string(x[worst_index]));
    }
  }
  // Near zero, where exp(x) - 1 would cancel: elu and tanh keep their relative accuracy.
  std::vector<float> small(1000), small_out(1000);
  for (int i = 0; i < 1000; ++i) small[i] = -std::ldexp(1.0f, -(i % 40)) * (1.0f + i * 1e-3f);
  for (Activation kind : {Activation::elu, Activation::tanh}) {
    activation_forward_f32(kind, 1.0f, small_out.data(), small.data(), 1000);
    for (int i = 0; i < 1000; ++i) {
      const double error = ulp_error(small_out[i], activation_reference(kind, 1.0, small[i]));
      if (!(error <= 4.0)) {
        record_failure(where("small |x|", 1000) + ": kind " + std::to_string(static_cast<int>(kind)) + " x = " +
                       std::to_string(small[i]) + " error " + std::to_string(error) + " ulp");
        break;
      }
    }
  }
}

FALTUNG_TEST(activations_forward_backward_all_sizes_in_place) {
  Random random(11);
  std::vector<int64_t> sizes;
  for (int64_t n = 0; n <= 70; ++n) sizes.push_back(n);
  sizes.push_back(70000);  // several parallel chunks with a ragged last one
  for (int64_t n : sizes) {
    for (Activation kind : kAllActivations) {
      const float alpha = kind == Activation::elu ? 1.3f : 0.2f;
      std::vector<float> x = random.vector(n);
      for (float& value : x) value *= 6.0f;
      std::vector<double> expected_y(n), expected_dx(n);
      std::vector<float> y(n), dy = random.vector(n), dx(n);
      for (int64_t i = 0; i < n; ++i) expected_y[i] = activation_reference(kind, alpha, x[i]);
      expect_true(activation_forward_f32(kind, alpha, y.data(), x.data(), n) == Status::ok, "forward status");
      expect_close(y.data(), expected_y.data(), n, 1e-6, 1e-6, where("forward", n));
      for (int64_t i = 0; i < n; ++i) expected_dx[i] = activation_gradient_reference(kind, alpha, dy[i], y[i]);
      expect_true(activation_backward_f32(kind, alpha, dx.data(), dy.data(), y.data(), n) == Status::ok, "status");
      expect_close(dx.data(), expected_dx.data(), n, 1e-6, 1e-6, where("backward", n));
      // In place: out == in, dx == dy.
      std::vector<float> inplace = x;
      activation_forward_f32(kind, alpha, inplace.data(), inplace.data(), n);
      expect_close(inplace.data(), expected_y.data(), n, 1e-6, 1e-6, where("forward in place", n));
      activation_backward_f32(kind, alpha, dy.data(), dy.data(), y.data(), n);
      expect_close(dy.data(), expected_dx.data(), n, 1e-6, 1e-6, where("backward in place", n));
    }
  }
}

FALTUNG_TEST(activations_propagate_nan_and_reject_bad_arguments) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  for (Activation kind : kAllActivations) {
    float in[3] = {nan, nan, nan}, out[3];
    activation_forward_f32(kind, 0.5f, out, in, 3);
    expect_true(std::isnan(out[0]) && std::isnan(out[2]), where("NaN in, NaN out", 3));
  }
  float buffer[4] = {0, 0, 0, 0};
  expect_true(activation_forward_f32(Activation::leaky_relu, -0.1f, buffer, buffer, 4) == Status::invalid_argument,
              "alpha < 0 rejected");
  expect_true(activation_forward_f32(Activation::elu, nan, buffer, buffer, 4) == Status::invalid_argument,
              "alpha NaN rejected");
  expect_true(activation_forward_f32(static_cast<Activation>(9), 0.0f, buffer, buffer, 4) ==
                  Status::invalid_argument,
              "unknown kind rejected");
  expect_true(activation_forward_f32(Activation::relu, 0.0f, nullptr, buffer, 4) == Status::invalid_argument,
              "null output rejected");
  expect_true(softmax_forward_f32(buffer, buffer, 2, 0) == Status::invalid_argument, "zero classes rejected");
}

FALTUNG_TEST(softmax_matches_double_and_survives_huge_logits) {
  Random random(5);
  const int64_t shapes[][2] = {{1, 1}, {3, 2}, {4, 7}, {5, 15}, {2, 16}, {3, 17}, {2, 33}, {7, 64}, {3, 1000},
                               {300, 10}, {2000, 9}};
  for (const auto& shape : shapes) {
    const int64_t rows = shape[0], classes = shape[1], n = rows * classes;
    std::vector<float> x = random.vector(n), y(n), dy = random.vector(n), dx(n);
    for (int64_t i = 0; i < n; ++i) x[i] = x[i] * 20.0f + (i % 3 == 0 ? 1e4f : -1e4f) * (i % 5 == 0);
    std::vector<double> expected(n), expected_dx(n);
    for (int64_t r = 0; r < rows; ++r) {
      double max = -INFINITY, sum = 0, dot = 0;
      for (int64_t j = 0; j < classes; ++j) max = std::fmax(max, x[r * classes + j]);
      for (int64_t j = 0; j < classes; ++j) sum += std::exp(x[r * classes + j] - max);
      for (int64_t j = 0; j < classes; ++j) expected[r * classes + j] = std::exp(x[r * classes + j] - max) / sum;
      for (int64_t j = 0; j < classes; ++j) dot += dy[r * classes + j] * expected[r * classes + j];
      for (int64_t j = 0; j < classes; ++j) {
        expected_dx[r * classes + j] = expected[r * classes + j] * (dy[r * classes + j] - dot);
      }
    }
    expect_true(softmax_forward_f32(y.data(), x.data(), rows, classes) == Status::ok, "softmax status");
    expect_close(y.data(), expected.data(), n, 1e-7, 1e-5, where("softmax", n));
    // Backward from the float output, against the double formula on the double output.
    expect_true(softmax_backward_f32(dx.data(), dy.data(), y.data(), rows, classes) == Status::ok, "status");
    expect_close(dx.data(), expected_dx.data(), n, 1e-6, 1e-4, where("softmax backward", n));
    // In place.
    softmax_forward_f32(x.data(), x.data(), rows, classes);
    expect_close(x.data(), expected.data(), n, 1e-7, 1e-5, where("softmax in place", n));
  }
}

// ---------------------------------------------------------------------------------------------
FALTUNG_TEST(softmax_cross_entropy_matches_double_and_is_finite_for_huge_logits) {
  Random random(21);
  const int64_t shapes[][2] = {{1, 1}, {1, 5}, {3, 16}, {7, 17}, {64, 10}, {5, 1000}, {3000, 3}};
  for (const auto& shape : shapes) {
    const int64_t rows = shape[0], classes = shape[1], n = rows * classes;
    std::vector<float> logits = random.vector(n), labels(n), dlogits(n);
    std::vector<int32_t> sparse(rows);
    for (int64_t i = 0; i < n; ++i) logits[i] *= (i % 7 == 0) ? 1e4f : 5.0f;
    for (int64_t r = 0; r < rows; ++r) {
      sparse[r] = static_cast<int32_t>(random.below(classes));
      double total = 0;
      for (int64_t j = 0; j < classes; ++j) total += labels[r * classes + j] = random.uniform() + 1.0f;
      for (int64_t j = 0; j < classes; ++j) labels[r * classes + j] = static_cast<float>(labels[r * classes + j] / total);
    }
    double expected_loss = 0, expected_sparse_loss = 0;
    std::vector<double> expected_grad(n), expected_sparse_grad(n);
    for (int64_t r = 0; r < rows; ++r) {
      const float* x = logits.data() + r * classes;
      double max = -INFINITY, sum = 0, label_sum = 0;
      for (int64_t j = 0; j < classes; ++j) max = std::fmax(max, x[j]);
      for (int64_t j = 0; j < classes; ++j) sum += std::exp(x[j] - max);
      for (int64_t j = 0; j < classes; ++j) label_sum += labels[r * classes + j];
      const double lse = max + std::log(sum);
      for (int64_t j = 0; j < classes; ++j) {
        const double p = std::exp(x[j] - max) / sum;
        expected_loss += labels[r * classes + j] * (lse - x[j]);
        expected_grad[r * classes + j] = (p * label_sum - labels[r * classes + j]) / rows;
        expected_sparse_grad[r * classes + j] = (p - (j == sparse[r] ? 1.0 : 0.0)) / rows;
      }
      expected_sparse_loss += lse - x[sparse[r]];
    }
    expected_loss /= rows;
    expected_sparse_loss /= rows;
    float loss = -1;
    expect_true(softmax_cross_entropy_f32(&loss, dlogits.data(), labels.data(), logits.data(), rows, classes) ==
                    Status::ok,
                "status");
    const double loss_ref[1] = {expected_loss};
    expect_close(&loss, loss_ref, 1, 1e-5, 1e-5, where("softmax CE loss", n));
    expect_close(dlogits.data(), expected_grad.data(), n, 1e-7, 1e-4, where("softmax CE gradient", n));
    expect_true(std::isfinite(loss), where("softmax CE finite", n));
    // In place: dlogits aliases logits.
    std::vector<float> inplace = logits;
    softmax_cross_entropy_f32(&loss, inplace.data(), labels.data(), inplace.data(), rows, classes);
    expect_close(&loss, loss_ref, 1, 1e-5, 1e-5, where("softmax CE loss in place", n));
    expect_close(inplace.data(), expected_grad.data(), n, 1e-7, 1e-4, where("softmax CE gradient in place", n));

    expect_true(sparse_softmax_cross_entropy_f32(&loss, dlogits.data(), sparse.data(), logits.data(), rows,
                                                 classes) == Status::ok,
                "status");
    const double sparse_ref[1] = {expected_sparse_loss};
    expect_close(&loss, sparse_ref, 1, 1e-5, 1e-5, where("sparse CE loss", n));
    expect_close(dlogits.data(), expected_sparse_grad.data(), n, 1e-7, 1e-4, where("sparse CE gradient", n));
  }
  // Out-of-range labels are refused before anything is written.
  float logits[4] = {1, 2, 3, 4}, dlogits[4] = {7, 7, 7, 7}, loss = 7;
  const int32_t bad[2] = {0, 2};
  expect_true(sparse_softmax_cross_entropy_f32(&loss, dlogits, bad, logits, 2, 2) == Status::invalid_argument,
              "label out of range rejected");
  const int32_t negative[2] = {-1, 0};
  expect_true(sparse_softmax_cross_entropy_f32(&loss, dlogits, negative, logits, 2, 2) == Status::invalid_argument,
              "negative label rejected");
  expect_true(dlogits[0] == 7 && loss == 7, "nothing written on rejection");
}

FALTUNG_TEST(elementwise_losses_match_double) {
  Random random(31);
  for (int64_t n : {1, 2, 15, 16, 17, 63, 100, 20000}) {
    std::vector<float> t(n), p(n), logits(n), grad(n);
    for (int64_t i = 0; i < n; ++i) {
      t[i] = (random.uniform() + 1.0f) * 0.5f;
      p[i] = (random.uniform() + 1.0f) * 0.5f;
      logits[i] = random.uniform() * 30.0f;
    }
    p[0] = 1e-9f;  // clipped: no gradient
    double mse = 0, bce = 0, sce = 0;
    std::vector<double> mse_grad(n), bce_grad(n), sce_grad(n);
    const double eps = 1e-7, high = static_cast<double>(1.0f - 1e-7f);
    for (int64_t i = 0; i < n; ++i) {
      mse += (p[i] - double(t[i])) * (p[i] - double(t[i]));
      mse_grad[i] = 2.0 * (p[i] - double(t[i])) / n;
      const double q = std::fmin(std::fmax(p[i], static_cast<double>(1e-7f)), high);
      bce -= t[i] * std::log(q) + (1 - t[i]) * std::log(1 - q);
      bce_grad[i] = (p[i] >= 1e-7f && p[i] <= high) ? (q - t[i]) / (q * (1 - q)) / n : 0.0;
      const double x = logits[i];
      sce += std::fmax(x, 0) - x * t[i] + std::log1p(std::exp(-std::fabs(x)));
      sce_grad[i] = (1 / (1 + std::exp(-x)) - t[i]) / n;
    }
    (void)eps;
    float loss;
    const double mse_ref[1] = {mse / n}, bce_ref[1] = {bce / n}, sce_ref[1] = {sce / n};
    expect_true(mean_squared_error_f32(&loss, grad.data(), t.data(), p.data(), n) == Status::ok, "status");
    expect_close(&loss, mse_ref, 1, 1e-7, 1e-5, where("MSE loss", n));
    expect_close(grad.data(), mse_grad.data(), n, 1e-9, 1e-5, where("MSE gradient", n));
    expect_true(binary_cross_entropy_f32(&loss, grad.data(), t.data(), p.data(), n, 1e-7f) == Status::ok, "status");
    expect_close(&loss, bce_ref, 1, 1e-6, 1e-5, where("BCE loss", n));
    expect_close(grad.data(), bce_grad.data(), n, 1e-9, 1e-5, where("BCE gradient", n));
    expect_true(sigmoid_cross_entropy_f32(&loss, grad.data(), t.data(), logits.data(), n) == Status::ok, "status");
    expect_close(&loss, sce_ref, 1, 1e-6, 1e-5, where("sigmoid CE loss", n));
    expect_close(grad.data(), sce_grad.data(), n, 1e-9, 1e-5, where("sigmoid CE gradient", n));
  }
}

// Keras' update rules in double, step by step, as the reference for the fused kernels.
struct AdamReference {
  std::vector<double> w, m, v, v_max;
  void step(const std::vector<float>& g, double lr, double b1, double b2, double eps, int t, double wd, bool ams) {
    const double alpha = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    for (size_t i = 0; i < w.size(); ++i) {
      w[i] -= w[i] * wd * lr;
      m[i] += (g[i] - m[i]) * (1 - b1);
      v[i] += (double(g[i]) * g[i] - v[i]) * (1 - b2);
      double denominator = v[i];
      if (ams) denominator = v_max[i] = std::fmax(v_max[i], v[i]);
      w[i] -= alpha * m[i] / (std::sqrt(denominator) + eps);
    }
  }
};

FALTUNG_TEST(optimizers_track_double_references_over_steps) {
  Random random(41);
  for (int64_t n : {1, 3, 16, 17, 40000}) {
    std::vector<float> w = random.vector(n), m(n, 0.0f), v(n, 0.0f), v_max(n, 0.0f);
    std::vector<float> w_sgd = w, w_mom = w, velocity(n, 0.0f), w_nes = w, velocity_nes(n, 0.0f);
    std::vector<float> w_rms = w, ms(n, 0.0f), mom(n, 0.0f), mg(n, 0.0f);
    AdamReference adam{std::vector<double>(w.begin(), w.end()), std::vector<double>(n, 0.0),
                       std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
    std::vector<double> sgd(w.begin(), w.end()), mom_w(w.begin(), w.end()), mom_v(n, 0.0);
    std::vector<double> nes_w(w.begin(), w.end()), nes_v(n, 0.0);
    std::vector<double> rms_w(w.begin(), w.end()), rms_s(n, 0.0), rms_u(n, 0.0), rms_a(n, 0.0);
    for (int t = 1; t <= 5; ++t) {
      std::vector<float> g = random.vector(n);
      expect_true(sgd_update_f32(w_sgd.data(), g.data(), n, 0.1) == Status::ok, "status");
      expect_true(momentum_update_f32(w_mom.data(), velocity.data(), g.data(), n, 0.1, 0.9, false) == Status::ok,
                  "status");
      expect_true(momentum_update_f32(w_nes.data(), velocity_nes.data(), g.data(), n, 0.1, 0.9, true) ==
                      Status::ok,
                  "status");
      expect_true(adam_update_f32(w.data(), m.data(), v.data(), v_max.data(), g.data(), n, 0.01, 0.9, 0.999,
                                  1e-7, t, 0.004) == Status::ok,
                  "status");
      expect_true(rmsprop_update_f32(w_rms.data(), ms.data(), mom.data(), mg.data(), g.data(), n, 0.01, 0.9, 0.5,
                                     1e-7) == Status::ok,
                  "status");
      for (int64_t i = 0; i < n; ++i) {
        sgd[i] -= 0.1 * g[i];
        mom_v[i] = 0.9 * mom_v[i] - 0.1 * g[i];
        mom_w[i] += mom_v[i];
        nes_v[i] = 0.9 * nes_v[i] - 0.1 * g[i];
        nes_w[i] += 0.9 * nes_v[i] - 0.1 * g[i];
        rms_s[i] = 0.9 * rms_s[i] + 0.1 * double(g[i]) * g[i];
        rms_a[i] = 0.9 * rms_a[i] + 0.1 * g[i];
        const double increment = 0.01 * g[i] / std::sqrt(rms_s[i] - rms_a[i] * rms_a[i] + 1e-7);
        rms_u[i] = 0.5 * rms_u[i] + increment;
        rms_w[i] -= rms_u[i];
      }
      adam.step(g, 0.01, 0.9, 0.999, 1e-7, t, 0.004, true);
    }
    expect_close(w_sgd.data(), sgd.data(), n, 1e-6, 1e-5, where("SGD", n));
    expect_close(w_mom.data(), mom_w.data(), n, 1e-6, 1e-5, where("momentum", n));
    expect_close(w_nes.data(), nes_w.data(), n, 1e-6, 1e-5, where("Nesterov", n));
    expect_close(w.data(), adam.w.data(), n, 1e-5, 1e-4, where("AdamW + AMSGrad", n));
    // Centered RMSprop divides by sqrt(s - a^2 + eps), which can be tiny: compare loosely.
    expect_close(w_rms.data(), rms_w.data(), n, 1e-4, 1e-3, where("RMSprop centered + momentum", n));
  }
}

FALTUNG_TEST(gradient_clipping_follows_keras) {
  std::vector<float> g = {3.0f, -4.0f, 0.5f};  // norm sqrt(25.25)
  std::vector<float> w(3, 0.0f);
  GradientClip by_norm;
  by_norm.clip_norm = 1.0;
  expect_true(sgd_update_f32(w.data(), g.data(), 3, 1.0, by_norm) == Status::ok, "status");
  const double norm = std::sqrt(25.25);
  const double expected[3] = {-3.0 / norm, 4.0 / norm, -0.5 / norm};
  expect_close(w.data(), expected, 3, 1e-7, 1e-6, "clip by norm");
  std::fill(w.begin(), w.end(), 0.0f);
  GradientClip by_value;
  by_value.clip_value = 1.0;
  sgd_update_f32(w.data(), g.data(), 3, 1.0, by_value);
  const double clipped[3] = {-1.0, 1.0, -0.5};
  expect_close(w.data(), clipped, 3, 0, 0, "clip by value");
  GradientClip large;
  large.clip_norm = 100.0;  // larger than the norm: no change
  std::fill(w.begin(), w.end(), 0.0f);
  sgd_update_f32(w.data(), g.data(), 3, 1.0, large);
  const double unchanged[3] = {-3.0, 4.0, -0.5};
  expect_close(w.data(), unchanged, 3, 0, 0, "clip norm above the norm");
}

FALTUNG_TEST(batchnorm_matches_double) {
  Random random(51);
  const int64_t shapes[][2] = {{1, 1}, {2, 3}, {5, 16}, {7, 17}, {33, 1}, {4, 257}, {300, 64}, {20000, 3}};
  for (const auto& shape : shapes) {
    const int64_t rows = shape[0], channels = shape[1], n = rows * channels;
    std::vector<float> x = random.vector(n), gamma = random.vector(channels), beta = random.vector(channels);
    for (int64_t i = 0; i < n; ++i) x[i] = x[i] * 3.0f + 10.0f * static_cast<float>(i % channels);
    std::vector<float> y(n), mean(channels), inv_std(channels), moving_mean = random.vector(channels),
                                                                   moving_var(channels, 1.0f);
    std::vector<double> mu(channels, 0.0), var(channels, 0.0), expected_y(n), expected_mm(channels),
        expected_mv(channels), expected_inv(channels);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < channels; ++c) mu[c] += x[r * channels + c];
    }
    for (int64_t c = 0; c < channels; ++c) mu[c] /= rows;
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < channels; ++c) var[c] += std::pow(x[r * channels + c] - mu[c], 2);
    }
    for (int64_t c = 0; c < channels; ++c) {
      var[c] /= rows;
      expected_inv[c] = 1 / std::sqrt(var[c] + 1e-3);
      expected_mm[c] = moving_mean[c] * 0.99 + mu[c] * 0.01;
      expected_mv[c] = 1.0 * 0.99 + var[c] * 0.01;
    }
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < channels; ++c) {
        expected_y[r * channels + c] = gamma[c] * (x[r * channels + c] - mu[c]) * expected_inv[c] + beta[c];
      }
    }
    expect_true(batchnorm_training_forward_f32(y.data(), mean.data(), inv_std.data(), moving_mean.data(),
                                               moving_var.data(), x.data(), gamma.data(), beta.data(), rows, channels,
                                               0.99, 1e-3) == Status::ok,
                "status");
    expect_close(y.data(), expected_y.data(), n, 1e-4, 1e-4, where("batchnorm y", n));
    expect_close(mean.data(), mu.data(), channels, 1e-5, 1e-6, where("batchnorm mean", n));
    expect_close(inv_std.data(), expected_inv.data(), channels, 1e-5, 1e-6, where("batchnorm inv_std", n));
    expect_close(moving_mean.data(), expected_mm.data(), channels, 1e-6, 1e-6, where("moving mean", n));
    expect_close(moving_var.data(), expected_mv.data(), channels, 1e-6, 1e-6, where("moving variance", n));

    // Backward.
    std::vector<float> dy = random.vector(n), dx(n), dgamma(channels), dbeta(channels);
    std::vector<double> sum_dy(channels, 0.0), sum_dy_xhat(channels, 0.0), expected_dx(n);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < channels; ++c) {
        const double xhat = (x[r * channels + c] - mu[c]) * expected_inv[c];
        sum_dy[c] += dy[r * channels + c];
        sum_dy_xhat[c] += dy[r * channels + c] * xhat;
      }
    }
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < channels; ++c) {
        const double xhat = (x[r * channels + c] - mu[c]) * expected_inv[c];
        expected_dx[r * channels + c] =
            gamma[c] * expected_inv[c] * (dy[r * channels + c] - sum_dy[c] / rows - xhat * sum_dy_xhat[c] / rows);
      }
    }
    expect_true(batchnorm_backward_f32(dx.data(), dgamma.data(), dbeta.data(), dy.data(), x.data(), gamma.data(),
                                       mean.data(), inv_std.data(), rows, channels) == Status::ok,
                "status");
    expect_close(dbeta.data(), sum_dy.data(), channels, 1e-4, 1e-5, where("dbeta", n));
    expect_close(dgamma.data(), sum_dy_xhat.data(), channels, 1e-3, 1e-4, where("dgamma", n));
    expect_close(dx.data(), expected_dx.data(), n, 1e-4, 1e-3, where("batchnorm dx", n));

    // Inference with the moving statistics.
    std::vector<float> inference(n);
    std::vector<double> expected_inference(n);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < channels; ++c) {
        expected_inference[r * channels + c] =
            gamma[c] * (x[r * channels + c] - moving_mean[c]) / std::sqrt(moving_var[c] + 1e-3) + beta[c];
      }
    }
    expect_true(batchnorm_inference_f32(inference.data(), x.data(), moving_mean.data(), moving_var.data(),
                                        gamma.data(), beta.data(), rows, channels, 1e-3) == Status::ok,
                "status");
    expect_close(inference.data(), expected_inference.data(), n, 1e-3, 1e-4, where("batchnorm inference", n));
  }
}

FALTUNG_TEST(philox_matches_known_answers) {
  // Random123's kat_vectors for philox4x32_10: counter, key -> output.
  const uint32_t cases[3][10] = {
      {0, 0, 0, 0, 0, 0, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u},
      {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu,
       0xa20bc7c6u, 0x6d5451fdu},
      {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu,
       0x5001e420u, 0x24126ea1u}};
  for (const auto& row : cases) {
    uint32_t out[4];
    philox4x32_10(row, row + 4, out);
    for (int k = 0; k < 4; ++k) expect_true(out[k] == row[6 + k], "philox4x32_10 known answer");
  }
}

FALTUNG_TEST(dropout_mask_depends_on_seed_and_index_only) {
  const int64_t n = 100003;
  std::vector<float> x(n, 2.0f), out(n), mask(n), out_other(n), mask_other(n);
  const double rate = 0.3;
  expect_true(dropout_forward_f32(out.data(), mask.data(), x.data(), n, rate, 12345) == Status::ok, "status");
  // Element i from its own Philox block.
  const uint32_t threshold = static_cast<uint32_t>(std::floor(rate * 4294967296.0));
  int64_t kept = 0;
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t counter[4] = {static_cast<uint32_t>(i / 4), 0, 0, 0}, key[2] = {12345, 0};
    uint32_t words[4];
    philox4x32_10(counter, key, words);
    const bool keep = words[i % 4] >= threshold;
    kept += keep;
    if ((mask[i] != 0) != keep || out[i] != (keep ? 2.0f * static_cast<float>(1.0 / (1.0 - rate)) : 0.0f)) {
      record_failure(where("dropout element", n) + " index " + std::to_string(i));
      break;
    }
  }
  const double kept_fraction = double(kept) / n;
  expect_true(std::fabs(kept_fraction - 0.7) < 0.01, where("kept fraction near 1 - rate", n));
  // Same mask with one thread.
  const int threads = num_threads();
  set_num_threads(1);
  dropout_forward_f32(out_other.data(), mask_other.data(), x.data(), n, rate, 12345);
  set_num_threads(threads);
  expect_true(std::memcmp(mask.data(), mask_other.data(), n * sizeof(float)) == 0, where("mask thread-independent", n));
  // Backward multiplies by the mask.
  std::vector<float> dy(n, 1.5f), dx(n);
  dropout_backward_f32(dx.data(), dy.data(), mask.data(), n);
  for (int64_t i = 0; i < n; ++i) {
    if (dx[i] != 1.5f * mask[i]) {
      record_failure(where("dropout backward", n));
      break;
    }
  }
  float bad;
  expect_true(dropout_forward_f32(&bad, &bad, &bad, 1, 1.0, 0) == Status::invalid_argument, "rate 1 rejected");
}

FALTUNG_TEST(dropout_isa_kernel_matches_scalar_everywhere) {
  // The active ISA's kernel against the scalar reference at odd lengths, at block counters whose
  // high word is set or about to carry (element 2^34 is block 2^32), and with 64-bit seeds.
  Random random(71);
  const uint64_t firsts[] = {0, 4, 4096, (uint64_t{1} << 34) - 64, (uint64_t{1} << 34) - 4, uint64_t{1} << 34,
                             (uint64_t{1} << 40) - 128};
  const DropoutKernel kernel = dropout_kernel();
  for (uint64_t first : firsts) {
    for (int64_t count : {1, 3, 4, 5, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 200}) {
      const uint32_t threshold = static_cast<uint32_t>(random.below(int64_t{1} << 31)) * 2u + 1u;
      const float scale = 1.0f + static_cast<float>(random.below(100)) / 7.0f;
      const uint64_t seed = (static_cast<uint64_t>(random.below(1 << 30)) << 23) ^ static_cast<uint64_t>(count);
      std::vector<float> x = random.vector(count), out(count, 7.0f), mask(count, 7.0f), out_ref(count), mask_ref(count);
      kernel(out.data(), mask.data(), x.data(), count, first, threshold, scale, seed);
      dropout_forward_f32__scalar(out_ref.data(), mask_ref.data(), x.data(), count, first, threshold, scale, seed);
      if (std::memcmp(out.data(), out_ref.data(), count * sizeof(float)) != 0 ||
          std::memcmp(mask.data(), mask_ref.data(), count * sizeof(float)) != 0) {
        record_failure(where("dropout kernel vs scalar", count) + " at first element " + std::to_string(first));
        return;
      }
    }
  }
}

FALTUNG_TEST(reductions_do_not_depend_on_thread_count) {
  Random random(61);
  const int64_t rows = 5000, classes = 37, n = rows * classes;
  std::vector<float> logits = random.vector(n), labels(n, 1.0f / classes), grad(n), x = random.vector(n);
  std::vector<float> y(n), mean(classes), inv(classes), mm(classes, 0.0f), mv(classes, 1.0f), gamma(classes, 1.0f),
      beta(classes, 0.0f);
  const int threads = num_threads();
  float losses[2], means[2][37];
  for (int pass = 0; pass < 2; ++pass) {
    set_num_threads(pass == 0 ? 1 : 2);
    softmax_cross_entropy_f32(&losses[pass], grad.data(), labels.data(), logits.data(), rows, classes);
    batchnorm_training_forward_f32(y.data(), means[pass], inv.data(), mm.data(), mv.data(), x.data(), gamma.data(),
                                   beta.data(), rows, classes, 0.99, 1e-3);
  }
  set_num_threads(threads);
  expect_true(losses[0] == losses[1], where("CE loss identical for 1 and 2 threads", n));
  expect_true(std::memcmp(means[0], means[1], sizeof means[0]) == 0, where("batch mean identical", n));
}

}  // namespace
}  // namespace faltung::testing
