// fg.data.logMelSpectrogram: audio samples -> log-mel spectrogram Tensor [frames, melBins] (or
// [clips, frames, melBins] for a batch), computed natively (native/kernels/spectrogram.h).
// Deliberately no centring or padding of the signal, no deltas and no normalization: frames start
// at sample 0, only whole frames are kept, and scaling is the model's (or the caller's) business.
import { withCallSite } from '../async';
import { native } from '../native';
import { Tensor } from '../tensor';
import { MAX_ELEMENTS, checkInteger, checkNumber, invalidRange, invalidType } from '../validate';
import { checkOptions } from './options';

export interface LogMelOptions {
  /** Sample rate of the samples, Hz (required). */
  sampleRate: number;
  /** Samples per frame (default: 25 ms, rounded). */
  frameLength?: number;
  /** Samples between frame starts (default: 10 ms, rounded). */
  hopLength?: number;
  /** FFT size, a power of two >= frameLength (default: the smallest such); frames are zero-padded to it. */
  fftSize?: number;
  /** Mel bands (default 40). */
  melBins?: number;
  /** Lower edge of the first band, Hz (default 0). */
  fMin?: number;
  /** Upper edge of the last band, Hz (default sampleRate / 2). */
  fMax?: number;
  /** Added before the log: out = ln(mel energy + logEpsilon) (default 1e-6). */
  logEpsilon?: number;
}

export interface MelFilterbankOptions {
  sampleRate: number;
  fftSize: number;
  melBins?: number;
  fMin?: number;
  fMax?: number;
}

interface SpectrogramPlan {
  samples: Float32Array;
  clips: number;
  sampleCount: number;
  batched: boolean;
  frames: number;
  frameLength: number;
  hopLength: number;
  sampleRate: number;
  fftSize: number;
  melBins: number;
  fMin: number;
  fMax: number;
  logEpsilon: number;
}

const OPTION_KEYS = ['sampleRate', 'frameLength', 'hopLength', 'fftSize', 'melBins', 'fMin', 'fMax', 'logEpsilon'] as const;
const MAX_FFT_SIZE = 65536;
const MAX_MEL_BINS = 4096;

function nextPowerOfTwo(value: number): number {
  let power = 2;
  while (power < value) power *= 2;
  return power;
}

interface FilterbankFields {
  sampleRate: number;
  fftSize: number;
  melBins: number;
  fMin: number;
  fMax: number;
}

function checkFilterbank(options: Partial<MelFilterbankOptions>, defaultFft: number | undefined): FilterbankFields {
  if (options.sampleRate === undefined) throw invalidType('options.sampleRate', 'the sample rate in Hz (required)', undefined);
  const sampleRate = checkNumber('options.sampleRate', options.sampleRate, Number.MIN_VALUE, 1e7);
  const fftSize = checkInteger('options.fftSize', options.fftSize ?? defaultFft, 2, MAX_FFT_SIZE);
  if ((fftSize & (fftSize - 1)) !== 0) throw invalidRange('options.fftSize', `a power of two in [2, ${MAX_FFT_SIZE}]`, fftSize);
  const melBins = checkInteger('options.melBins', options.melBins ?? 40, 1, MAX_MEL_BINS);
  const nyquist = sampleRate / 2;
  const fMin = checkNumber('options.fMin', options.fMin ?? 0, 0, nyquist);
  const fMax = checkNumber('options.fMax', options.fMax ?? nyquist, 0, nyquist);
  if (!(fMax > fMin)) throw invalidRange('options.fMax', `a frequency above fMin (${fMin} Hz), at most sampleRate / 2 (${nyquist} Hz)`, fMax);
  return { sampleRate, fftSize, melBins, fMin, fMax };
}

