// Float64 reference of the log-mel spectrogram: direct DFT, periodic Hann window, and the mel
// filterbank written from tf.signal.linear_to_mel_weight_matrix's definition (HTK mel scale,
// triangles in mel with unit peak, DC bin left out). Plain loops, the oracle for the native kernel.

export interface MelReferenceConfig {
  sampleRate: number;
  frameLength: number;
  hopLength: number;
  fftSize: number;
  melBins: number;
  fMin: number;
  fMax: number;
  logEpsilon: number;
}

const hzToMel = (hz: number): number => 1127 * Math.log(1 + hz / 700);

/** weights ((fftSize/2 + 1), melBins). */
export function melFilterbankReference(sampleRate: number, fftSize: number, melBins: number, fMin: number, fMax: number): Float64Array {
  const bins = fftSize / 2 + 1;
  const low = hzToMel(fMin);
  const high = hzToMel(fMax);
  const edges = Array.from({ length: melBins + 2 }, (_, i) => low + ((high - low) * i) / (melBins + 1));
  const weights = new Float64Array(bins * melBins);
  for (let k = 1; k < bins; ++k) {
    const mel = hzToMel((k * sampleRate) / fftSize);
    for (let m = 0; m < melBins; ++m) {
      const rising = (mel - edges[m]) / (edges[m + 1] - edges[m]);
      const falling = (edges[m + 2] - mel) / (edges[m + 2] - edges[m + 1]);
      weights[k * melBins + m] = Math.max(0, Math.min(rising, falling));
    }
  }
  return weights;
}

/** samples (clips, S) -> (clips, frames, melBins). */
export function logMelReference(samples: ArrayLike<number>, clips: number, config: MelReferenceConfig): Float64Array {
  const { frameLength: L, hopLength: H, fftSize: N, melBins: M } = config;
  const S = samples.length / clips;
  const frames = S < L ? 0 : 1 + Math.floor((S - L) / H);
  const bins = N / 2 + 1;
  const weights = melFilterbankReference(config.sampleRate, N, M, config.fMin, config.fMax);
  const out = new Float64Array(clips * frames * M);
  const windowed = new Float64Array(L);
  for (let clip = 0; clip < clips; ++clip) {
    for (let frame = 0; frame < frames; ++frame) {
      const start = clip * S + frame * H;
      for (let n = 0; n < L; ++n) windowed[n] = samples[start + n] * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / L));
      const row = (clip * frames + frame) * M;
      for (let k = 0; k < bins; ++k) {
        let re = 0;
        let im = 0;
        for (let n = 0; n < L; ++n) {
          const angle = (2 * Math.PI * ((k * n) % N)) / N;
          re += windowed[n] * Math.cos(angle);
          im -= windowed[n] * Math.sin(angle);
        }
        const power = re * re + im * im;
        for (let m = 0; m < M; ++m) out[row + m] += weights[k * M + m] * power;
      }
      for (let m = 0; m < M; ++m) out[row + m] = Math.log(out[row + m] + config.logEpsilon);
    }
  }
  return out;
}
