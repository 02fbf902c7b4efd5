// Batch normalization vs float64 references (training forward with moving averages, inference,
// backward) on odd channel counts and row counts spanning several tiles, every ISA, 1 and 2
// threads; statistics identical for any thread count; finite differences for dx, dscale, doffset;
// bad-input tables for the ops and the raw addon.
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { native } from '../lib/native';
import { expectClose, forEachIsa } from './helpers/compare';
import { TestRandom } from './helpers/random';
import { batchNormBackward64, batchNormInference64, batchNormTraining64 } from './reference/batchnorm';

const threadsAtStart = fg.getNumThreads();
afterAll(() => fg.setNumThreads(threadsAtStart));

function forEachThreads(body: (threads: number) => void): void {
  for (const threads of [1, 2]) {
    fg.setNumThreads(threads);
    body(threads);
  }
  fg.setNumThreads(threadsAtStart);
}

// [shape]: channels below/at/above the kernels' 256-channel block, rows across several tiles.
const SHAPES: number[][] = [...Array.from({ length: 70 }, (_, i) => [3, i + 1]), [1, 1], [33, 1], [3, 255], [4, 257],
  [2, 3, 3, 8], [4, 5, 5, 3], [300, 64], [20000, 3]];

describe('batch normalization', () => {
  it('matches the float64 reference in training, inference and backward (every ISA, 1 and 2 threads)', () => {
    const random = new TestRandom(41);
    forEachIsa(fg, (isa) => forEachThreads((threads) => {
      for (const shape of SHAPES) {
        const channels = shape[shape.length - 1];
        const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
        const context = `[${shape}] ${isa} ${threads}t`;
        // Channels with different offsets and spreads, so a mean/variance mix-up shows.
        const values = random.floats(rows * channels, -2, 2).map((v, i) => v * (1 + (i % channels)) + 5 * (i % channels));
        const x = fg.tensor(values, shape);
        const scale = fg.tensor(random.floats(channels, 0.5, 2), [channels]);
        const offset = fg.tensor(random.floats(channels), [channels]);
        const movingMean = random.floats(channels);
        const movingVariance = random.floats(channels, 0.5, 2);
        const expected = batchNormTraining64(x.data, rows, channels, scale.data, offset.data, movingMean, movingVariance, 0.99, 1e-3);
        const result = fg.ops.batchNormTraining(x, movingMean, movingVariance, offset, scale);
        expectClose(result.y.data, expected.y, `y ${context}`, 1e-4, 1e-4);
        expectClose(result.mean.data, expected.mean, `mean ${context}`, 1e-5, 1e-6);
        expectClose(result.invStd.data, expected.invStd, `invStd ${context}`, 1e-6, 1e-5);
        expectClose(movingMean, expected.movingMean, `moving mean ${context}`, 1e-6, 1e-6);
        expectClose(movingVariance, expected.movingVariance, `moving variance ${context}`, 1e-6, 1e-5);
        expect(result.y.shape).toEqual(shape);

        const inference = fg.ops.batchNorm(x, movingMean, movingVariance, offset, scale, 1e-3);
        expectClose(inference.data, batchNormInference64(x.data, rows, channels, movingMean, movingVariance, scale.data,
          offset.data, 1e-3), `inference ${context}`, 1e-4, 1e-4);

        const dy = fg.tensor(random.floats(rows * channels), shape);
        const grad = fg.ops.batchNormGrad(dy, x, scale, result.mean, result.invStd);
        const expectedGrad = batchNormBackward64(dy.data, x.data, rows, channels, scale.data, result.mean.data, result.invStd.data);
        expectClose(grad.doffset.data, expectedGrad.dbeta, `doffset ${context}`, 1e-4, 1e-5);
        expectClose(grad.dscale.data, expectedGrad.dgamma, `dscale ${context}`, 1e-4, 1e-5);
        expectClose(grad.dx.data, expectedGrad.dx, `dx ${context}`, 1e-5, 1e-3);
      }
    }));
  });

  it('defaults scale to 1 and offset to 0, as TF.js batchNorm', () => {
    const x = fg.tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    const mean = fg.tensor([3, 4], [2]);
    const variance = fg.tensor([4, 1], [2]);
    const y = fg.ops.batchNorm(x, mean, variance);
    expectClose(y.data, batchNormInference64(x.data, 3, 2, mean.data, variance.data, [1, 1], [0, 0], 0.001), 'defaults');
    const training = fg.ops.batchNormTraining(x, new Float32Array(2), Float32Array.of(1, 1));
    // Column means 3 and 4, biased variances 8/3: y = (x - mean) / sqrt(8/3 + 0.001).
    expectClose(training.y.data, [-2, -2, 0, 0, 2, 2].map((v) => v / Math.sqrt(8 / 3 + 0.001)), 'training defaults');
  });

  it('gives the same statistics bit for bit with 1 and 2 threads', () => {
    const random = new TestRandom(42);
    const x = fg.tensor(random.floats(6000 * 37, -3, 3), [6000, 37]);
    const dy = fg.tensor(random.floats(6000 * 37), [6000, 37]);
    const runs: number[][] = [];
    forEachThreads(() => {
      const result = fg.ops.batchNormTraining(x, new Float32Array(37), new Float32Array(37).fill(1));
      const grad = fg.ops.batchNormGrad(dy, x, null, result.mean, result.invStd);
      runs.push([...result.mean.data, ...result.invStd.data, ...grad.dscale.data, ...grad.doffset.data, ...result.y.data.slice(0, 100)]);
    });
    expect(runs[0]).toEqual(runs[1]);
  });

  it('has a backward pass that matches central differences for x, scale and offset', () => {
    const random = new TestRandom(43);
    const [rows, channels] = [6, 3];
    const x = fg.tensor(random.floats(rows * channels, -2, 2), [rows, channels]);
    const scale = fg.tensor(random.floats(channels, 0.5, 1.5), [channels]);
    const offset = fg.tensor(random.floats(channels), [channels]);
    const forward = ([input, gamma, beta]: fg.Tensor[]) =>
      fg.ops.batchNormTraining(input, new Float32Array(channels), new Float32Array(channels).fill(1), beta, gamma).y;
    const result = fg.gradCheck(
      forward,
      ([input, gamma, beta], dy) => {
        const saved = fg.ops.batchNormTraining(input, new Float32Array(channels), new Float32Array(channels).fill(1), beta, gamma);
        const grad = fg.ops.batchNormGrad(dy, input, gamma, saved.mean, saved.invStd);
        return [grad.dx, grad.dscale, grad.doffset];
      },
      [x, scale, offset],
      {
        forward64: ([input, gamma, beta]) =>
          batchNormTraining64(input, rows, channels, gamma, beta, new Float64Array(channels), new Float64Array(channels), 0.99, 1e-3).y,
      },
    );
    expect(result.ok, JSON.stringify(result.mismatches)).toBe(true);
  });

  it('has async twins with the same results', async () => {
    const random = new TestRandom(44);
    const x = fg.tensor(random.floats(500 * 8, -1, 1), [500, 8]);
    const [mm1, mv1, mm2, mv2] = [new Float32Array(8), new Float32Array(8).fill(1), new Float32Array(8), new Float32Array(8).fill(1)];
    const sync = fg.ops.batchNormTraining(x, mm1, mv1);
    const later = await fg.ops.batchNormTrainingAsync(x, mm2, mv2);
    expect(Array.from(later.y.data)).toEqual(Array.from(sync.y.data));
    expect(Array.from(mm2)).toEqual(Array.from(mm1));
    const dy = fg.tensor(random.floats(500 * 8), [500, 8]);
    const grad = fg.ops.batchNormGrad(dy, x, null, sync.mean, sync.invStd);
    const gradAsync = await fg.ops.batchNormGradAsync(dy, x, null, sync.mean, sync.invStd);
    expect(Array.from(gradAsync.dx.data)).toEqual(Array.from(grad.dx.data));
  });
});