function planSpectrogram(samples: unknown, options: unknown): SpectrogramPlan {
  let data: Float32Array;
  let clips = 1;
  let batched = false;
  let sampleCount: number;
  if (samples instanceof Float32Array) {
    data = samples;
    sampleCount = data.length;
  } else if (samples instanceof Tensor) {
    if (samples.rank !== 1 && samples.rank !== 2) {
      throw invalidRange('samples', 'a Tensor [samples] or [clips, samples]', `shape [${samples.shape.join(', ')}]`);
    }
    data = samples.data;
    batched = samples.rank === 2;
    clips = batched ? samples.shape[0] : 1;
    sampleCount = samples.shape[samples.rank - 1];
  } else {
    throw invalidType('samples', 'a Float32Array or a Tensor [samples] / [clips, samples]', samples);
  }
  const given = checkOptions<LogMelOptions>('options', options, OPTION_KEYS);
  if (options === undefined) throw invalidType('options', 'an options object with at least sampleRate', options);
  if (given.sampleRate === undefined) throw invalidType('options.sampleRate', 'the sample rate in Hz (required)', undefined);
  const sampleRate = checkNumber('options.sampleRate', given.sampleRate, Number.MIN_VALUE, 1e7);
  const frameLength = checkInteger('options.frameLength', given.frameLength ?? Math.max(1, Math.round(0.025 * sampleRate)), 1, MAX_FFT_SIZE);
  const hopLength = checkInteger('options.hopLength', given.hopLength ?? Math.max(1, Math.round(0.01 * sampleRate)), 1, MAX_ELEMENTS);
  const filterbank = checkFilterbank(given, nextPowerOfTwo(frameLength));
  if (frameLength > filterbank.fftSize) {
    throw invalidRange('options.frameLength', `at most fftSize (${filterbank.fftSize})`, frameLength);
  }
  const logEpsilon = checkNumber('options.logEpsilon', given.logEpsilon ?? 1e-6, Number.MIN_VALUE);
  if (sampleCount < frameLength) {
    throw invalidRange('samples', `at least frameLength (${frameLength}) samples per clip`, `${sampleCount} samples`);
  }
  for (let i = 0; i < data.length; ++i) {
    if (!Number.isFinite(data[i])) throw invalidRange('samples', 'finite values', `${data[i]} at index ${i}`);
  }
  const frames = 1 + Math.floor((sampleCount - frameLength) / hopLength);
  if (clips * frames * filterbank.melBins > MAX_ELEMENTS) {
    throw invalidRange('samples', `at most ${MAX_ELEMENTS} output values`, `${clips} x ${frames} frames x ${filterbank.melBins} bands`);
  }
  return { samples: data, clips, sampleCount, batched, frames, frameLength, hopLength, logEpsilon, ...filterbank };
}

function run(plan: SpectrogramPlan, out: Float32Array, async: boolean): Promise<void> | undefined {
  return native.logMelSpectrogram(out, plan.samples, plan.clips, plan.sampleCount, plan.frameLength, plan.hopLength,
    plan.sampleRate, plan.fftSize, plan.melBins, plan.fMin, plan.fMax, plan.logEpsilon, async);
}

function shapeOf(plan: SpectrogramPlan): number[] {
  return plan.batched ? [plan.clips, plan.frames, plan.melBins] : [plan.frames, plan.melBins];
}

/**
 * Log-mel spectrogram: periodic Hann window, FFT of each frame zero-padded to fftSize, power
 * |X|^2, HTK mel filterbank (tf.signal.linear_to_mel_weight_matrix's: triangles in mel with unit
 * peak, DC bin left out), natural log of (energy + logEpsilon).
 * frames = 1 + floor((samples - frameLength) / hopLength).
 * samples: Float32Array or Tensor [n] -> Tensor [frames, melBins]; Tensor [clips, n] -> [clips, frames, melBins].
 */
export function logMelSpectrogram(samples: Float32Array | Tensor, options: LogMelOptions): Tensor {
  const plan = planSpectrogram(samples, options);
  const out = new Float32Array(plan.clips * plan.frames * plan.melBins);
  run(plan, out, false);
  return new Tensor(out, shapeOf(plan));
}

/** logMelSpectrogram off the event loop (for long recordings or big batches). */
export async function logMelSpectrogramAsync(samples: Float32Array | Tensor, options: LogMelOptions): Promise<Tensor> {
  const plan = planSpectrogram(samples, options);
  const out = new Float32Array(plan.clips * plan.frames * plan.melBins);
  await withCallSite(run(plan, out, true), new Error());
  return new Tensor(out, shapeOf(plan));
}

/** The mel filterbank logMelSpectrogram applies, as a Tensor [fftSize / 2 + 1, melBins]. */
export function melFilterbank(options: MelFilterbankOptions): Tensor {
  const given = checkOptions<MelFilterbankOptions>('options', options, ['sampleRate', 'fftSize', 'melBins', 'fMin', 'fMax']);
  if (given.fftSize === undefined) throw invalidType('options.fftSize', 'a power of two (required)', undefined);
  const fields = checkFilterbank(given, undefined);
  const weights = new Float64Array((fields.fftSize / 2 + 1) * fields.melBins);
  native.melFilterbank(weights, fields.sampleRate, fields.fftSize, fields.melBins, fields.fMin, fields.fMax);
  return new Tensor(Float32Array.from(weights), [fields.fftSize / 2 + 1, fields.melBins]);
}
