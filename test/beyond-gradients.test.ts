// The layers for sound, text and volumes through the model API: the embedding layer's forward and
// backward against float64 references (every ISA, 1 and 2 threads, bit-identical across threads),
// gradient checks by central differences for embedding, conv1d, conv3d and every 1D/3D pooling
// layer, a save/load round trip, and the bad-input tables (layer options, ids, raw network specs).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { native } from '../lib/native';
import { expectClose, forEachIsa } from './helpers/compare';
import { checkModelGradients, randomOneHot, randomTensor } from './helpers/models';
import { TestRandom } from './helpers/random';
import { embeddingBackwardReference, embeddingForwardReference } from './reference/embedding';

const L = fg.layers;
const defaultThreads = fg.getNumThreads();
afterAll(() => fg.setNumThreads(defaultThreads));

function randomIds(random: TestRandom, shape: number[], vocabulary: number): fg.Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  return fg.tensor(Float32Array.from({ length: count }, () => random.int(0, vocabulary - 1)), shape);
}

describe('embedding forward and backward vs float64 references', () => {
  // Vocabulary and width around the vector lengths; sequences longer than the vocabulary so ids repeat.
  const sizes: [number, number, number, number][] = [[1, 1, 1, 1], [3, 5, 4, 7], [4, 17, 33, 16], [8, 50, 300, 64], [2, 9, 2, 129]];
  for (const threads of [1, 2]) {
    for (const [batch, positions, vocabulary, width] of sizes) {
      it(`batch ${batch} x ${positions} ids, table ${vocabulary}x${width}, ${threads} thread(s)`, () => {
        fg.setNumThreads(threads);
        fg.setSeed(1);
        const random = new TestRandom(batch * 1000 + vocabulary);
        const model = fg.sequential([L.embedding({ inputDim: vocabulary, outputDim: width, inputLength: positions, embeddingsInitializer: 'randomNormal' })]);
        model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
        const ids = randomIds(random, [batch, positions], vocabulary);
        const target = randomTensor(random, [batch, positions, width]);
        const table = model.getWeights()[0].data;
        forEachIsa(fg, (isa) => {
          const out = model.predict(ids);
          expect(out.shape).toEqual([batch, positions, width]);
          expectClose(out.data, embeddingForwardReference(ids.data, table, width), `forward ${isa}`, 0, 0);
          // MSE: loss = mean((y - t)^2), d loss / d y = 2 (y - t) / count.
          const { loss, gradients } = model.computeGradients(ids, target);
          const count = out.size;
          const dy = new Float64Array(count);
          let expectedLoss = 0;
          for (let i = 0; i < count; ++i) {
            dy[i] = (2 * (out.data[i] - target.data[i])) / count;
            expectedLoss += (out.data[i] - target.data[i]) ** 2 / count;
          }
          expect(loss).toBeCloseTo(expectedLoss, 5);
          expectClose(gradients[0]!.data, embeddingBackwardReference(dy, ids.data, vocabulary, width), `backward ${isa}`, 1e-7, 1e-5);
        });
      });
    }
  }

  it('gives bit-identical table gradients on 1 and 2 threads', () => {
    const random = new TestRandom(3);
    fg.setSeed(2);
    const model = fg.sequential([L.embedding({ inputDim: 2000, outputDim: 48, inputLength: 400 }), L.globalAveragePooling1d(), L.dense({ units: 3, activation: 'softmax' })]);
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const ids = randomIds(random, [32, 400], 2000);
    const labels = randomOneHot(random, 32, 3);
    const runs = [1, 2].map((threads) => {
      fg.setNumThreads(threads);
      return model.computeGradients(ids, labels).gradients[0]!.data;
    });
    expect(Buffer.from(runs[0].buffer).equals(Buffer.from(runs[1].buffer))).toBe(true);
    expect(runs[0].some((v) => v !== 0)).toBe(true);
  });

  it('learns: a frozen embedding keeps its table, a trainable one moves only the rows it saw', async () => {
    fg.setSeed(4);
    const random = new TestRandom(8);
    const make = (trainable: boolean): fg.Sequential => {
      const model = fg.sequential([L.embedding({ inputDim: 20, outputDim: 3, inputLength: 5, trainable }), L.flatten(), L.dense({ units: 2, activation: 'softmax' })]);
      model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
      return model;
    };
    const ids = randomIds(random, [6, 5], 10);  // ids 10..19 never appear
    const labels = fg.tensor([0, 1, 0, 1, 1, 0]);
    for (const trainable of [false, true]) {
      const model = make(trainable);
      const before = Float32Array.from(model.getWeights()[0].data);
      await model.fit(ids, labels, { epochs: 2, batchSize: 3, verbose: 0 });
      const after = model.getWeights()[0].data;
      const changedRows = new Set<number>();
      for (let i = 0; i < after.length; ++i) if (after[i] !== before[i]) changedRows.add(Math.floor(i / 3));
      if (!trainable) expect(changedRows.size).toBe(0);
      else {
        expect(changedRows.size).toBeGreaterThan(0);
        expect([...changedRows].every((row) => row < 10)).toBe(true);
      }
    }
  });
});

