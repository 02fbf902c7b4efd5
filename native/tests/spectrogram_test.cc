// Native tests of the log-mel spectrogram: the FFT path against the direct-DFT reference on odd
// frame lengths, hops and sizes (frame length below and at the FFT size, a few clips, a clip with
// no whole frame), the filterbank's shape (unit peaks, DC left out, bands summing like triangles),
// thread independence and the configuration checks.
#include <cmath>
#include <string>
#include <vector>

#include "../kernels/spectrogram.h"
#include "../runtime/thread_pool.h"
#include "check.h"

namespace faltung::testing {
namespace {

std::string describe(const MelSpectrogramConfig& c, int64_t B, int64_t S) {
  return "B=" + std::to_string(B) + " S=" + std::to_string(S) + " L=" + std::to_string(c.frame_length) +
         " H=" + std::to_string(c.hop_length) + " N=" + std::to_string(c.fft_size) + " M=" + std::to_string(c.mel_bins);
}

}  // namespace

FALTUNG_TEST(log_mel_matches_direct_dft) {
  Random random(23);
  struct Case {
    int64_t B, S, L, H, N, M;
    double rate, f_min, f_max;
  };
  const Case cases[] = {
      {1, 64, 16, 8, 16, 4, 8000, 0, 4000},      {2, 300, 50, 17, 64, 10, 16000, 30, 7000},
      {3, 257, 64, 64, 64, 8, 22050, 0, 11025},  {1, 1000, 200, 80, 256, 40, 8000, 50, 4000},
      {2, 100, 7, 3, 8, 3, 1000, 10, 500},       {1, 49, 50, 10, 64, 5, 16000, 0, 8000},
      {1, 513, 129, 100, 256, 64, 44100, 20, 20000}};
  for (const Case& t : cases) {
    MelSpectrogramConfig c;
    c.sample_rate = t.rate;
    c.frame_length = t.L;
    c.hop_length = t.H;
    c.fft_size = t.N;
    c.mel_bins = t.M;
    c.f_min = t.f_min;
    c.f_max = t.f_max;
    c.log_epsilon = 1e-6;
    const int64_t F = spectrogram_frames(t.S, t.L, t.H);
    const std::vector<float> samples = random.vector(t.B * t.S);
    std::vector<float> out(static_cast<size_t>(t.B * F * t.M) + 1, 99.0f);
    std::vector<double> expected(static_cast<size_t>(t.B * F * t.M) + 1, 0.0);
    expect_true(log_mel_spectrogram_f32(out.data(), samples.data(), t.B, t.S, c) == Status::ok, describe(c, t.B, t.S));
    log_mel_spectrogram_reference(expected.data(), samples.data(), t.B, t.S, c);
    // Float32 output of float64 work: the log values agree to float rounding.
    expect_close(out.data(), expected.data(), t.B * F * t.M, 2e-5, 2e-6, describe(c, t.B, t.S));
    expect_true(out[static_cast<size_t>(t.B * F * t.M)] == 99.0f, "no write past the end " + describe(c, t.B, t.S));
  }
}

FALTUNG_TEST(log_mel_of_a_tone_peaks_in_its_band) {
  MelSpectrogramConfig c;
  c.sample_rate = 16000;
  c.frame_length = 400;
  c.hop_length = 160;
  c.fft_size = 512;
  c.mel_bins = 40;
  c.f_min = 0;
  c.f_max = 8000;
  const int64_t S = 4000;
  std::vector<float> tone(S);
  for (int64_t i = 0; i < S; ++i) tone[i] = static_cast<float>(0.5 * std::sin(2 * 3.14159265358979 * 1000.0 * i / 16000.0));
  const int64_t F = spectrogram_frames(S, c.frame_length, c.hop_length);
  std::vector<float> out(static_cast<size_t>(F * c.mel_bins));
  expect_true(log_mel_spectrogram_f32(out.data(), tone.data(), 1, S, c) == Status::ok, "tone");
  std::vector<double> weights(static_cast<size_t>((c.fft_size / 2 + 1) * c.mel_bins));
  mel_filterbank_f64(weights.data(), c);
  // The band whose triangle weighs bin 32 (= 1000 Hz) most must be the loudest in every frame.
  int64_t expected_band = 0;
  for (int64_t m = 1; m < c.mel_bins; ++m) {
    if (weights[32 * c.mel_bins + m] > weights[32 * c.mel_bins + expected_band]) expected_band = m;
  }
  for (int64_t f = 0; f < F; ++f) {
    int64_t loudest = 0;
    for (int64_t m = 1; m < c.mel_bins; ++m) {
      if (out[f * c.mel_bins + m] > out[f * c.mel_bins + loudest]) loudest = m;
    }
    expect_true(loudest == expected_band, "frame " + std::to_string(f) + ": loudest band " + std::to_string(loudest) +
                                              ", expected " + std::to_string(expected_band));
  }
}

FALTUNG_TEST(mel_filterbank_shape) {
  MelSpectrogramConfig c;
  c.sample_rate = 16000;
  c.fft_size = 1024;
  c.frame_length = 1024;
  c.mel_bins = 20;
  c.f_min = 100;
  c.f_max = 7000;
  const int64_t K = c.fft_size / 2 + 1;
  std::vector<double> w(static_cast<size_t>(K * c.mel_bins));
  expect_true(mel_filterbank_f64(w.data(), c) == Status::ok, "filterbank");
  for (int64_t m = 0; m < c.mel_bins; ++m) {
    expect_true(w[m] == 0.0, "DC bin is left out");
    double peak = 0.0;
    for (int64_t k = 0; k < K; ++k) {
      expect_true(w[k * c.mel_bins + m] >= 0.0 && w[k * c.mel_bins + m] <= 1.0, "weights in [0, 1]");
      peak = std::fmax(peak, w[k * c.mel_bins + m]);
    }
    expect_true(peak > 0.5, "band " + std::to_string(m) + " has a peak near 1 (got " + std::to_string(peak) + ")");
  }
  // Inside the inner bands, neighbouring triangles sum to 1 (they cross at half height).
  for (int64_t k = 0; k < K; ++k) {
    const double hz = static_cast<double>(k) * c.sample_rate / c.fft_size;
    if (hz < 400 || hz > 6000) continue;
    double sum = 0.0;
    for (int64_t m = 0; m < c.mel_bins; ++m) sum += w[k * c.mel_bins + m];
    expect_true(std::fabs(sum - 1.0) < 1e-9, "bin " + std::to_string(k) + ": bands sum to " + std::to_string(sum));
  }
}

FALTUNG_TEST(log_mel_same_bits_on_any_thread_count) {
  Random random(4);
  MelSpectrogramConfig c;
  c.sample_rate = 8000;
  c.frame_length = 200;
  c.hop_length = 80;
  c.fft_size = 256;
  c.mel_bins = 32;
  c.f_min = 20;
  c.f_max = 4000;
  const int64_t B = 6, S = 8000;
  const std::vector<float> samples = random.vector(B * S);
  const int64_t count = B * spectrogram_frames(S, c.frame_length, c.hop_length) * c.mel_bins;
  const int saved = num_threads();
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    std::vector<float> out(static_cast<size_t>(count));
    expect_true(log_mel_spectrogram_f32(out.data(), samples.data(), B, S, c) == Status::ok, "run");
    results.push_back(out);
  }
  set_num_threads(saved);
  std::vector<double> first(results[0].begin(), results[0].end());
  expect_close(results[1].data(), first.data(), count, 0.0, 0.0, "2 threads vs 1");
}

