// fg.data.logMelSpectrogram against a float64 JS reference (direct DFT, the filterbank written
// from TensorFlow's definition) on odd sizes, every ISA and 1/2 threads; the filterbank itself;
// a tone landing in its band; the async twin; the bad-input table of the public function and the
// raw binding.
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { native } from '../lib/native';
import { expectClose, forEachIsa } from './helpers/compare';
import { TestRandom } from './helpers/random';
import { MelReferenceConfig, logMelReference, melFilterbankReference } from './reference/spectrogram';

const defaultThreads = fg.getNumThreads();
afterAll(() => fg.setNumThreads(defaultThreads));

const configs: (MelReferenceConfig & { clips: number; samples: number })[] = [
  { clips: 1, samples: 64, sampleRate: 8000, frameLength: 16, hopLength: 8, fftSize: 16, melBins: 4, fMin: 0, fMax: 4000, logEpsilon: 1e-6 },
  { clips: 3, samples: 301, sampleRate: 16000, frameLength: 51, hopLength: 17, fftSize: 64, melBins: 10, fMin: 30, fMax: 7000, logEpsilon: 1e-6 },
  { clips: 2, samples: 1000, sampleRate: 8000, frameLength: 200, hopLength: 80, fftSize: 256, melBins: 40, fMin: 50, fMax: 4000, logEpsilon: 1e-3 },
  { clips: 1, samples: 129, sampleRate: 44100, frameLength: 128, hopLength: 1, fftSize: 128, melBins: 3, fMin: 0, fMax: 22050, logEpsilon: 1e-9 },
  { clips: 4, samples: 7, sampleRate: 1000, frameLength: 7, hopLength: 3, fftSize: 8, melBins: 2, fMin: 10, fMax: 500, logEpsilon: 1e-6 },
];

describe('log-mel spectrogram vs float64 reference', () => {
  const random = new TestRandom(12);
  for (const config of configs) {
    const { clips, samples: count, ...options } = config;
    it(`${clips} clip(s) x ${count} samples, frame ${options.frameLength}/${options.hopLength}, fft ${options.fftSize}, ${options.melBins} bands`, () => {
      const samples = fg.tensor(random.floats(clips * count), [clips, count]);
      const expected = logMelReference(samples.data, clips, config);
      const frames = 1 + Math.floor((count - options.frameLength) / options.hopLength);
      for (const threads of [1, 2]) {
        fg.setNumThreads(threads);
        forEachIsa(fg, (isa) => {
          const out = fg.data.logMelSpectrogram(samples, options);
          expect(out.shape).toEqual([clips, frames, options.melBins]);
          expectClose(out.data, expected, `${isa} ${threads} thread(s)`, 2e-5, 2e-6);
        });
      }
      const single = fg.data.logMelSpectrogram(samples.data.subarray(0, count), options);
      expect(single.shape).toEqual([frames, options.melBins]);
      expectClose(single.data, expected.subarray(0, frames * options.melBins), 'one clip as a Float32Array', 2e-5, 2e-6);
    });
  }

  it('defaults: 25 ms frames, 10 ms hop, 40 bands up to Nyquist', () => {
    const samples = random.floats(16000);
    const out = fg.data.logMelSpectrogram(samples, { sampleRate: 16000 });
    expect(out.shape).toEqual([1 + Math.floor((16000 - 400) / 160), 40]);
    const expected = logMelReference(samples.subarray(0, 400 + 160 * 3), 1, { sampleRate: 16000, frameLength: 400, hopLength: 160, fftSize: 512, melBins: 40, fMin: 0, fMax: 8000, logEpsilon: 1e-6 });
    expectClose(out.data.subarray(0, expected.length), expected, 'first frames with defaults', 2e-5, 2e-6);
  });

  it('puts a 1 kHz tone in the band whose triangle weighs 1 kHz most', () => {
    const rate = 16000;
    const tone = Float32Array.from({ length: 8000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / rate));
    const out = fg.data.logMelSpectrogram(tone, { sampleRate: rate, frameLength: 512, hopLength: 256, melBins: 32 });
    const bank = fg.data.melFilterbank({ sampleRate: rate, fftSize: 512, melBins: 32 });
    const bin = (1000 * 512) / rate;
    const row = Array.from(bank.data.subarray(bin * 32, bin * 32 + 32));
    const expectedBand = row.indexOf(Math.max(...row));
    const [frames] = out.shape;
    for (let f = 0; f < frames; ++f) {
      const values = Array.from(out.data.subarray(f * 32, f * 32 + 32));
      expect(values.indexOf(Math.max(...values)), `frame ${f}`).toBe(expectedBand);
    }
  });

  it('async twin matches sync', async () => {
    const samples = fg.tensor(random.floats(3 * 4000), [3, 4000]);
    const options = { sampleRate: 8000, frameLength: 256, hopLength: 100, melBins: 24 };
    const [a, b] = await Promise.all([fg.data.logMelSpectrogramAsync(samples, options), fg.data.logMelSpectrogramAsync(samples, options)]);
    const sync = fg.data.logMelSpectrogram(samples, options);
    expect(Array.from(a.data)).toEqual(Array.from(sync.data));
    expect(Array.from(b.data)).toEqual(Array.from(sync.data));
  });
});

