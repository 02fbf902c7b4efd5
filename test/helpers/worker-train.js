// One training recipe (a small MNIST convnet with dropout, fit from a seed) shared by
// test/concurrency.test.ts and, when loaded as a worker_thread, its worker body. Plain CommonJS so a
// worker can run it without the test's TypeScript loader; it never loads MNIST itself.
'use strict';
const { isMainThread, parentPort, workerData } = require('node:worker_threads');

/** Sets the seed, builds and compiles the model, and starts fit before returning (fit draws its
 * streams when called). Resolves to every weight, flattened, in Keras order. */
async function trainFromSeed(fg, images, labels, seed) {
  const L = fg.layers;
  fg.setSeed(seed);
  const model = fg.sequential([
    L.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
    L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
    L.maxPooling2d({ poolSize: 2 }),
    L.flatten(),
    L.dropout({ rate: 0.25 }),
    L.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: fg.optimizers.adam({ learningRate: 2e-3 }), loss: 'categoricalCrossentropy' });
  await model.fit(images, labels, { epochs: 2, batchSize: 32, verbose: 0 });
  const parts = model.getWeights().map((w) => w.data);
  const flat = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    flat.set(part, offset);
    offset += part.length;
  }
  return flat;
}

module.exports = { trainFromSeed };

if (!isMainThread && workerData && workerData.role === 'train') {
  const fg = require('../../dist/index.js');
  const { images, imageShape, labels, labelShape, seed } = workerData;
  // Loaded: wait for 'go', which the test sends as it starts its in-process fits, so all overlap.
  parentPort.once('message', () => {
    trainFromSeed(fg, new fg.Tensor(images, imageShape), new fg.Tensor(labels, labelShape), seed).then((weights) => {
      parentPort.postMessage({ weights, finished: performance.timeOrigin + performance.now() }, [weights.buffer]);
    });
  });
  parentPort.postMessage('ready');
}
