// Log-mel spectrogram: a plan (window, twiddles, the filterbank's non-zero runs) built once per
// call in the calling thread's scratch, then frames in parallel, each with its own scratch for the
// FFT. Iterative radix-2 FFT in float64 on the zero-padded frame: audio front ends are a small
// part of a training run, so this favours accuracy (float64, results within rounding of a direct
// DFT) over a real-input or SIMD FFT.
#include "spectrogram.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"

namespace faltung {
namespace {

constexpr double kPi = 3.14159265358979323846;

double hz_to_mel(double hz) { return 1127.0 * std::log1p(hz / 700.0); }

double mel_to_hz(double mel) { return 700.0 * std::expm1(mel / 1127.0); }

bool is_power_of_two(int64_t value) { return value >= 2 && (value & (value - 1)) == 0; }

// Edge i of the M + 2 evenly spaced mel edges.
double mel_edge(const MelSpectrogramConfig& config, int64_t index) {
  const double low = hz_to_mel(config.f_min);
  const double high = hz_to_mel(config.f_max);
  return low + (high - low) * static_cast<double>(index) / static_cast<double>(config.mel_bins + 1);
}

// Weight of spectrum bin k in mel band m (0 for the DC bin), exactly as the dense matrix has it.
double mel_weight(const MelSpectrogramConfig& config, int64_t k, int64_t m) {
  if (k == 0) return 0.0;
  const double mel = hz_to_mel(static_cast<double>(k) * config.sample_rate / static_cast<double>(config.fft_size));
  const double lower = mel_edge(config, m), center = mel_edge(config, m + 1), upper = mel_edge(config, m + 2);
  const double rising = (mel - lower) / (center - lower);
  const double falling = (upper - mel) / (upper - center);
  return std::max(0.0, std::min(rising, falling));
}

// The per-call plan, laid out in one float64 buffer.
struct Plan {
  const double* window;     // (L) periodic Hann
  const double* cos_table;  // (N/2) cos(2 pi j / N)
  const double* sin_table;  // (N/2) sin(2 pi j / N)
  const double* weights;    // the bands' non-zero weights, band after band
  const double* band_first; // (M) first bin of band m (an integer, stored as a double)
  const double* band_count; // (M) bins in band m
  const double* band_start; // (M) offset of band m's weights
};

// Doubles a plan needs. Each bin lies inside at most two triangles, plus one spare per band for
// a bin rounding may count on both sides.
int64_t plan_doubles(const MelSpectrogramConfig& c) {
  const int64_t bins = c.fft_size / 2 + 1;
  return c.frame_length + c.fft_size + 2 * bins + 4 * c.mel_bins;
}

Plan build_plan(double* base, const MelSpectrogramConfig& c) {
  const int64_t L = c.frame_length, N = c.fft_size, M = c.mel_bins, K = N / 2 + 1;
  double* window = base;
  double* cos_table = window + L;
  double* sin_table = cos_table + N / 2;
  double* band_first = sin_table + N / 2;
  double* band_count = band_first + M;
  double* band_start = band_count + M;
  double* weights = band_start + M;
  for (int64_t i = 0; i < L; ++i) {
    window[i] = 0.5 - 0.5 * std::cos(2.0 * kPi * static_cast<double>(i) / static_cast<double>(L));
  }
  for (int64_t j = 0; j < N / 2; ++j) {
    const double angle = 2.0 * kPi * static_cast<double>(j) / static_cast<double>(N);
    cos_table[j] = std::cos(angle);
    sin_table[j] = std::sin(angle);
  }
  int64_t used = 0;
  const double bin_hz = c.sample_rate / static_cast<double>(N);
  for (int64_t m = 0; m < M; ++m) {
    // Candidate bins: those whose frequency lies between the band's outer edges, one spare each side.
    const int64_t from = std::max<int64_t>(1, static_cast<int64_t>(std::floor(mel_to_hz(mel_edge(c, m)) / bin_hz)));
    const int64_t to = std::min<int64_t>(K - 1, static_cast<int64_t>(std::ceil(mel_to_hz(mel_edge(c, m + 2)) / bin_hz)));
    int64_t first = -1, last = -1;
    for (int64_t k = from; k <= to; ++k) {
      if (mel_weight(c, k, m) > 0.0) {
        if (first < 0) first = k;
        last = k;
      }
    }
    band_start[m] = static_cast<double>(used);
    band_first[m] = static_cast<double>(first < 0 ? 0 : first);
    band_count[m] = static_cast<double>(first < 0 ? 0 : last - first + 1);
    for (int64_t k = first; first >= 0 && k <= last; ++k) weights[used++] = mel_weight(c, k, m);
  }
  return Plan{window, cos_table, sin_table, weights, band_first, band_count, band_start};
}

// In-place radix-2 decimation-in-time FFT of (re, im), N a power of two: X_k = sum x_n e^{-2 pi i k n / N}.
void fft(double* re, double* im, int64_t N, const Plan& plan) {
  for (int64_t i = 1, j = 0; i < N; ++i) {
    int64_t bit = N >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      std::swap(re[i], re[j]);
      std::swap(im[i], im[j]);
    }
  }
  for (int64_t length = 2; length <= N; length <<= 1) {
    const int64_t half = length / 2, step = N / length;
    for (int64_t start = 0; start < N; start += length) {
      for (int64_t k = 0; k < half; ++k) {
        const double w_re = plan.cos_table[k * step], w_im = -plan.sin_table[k * step];
        const int64_t a = start + k, b = a + half;
        const double t_re = re[b] * w_re - im[b] * w_im;
        const double t_im = re[b] * w_im + im[b] * w_re;
        re[b] = re[a] - t_re;
        im[b] = im[a] - t_im;
        re[a] += t_re;
        im[a] += t_im;
      }
    }
  }
}

// One frame: frame (L samples) -> out (M); work holds 2N + K doubles.
void frame_log_mel(float* out, const float* frame, const MelSpectrogramConfig& c, const Plan& plan, double* work) {
  const int64_t L = c.frame_length, N = c.fft_size, M = c.mel_bins, K = N / 2 + 1;
  double* re = work;
  double* im = re + N;
  double* power = im + N;
  for (int64_t i = 0; i < L; ++i) re[i] = static_cast<double>(frame[i]) * plan.window[i];
  for (int64_t i = L; i < N; ++i) re[i] = 0.0;
  for (int64_t i = 0; i < N; ++i) im[i] = 0.0;
  fft(re, im, N, plan);
  for (int64_t k = 0; k < K; ++k) power[k] = re[k] * re[k] + im[k] * im[k];
  for (int64_t m = 0; m < M; ++m) {
    const int64_t first = static_cast<int64_t>(plan.band_first[m]);
    const int64_t count = static_cast<int64_t>(plan.band_count[m]);
    const double* weights = plan.weights + static_cast<int64_t>(plan.band_start[m]);
    double energy = 0.0;
    for (int64_t j = 0; j < count; ++j) energy += weights[j] * power[first + j];
    out[m] = static_cast<float>(std::log(energy + c.log_epsilon));
  }
}

}  // namespace

