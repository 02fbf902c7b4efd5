// Raw signatures of the native audio group (native/binding/audio.cc). Only lib/data/spectrogram.ts
// calls them; arguments are validated there first.

export interface AudioBindings {
  /**
   * out (clips, frames, melBins) = ln(mel energy + logEpsilon) of samples (clips, sampleCount),
   * frames = 1 + floor((sampleCount - frameLength) / hopLength) (0 when shorter than a frame).
   */
  logMelSpectrogram(out: Float32Array, samples: Float32Array, clips: number, sampleCount: number,
    frameLength: number, hopLength: number, sampleRate: number, fftSize: number, melBins: number,
    fMin: number, fMax: number, logEpsilon: number, async: boolean): Promise<void> | undefined;
  /** out ((fftSize/2 + 1), melBins): the HTK mel filterbank the spectrogram applies. */
  melFilterbank(out: Float64Array, sampleRate: number, fftSize: number, melBins: number, fMin: number, fMax: number): void;
}
