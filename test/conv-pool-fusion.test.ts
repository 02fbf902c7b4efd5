// The training step runs a conv followed by a max pool as one step (native/network/
// conv_pool_fusion.h) without storing the conv's output. It must give the bits of the two ops run
// apart (FALTUNG_NO_FUSION=1): same weights and losses after training, on every ISA, on 1-3
// threads, for a pair first in the model (no input gradient) and inside it, with and without a
// relu, overlapping pool windows, 'same' padding, the im2col and the direct conv routes, 1D and 3D.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';

const L = fg.layers;
const threadsAtStart = fg.backendInfo().threads;
const isaAtStart = fg.backendInfo().isa;
afterAll(() => {
  fg.setNumThreads(threadsAtStart);
  fg.setIsa(isaAtStart);
});

const MODELS: Record<string, { build: () => fg.Sequential; input: number[] }> = {
  // The Keras MNIST convnet: two pairs, the first with C = 1 (direct kernels), the second im2col.
  mnist: {
    input: [28, 28, 1],
    build: () =>
      fg.sequential([
        L.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
        L.maxPooling2d({ poolSize: 2 }),
        L.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
        L.maxPooling2d({ poolSize: 2 }),
        L.flatten(),
        L.dropout({ rate: 0.3 }),
        L.dense({ units: 10, activation: 'softmax' }),
      ]),
  },
  // Overlapping 3x3/2 windows with 'same' padding after a linear conv, then a relu conv and a
  // strided pool: pairs inside the model, with and without relu.
  overlapping: {
    input: [15, 13, 3],
    build: () =>
      fg.sequential([
        L.conv2d({ inputShape: [15, 13, 3], filters: 6, kernelSize: 1, activation: 'relu' }),
        L.conv2d({ filters: 18, kernelSize: 3, padding: 'same' }),
        L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
        L.conv2d({ filters: 20, kernelSize: 2, activation: 'relu' }),
        L.maxPooling2d({ poolSize: [2, 3], strides: [1, 2] }),
        L.flatten(),
        L.dense({ units: 10, activation: 'softmax' }),
      ]),
  },
  oneD: {
    input: [40, 2],
    build: () =>
      fg.sequential([
        L.conv1d({ inputShape: [40, 2], filters: 17, kernelSize: 5, padding: 'same', activation: 'relu' }),
        L.maxPooling1d({ poolSize: 2 }),
        L.flatten(),
        L.dense({ units: 10, activation: 'softmax' }),
      ]),
  },
  threeD: {
    input: [6, 7, 8, 1],
    build: () =>
      fg.sequential([
        L.conv3d({ inputShape: [6, 7, 8, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
        L.maxPooling3d({ poolSize: 2 }),
        L.flatten(),
        L.dense({ units: 10, activation: 'softmax' }),
      ]),
  },
};

let labels: fg.Tensor;
const inputs = new Map<string, fg.Tensor>();
const EXAMPLES = 96;

beforeAll(() => {
  // Deterministic inputs with negative values, so that relu' is 0 at some pooled winners.
  for (const [name, { input }] of Object.entries(MODELS)) {
    const size = input.reduce((a, b) => a * b, 1);
    inputs.set(name, fg.tensor(Float32Array.from({ length: EXAMPLES * size }, (_, i) => Math.sin(i * 0.731 + name.length)), [EXAMPLES, ...input]));
  }
  labels = fg.oneHot(Int32Array.from({ length: EXAMPLES }, (_, i) => (i * 7) % 10), 10);
});

async function train(name: string, fused: boolean): Promise<{ weights: Buffer; losses: number[] }> {
  if (fused) delete process.env.FALTUNG_NO_FUSION;
  else process.env.FALTUNG_NO_FUSION = '1';
  try {
    fg.setSeed(5);
    const model = MODELS[name].build();
    model.compile({ optimizer: fg.optimizers.adam({ learningRate: 5e-3 }), loss: 'categoricalCrossentropy' });
    const history = await model.fit(inputs.get(name)!, labels, { epochs: 2, batchSize: 32, verbose: 0 });
    const weights = Buffer.concat(model.getWeights().map((w) => Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength)));
    return { weights, losses: [...history.loss] };
  } finally {
    delete process.env.FALTUNG_NO_FUSION;
  }
}

describe('a conv and the max pool after it, run as one training step', () => {
  for (const isa of fg.backendInfo().supportedIsas) {
    it(`gives the bits of the separate ops (${isa}, 1, 2 and 3 threads)`, async () => {
      fg.setIsa(isa);
      try {
        for (const threads of [1, 2, 3]) {
          fg.setNumThreads(threads);
          for (const name of Object.keys(MODELS)) {
            const apart = await train(name, false);
            const fused = await train(name, true);
            expect(fused.losses, `${name}, ${threads} threads: losses`).toEqual(apart.losses);
            expect(fused.weights.equals(apart.weights), `${name}, ${threads} threads: weights`).toBe(true);
            expect(apart.losses.every(Number.isFinite), `${name}: finite losses`).toBe(true);
          }
        }
      } finally {
        fg.setNumThreads(threadsAtStart);
        fg.setIsa(isaAtStart);
      }
    });
  }
});
