// The audio group: log-mel spectrograms of a batch of clips, and the mel filterbank matrix.
// logMelSpectrogram(out, samples, clips, sampleCount, frameLength, hopLength, sampleRate, fftSize,
//                   melBins, fMin, fMax, logEpsilon, async)
// melFilterbank(out: Float64Array, sampleRate, fftSize, melBins, fMin, fMax)
// Deliberately no WAV parsing here: reading files is TypeScript's job (lib/data/wav.ts).
#include <string>

#include "../kernels/spectrogram.h"
#include "args.h"
#include "groups.h"
#include "job.h"

namespace faltung::binding {
namespace {

// Reads sampleRate, fftSize, melBins, fMin, fMax starting at `first` (frame length etc. by the caller).
void read_filterbank_config(Args& args, size_t first, MelSpectrogramConfig* config) {
  config->sample_rate = args.number(first, "sampleRate");
  if (!(config->sample_rate > 0 && config->sample_rate <= 1e7)) {
    args.range_error("sampleRate", "a rate in (0, 1e7] Hz", format_number(config->sample_rate));
  }
  config->fft_size = args.integer(first + 1, "fftSize", 2, kMaxFftSize);
  if ((config->fft_size & (config->fft_size - 1)) != 0) {
    args.range_error("fftSize", "a power of two in [2, " + std::to_string(kMaxFftSize) + "]",
                     std::to_string(config->fft_size));
  }
  config->mel_bins = args.integer(first + 2, "melBins", 1, kMaxMelBins);
  config->f_min = args.number(first + 3, "fMin");
  config->f_max = args.number(first + 4, "fMax");
  if (!(config->f_min >= 0)) args.range_error("fMin", "a frequency >= 0", format_number(config->f_min));
  if (!(config->f_max > config->f_min && config->f_max <= config->sample_rate / 2)) {
    args.range_error("fMax", "a frequency in (fMin, sampleRate / 2] = (" + format_number(config->f_min) + ", " +
                                 format_number(config->sample_rate / 2) + "]",
                     format_number(config->f_max));
  }
}

struct SpectrogramJob {
  float* out;
  const float* samples;
  int64_t clips;
  int64_t sample_count;
  MelSpectrogramConfig config;
  Status run() const { return log_mel_spectrogram_f32(out, samples, clips, sample_count, config); }
};

Napi::Value log_mel_spectrogram(const Napi::CallbackInfo& info) {
  Args args(info, "logMelSpectrogram", 13);
  SpectrogramJob job{};
  job.clips = args.integer(2, "clips", 0, kMaxElements);
  job.sample_count = args.integer(3, "sampleCount", 0, kMaxElements);
  job.config.frame_length = args.integer(4, "frameLength", 1, kMaxFftSize);
  job.config.hop_length = args.integer(5, "hopLength", 1, kMaxElements);
  read_filterbank_config(args, 6, &job.config);
  job.config.log_epsilon = args.number(11, "logEpsilon");
  if (!(job.config.log_epsilon > 0)) {
    args.range_error("logEpsilon", "a number > 0", format_number(job.config.log_epsilon));
  }
  if (job.config.frame_length > job.config.fft_size) {
    args.range_error("frameLength", "at most fftSize (" + std::to_string(job.config.fft_size) + ")",
                     std::to_string(job.config.frame_length));
  }
  if (check_mel_config(job.config) != Status::ok) {  // every field was checked above: a bug if it fails
    throw make_status_error(info.Env(), "logMelSpectrogram", Status::invalid_argument);
  }
  const int64_t frames = spectrogram_frames(job.sample_count, job.config.frame_length, job.config.hop_length);
  job.samples = args.f32(1, "samples", checked_product(args, "samples (clips*sampleCount)", {job.clips, job.sample_count}));
  job.out = args.f32(0, "out", checked_product(args, "out (clips*frames*melBins)", {job.clips, frames, job.config.mel_bins}));
  return run_job(args, job, args.boolean(12, "async"));
}

Napi::Value mel_filterbank(const Napi::CallbackInfo& info) {
  Args args(info, "melFilterbank", 6);
  MelSpectrogramConfig config;
  read_filterbank_config(args, 1, &config);
  config.frame_length = 1;
  double* out = args.f64(0, "out", checked_product(args, "out ((fftSize/2+1)*melBins)",
                                                   {config.fft_size / 2 + 1, config.mel_bins}));
  const Status status = mel_filterbank_f64(out, config);
  if (status != Status::ok) throw make_status_error(info.Env(), "melFilterbank", status);
  return info.Env().Undefined();
}

}  // namespace

void register_audio(Napi::Env env, Napi::Object exports) {
  exports.Set("logMelSpectrogram", Napi::Function::New(env, log_mel_spectrogram, "logMelSpectrogram"));
  exports.Set("melFilterbank", Napi::Function::New(env, mel_filterbank, "melFilterbank"));
}

}  // namespace faltung::binding
