#!/usr/bin/env node
// Throughput of the Keras MNIST convnet on real MNIST: training (batch 128, Adam 1e-3) and
// inference (batch 1000), images/s as the median of repeats, for 1 and 2 threads.
// Usage: node bench/model.bench.js [--repeats 5] [--batches 60] [--threads 1,2]
'use strict';
const fg = require('../dist/index.js');

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

const repeats = Number(option('repeats', '5'));
const batches = Number(option('batches', '60'));
const threadCounts = option('threads', '1,2').split(',').map(Number);
const { median } = require('./lib/timing');

function slice(t, start, count) {
  const row = t.size / t.shape[0];
  return new fg.Tensor(t.data.subarray(start * row, (start + count) * row), [count, ...t.shape.slice(1)]);
}

async function main() {
  const { train, test } = await fg.datasets.mnist();
  const batchSize = 128;
  const images = batches * batchSize;
  const x = slice(train.images, 0, images);
  const y = slice(train.labels, 0, images);
  const rows = [];
  for (const threads of threadCounts) {
    fg.setNumThreads(threads);
    fg.setSeed(1);
    const model = fg.applications.mnistConvnet();
    model.compile({ optimizer: fg.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const warmup = Math.min(1280, images);
    await model.fit(slice(x, 0, warmup), slice(y, 0, warmup), { epochs: 1, batchSize, verbose: 0 });  // warm-up
    const trainRates = [];
    for (let r = 0; r < repeats; ++r) {
      const started = process.hrtime.bigint();
      await model.fit(x, y, { epochs: 1, batchSize, verbose: 0 });
      trainRates.push(images / (Number(process.hrtime.bigint() - started) / 1e9));
    }
    await model.predictAsync(slice(test.images, 0, 1000), { batchSize: 1000 });  // warm-up
    const inferRates = [];
    for (let r = 0; r < repeats; ++r) {
      const started = process.hrtime.bigint();
      await model.predictAsync(test.images, { batchSize: 1000 });
      inferRates.push(test.images.shape[0] / (Number(process.hrtime.bigint() - started) / 1e9));
    }
    const latency = [];
    const one = slice(test.images, 0, 1);
    for (let r = 0; r < 200; ++r) {
      const started = process.hrtime.bigint();
      model.predict(one);
      latency.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    rows.push({ threads, train: median(trainRates), trainMin: Math.min(...trainRates), trainMax: Math.max(...trainRates),
      infer: median(inferRates), inferMin: Math.min(...inferRates), inferMax: Math.max(...inferRates), latencyMs: median(latency) });
  }
  console.log(`MNIST convnet (34,826 params; 14.3 MFLOP per training image), ${fg.backendInfo().isa}, median of ${repeats}`);
  console.log('threads  train img/s (batch 128, Adam) [min-max]   inference img/s (batch 1000) [min-max]   batch-1 latency ms');
  for (const r of rows) {
    console.log(`${String(r.threads).padStart(7)}  ${r.train.toFixed(0).padStart(10)} [${r.trainMin.toFixed(0)}-${r.trainMax.toFixed(0)}]`.padEnd(52) +
      `${r.infer.toFixed(0).padStart(10)} [${r.inferMin.toFixed(0)}-${r.inferMax.toFixed(0)}]`.padEnd(38) + `${r.latencyMs.toFixed(3)}`);
  }
}

main().catch((error) => { console.error(error); process.exit(1); });
