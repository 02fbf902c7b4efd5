#!/usr/bin/env node
// Where faltung's time goes on the peers workloads: FALTUNG_PROFILE's per-op milliseconds for
// MNIST convnet training steps (batch 128) or VGG16 (batch 1; its forward ops, timed inside
// training steps, are the inference forward), plus VGG16's predictAsync time. A diagnostic for
// the README's Performance notes, not part of the comparison.
// Usage: node bench/peers/profile.js [mnist|vgg16] [--steps N]
'use strict';
process.env.FALTUNG_PROFILE = '1'; // read when a network is built, so before any model exists
const fg = require('../../dist/index.js');
const { randomFloats } = require('../lib/timing');
const { loadMnist } = require('./mnist');

const which = process.argv[2] === 'vgg16' ? 'vgg16' : 'mnist';
const at = process.argv.indexOf('--steps');
const steps = at >= 0 ? Number(process.argv[at + 1]) : which === 'vgg16' ? 4 : 40;

async function main() {
  fg.setNumThreads(2);
  const model = which === 'vgg16' ? fg.applications.vgg16() : fg.applications.mnistConvnet();
  model.compile({ optimizer: which === 'vgg16' ? fg.optimizers.sgd({ learningRate: 1e-6 }) : fg.optimizers.adam({ learningRate: 1e-3 }),
    loss: 'categoricalCrossentropy' });
  const batch = which === 'vgg16' ? 1 : 128;
  const [height, width, channels] = model.inputShape;
  const classes = model.outputShape[model.outputShape.length - 1];
  let x;
  if (which === 'mnist') {
    const data = loadMnist('train', batch);
    x = new fg.Tensor(data.images, [batch, height, width, channels]);
  } else {
    x = new fg.Tensor(randomFloats(batch * height * width * channels, 5), [batch, height, width, channels]);
  }
  const labels = new Float32Array(batch * classes);
  for (let i = 0; i < batch; ++i) labels[i * classes + (i % classes)] = 1;
  const y = new fg.Tensor(labels, [batch, classes]);
  const started = process.hrtime.bigint();
  for (let i = 0; i < steps; ++i) await model.trainOnBatch(x, y);
  const stepMs = Number(process.hrtime.bigint() - started) / 1e6 / steps;
  console.log(`${which}: ${steps} training steps at batch ${batch}, ${stepMs.toFixed(1)} ms per step (first included); ` +
    `layers (the ops below follow them; a dense layer's ReLU is its own op): ${model.layers.map((l) => l.getConfig().name).join(', ')}`);
  if (which === 'vgg16') {
    await model.predictAsync(x, { batchSize: 1 });
    const times = [];
    for (let i = 0; i < 5; ++i) {
      const start = process.hrtime.bigint();
      await model.predictAsync(x, { batchSize: 1 });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(`vgg16 predictAsync batch 1: median ${times[2].toFixed(1)} ms (min ${times[0].toFixed(1)})`);
  }
  console.log('per-op profile (stderr, printed when the network is freed at exit):');
}

main().catch((error) => { console.error(error); process.exit(1); });
