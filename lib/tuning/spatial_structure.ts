// The column-swap test: does the layout of the features carry information a CNN can use? Trains
// a fresh model on the data as it is, then on the same data with the feature positions shuffled
// by one fixed permutation (the same for every example; channels kept together), and compares
// validation accuracy. Deliberately no statistics beyond the drop and the spread of the permuted
// runs: it is a rule of thumb made runnable, not a significance test.
import { Sequential } from '../model';
import { Random, globalRandom, setSeed } from '../random';
import { Tensor, checkTensor } from '../tensor';
import { checkBoolean, checkInteger, checkNumber, invalidRange, invalidType, checkKnownKeys } from '../validate';

export interface SpatialStructureOptions {
  /** How many different permutations to train on (default 1). */
  permutations?: number;
  /** Epochs of every training run (default 5). */
  epochs?: number;
  /** Batch size of every training run (default 32). */
  batchSize?: number;
  /**
   * Fraction of the examples held out for validation (default 0.2), taken after one seeded
   * shuffle of the examples (so sorted data sets still give a fair split). Ignored with validationData.
   */
  validationSplit?: number;
  /** Explicit validation set [x, y]; it gets the same permutation as the training data. */
  validationData?: [Tensor, Tensor];
  /**
   * Seed of everything: the split, the permutations, and the global generator before each model is
   * made (so every run starts from the same initial weights and batch order). Default 0. The
   * global generator's state is restored afterwards.
   */
  seed?: number;
  /**
   * Whether the last axis of x is a channel axis whose values move together (default: true when
   * x has rank >= 3, i.e. [n, ...positions, channels]; rank-2 x [n, features] has no channel axis).
   */
  channelsLast?: boolean;
  /** An accuracy drop at least this large means the layout matters (default 0.05). */
  dropThreshold?: number;
  /** Passed to fit (default 0: silent). */
  verbose?: number;
}

export interface SpatialStructureResult {
  /** Validation accuracy with the features as they are. */
  originalAccuracy: number;
  /** Validation accuracy for each permutation. */
  permutedAccuracies: number[];
  /** Mean of permutedAccuracies. */
  permutedAccuracy: number;
  /** originalAccuracy - permutedAccuracy (positive: shuffling hurt). */
  drop: number;
  /** drop / originalAccuracy (0 when the original accuracy is 0). */
  relativeDrop: number;
  /** Validation loss with the features as they are, and for each permutation. */
  originalLoss: number;
  permutedLosses: number[];
  /** Positions that were permuted (product of the non-channel axes) and values moved with each. */
  positions: number;
  channels: number;
  /** 'spatial' (drop >= dropThreshold), 'none' (drop <= dropThreshold / 2) or 'unclear'. */
  structure: 'spatial' | 'none' | 'unclear';
  /** One sentence saying what the numbers mean. */
  verdict: string;
}

const OPTION_KEYS = ['permutations', 'epochs', 'batchSize', 'validationSplit', 'validationData', 'seed', 'channelsLast', 'dropThreshold', 'verbose'];

/** x with the positions of every example reordered: out position p takes in position order[p]. */
export function permutePositions(x: Tensor, order: Int32Array, channels: number): Tensor {
  const perExample = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const positions = perExample / channels;
  if (order.length !== positions) throw invalidRange('order', `a permutation of ${positions} positions`, order);
  const out = new Float32Array(x.data.length);
  const count = x.shape[0];
  for (let n = 0; n < count; ++n) {
    const base = n * perExample;
    for (let p = 0; p < positions; ++p) {
      const from = base + order[p] * channels;
      const to = base + p * channels;
      for (let c = 0; c < channels; ++c) out[to + c] = x.data[from + c];
    }
  }
  return new Tensor(out, x.shape);
}

/** A uniformly random permutation of [0, count) (Fisher-Yates on a seeded generator). */
function randomPermutation(count: number, random: Random): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; ++i) order[i] = i;
  for (let i = count - 1; i > 0; --i) {
    const j = random.int(i + 1);
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}

function rows(x: Tensor, indices: Int32Array): Tensor {
  const width = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(indices.length * width);
  indices.forEach((row, i) => out.set(x.data.subarray(row * width, (row + 1) * width), i * width));
  return new Tensor(out, [indices.length, ...x.shape.slice(1)]);
}

interface Split {
  xTrain: Tensor;
  yTrain: Tensor;
  xValid: Tensor;
  yValid: Tensor;
}

function splitData(x: Tensor, y: Tensor, fraction: number, random: Random): Split {
  const count = x.shape[0];
  const validCount = Math.round(count * fraction);
  if (validCount < 1 || validCount >= count) {
    throw invalidRange('options.validationSplit', `a fraction leaving examples on both sides of ${count}`, fraction);
  }
  const order = randomPermutation(count, random);
  const train = order.subarray(0, count - validCount);
  const valid = order.subarray(count - validCount);
  return { xTrain: rows(x, train), yTrain: rows(y, train), xValid: rows(x, valid), yValid: rows(y, valid) };
}

async function trainAndEvaluate(modelFactory: () => Sequential, split: Split, seed: number, epochs: number, batchSize: number, verbose: number): Promise<{ accuracy: number; loss: number }> {
  setSeed(seed);
  const model = modelFactory();
  if (!(model instanceof Sequential)) throw invalidType('modelFactory()', 'a Sequential model', model);
  if (model.optimizer === null || model.loss === null) {
    throw invalidRange('modelFactory()', 'a compiled model (call model.compile({optimizer, loss, metrics: [\'accuracy\']}) in the factory)', 'an uncompiled model');
  }
  await model.fit(split.xTrain, split.yTrain, { epochs, batchSize, verbose, shuffle: true });
  const { accuracy, loss } = await model.evaluate(split.xValid, split.yValid, { batchSize: 256 });
  return { accuracy, loss };
}

