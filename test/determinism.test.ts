// Bit-for-bit reproducibility (docs/determinism.md): the same trained weights for 1, 2, 3 and 4
// threads on every ISA this machine runs; predictions that do not depend on the batch an example
// is computed in; one long fit equal to the same epochs split over several calls; fit({seed})
// independent of the global generator. The plain "same seed twice" check lives in
// test/model.test.ts; this file does not repeat it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';

const L = fg.layers;
const threadsAtStart = fg.backendInfo().threads;
const isaAtStart = fg.backendInfo().isa;
afterAll(() => {
  fg.setNumThreads(threadsAtStart);
  fg.setIsa(isaAtStart);
});

// Every reduction a training step has: conv filter and bias gradients (im2col and, on AVX-512, the
// direct C <= 4 kernels), batch-norm statistics, pooling, dropout, dense GEMMs over the batch,
// the loss sum, Adam.
function convnet(): fg.Sequential {
  return fg.sequential([
    L.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
    L.conv2d({ filters: 16, kernelSize: 3, strides: 2, activation: 'relu' }),
    L.batchNormalization(),
    L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
    L.averagePooling2d({ poolSize: 2 }),
    L.flatten(),
    L.dropout({ rate: 0.25 }),
    L.dense({ units: 10, activation: 'softmax' }),
  ]);
}

// Large enough dense products (batch 256 x 784 x 256) that the GEMM splits them across threads.
function mlp(): fg.Sequential {
  return fg.sequential([
    L.flatten({ inputShape: [28, 28, 1] }),
    L.dense({ units: 256, activation: 'relu' }),
    L.dropout({ rate: 0.2 }),
    L.dense({ units: 64, activation: 'tanh' }),
    L.dense({ units: 10, activation: 'softmax' }),
  ]);
}

let images: fg.Tensor;
let labels: fg.Tensor;
beforeAll(async () => {
  const mnist = await fg.datasets.mnist({ limit: { train: 512, test: 1 } });
  images = mnist.train.images;
  labels = mnist.train.labels;
});

function weightBytes(model: fg.Sequential): Buffer {
  const parts = model.getWeights().map((w) => Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength));
  return Buffer.concat(parts);
}

async function train(build: () => fg.Sequential, seed: number, batchSize: number, epochs = 1): Promise<Buffer> {
  fg.setSeed(seed);
  const model = build();
  model.compile({ optimizer: fg.optimizers.adam({ learningRate: 2e-3 }), loss: 'categoricalCrossentropy' });
  await model.fit(images, labels, { epochs, batchSize, verbose: 0 });
  return weightBytes(model);
}

describe('training does not depend on the thread count', () => {
  for (const isa of fg.backendInfo().supportedIsas) {
    it(`gives the same bits on 1, 2, 3 and 4 threads (${isa})`, async () => {
      fg.setIsa(isa);
      try {
        for (const [name, build, batchSize] of [['convnet', convnet, 64], ['mlp', mlp, 256]] as const) {
          const byThreads: Buffer[] = [];
          for (const threads of [1, 2, 3, 4]) {
            fg.setNumThreads(threads);
            byThreads.push(await train(build, 21, batchSize));
          }
          byThreads.forEach((bytes, i) => expect(bytes.equals(byThreads[0]), `${name}: ${i + 1} threads vs 1`).toBe(true));
        }
      } finally {
        fg.setNumThreads(threadsAtStart);
        fg.setIsa(isaAtStart);
      }
    });
  }
});