int64_t spectrogram_frames(int64_t S, int64_t frame_length, int64_t hop_length) {
  if (frame_length < 1 || hop_length < 1 || S < frame_length) return 0;
  return 1 + (S - frame_length) / hop_length;
}

Status check_mel_config(const MelSpectrogramConfig& c) {
  const bool ok = std::isfinite(c.sample_rate) && c.sample_rate > 0 && c.frame_length >= 1 && c.hop_length >= 1 &&
                  is_power_of_two(c.fft_size) && c.fft_size <= kMaxFftSize && c.frame_length <= c.fft_size &&
                  c.mel_bins >= 1 && c.mel_bins <= kMaxMelBins && std::isfinite(c.f_min) && std::isfinite(c.f_max) &&
                  c.f_min >= 0 && c.f_min < c.f_max && c.f_max <= c.sample_rate / 2 &&
                  std::isfinite(c.log_epsilon) && c.log_epsilon > 0;
  return ok ? Status::ok : Status::invalid_argument;
}

Status mel_filterbank_f64(double* weights, const MelSpectrogramConfig& c) {
  if (check_mel_config(c) != Status::ok) return Status::invalid_argument;
  const int64_t K = c.fft_size / 2 + 1, M = c.mel_bins;
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t m = 0; m < M; ++m) weights[k * M + m] = mel_weight(c, k, m);
  }
  return Status::ok;
}

