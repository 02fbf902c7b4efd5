// Log-mel spectrogram of mono audio: framing, periodic Hann window, zero padding to a power-of-
// two FFT, power spectrum, HTK mel filterbank, natural log. Deliberately no centring/padding of
// the signal (frames start at sample 0 and only whole frames are kept) and no deltas: the layout
// a conv2d takes as an image.
//
// Dimension key: B clips, S samples per clip, F frames per clip, L frame length, H hop,
// N FFT size (power of two, >= L), K = N/2 + 1 spectrum bins, M mel bands.
//
// The mel filterbank is the one of tf.signal.linear_to_mel_weight_matrix: HTK's mel scale
// mel(f) = 1127 ln(1 + f / 700); M + 2 edges spaced evenly in mel from f_min to f_max; band m a
// triangle in mel with unit peak at edge m+1, zero at edges m and m+2 (no area normalization);
// bin k sits at k * sample_rate / N, and the DC bin (k = 0) is left out.
#pragma once

#include <cstdint>

#include "status.h"

namespace faltung {

struct MelSpectrogramConfig {
  double sample_rate = 16000;  // Hz
  int64_t frame_length = 400;  // L samples per frame
  int64_t hop_length = 160;    // H samples between frame starts
  int64_t fft_size = 512;      // N, a power of two >= L
  int64_t mel_bins = 40;       // M
  double f_min = 0;            // Hz, lower edge of the first band
  double f_max = 8000;         // Hz, upper edge of the last band (<= sample_rate / 2)
  double log_epsilon = 1e-6;   // out = ln(mel energy + log_epsilon)
};

// Largest FFT: 2^16 points.
constexpr int64_t kMaxFftSize = int64_t{1} << 16;
// Most mel bands.
constexpr int64_t kMaxMelBins = 4096;

// Whole frames in S samples: 1 + (S - L) / H, or 0 when S < L.
int64_t spectrogram_frames(int64_t S, int64_t frame_length, int64_t hop_length);

// Status::invalid_argument unless every field is in range (see MelSpectrogramConfig).
Status check_mel_config(const MelSpectrogramConfig& config);

// samples (B,S) -> out (B,F,M), F = spectrogram_frames(S, L, H). Frames are independent and
// computed in float64 (window, FFT, power, filterbank), then stored as float32: results do not
// depend on the thread count.
Status log_mel_spectrogram_f32(float* out, const float* samples, int64_t B, int64_t S,
                               const MelSpectrogramConfig& config);

// weights (K,M): the filterbank as a dense matrix, for tests and for users who want it.
Status mel_filterbank_f64(double* weights, const MelSpectrogramConfig& config);

// Direct O(N^2) DFT per frame, everything in float64: the documentation and the test oracle.
void log_mel_spectrogram_reference(double* out, const float* samples, int64_t B, int64_t S,
                                   const MelSpectrogramConfig& config);

}  // namespace faltung