describe('mel filterbank', () => {
  it('matches the reference written from TensorFlow\'s definition', () => {
    for (const [rate, fft, bands, low, high] of [[16000, 512, 40, 0, 8000], [22050, 1024, 80, 20, 11025], [8000, 64, 5, 100, 3000]]) {
      const bank = fg.data.melFilterbank({ sampleRate: rate, fftSize: fft, melBins: bands, fMin: low, fMax: high });
      expect(bank.shape).toEqual([fft / 2 + 1, bands]);
      expectClose(bank.data, melFilterbankReference(rate, fft, bands, low, high), `${rate} Hz fft ${fft}`, 1e-6, 1e-6);
    }
  });
});

describe('log-mel bad input', () => {
  const samples = new Float32Array(1000);
  const ok = { sampleRate: 8000, frameLength: 200, hopLength: 80 };
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['samples an array', () => fg.data.logMelSpectrogram([1, 2, 3] as never, ok), TypeError, /samples/],
    ['samples rank 3', () => fg.data.logMelSpectrogram(fg.zeros([1, 2, 500]), ok), RangeError, /samples/],
    ['no options', () => (fg.data.logMelSpectrogram as (s: unknown) => unknown)(samples), TypeError, /sampleRate/],
    ['no sampleRate', () => fg.data.logMelSpectrogram(samples, {} as never), TypeError, /sampleRate/],
    ['NaN sampleRate', () => fg.data.logMelSpectrogram(samples, { sampleRate: NaN }), RangeError, /sampleRate/],
    ['negative sampleRate', () => fg.data.logMelSpectrogram(samples, { sampleRate: -8000 }), RangeError, /sampleRate/],
    ['fftSize not a power of two', () => fg.data.logMelSpectrogram(samples, { ...ok, fftSize: 300 }), RangeError, /fftSize/],
    ['frameLength above fftSize', () => fg.data.logMelSpectrogram(samples, { ...ok, fftSize: 128 }), RangeError, /frameLength/],
    ['frameLength 0', () => fg.data.logMelSpectrogram(samples, { ...ok, frameLength: 0 }), RangeError, /frameLength/],
    ['hopLength fractional', () => fg.data.logMelSpectrogram(samples, { ...ok, hopLength: 1.5 }), RangeError, /hopLength/],
    ['melBins 0', () => fg.data.logMelSpectrogram(samples, { ...ok, melBins: 0 }), RangeError, /melBins/],
    ['fMax above Nyquist', () => fg.data.logMelSpectrogram(samples, { ...ok, fMax: 4001 }), RangeError, /fMax/],
    ['fMin at fMax', () => fg.data.logMelSpectrogram(samples, { ...ok, fMin: 3000, fMax: 3000 }), RangeError, /fMax/],
    ['fMin negative', () => fg.data.logMelSpectrogram(samples, { ...ok, fMin: -1 }), RangeError, /fMin/],
    ['logEpsilon 0', () => fg.data.logMelSpectrogram(samples, { ...ok, logEpsilon: 0 }), RangeError, /logEpsilon/],
    ['unknown option', () => fg.data.logMelSpectrogram(samples, { ...ok, center: true } as never), TypeError, /center/],
    ['shorter than a frame', () => fg.data.logMelSpectrogram(new Float32Array(199), ok), RangeError, /at least frameLength \(200\)/],
    ['NaN sample', () => fg.data.logMelSpectrogram(Float32Array.from({ length: 400 }, (_, i) => (i === 7 ? NaN : 0)), ok), RangeError, /index 7/],
    ['filterbank without fftSize', () => fg.data.melFilterbank({ sampleRate: 8000 } as never), TypeError, /fftSize/],
    ['raw: short out', () => native.logMelSpectrogram(new Float32Array(10), samples, 1, 1000, 200, 80, 8000, 256, 40, 0, 4000, 1e-6, false), RangeError, /out/],
    ['raw: samples length vs dims', () => native.logMelSpectrogram(new Float32Array(11 * 40), samples, 2, 1000, 200, 80, 8000, 256, 40, 0, 4000, 1e-6, false), RangeError, /samples/],
    ['raw: fftSize 300', () => native.logMelSpectrogram(new Float32Array(11 * 40), samples, 1, 1000, 200, 80, 8000, 300, 40, 0, 4000, 1e-6, false), RangeError, /fftSize/],
    ['raw: frame above fft', () => native.logMelSpectrogram(new Float32Array(11 * 40), samples, 1, 1000, 200, 80, 8000, 128, 40, 0, 4000, 1e-6, false), RangeError, /frameLength/],
    ['raw: NaN fMin', () => native.logMelSpectrogram(new Float32Array(11 * 40), samples, 1, 1000, 200, 80, 8000, 256, 40, NaN, 4000, 1e-6, false), RangeError, /fMin/],
    ['raw: fMax above Nyquist', () => native.logMelSpectrogram(new Float32Array(11 * 40), samples, 1, 1000, 200, 80, 8000, 256, 40, 0, 5000, 1e-6, false), RangeError, /fMax/],
    ['raw: zero rate', () => native.logMelSpectrogram(new Float32Array(11 * 40), samples, 1, 1000, 200, 80, 0, 256, 40, 0, 4000, 1e-6, false), RangeError, /sampleRate/],
    ['raw: negative epsilon', () => native.logMelSpectrogram(new Float32Array(11 * 40), samples, 1, 1000, 200, 80, 8000, 256, 40, 0, 4000, -1, false), RangeError, /logEpsilon/],
    ['raw: negative clips', () => native.logMelSpectrogram(new Float32Array(11 * 40), samples, -1, 1000, 200, 80, 8000, 256, 40, 0, 4000, 1e-6, false), RangeError, /clips/],
    ['raw: huge dims', () => native.logMelSpectrogram(new Float32Array(11 * 40), samples, 2 ** 40, 2 ** 40, 200, 80, 8000, 256, 40, 0, 4000, 1e-6, false), RangeError, /at most/],
    ['raw: Float64Array samples', () => native.logMelSpectrogram(new Float32Array(11 * 40), new Float64Array(1000) as never, 1, 1000, 200, 80, 8000, 256, 40, 0, 4000, 1e-6, false), TypeError, /Float32Array/],
    ['raw: too few args', () => (native.logMelSpectrogram as (...a: unknown[]) => unknown)(new Float32Array(1)), TypeError, /arguments/],
    ['raw: filterbank short out', () => native.melFilterbank(new Float64Array(5), 8000, 256, 40, 0, 4000), RangeError, /out/],
    ['raw: filterbank Float32Array', () => native.melFilterbank(new Float32Array(129 * 40) as never, 8000, 256, 40, 0, 4000), TypeError, /Float64Array/],
  ];
  for (const [name, call, type, message] of cases) {
    it(name, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }
  it('raw: a correct call works', () => {
    const out = new Float32Array(11 * 40);
    native.logMelSpectrogram(out, samples, 1, 1000, 200, 80, 8000, 256, 40, 0, 4000, 1e-6, false);
    expect(out.every((v) => v === Math.fround(Math.log(1e-6)))).toBe(true);
  });
});
