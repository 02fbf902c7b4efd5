// The Sequential model API end to end: a short MNIST run that must learn, determinism under
// fg.setSeed, sync/async prediction, weights round trips, the event loop staying responsive during
// fit, and the bad-input table.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { randomOneHot, randomTensor } from './helpers/models';
import { TestRandom } from './helpers/random';

const L = fg.layers;

function mnistConvnet(): fg.Sequential {
  return fg.sequential([
    L.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
    L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
    L.maxPooling2d({ poolSize: 2 }),
    L.flatten(),
    L.dropout({ rate: 0.5 }),
    L.dense({ units: 10, activation: 'softmax' }),
  ]);
}

function slice(t: fg.Tensor, start: number, count: number): fg.Tensor {
  const row = t.size / t.shape[0];
  return new fg.Tensor(t.data.subarray(start * row, (start + count) * row), [count, ...t.shape.slice(1)]);
}

let mnist: Awaited<ReturnType<typeof fg.datasets.mnist>>;
beforeAll(async () => {
  mnist = await fg.datasets.mnist({ limit: { train: 4000, test: 1000 } });
});

describe('training on MNIST', () => {
  it('learns a 4000-image subset to > 90% test accuracy in 2 epochs', async () => {
    fg.setSeed(7);
    const model = mnistConvnet();
    expect(model.countParams()).toBe(34826);
    model.compile({ optimizer: fg.optimizers.adam({ learningRate: 2e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(mnist.train.images, mnist.train.labels, { epochs: 2, batchSize: 64, verbose: 0, validationSplit: 0.1 });
    expect(history.loss.length).toBe(2);
    expect(history.loss[1]).toBeLessThan(history.loss[0]);
    expect(history.val_accuracy[1]).toBeGreaterThan(0.85);
    const { loss, accuracy } = await model.evaluate(mnist.test.images, mnist.test.labels, { batchSize: 250 });
    expect(accuracy).toBeGreaterThan(0.9);
    expect(loss).toBeLessThan(0.4);
  });

  it('is bit-identical for the same seed, and differs for another', async () => {
    const run = async (seed: number): Promise<Float32Array> => {
      fg.setSeed(seed);
      const model = mnistConvnet();
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      await model.fit(slice(mnist.train.images, 0, 512), slice(mnist.train.labels, 0, 512), { epochs: 1, batchSize: 64, verbose: 0 });
      return Float32Array.from(model.getWeights().flatMap((w) => Array.from(w.data)));
    };
    const first = await run(11);
    const second = await run(11);
    const other = await run(12);
    expect(Buffer.from(first.buffer).equals(Buffer.from(second.buffer))).toBe(true);
    expect(Buffer.from(first.buffer).equals(Buffer.from(other.buffer))).toBe(false);
  });

  it('keeps the event loop responsive while fit runs', async () => {
    fg.setSeed(1);
    const model = mnistConvnet();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    let steps = 0;
    let stepTime = 0;
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    let ticks = 0;
    const timer = setInterval(() => { ticks += 1; }, 2);
    histogram.enable();
    const started = performance.now();
    await model.fit(slice(mnist.train.images, 0, 1536), slice(mnist.train.labels, 0, 1536), {
      epochs: 1, batchSize: 128, verbose: 0, callbacks: { onBatchEnd: () => { steps += 1; } },
    });
    stepTime = (performance.now() - started) / steps;
    histogram.disable();
    clearInterval(timer);
    const p99 = histogram.percentile(99) / 1e6;
    expect(ticks).toBeGreaterThan(5);
    // Well below one training step: the steps run off the event loop.
    expect(p99).toBeLessThan(Math.max(stepTime / 2, 20));
  });
});

describe('prediction and weights', () => {
  it('predict and predictAsync agree, concurrent predictAsync calls queue', async () => {
    fg.setSeed(5);
    const model = mnistConvnet();
    const x = slice(mnist.test.images, 0, 50);
    const sync = model.predict(x, { batchSize: 16 });
    expect(sync.shape).toEqual([50, 10]);
    const [a, b] = await Promise.all([model.predictAsync(x, { batchSize: 7 }), model.predictAsync(x)]);
    for (const result of [a, b]) {
      for (let i = 0; i < sync.size; ++i) expect(result.data[i]).toBeCloseTo(sync.data[i], 5);
    }
    for (let row = 0; row < 50; ++row) {
      const sum = sync.data.subarray(row * 10, row * 10 + 10).reduce((s, v) => s + v, 0);
      expect(sum).toBeCloseTo(1, 5);
    }
  });

  it('getWeights / setWeights round-trip in Keras order and shapes', () => {
    const model = mnistConvnet();
    const shapes = model.getWeights().map((w) => w.shape);
    expect(shapes).toEqual([[3, 3, 1, 32], [32], [3, 3, 32, 64], [64], [1600, 10], [10]]);
    const replaced = model.getWeights().map((w) => fg.tensor(w.data.map((_, i) => (i % 7) / 10), [...w.shape]));
    model.setWeights(replaced);
    model.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(replaced[i].data)));
  });

  it('trainOnBatch returns the loss and changes the weights', async () => {
    fg.setSeed(9);
    const random = new TestRandom(3);
    const model = fg.sequential([L.dense({ units: 3, activation: 'softmax', inputShape: [4] })]);
    model.compile({ optimizer: fg.optimizers.sgd({ learningRate: 0.5 }), loss: 'categoricalCrossentropy' });
    const x = randomTensor(random, [8, 4]);
    const y = randomOneHot(random, 8, 3);
    const before = model.getWeights()[0].data.slice();
    const first = await model.trainOnBatch(x, y);
    const second = await model.trainOnBatch(x, y);
    expect(Number.isFinite(first)).toBe(true);
    expect(second).toBeLessThan(first);
    expect(model.getWeights()[0].data).not.toEqual(before);
  });

  it('activations returns every layer output, the last equal to predict', () => {
    fg.setSeed(2);
    const model = mnistConvnet();
    const x = slice(mnist.test.images, 0, 3);
    const outputs = model.activations(x);
    expect(outputs.map((o) => o.output.shape)).toEqual([[3, 26, 26, 32], [3, 13, 13, 32], [3, 11, 11, 64], [3, 5, 5, 64], [3, 1600], [3, 1600], [3, 10]]);
    expect(Array.from(outputs[6].output.data)).toEqual(Array.from(model.predict(x).data));
    expect(outputs[0].output.data.every((v) => v >= 0)).toBe(true);  // relu
  });
});

describe('bad input', () => {
  const model = fg.sequential([L.dense({ units: 3, activation: 'softmax', inputShape: [4] })]);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = fg.zeros([5, 4]);
  const y = fg.oneHot([0, 1, 2, 0, 1], 3);
  const nan = fg.zeros([5, 4]);
  nan.data[6] = NaN;
  const cases: [string, () => unknown, RegExp][] = [
    ['wrong input shape', () => model.fit(fg.zeros([5, 5]), y, { verbose: 0 }), /shape \[n, 4\]/],
    ['wrong input rank', () => model.predict(fg.zeros([4])), /shape \[n, 4\]/],
    ['mismatched x/y counts', () => model.fit(x, fg.oneHot([0, 1], 3), { verbose: 0 }), /5 examples/],
    ['labels of the wrong width', () => model.fit(x, fg.oneHot([0, 1, 2, 0, 1], 4), { verbose: 0 }), /one-hot/],
    ['NaN in data', () => model.fit(nan, y, { verbose: 0 }), /NaN at example 1/],
    ['unknown fit option', () => model.fit(x, y, { epoch: 3 } as never), /unknown option 'epoch'/],
    ['unknown layer option', () => L.dense({ units: 3, activaton: 'relu' } as never), /unknown option 'activaton'/],
    ['bad units', () => L.dense({ units: 0 }), /units/],
    ['bad kernel size', () => L.conv2d({ filters: 2, kernelSize: -1 }), /kernelSize/],
    ['unknown loss', () => model.compile({ optimizer: 'sgd', loss: 'hinge' }), /loss/],
    ['unknown optimizer', () => model.compile({ optimizer: 'lbfgs' as never, loss: 'mse' }), /optimizer/],
    ['fit before compile', () => fg.sequential([L.dense({ units: 1, inputShape: [2] })]).fit(fg.zeros([1, 2]), fg.zeros([1, 1])), /compiled/],
    ['first layer without input shape', () => fg.sequential([L.dense({ units: 1 })]), /inputShape/],
    ['kernel larger than input', () => fg.sequential([L.conv2d({ filters: 1, kernelSize: 5, inputShape: [3, 3, 1] })]), /no larger than the padded input.*kernelSize/],
    ['duplicate layer names', () => fg.sequential([L.dense({ units: 1, inputShape: [2], name: 'a' }), L.dense({ units: 1, name: 'a' })]), /unique/],
    ['setWeights count', () => model.setWeights([fg.zeros([4, 3])]), /2 tensors/],
    ['setWeights shape', () => model.setWeights([fg.zeros([3, 4]), fg.zeros([3])]), /shape \[4, 3\]/],
    ['absurd dense layer', () => fg.sequential([L.dense({ units: 2 ** 30, inputShape: [1000] })]), /at most 2\^31/],
  ];
  for (const [name, call, message] of cases) {
    it(name, async () => {
      await expect((async () => call())()).rejects.toThrow(message);
    });
  }

  it('sparse labels out of range are a FaltungError', async () => {
    const sparse = fg.sequential([L.dense({ units: 3, activation: 'softmax', inputShape: [4] })]);
    sparse.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await expect(sparse.fit(x, fg.tensor([0, 1, 2, 3, 1], [5]), { verbose: 0 })).rejects.toThrow(/FALTUNG_INVALID_DATA|out of range/);
  });

  it('a diverging loss stops fit with the epoch and batch', async () => {
    fg.setSeed(1);
    const model2 = fg.sequential([L.dense({ units: 2, inputShape: [2] })]);
    model2.compile({ optimizer: fg.optimizers.sgd({ learningRate: 1e30 }), loss: 'meanSquaredError' });
    const big = fg.tensor(new Float32Array(40).fill(1e20), [20, 2]);
    await expect(model2.fit(big, fg.zeros([20, 2]), { epochs: 3, batchSize: 4, verbose: 0 })).rejects.toThrow(/epoch 1, batch \d/);
  });
});
