// Bit-for-bit reproducibility of training (docs/determinism.md): the same weights for 1, 2, 3 and 4
// threads on every ISA this machine runs, one long fit equal to the same epochs split over several
// calls, fit({seed}) independent of the global generator. The plain "same seed twice" check lives in
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