interface Case {
  name: string;
  inputShape: number[];
  layers: () => fg.layers.Layer[];
  classes: number;
  ids?: number;  // integer inputs below this (embedding models)
  epsilon?: number;
}

const cases: Case[] = [
  { name: 'embedding + flatten + dense', inputShape: [6], classes: 3, ids: 4,
    layers: () => [L.embedding({ inputDim: 4, outputDim: 5, inputLength: 6, embeddingsInitializer: 'glorotUniform' }), L.flatten(), L.dense({ units: 3, activation: 'softmax' })] },
  { name: 'text model: embedding + conv1d + global max pool 1d + dense', inputShape: [9], classes: 2, ids: 7, epsilon: 1e-3,
    layers: () => [L.embedding({ inputDim: 7, outputDim: 4, inputLength: 9, embeddingsInitializer: 'glorotUniform' }), L.conv1d({ filters: 3, kernelSize: 3, activation: 'tanh' }), L.globalMaxPooling1d(), L.dense({ units: 2, activation: 'softmax' })] },
  { name: 'embedding of rank-2 ids + global average pool 2d', inputShape: [3, 4], classes: 2, ids: 5,
    layers: () => [L.embedding({ inputDim: 5, outputDim: 3, inputShape: [3, 4], embeddingsInitializer: 'glorotUniform' }), L.globalAveragePooling2d(), L.dense({ units: 2, activation: 'softmax' })] },
  { name: 'embedding after another op (its dx is zeros)', inputShape: [5], classes: 2, ids: 6,
    layers: () => [L.activation({ activation: 'relu', inputShape: [5] }), L.embedding({ inputDim: 6, outputDim: 3, embeddingsInitializer: 'glorotUniform' }), L.flatten(), L.dense({ units: 2, activation: 'softmax' })] },
  { name: 'conv1d same stride 2 + average pool 1d + global average 1d', inputShape: [11, 2], classes: 3,
    layers: () => [L.conv1d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', inputShape: [11, 2] }), L.averagePooling1d({ poolSize: 2, padding: 'same' }), L.globalAveragePooling1d(), L.dense({ units: 3, activation: 'softmax' })] },
  { name: 'conv1d dilated + max pool 1d (window 3, stride 2) + flatten', inputShape: [14, 3], classes: 2, epsilon: 1e-3,
    layers: () => [L.conv1d({ filters: 3, kernelSize: 2, dilationRate: 3, activation: 'sigmoid', inputShape: [14, 3] }), L.maxPooling1d({ poolSize: 3, strides: 2 }), L.flatten(), L.dense({ units: 2, activation: 'softmax' })] },
  { name: 'conv3d same stride 2 + global max pool 3d', inputShape: [5, 4, 6, 2], classes: 2, epsilon: 1e-3,
    layers: () => [L.conv3d({ filters: 3, kernelSize: [3, 2, 3], strides: 2, padding: 'same', activation: 'tanh', inputShape: [5, 4, 6, 2] }), L.globalMaxPooling3d(), L.dense({ units: 2, activation: 'softmax' })] },
  { name: 'conv3d + max pool 3d same + global average 3d', inputShape: [5, 5, 5, 1], classes: 3, epsilon: 1e-3,
    layers: () => [L.conv3d({ filters: 2, kernelSize: 2, activation: 'elu', inputShape: [5, 5, 5, 1] }), L.maxPooling3d({ poolSize: 3, strides: 2, padding: 'same' }), L.globalAveragePooling3d(), L.dense({ units: 3, activation: 'softmax' })] },
  { name: 'conv3d + average pool 3d + flatten', inputShape: [4, 6, 4, 2], classes: 2,
    layers: () => [L.conv3d({ filters: 2, kernelSize: [2, 3, 2], activation: 'tanh', inputShape: [4, 6, 4, 2] }), L.averagePooling3d({ poolSize: [3, 2, 3] }), L.flatten(), L.dense({ units: 2, activation: 'softmax' })] },
];

describe('gradients of the 1D/3D and embedding layers vs finite differences', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      fg.setSeed(5);
      const random = new TestRandom(29);
      const model = fg.sequential(testCase.layers());
      model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
      const batch = 4;
      const x = testCase.ids !== undefined ? randomIds(random, [batch, ...testCase.inputShape], testCase.ids) : randomTensor(random, [batch, ...testCase.inputShape]);
      const y = randomOneHot(random, batch, testCase.classes);
      const result = checkModelGradients(model, x, y, { seed: 42, epsilon: testCase.epsilon });
      expect(result.checked).toBeGreaterThan(0);
      expect(result.mismatches, JSON.stringify(result.mismatches)).toEqual([]);
    });
  }
});