FALTUNG_TEST(mel_config_checks) {
  MelSpectrogramConfig good;
  good.sample_rate = 16000;
  good.frame_length = 400;
  good.fft_size = 512;
  good.f_max = 8000;
  expect_true(check_mel_config(good) == Status::ok, "good config");
  auto bad = [&](const char* what, auto change) {
    MelSpectrogramConfig c = good;
    change(c);
    expect_true(check_mel_config(c) == Status::invalid_argument, what);
  };
  bad("fft not a power of two", [](MelSpectrogramConfig& c) { c.fft_size = 500; });
  bad("frame longer than fft", [](MelSpectrogramConfig& c) { c.frame_length = 513; });
  bad("fMax above Nyquist", [](MelSpectrogramConfig& c) { c.f_max = 8001; });
  bad("fMin >= fMax", [](MelSpectrogramConfig& c) { c.f_min = 8000; });
  bad("NaN rate", [](MelSpectrogramConfig& c) { c.sample_rate = std::nan(""); });
  bad("zero hop", [](MelSpectrogramConfig& c) { c.hop_length = 0; });
  bad("zero bands", [](MelSpectrogramConfig& c) { c.mel_bins = 0; });
  bad("zero epsilon", [](MelSpectrogramConfig& c) { c.log_epsilon = 0; });
  expect_true(spectrogram_frames(399, 400, 160) == 0, "no whole frame");
  expect_true(spectrogram_frames(400, 400, 160) == 1, "one frame");
  expect_true(spectrogram_frames(720, 400, 160) == 3, "three frames");
}

}  // namespace faltung::testing