describe('bad inputs', () => {
  const x = fg.tensor([1, 2, 3, 4, 5, 6], [3, 2]);
  const two = () => new Float32Array(2);
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['x not a tensor', () => fg.ops.batchNorm([1, 2] as never, two(), two()), TypeError, /x/],
    ['scalar x', () => fg.ops.batchNorm(fg.tensor([1], []), two(), two()), RangeError, /x/],
    ['mean wrong length', () => fg.ops.batchNorm(x, new Float32Array(3), two()), RangeError, /mean/],
    ['variance an array', () => fg.ops.batchNorm(x, two(), [1, 1] as never), TypeError, /variance/],
    ['offset wrong length', () => fg.ops.batchNorm(x, two(), two(), new Float32Array(1)), RangeError, /offset/],
    ['epsilon 0', () => fg.ops.batchNorm(x, two(), two(), null, null, 0), RangeError, /varianceEpsilon/],
    ['epsilon NaN', () => fg.ops.batchNorm(x, two(), two(), null, null, NaN), RangeError, /varianceEpsilon/],
    ['training with no rows', () => fg.ops.batchNormTraining(fg.tensor(new Float32Array(0), [0, 2]), two(), two()), RangeError, /x/],
    ['training momentum 1.5', () => fg.ops.batchNormTraining(x, two(), two(), null, null, { momentum: 1.5 }), RangeError, /momentum/],
    ['training epsilon negative', () => fg.ops.batchNormTraining(x, two(), two(), null, null, { epsilon: -1 }), RangeError, /epsilon/],
    ['training moving mean short', () => fg.ops.batchNormTraining(x, new Float32Array(1), two()), RangeError, /movingMean/],
    ['grad dy shape mismatch', () => fg.ops.batchNormGrad(fg.tensor([1, 2], [1, 2]), x, null, two(), two()), RangeError, /dy/],
    ['grad invStd short', () => fg.ops.batchNormGrad(x, x, null, two(), new Float32Array(1)), RangeError, /invStd/],
  ];
  it.each(cases)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  const f = (n: number) => new Float32Array(n);
  const raw: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['training rows 0', () => native.batchNormTraining(f(0), f(2), f(2), f(2), f(2), f(0), f(2), f(2), 0, 2, 0.99, 1e-3, false), RangeError, /rows/],
    ['training y short', () => native.batchNormTraining(f(5), f(2), f(2), f(2), f(2), f(6), f(2), f(2), 3, 2, 0.99, 1e-3, false), RangeError, /\by\b/],
    ['training gamma short', () => native.batchNormTraining(f(6), f(2), f(2), f(2), f(2), f(6), f(1), f(2), 3, 2, 0.99, 1e-3, false), RangeError, /gamma/],
    ['training epsilon 0', () => native.batchNormTraining(f(6), f(2), f(2), f(2), f(2), f(6), f(2), f(2), 3, 2, 0.99, 0, false), RangeError, /epsilon/],
    ['training momentum -1', () => native.batchNormTraining(f(6), f(2), f(2), f(2), f(2), f(6), f(2), f(2), 3, 2, -1, 1e-3, false), RangeError, /momentum/],
    ['training huge dims', () => native.batchNormTraining(f(0), f(0), f(0), f(0), f(0), f(0), f(0), f(0), 2 ** 40, 2 ** 20, 0.99, 1e-3, false), RangeError, /elements|overflow/],
    ['inference negative channels', () => native.batchNormInference(f(0), f(0), f(0), f(0), f(0), f(0), 1, -2, 1e-3, false), RangeError, /channels/],
    ['inference x Int32Array', () => native.batchNormInference(f(6), new Int32Array(6) as never, f(2), f(2), f(2), f(2), 3, 2, 1e-3, false), TypeError, /x must be a Float32Array/],
    ['backward savedInvStd short', () => native.batchNormBackward(f(6), f(2), f(2), f(6), f(6), f(2), f(2), f(1), 3, 2, false), RangeError, /savedInvStd/],
    ['backward argument count', () => (native.batchNormBackward as (...a: unknown[]) => unknown)(f(6)), TypeError, /expected 11 arguments/],
  ];
  it.each(raw)('raw binding: %s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
