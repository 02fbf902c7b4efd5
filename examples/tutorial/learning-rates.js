// Learning rates compared: the same small convnet trained with plain SGD at a rate too small (the
// loss barely moves), too large (the loss jumps up, then the network is stuck at chance level,
// ln 10 = 2.30, or the loss blows up to NaN) and about right (it falls fast),
// on an MNIST subset. Every batch's loss is recorded and the three smoothed curves are drawn on one
// chart. FALTUNG_TUTORIAL_QUICK=1 uses fewer images (the test suite runs it that way).
// Run: node examples/tutorial/learning-rates.js [output-dir]
'use strict';
const os = require('node:os');
const path = require('node:path');
const fg = require('faltung');

const outDir = process.argv[2] ?? path.join(os.tmpdir(), 'faltung-tutorial');
const quick = process.env.FALTUNG_TUTORIAL_QUICK === '1';
const RUNS = [
  { name: 'too small (0.0005)', learningRate: 0.0005, color: '#2ca02c' },
  { name: 'too large (2.5)', learningRate: 2.5, color: '#d62728' },
  { name: 'about right (0.1)', learningRate: 0.1, color: '#1f77b4' },
];

function convnet(learningRate) {
  const model = fg.sequential([
    fg.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
    fg.layers.maxPooling2d({ poolSize: 2 }),
    fg.layers.flatten(),
    fg.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: fg.optimizers.sgd({ learningRate }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

(async () => {
  const { train } = await fg.datasets.mnist({ limit: { train: quick ? 2000 : 12000, test: 0 } });
  const epochs = quick ? 1 : 2;
  const series = [];
  for (const run of RUNS) {
    fg.setSeed(1);  // the same initial weights and batch order for every rate
    const model = convnet(run.learningRate);
    const recorder = fg.visualize.batchRecorder();
    let outcome;
    try {
      await model.fit(train.images, train.labels, { epochs, batchSize: 32, verbose: 0, callbacks: [recorder] });
      outcome = 'finished';
    } catch (error) {
      if (error.code !== 'FALTUNG_NAN_LOSS') throw error;
      outcome = `diverged after ${recorder.batches.length} batches`;
    }
    const losses = recorder.batches.map((b) => b.loss);
    const smoothed = fg.visualize.emaSmooth(losses, 0.9);
    const last = smoothed.length > 0 ? smoothed[smoothed.length - 1] : NaN;
    console.log(`${run.name}: ${outcome}; smoothed loss ${smoothed[0].toFixed(3)} -> ${last.toFixed(3)}`);
    series.push({ name: run.name, x: losses.map((_, i) => i + 1), y: smoothed, color: run.color });
  }
  const file = path.join(outDir, 'learning-rates.png');
  await fg.visualize.lineChart(file, {
    panelWidth: 640,
    title: `SGD on ${train.images.shape[0]} MNIST images, batch 32`,
    panels: [{ title: 'training loss (EMA 0.9 of batch losses)', xLabel: 'batch', yLabel: 'loss', yRange: [0, 4], series }],
  });
  console.log(`Wrote ${file}`);
})().catch((error) => { console.error(error); process.exitCode = 1; });