Status log_mel_spectrogram_f32(float* out, const float* samples, int64_t B, int64_t S,
                               const MelSpectrogramConfig& c) {
  if (check_mel_config(c) != Status::ok || B < 0 || S < 0) return Status::invalid_argument;
  const int64_t F = spectrogram_frames(S, c.frame_length, c.hop_length);
  const int64_t total = B * F;
  if (total == 0) return Status::ok;
  // The plan lives in this thread's `general` slot; frames use each thread's `im2col` slot.
  double* plan_memory = reinterpret_cast<double*>(
      thread_scratch(ScratchSlot::general, static_cast<size_t>(2 * plan_doubles(c))));
  if (plan_memory == nullptr) return Status::out_of_memory;
  const Plan plan = build_plan(plan_memory, c);
  const int64_t N = c.fft_size;
  const size_t work_floats = static_cast<size_t>(2 * (2 * N + N / 2 + 1));
  const double frame_work = 6.0 * static_cast<double>(N) * std::log2(static_cast<double>(N));
  std::atomic<bool> out_of_memory{false};
  auto body = [&](int64_t begin, int64_t end) {
    double* work = reinterpret_cast<double*>(thread_scratch(ScratchSlot::im2col, work_floats));
    if (work == nullptr) {
      // Relaxed: parallel_for's completion orders this store before the load after it.
      out_of_memory.store(true, std::memory_order_relaxed);
      return;
    }
    for (int64_t index = begin; index < end; ++index) {
      const int64_t clip = index / F, frame = index % F;
      frame_log_mel(out + index * c.mel_bins, samples + clip * S + frame * c.hop_length, c, plan, work);
    }
  };
  if (threads_for_work(frame_work * static_cast<double>(total)) <= 1) {
    body(0, total);
  } else {
    parallel_for(total, std::max<int64_t>(1, static_cast<int64_t>(65536.0 / frame_work) + 1), body);
  }
  return out_of_memory.load(std::memory_order_relaxed) ? Status::out_of_memory : Status::ok;
}

void log_mel_spectrogram_reference(double* out, const float* samples, int64_t B, int64_t S,
                                   const MelSpectrogramConfig& c) {
  const int64_t F = spectrogram_frames(S, c.frame_length, c.hop_length);
  const int64_t L = c.frame_length, N = c.fft_size, M = c.mel_bins, K = N / 2 + 1;
  for (int64_t clip = 0; clip < B; ++clip) {
    for (int64_t frame = 0; frame < F; ++frame) {
      const float* x = samples + clip * S + frame * c.hop_length;
      double* row = out + (clip * F + frame) * M;
      for (int64_t m = 0; m < M; ++m) row[m] = 0.0;
      for (int64_t k = 0; k < K; ++k) {
        double re = 0.0, im = 0.0;
        for (int64_t n = 0; n < L; ++n) {
          const double windowed = x[n] * (0.5 - 0.5 * std::cos(2.0 * kPi * static_cast<double>(n) / static_cast<double>(L)));
          const double angle = 2.0 * kPi * static_cast<double>((k * n) % N) / static_cast<double>(N);
          re += windowed * std::cos(angle);
          im -= windowed * std::sin(angle);
        }
        const double power = re * re + im * im;
        for (int64_t m = 0; m < M; ++m) row[m] += mel_weight(c, k, m) * power;
      }
      for (int64_t m = 0; m < M; ++m) row[m] = std::log(row[m] + c.log_epsilon);
    }
  }
}

}  // namespace faltung