describe('embedding models save and load', () => {
  it('round-trips topology and weights', async () => {
    fg.setSeed(6);
    const model = fg.sequential([L.embedding({ inputDim: 30, outputDim: 8, inputLength: 10 }), L.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' }), L.globalMaxPooling1d(), L.dense({ units: 2, activation: 'softmax' })]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const ids = randomIds(new TestRandom(2), [5, 10], 30);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-embedding-'));
    try {
      await model.save(dir);
      const loaded = await fg.loadModel(dir);
      expect(loaded.layers[0].getClassName()).toBe('Embedding');
      expect(loaded.layers[0].getConfig()).toMatchObject({ inputDim: 30, outputDim: 8, inputLength: 10 });
      expect(Array.from(loaded.predict(ids).data)).toEqual(Array.from(model.predict(ids).data));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embedding bad input', () => {
  const options: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['inputDim missing', () => L.embedding({ outputDim: 2 } as never), TypeError, /inputDim/],
    ['inputDim 0', () => L.embedding({ inputDim: 0, outputDim: 2 }), RangeError, /inputDim/],
    ['inputDim NaN', () => L.embedding({ inputDim: NaN, outputDim: 2 }), RangeError, /inputDim/],
    ['inputDim above 2^24', () => L.embedding({ inputDim: 2 ** 24 + 1, outputDim: 2 }), RangeError, /16777216] for inputDim/],
    ['inputDim fractional', () => L.embedding({ inputDim: 2.5, outputDim: 2 }), RangeError, /inputDim/],
    ['outputDim negative', () => L.embedding({ inputDim: 3, outputDim: -1 }), RangeError, /outputDim/],
    ['outputDim string', () => L.embedding({ inputDim: 3, outputDim: '4' as never }), TypeError, /outputDim/],
    ['unknown initializer', () => L.embedding({ inputDim: 3, outputDim: 2, embeddingsInitializer: 'uniform' as never }), RangeError, /embeddingsInitializer/],
    ['unknown option', () => L.embedding({ inputDim: 3, outputDim: 2, maskZero: true } as never), RangeError, /maskZero/],
    ['inputLength 0', () => L.embedding({ inputDim: 3, outputDim: 2, inputLength: 0 }), RangeError, /inputLength/],
    ['inputLength vs inputShape', () => L.embedding({ inputDim: 3, outputDim: 2, inputLength: 4, inputShape: [5] }), RangeError, /inputShape/],
    ['huge output', () => fg.sequential([L.embedding({ inputDim: 3, outputDim: 2 ** 20, inputLength: 2 ** 12 })]), RangeError, /2\^31/],
    ['input shape vs inputLength', () => fg.sequential([L.input({ shape: [7] }), L.embedding({ inputDim: 3, outputDim: 2, inputLength: 6 })]), RangeError, /inputLength/],
  ];
  for (const [name, call, type, message] of options) {
    it(name, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }

  const model = fg.sequential([L.embedding({ inputDim: 5, outputDim: 2, inputLength: 3 }), L.flatten(), L.dense({ units: 2, activation: 'softmax' })]);
  model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  for (const [name, ids] of [['id = inputDim', [0, 5, 1]], ['negative id', [0, -1, 1]], ['fractional id', [0, 1.5, 1]], ['huge id', [0, 1e20, 1]]] as [string, number[]][]) {
    it(`ids: ${name} is a RangeError naming the position, in predict and in fit`, async () => {
      const x = fg.tensor([ids], [1, 3]);
      expect(() => model.predict(x)).toThrow(RangeError);
      expect(() => model.predict(x)).toThrow(/token ids .* at example 0, position 1/);
      await expect(model.fit(x, fg.tensor([1]), { epochs: 1, verbose: 0 })).rejects.toThrow(/at example 0, position 1/);
    });
  }

  const Network = (native as unknown as { Network: new (spec: unknown) => unknown }).Network;
  const spec = (layer: Record<string, unknown>): unknown => ({
    inputSize: 3, layers: [{ kind: 'embedding', positions: 3, inputDim: 5, outputDim: 2, embeddings: new Float32Array(10), ...layer }],
    loss: 'meanSquaredError', classes: 6, optimizer: { kind: 'sgd', momentum: 0, nesterov: false, clipNorm: 0, clipValue: 0 },
  });
  const raw: [string, Record<string, unknown>, ErrorConstructor, RegExp][] = [
    ['short table', { embeddings: new Float32Array(9) }, RangeError, /embeddings/],
    ['no table', { embeddings: undefined }, TypeError, /embeddings/],
    ['Float64Array table', { embeddings: new Float64Array(10) }, TypeError, /embeddings/],
    ['inputDim 0', { inputDim: 0 }, RangeError, /inputDim/],
    ['inputDim above 2^24', { inputDim: 2 ** 24 + 1 }, RangeError, /inputDim/],
    ['outputDim NaN', { outputDim: NaN }, RangeError, /outputDim/],
    ['positions not matching inputSize', { positions: 4, embeddings: new Float32Array(10) }, RangeError, /taking 3 values/],
    ['overflowing table', { inputDim: 2 ** 24, outputDim: 2 ** 30 }, RangeError, /2\^31/],
  ];
  for (const [name, layer, type, message] of raw) {
    it(`raw Network spec: ${name}`, () => {
      expect(() => new Network(spec(layer))).toThrow(type);
      expect(() => new Network(spec(layer))).toThrow(message);
    });
  }
  it('raw Network spec: a good one builds', () => {
    expect(() => new Network(spec({}))).not.toThrow();
  });
});
