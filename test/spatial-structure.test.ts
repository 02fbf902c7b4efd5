// fg.tuning.spatialStructureTest: a drop on data whose classes are defined by neighbouring
// positions, none on tabular data whose column order is arbitrary, permutations that keep channels
// together and are shared by every example, reproducibility, the global generator left as it was,
// and the bad-input table.
import { describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { globalRandom } from '../lib/random';
import { permutePositions, spatialStructureTest } from '../lib/tuning/index';
import { TestRandom } from './helpers/random';

const L = fg.layers;

/** Class 0: two adjacent peaks; class 1: two peaks at least 3 apart. Noise elsewhere. [n, length, 1]. */
function peaks(count: number, length: number, seed: number): { x: fg.Tensor; y: fg.Tensor } {
  const random = new TestRandom(seed);
  const x = new Float32Array(count * length);
  const y = new Float32Array(count * 2);
  for (let n = 0; n < count; ++n) {
    for (let i = 0; i < length; ++i) x[n * length + i] = random.uniform(0, 0.3);
    const label = n % 2;
    const first = random.int(0, length - 1);
    let second: number;
    if (label === 0) second = first + 1 < length ? first + 1 : first - 1;
    else do second = random.int(0, length - 1); while (Math.abs(second - first) < 3);
    x[n * length + first] = 1;
    x[n * length + second] = 1;
    y[n * 2 + label] = 1;
  }
  return { x: fg.tensor(x, [count, length, 1]), y: fg.tensor(y, [count, 2]) };
}

/** Independent features; the class is a fixed nonlinear function of three of them. [n, features, 1]. */
function tabular(count: number, features: number, seed: number): { x: fg.Tensor; y: fg.Tensor } {
  const random = new TestRandom(seed);
  const x = random.floats(count * features);
  const y = new Float32Array(count * 2);
  for (let n = 0; n < count; ++n) {
    const row = x.subarray(n * features);
    const label = row[1] + 0.8 * row[9] * row[9] - 0.6 * row[4] > 0.25 ? 1 : 0;
    y[n * 2 + label] = 1;
  }
  return { x: fg.tensor(x, [count, features, 1]), y: fg.tensor(y, [count, 2]) };
}

function localModel(length: number): () => fg.Sequential {
  return () => {
    const model = fg.sequential([
      L.conv1d({ filters: 8, kernelSize: 2, activation: 'relu', inputShape: [length, 1] }),
      L.globalMaxPooling1d(),
      L.dense({ units: 2, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: fg.optimizers.adam({ learningRate: 0.02 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  };
}

function tabularModel(features: number): () => fg.Sequential {
  return () => {
    const model = fg.sequential([
      L.conv1d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [features, 1] }),
      L.flatten(),
      L.dense({ units: 16, activation: 'relu' }),
      L.dense({ units: 2, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: fg.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  };
}

describe('spatialStructureTest', () => {
  it('finds the layout information of local patterns', async () => {
    const { x, y } = peaks(600, 24, 1);
    const result = await spatialStructureTest(localModel(24), x, y, { epochs: 8, batchSize: 32, permutations: 2, seed: 3 });
    expect(result.originalAccuracy).toBeGreaterThan(0.9);
    expect(result.permutedAccuracies).toHaveLength(2);
    expect(result.drop).toBeGreaterThan(0.2);
    expect(result.structure).toBe('spatial');
    expect(result.verdict).toMatch(/^Layout carries information/);
    expect(result.positions).toBe(24);
    expect(result.channels).toBe(1);
  });

  it('finds none in tabular data whose column order is arbitrary', async () => {
    const { x, y } = tabular(1000, 12, 2);
    const result = await spatialStructureTest(tabularModel(12), x, y, { epochs: 6, batchSize: 32, permutations: 2, seed: 5, validationSplit: 0.3, dropThreshold: 0.08 });
    expect(result.originalAccuracy).toBeGreaterThan(0.8);
    expect(Math.abs(result.drop)).toBeLessThan(0.04);
    expect(result.structure).toBe('none');
    expect(result.verdict).toMatch(/^No layout information/);
  });

  it('is reproducible and leaves the global generator where it was', async () => {
    const { x, y } = peaks(120, 10, 4);
    fg.setSeed(99);
    globalRandom().uniform();
    const before = globalRandom().getState();
    const first = await spatialStructureTest(localModel(10), x, y, { epochs: 1, seed: 7 });
    expect(globalRandom().getState()).toEqual(before);
    const second = await spatialStructureTest(localModel(10), x, y, { epochs: 1, seed: 7 });
    expect(second.originalAccuracy).toBe(first.originalAccuracy);
    expect(second.permutedAccuracies).toEqual(first.permutedAccuracies);
    expect(second.originalLoss).toBe(first.originalLoss);
  });

  it('uses explicit validation data and permutes it like the training data', async () => {
    const train = peaks(200, 12, 5);
    const valid = peaks(60, 12, 6);
    const result = await spatialStructureTest(localModel(12), train.x, train.y, { epochs: 2, validationData: [valid.x, valid.y], seed: 1 });
    expect(result.originalAccuracy).toBeGreaterThanOrEqual(0);
    expect(result.permutedAccuracies[0]).toBeGreaterThanOrEqual(0);
  });
});

describe('permutePositions', () => {
  it('moves whole positions (channels together), the same way for every example', () => {
    const x = fg.tensor(Float32Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => i), [2, 2, 2, 3]);
    const order = Int32Array.from([2, 0, 3, 1]);
    const out = permutePositions(x, order, 3);
    expect(out.shape).toEqual([2, 2, 2, 3]);
    for (let n = 0; n < 2; ++n) {
      for (let p = 0; p < 4; ++p) {
        for (let c = 0; c < 3; ++c) expect(out.data[n * 12 + p * 3 + c]).toBe(x.data[n * 12 + order[p] * 3 + c]);
      }
    }
  });

  it('treats rank-2 inputs as positions without channels', async () => {
    const x = fg.tensor(Float32Array.from({ length: 40 * 6 }, (_, i) => (i % 6) / 6), [40, 6]);
    const y = fg.oneHot(Array.from({ length: 40 }, (_, i) => i % 2), 2);
    const factory = (): fg.Sequential => {
      const model = fg.sequential([L.dense({ units: 2, activation: 'softmax', inputShape: [6] })]);
      model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return model;
    };
    const result = await spatialStructureTest(factory, x, y, { epochs: 1 });
    expect(result.positions).toBe(6);
    expect(result.channels).toBe(1);
  });
});

describe('spatialStructureTest bad input', () => {
  const { x, y } = peaks(20, 6, 9);
  const compiled = localModel(6);
  const uncompiled = (): fg.Sequential => fg.sequential([L.dense({ units: 2, inputShape: [6, 1] })]);
  const cases: [string, () => Promise<unknown>, ErrorConstructor, RegExp][] = [
    ['factory not a function', () => spatialStructureTest({} as never, x, y), TypeError, /modelFactory/],
    ['factory returns no model', () => spatialStructureTest((() => 5) as never, x, y, { epochs: 1 }), TypeError, /modelFactory\(\)/],
    ['factory returns an uncompiled model', () => spatialStructureTest(uncompiled, x, y, { epochs: 1 }), RangeError, /compiled/],
    ['x not a tensor', () => spatialStructureTest(compiled, [1, 2] as never, y), TypeError, /x/],
    ['x of rank 1', () => spatialStructureTest(compiled, fg.zeros([20]), y), RangeError, /x/],
    ['y count', () => spatialStructureTest(compiled, x, fg.zeros([19, 2])), RangeError, /20 examples/],
    ['permutations 0', () => spatialStructureTest(compiled, x, y, { permutations: 0 }), RangeError, /permutations/],
    ['epochs NaN', () => spatialStructureTest(compiled, x, y, { epochs: NaN }), RangeError, /epochs/],
    ['validationSplit 1', () => spatialStructureTest(compiled, x, y, { validationSplit: 1 }), RangeError, /validationSplit/],
    ['validationData shape', () => spatialStructureTest(compiled, x, y, { validationData: [fg.zeros([4, 5, 1]), fg.zeros([4, 2])] }), RangeError, /validationData\[0\]/],
    ['validationData not a pair', () => spatialStructureTest(compiled, x, y, { validationData: [x] as never }), TypeError, /validationData/],
    ['channelsLast on rank 2', () => spatialStructureTest(compiled, fg.zeros([20, 6]), y, { channelsLast: true }), RangeError, /channelsLast/],
    ['one position', () => spatialStructureTest(compiled, fg.zeros([20, 1, 3]), y), RangeError, /at least 2 feature positions/],
    ['unknown option', () => spatialStructureTest(compiled, x, y, { permutation: 2 } as never), RangeError, /permutation/],
    ['dropThreshold 2', () => spatialStructureTest(compiled, x, y, { dropThreshold: 2 }), RangeError, /dropThreshold/],
  ];
  for (const [name, call, type, message] of cases) {
    it(name, async () => {
      await expect(call()).rejects.toThrow(type);
      await expect(call()).rejects.toThrow(message);
    });
  }
});