describe('predictions do not depend on the batch', () => {
  for (const isa of fg.backendInfo().supportedIsas) {
    it(`gives each example the same bits alone, in small batches and in one large batch (${isa})`, () => {
      fg.setIsa(isa);
      try {
        // K = 1600 spans several GEMM K blocks: a 1-row product (the small path) and a 130-row one
        // (the blocked path) must still add them in the same order.
        const a = fg.tensor(Float32Array.from({ length: 130 * 1600 }, (_, i) => Math.sin(i * 0.37)), [130, 1600]);
        const b = fg.tensor(Float32Array.from({ length: 1600 * 24 }, (_, i) => Math.cos(i * 0.11)), [1600, 24]);
        const whole = fg.ops.matMul(a, b);
        for (const row of [0, 77, 129]) {
          const one = fg.ops.matMul(new fg.Tensor(a.data.subarray(row * 1600, (row + 1) * 1600), [1, 1600]), b);
          expect(Buffer.from(one.data.buffer).equals(Buffer.from(whole.data.buffer, row * 24 * 4, 24 * 4)), `matMul row ${row}`).toBe(true);
        }
        for (const build of [fg.applications.mnistConvnet, convnet, mlp]) {
          fg.setSeed(5);
          const model = build();
          const x = new fg.Tensor(images.data.subarray(0, 130 * 784), [130, 28, 28, 1]);
          const all = model.predict(x, { batchSize: 130 });
          const classes = 10;
          for (const batchSize of [1, 7, 64]) {
            const parts = model.predict(x, { batchSize });
            const first = parts.data.findIndex((v, i) => !Object.is(v, all.data[i]));
            expect(first, `${model.name}, batch ${batchSize}: example ${Math.floor(first / classes)} differs`).toBe(-1);
          }
          // Several threads take whole chunks each (batch-parallel predict); one thread runs them in turn.
          const threads = fg.backendInfo().threads;
          fg.setNumThreads(1);
          try {
            const single = model.predict(x, { batchSize: 130 });
            const first = single.data.findIndex((v, i) => !Object.is(v, all.data[i]));
            expect(first, `${model.name}, 1 thread against ${threads}: example ${Math.floor(first / classes)} differs`).toBe(-1);
          } finally {
            fg.setNumThreads(threads);
          }
        }
      } finally {
        fg.setIsa(isaAtStart);
      }
    });
  }
});

describe("a model's training stream", () => {
  it('makes two 1-epoch fits equal one 2-epoch fit', async () => {
    const once = await train(convnet, 31, 64, 2);
    fg.setSeed(31);
    const model = convnet();
    model.compile({ optimizer: fg.optimizers.adam({ learningRate: 2e-3 }), loss: 'categoricalCrossentropy' });
    await model.fit(images, labels, { epochs: 1, batchSize: 64, verbose: 0 });
    fg.sequential([L.dense({ inputShape: [4], units: 64 })]);  // global draws between the fits do not matter
    await model.fit(images, labels, { epochs: 1, initialEpoch: 1, batchSize: 64, verbose: 0 });
    expect(weightBytes(model).equals(once)).toBe(true);
  });

  it('is redrawn after fg.setSeed, and restarted by fit({seed}) whatever the global state', async () => {
    fg.setSeed(41);
    const model = mlp();
    const start = model.getWeights();
    const compileAndFit = async (m: fg.Sequential, globalSeed: number, fitSeed?: number): Promise<Buffer> => {
      m.setWeights(start);
      m.compile({ optimizer: fg.optimizers.adam({ learningRate: 2e-3 }), loss: 'categoricalCrossentropy' });  // fresh Adam state
      fg.setSeed(globalSeed);
      await m.fit(images, labels, { epochs: 1, batchSize: 64, verbose: 0, seed: fitSeed });
      return weightBytes(m);
    };
    // The model's second fit after setSeed(99) trains exactly as a new model's first fit would.
    const first = await compileAndFit(model, 98);
    const again = await compileAndFit(model, 99);
    expect(again.equals(first)).toBe(false);
    expect(again.equals(await compileAndFit(mlp(), 99))).toBe(true);
    // fit({seed}): the same run whatever the global generator says; another seed, another run.
    const seeded = await compileAndFit(model, 1, 7);
    expect((await compileAndFit(mlp(), 2, 7)).equals(seeded)).toBe(true);
    expect((await compileAndFit(model, 1, 8)).equals(seeded)).toBe(false);
    await expect(model.fit(images, labels, { verbose: 0, seed: 1.5 })).rejects.toThrow(RangeError);
    await expect(model.fit(images, labels, { verbose: 0, seed: '1' as never })).rejects.toThrow(TypeError);
  });
});
