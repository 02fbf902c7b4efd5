// A full MNIST training run with everything the tutorial shows: the Keras MNIST convnet trained with
// Adam, its training curves (per epoch and smoothed per batch), its learned filters, the feature
// maps and votes for a test digit, an HTML report and the saved model. Prints the test accuracy.
// FALTUNG_TUTORIAL_QUICK=1 trains on 2,000 images for one epoch instead (the test suite runs it
// that way); the full run (60,000 images, 3 epochs) reaches about 99%.
// Run: node examples/tutorial/mnist-full.js [output-dir]
'use strict';
const os = require('node:os');
const path = require('node:path');
const fg = require('faltung');

const outDir = process.argv[2] ?? path.join(os.tmpdir(), 'faltung-tutorial');
const quick = process.env.FALTUNG_TUTORIAL_QUICK === '1';

(async () => {
  fg.setSeed(42);
  const { train, test } = await fg.datasets.mnist(quick ? { limit: { train: 2000, test: 500 } } : {});
  const model = fg.sequential([
    fg.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
    fg.layers.maxPooling2d({ poolSize: 2 }),
    fg.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
    fg.layers.maxPooling2d({ poolSize: 2 }),
    fg.layers.flatten(),
    fg.layers.dropout({ rate: 0.5 }),
    fg.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.summary();
  model.compile({ optimizer: fg.optimizers.adam({ learningRate: quick ? 3e-3 : 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const recorder = fg.visualize.batchRecorder();
  const history = await model.fit(train.images, train.labels, {
    epochs: quick ? 1 : 3, batchSize: quick ? 32 : 128, validationSplit: 0.1, callbacks: [recorder],
  });
  const { accuracy, loss } = await model.evaluate(test.images, test.labels, { batchSize: 1000 });
  console.log(`Test accuracy: ${(accuracy * 100).toFixed(2)}% (loss ${loss.toFixed(4)})`);

  const digit = new fg.Tensor(test.images.data.subarray(0, 784), [1, 28, 28, 1]);
  const files = {
    curves: path.join(outDir, 'mnist-curves.png'),
    filters: path.join(outDir, 'mnist-filters.png'),
    maps: path.join(outDir, 'mnist-feature-maps.png'),
    votes: path.join(outDir, 'mnist-votes.png'),
    report: path.join(outDir, 'mnist-report.html'),
    model: path.join(outDir, 'mnist-model'),
  };
  await fg.visualize.trainingCurves(history, files.curves, { batchLogs: recorder });
  await fg.visualize.filters(model, model.layers[0].name, files.filters, { scale: 10 });
  await fg.visualize.featureMaps(model, digit, files.maps);
  const votes = await fg.visualize.votes(model, digit, files.votes);
  console.log(`The first test digit is a ${test.labelIndices[0]}; the network votes ${votes.winner}`);
  await fg.visualize.htmlReport(model, { path: files.report, x: test.images, y: test.labels, history, batchLogs: recorder });
  await model.save(files.model);
  for (const file of Object.values(files)) console.log(`Wrote ${file}`);
})().catch((error) => { console.error(error); process.exitCode = 1; });