function percent(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}

/**
 * The column-swap test. `modelFactory` must return a fresh, compiled model each call (it is called
 * 1 + permutations times). Returns validation accuracies with and without a fixed random
 * permutation of the feature positions, the drop and a verdict: a large drop means neighbouring
 * positions carry information (a CNN's locality prior fits); no drop means their order is
 * arbitrary, and a CNN's convolutions buy nothing over a dense model (or a tree model) there.
 * A dense-only model shows no drop on any data (it ignores order): test the model you mean to use.
 */
export async function spatialStructureTest(modelFactory: () => Sequential, x: Tensor, y: Tensor, options: SpatialStructureOptions = {}): Promise<SpatialStructureResult> {
  if (typeof modelFactory !== 'function') throw invalidType('modelFactory', 'a function returning a compiled Sequential model', modelFactory);
  checkTensor('x', x);
  checkTensor('y', y);
  if (x.rank < 2) throw invalidRange('x', 'a Tensor [n, ...features]', `shape [${x.shape.join(', ')}]`);
  if (y.shape[0] !== x.shape[0]) throw invalidRange('y', `${x.shape[0]} examples (as many as x)`, `shape [${y.shape.join(', ')}]`);
  checkKnownKeys('options', options, OPTION_KEYS);
  const permutations = checkInteger('options.permutations', options.permutations ?? 1, 1, 1000);
  const epochs = checkInteger('options.epochs', options.epochs ?? 5, 1);
  const batchSize = checkInteger('options.batchSize', options.batchSize ?? 32, 1, 1 << 20);
  const seed = checkInteger('options.seed', options.seed ?? 0, -Number.MAX_SAFE_INTEGER);
  const verbose = checkInteger('options.verbose', options.verbose ?? 0, 0, 2);
  const dropThreshold = checkNumber('options.dropThreshold', options.dropThreshold ?? 0.05, 0, 1);
  const channelsLast = options.channelsLast === undefined ? x.rank >= 3 : checkBoolean('options.channelsLast', options.channelsLast);
  if (channelsLast && x.rank < 3) throw invalidRange('options.channelsLast', 'false for x of rank 2 (no channel axis)', true);
  const channels = channelsLast ? x.shape[x.rank - 1] : 1;
  const positions = x.shape.slice(1).reduce((a, b) => a * b, 1) / channels;
  if (positions < 2) throw invalidRange('x', 'at least 2 feature positions to permute', `shape [${x.shape.join(', ')}]`);

  const random = new Random(seed);
  let split: Split;
  if (options.validationData !== undefined) {
    const data = options.validationData;
    if (!Array.isArray(data) || data.length !== 2) throw invalidType('options.validationData', '[xValid, yValid]', data);
    const [xValid, yValid] = [checkTensor('options.validationData[0]', data[0]), checkTensor('options.validationData[1]', data[1])];
    if (xValid.rank !== x.rank || xValid.shape.some((d, i) => i > 0 && d !== x.shape[i])) {
      throw invalidRange('options.validationData[0]', `shape [n, ${x.shape.slice(1).join(', ')}] (like x)`, `shape [${xValid.shape.join(', ')}]`);
    }
    split = { xTrain: x, yTrain: y, xValid, yValid };
  } else {
    split = splitData(x, y, checkNumber('options.validationSplit', options.validationSplit ?? 0.2, 0, 1), random);
  }

  const savedState = globalRandom().getState();
  try {
    const original = await trainAndEvaluate(modelFactory, split, seed, epochs, batchSize, verbose);
    const permuted: { accuracy: number; loss: number }[] = [];
    for (let p = 0; p < permutations; ++p) {
      const order = randomPermutation(positions, random);
      const shuffled: Split = {
        xTrain: permutePositions(split.xTrain, order, channels),
        yTrain: split.yTrain,
        xValid: permutePositions(split.xValid, order, channels),
        yValid: split.yValid,
      };
      permuted.push(await trainAndEvaluate(modelFactory, shuffled, seed, epochs, batchSize, verbose));
    }
    const permutedAccuracy = permuted.reduce((sum, run) => sum + run.accuracy, 0) / permuted.length;
    const drop = original.accuracy - permutedAccuracy;
    const structure = drop >= dropThreshold ? 'spatial' : drop <= dropThreshold / 2 ? 'none' : 'unclear';
    const numbers = `validation accuracy ${percent(original.accuracy)} as laid out, ${percent(permutedAccuracy)} with the ` +
      `${positions} positions shuffled (${permutations} permutation${permutations > 1 ? 's' : ''})`;
    const verdict = structure === 'spatial'
      ? `Layout carries information: ${numbers}, a drop of ${percent(drop)}. Neighbouring positions belong together, so a CNN's local filters fit this data.`
      : structure === 'none'
        ? `No layout information: ${numbers}. The order of the positions is arbitrary here, so convolutions buy nothing; a dense network or a tree model is the better tool.`
        : `Unclear: ${numbers}, a drop of ${percent(drop)}, below the ${percent(dropThreshold)} threshold. Train longer or use more permutations before deciding.`;
    return {
      originalAccuracy: original.accuracy,
      permutedAccuracies: permuted.map((run) => run.accuracy),
      permutedAccuracy,
      drop,
      relativeDrop: original.accuracy > 0 ? drop / original.accuracy : 0,
      originalLoss: original.loss,
      permutedLosses: permuted.map((run) => run.loss),
      positions,
      channels,
      structure,
      verdict,
    };
  } finally {
    globalRandom().setState(savedState);
  }
}
