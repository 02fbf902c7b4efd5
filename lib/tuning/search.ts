// fg.tuning.search: random or grid search over a model's hyperparameters with a budget (trials,
// epochs, seconds) and optional successive halving, which trains every trial a few epochs, keeps
// the best 1/eta and trains those longer. Returns the trials sorted by validation accuracy;
// saveResults writes them as JSON and formatResults as a text table. The search never decides what a
// parameter means: buildModel(params) does (any CNN knob: filters, kernel size, pooling window and
// stride, dense units, conv blocks, learning rate); only `batchSize` is read here, for fit.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkOptions } from '../data/options';
import { FaltungError } from '../errors';
import { Sequential } from '../model';
import { Random, nextSeed, setSeed } from '../random';
import { Tensor, checkTensor } from '../tensor';
import { checkInteger, checkNumber, checkOneOf, invalidRange, invalidType } from '../validate';

export type ParamValue = number | string | boolean;
/** A continuous range for random search: uniform, or log-uniform with scale 'log'; rounded with integer. */
export interface ParamRange {
  min: number;
  max: number;
  scale?: 'linear' | 'log';
  integer?: boolean;
}
export type SearchSpace = Record<string, readonly ParamValue[] | ParamRange>;
export type Params = Record<string, ParamValue>;

export interface HalvingOptions {
  /** Keep the best 1/eta of the trials at each rung (default 3). */
  eta?: number;
  /** Epochs of the first rung (default 1); each rung multiplies them by eta, up to `epochs`. */
  minEpochs?: number;
}

export interface SearchOptions {
  space: SearchSpace;
  /** Returns a model compiled with metrics ['accuracy'] for one set of parameters (may be async). */
  buildModel: (params: Params) => Sequential | Promise<Sequential>;
  x: Tensor;
  y: Tensor;
  /** Held-out data; or validationSplit: the last fraction of (x, y), taken once for every trial. */
  validationData?: [Tensor, Tensor];
  validationSplit?: number;
  /** 'random' (default) or 'grid' (every combination of the lists, in order). */
  strategy?: 'random' | 'grid';
  /** Trials to run (default 10 for random; every combination for grid), `include` counted in. */
  trials?: number;
  /**
   * Configurations to try first, before the drawn or grid ones (e.g. the current defaults, so the
   * table shows where they rank). Keys missing from a configuration are left to buildModel's defaults.
   */
  include?: Params[];
  /** Epochs of a trial that is never pruned (default 1). */
  epochs?: number;
  /** Wall-clock budget: an epoch is started only if it is expected to end within it (default: none). */
  budgetSeconds?: number;
  /** Successive halving (default: off, every trial trains `epochs` epochs). */
  halving?: HalvingOptions | boolean;
  /** Batch size when the parameters have no `batchSize` (default 32). */
  batchSize?: number;
  /** Seed of the random draws; with it, each trial also starts with fg.setSeed(seed + trial id). */
  seed?: number;
  /** Called after each epoch of a trial with its state so far (for progress output). */
  onEpochEnd?: (trial: Readonly<TrialResult>) => void;
}

export type TrialStatus = 'completed' | 'pruned' | 'stopped' | 'failed';

export interface TrialResult {
  id: number;
  params: Params;
  /** completed: trained all epochs; pruned: dropped by halving; stopped: cut by the budget; failed: see error. */
  status: TrialStatus;
  epochs: number;
  /** Validation accuracy and loss after the last epoch trained (NaN when none). */
  valAccuracy: number;
  valLoss: number;
  trainAccuracy: number;
  trainLoss: number;
  /** Validation accuracy after each epoch. */
  valAccuracyHistory: number[];
  parameterCount: number;
  /** Seconds spent building and training this trial. */
  seconds: number;
  error?: string;
}

export interface SearchResult {
  /** Every trial that ran, best validation accuracy first (failed ones last). */
  results: TrialResult[];
  best: TrialResult | null;
  /** The trained model of `best` (the only trial model kept; the others are released as they finish). */
  bestModel: Sequential | null;
  strategy: 'random' | 'grid';
  trialsPlanned: number;
  /** Epoch targets of the halving rungs ([epochs] without halving). */
  rungs: number[];
  elapsedSeconds: number;
  /** True when the budget stopped the search before every planned epoch ran. */
  budgetExhausted: boolean;
}

const OPTION_KEYS = ['space', 'buildModel', 'x', 'y', 'validationData', 'validationSplit', 'strategy', 'trials', 'include', 'epochs',
  'budgetSeconds', 'halving', 'batchSize', 'seed', 'onEpochEnd'] as const;

function isRange(value: unknown): value is ParamRange {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkSpace(space: unknown): SearchSpace {
  if (space === null || typeof space !== 'object' || Array.isArray(space)) throw invalidType('options.space', 'an object of parameter lists or ranges', space);
  const entries = Object.entries(space);
  if (entries.length === 0) throw invalidRange('options.space', 'at least one parameter', 'an empty object');
  for (const [name, value] of entries) {
    const where = `options.space.${name}`;
    if (Array.isArray(value)) {
      if (value.length === 0) throw invalidRange(where, 'a non-empty list of values', value);
      value.forEach((v, i) => {
        if (!['number', 'string', 'boolean'].includes(typeof v)) throw invalidType(`${where}[${i}]`, 'a number, string or boolean', v);
      });
    } else if (isRange(value)) {
      checkOptions<ParamRange>(where, value, ['min', 'max', 'scale', 'integer']);
      const min = checkNumber(`${where}.min`, value.min);
      const max = checkNumber(`${where}.max`, value.max);
      if (!(max >= min)) throw invalidRange(`${where}.max`, `a number >= min (${min})`, max);
      const scale = checkOneOf(`${where}.scale`, value.scale ?? 'linear', ['linear', 'log'] as const);
      if (scale === 'log' && !(min > 0)) throw invalidRange(`${where}.min`, 'a number > 0 on a log scale', min);
    } else {
      throw invalidType(where, 'a list of values or a range {min, max, scale?, integer?}', value);
    }
  }
  return space as SearchSpace;
}

function checkInclude(value: unknown): Params[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidType('options.include', 'an array of parameter objects', value);
  return value.map((params, i) => {
    if (params === null || typeof params !== 'object' || Array.isArray(params)) throw invalidType(`options.include[${i}]`, 'a parameter object', params);
    for (const [name, v] of Object.entries(params)) {
      if (!['number', 'string', 'boolean'].includes(typeof v)) throw invalidType(`options.include[${i}].${name}`, 'a number, string or boolean', v);
    }
    return { ...(params as Params) };
  });
}

/** Every combination of the lists, the last parameter varying fastest. */
export function gridCombinations(space: SearchSpace): Params[] {
  let combos: Params[] = [{}];
  for (const [name, values] of Object.entries(space)) {
    if (!Array.isArray(values)) throw invalidRange(`options.space.${name}`, 'a list of values (grid search takes no ranges)', values);
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [name]: value })));
  }
  return combos;
}

/** One random draw from the space. */
export function sampleParams(space: SearchSpace, random: Random): Params {
  const params: Params = {};
  for (const [name, values] of Object.entries(space)) {
    if (Array.isArray(values)) {
      params[name] = values[random.int(values.length)];
    } else {
      const range = values as ParamRange;
      const value = range.scale === 'log'
        ? 10 ** random.uniform(Math.log10(range.min), Math.log10(range.max))
        : random.uniform(range.min, range.max);
      params[name] = range.integer ? Math.min(range.max, Math.max(range.min, Math.round(value))) : value;
    }
  }
  return params;
}

/** Epoch targets of successive halving: minEpochs, minEpochs * eta, ... capped at (and ending with) epochs. */
export function halvingRungs(epochs: number, minEpochs: number, eta: number): number[] {
  const rungs: number[] = [];
  for (let target = Math.min(minEpochs, epochs); target < epochs; target = Math.max(target + 1, Math.floor(target * eta))) rungs.push(target);
  rungs.push(epochs);
  return rungs;
}

/** Best first: higher validation accuracy, then lower validation loss; NaN (failed, never evaluated) last. */
export function compareTrials(a: TrialResult, b: TrialResult): number {
  const accuracy = (t: TrialResult): number => (Number.isNaN(t.valAccuracy) ? -Infinity : t.valAccuracy);
  const loss = (t: TrialResult): number => (Number.isNaN(t.valLoss) ? Infinity : t.valLoss);
  return accuracy(b) - accuracy(a) || loss(a) - loss(b) || a.id - b.id;
}

function splitValidation(x: Tensor, y: Tensor, fraction: number): { train: [Tensor, Tensor]; validation: [Tensor, Tensor] } {
  const count = x.shape[0];
  const trainCount = Math.floor(count * (1 - fraction));
  if (trainCount < 1 || trainCount === count) throw invalidRange('options.validationSplit', `a fraction leaving examples on both sides of ${count}`, fraction);
  const rows = (t: Tensor, start: number, end: number): Tensor => {
    const row = t.size / count;
    return new Tensor(t.data.subarray(start * row, end * row), [end - start, ...t.shape.slice(1)]);
  };
  return { train: [rows(x, 0, trainCount), rows(y, 0, trainCount)], validation: [rows(x, trainCount, count), rows(y, trainCount, count)] };
}

interface LiveTrial {
  result: TrialResult;
  model: Sequential | null;
}

/** Runs the search; see SearchOptions. */
export async function search(options: SearchOptions): Promise<SearchResult> {
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const checked = checkOptions<SearchOptions>('options', options, [...OPTION_KEYS]);
  const space = checkSpace(checked.space);
  if (typeof checked.buildModel !== 'function') throw invalidType('options.buildModel', 'a function (params) => compiled model', checked.buildModel);
  const buildModel = checked.buildModel;
  const x = checkTensor('options.x', checked.x);
  const y = checkTensor('options.y', checked.y);
  if (y.shape[0] !== x.shape[0]) throw invalidRange('options.y', `${x.shape[0]} examples (as many as x)`, `shape [${y.shape.join(', ')}]`);
  const strategy = checkOneOf('options.strategy', checked.strategy ?? 'random', ['random', 'grid'] as const);
  const epochs = checkInteger('options.epochs', checked.epochs ?? 1, 1, 100_000);
  const budget = checked.budgetSeconds === undefined ? Infinity : checkNumber('options.budgetSeconds', checked.budgetSeconds, 0);
  const defaultBatchSize = checkInteger('options.batchSize', checked.batchSize ?? 32, 1, 1 << 20);
  const seed = checked.seed === undefined ? undefined : checkInteger('options.seed', checked.seed, -Number.MAX_SAFE_INTEGER);
  const onEpochEnd = checked.onEpochEnd;
  if (onEpochEnd !== undefined && typeof onEpochEnd !== 'function') throw invalidType('options.onEpochEnd', 'a function', onEpochEnd);

  let train: [Tensor, Tensor] = [x, y];
  let validation: [Tensor, Tensor];
  if (checked.validationData !== undefined) {
    if (!Array.isArray(checked.validationData) || checked.validationData.length !== 2) throw invalidType('options.validationData', '[xVal, yVal]', checked.validationData);
    validation = [checkTensor('options.validationData[0]', checked.validationData[0]), checkTensor('options.validationData[1]', checked.validationData[1])];
  } else if (checked.validationSplit !== undefined) {
    ({ train, validation } = splitValidation(x, y, checkNumber('options.validationSplit', checked.validationSplit, 0, 0.999)));
  } else {
    throw invalidRange('options', 'validationData or validationSplit (trials are ranked on held-out data)', 'neither');
  }

  let rungs = [epochs];
  let keepFraction = 1;
  if (checked.halving !== undefined && checked.halving !== false) {
    const halving = checked.halving === true ? {} : checkOptions<HalvingOptions>('options.halving', checked.halving, ['eta', 'minEpochs']);
    const eta = checkNumber('options.halving.eta', halving.eta ?? 3, 1.01, 100);
    const minEpochs = checkInteger('options.halving.minEpochs', halving.minEpochs ?? 1, 1, epochs);
    rungs = halvingRungs(epochs, minEpochs, eta);
    keepFraction = 1 / eta;
  }
  const random = new Random(seed ?? nextSeed());
  const include = checkInclude(checked.include);
  let planned: Params[];
  if (strategy === 'grid') {
    const combos = [...include, ...gridCombinations(space)];
    planned = combos.slice(0, checked.trials === undefined ? combos.length : checkInteger('options.trials', checked.trials, 1, combos.length));
  } else {
    const count = checkInteger('options.trials', checked.trials ?? 10, Math.max(1, include.length), 100_000);
    planned = [...include, ...Array.from({ length: count - include.length }, () => sampleParams(space, random))];
  }

  const trials: LiveTrial[] = planned.map((params, id) => ({
    result: {
      id, params, status: 'completed', epochs: 0, valAccuracy: NaN, valLoss: NaN, trainAccuracy: NaN, trainLoss: NaN,
      valAccuracyHistory: [], parameterCount: 0, seconds: 0,
    },
    model: null,
  }));
  const epochSeconds: number[] = [];
  let budgetExhausted = false;
  const expectedEpochSeconds = (trial: LiveTrial): number => {
    if (trial.result.epochs > 0) return trial.result.seconds / trial.result.epochs;
    return epochSeconds.length > 0 ? epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length : 0;
  };

  /** Trains `trial` up to `target` epochs; false when the budget ran out first. */
  const advance = async (trial: LiveTrial, target: number): Promise<boolean> => {
    const result = trial.result;
    while (result.epochs < target) {
      if (elapsed() + expectedEpochSeconds(trial) > budget) return false;
      const epochStart = performance.now();
      try {
        if (trial.model === null) {
          if (seed !== undefined) setSeed(seed + result.id);
          const model = await buildModel({ ...result.params });
          if (!(model instanceof Sequential)) throw invalidType('buildModel(params)', 'a Sequential model', model);
          if (model.optimizer === null || !model.metrics.includes('accuracy')) {
            throw invalidRange('buildModel(params)', "a model compiled with metrics: ['accuracy']", 'a model without the accuracy metric');
          }
          trial.model = model;
          result.parameterCount = model.countParams();
        }
        const batchSize = result.params.batchSize === undefined ? defaultBatchSize : checkInteger(`params.batchSize (trial ${result.id})`, result.params.batchSize, 1, 1 << 20);
        const history = await trial.model.fit(train[0], train[1], { epochs: 1, initialEpoch: result.epochs, batchSize, validationData: validation, verbose: 0 });
        result.epochs += 1;
        result.trainLoss = history.loss[0];
        result.trainAccuracy = history.accuracy[0];
        result.valLoss = history.val_loss[0];
        result.valAccuracy = history.val_accuracy[0];
        result.valAccuracyHistory.push(result.valAccuracy);
      } catch (error) {
        // A diverging or unbuildable configuration is a result, not the end of the search.
        if (!(error instanceof FaltungError || error instanceof RangeError || error instanceof TypeError)) throw error;
        result.status = 'failed';
        result.error = error.message;
        result.valAccuracy = NaN;
        result.valLoss = NaN;
        trial.model = null;
      }
      const seconds = (performance.now() - epochStart) / 1000;
      result.seconds += seconds;
      if (result.status === 'failed') return true;
      epochSeconds.push(seconds);
      onEpochEnd?.(result);
    }
    return true;
  };

  // Only the best finished model is held: a trial's native network can take tens of megabytes.
  let held: LiveTrial | null = null;
  const retire = (trial: LiveTrial): void => {
    if (trial.model !== null && (held === null || compareTrials(trial.result, held.result) < 0)) {
      held = { result: trial.result, model: trial.model };
    }
    trial.model = null;
  };

  let alive = trials;
  for (let rung = 0; rung < rungs.length && !budgetExhausted; ++rung) {
    for (const trial of alive) {
      if (!(await advance(trial, rungs[rung]))) {
        budgetExhausted = true;
        break;
      }
      // After the last rung nothing is revisited: release the model at once.
      if (rung === rungs.length - 1) retire(trial);
    }
    const running = alive.filter((t) => t.result.status !== 'failed');
    if (!budgetExhausted && rung < rungs.length - 1) {
      const keep = Math.max(1, Math.ceil(running.length * keepFraction));
      const ranked = [...running].sort((a, b) => compareTrials(a.result, b.result));
      for (const dropped of ranked.slice(keep)) {
        dropped.result.status = 'pruned';
        retire(dropped);
      }
      alive = ranked.slice(0, keep);
    } else {
      alive = running;
    }
  }
  for (const trial of trials) {
    if (trial.result.status === 'completed' && trial.result.epochs < epochs) trial.result.status = 'stopped';
    retire(trial);
  }
  const results = trials.map((t) => t.result).filter((r) => r.epochs > 0 || r.status === 'failed').sort(compareTrials);
  const best = results.find((r) => !Number.isNaN(r.valAccuracy)) ?? null;
  const kept = held as LiveTrial | null;
  const bestModel = kept !== null && best !== null && kept.result === best ? kept.model : null;
  return { results, best, bestModel, strategy, trialsPlanned: planned.length, rungs, elapsedSeconds: elapsed(), budgetExhausted };
}

function resultsOf(value: unknown): TrialResult[] {
  const results = Array.isArray(value) ? value : (value as SearchResult | null)?.results;
  if (!Array.isArray(results)) throw invalidType('results', 'a SearchResult or an array of trial results', value);
  return results as TrialResult[];
}

function formatParam(value: ParamValue): string {
  if (typeof value !== 'number' || Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(3)).toString();
}

/** The results as a fixed-width text table, best first. */
export function formatResults(results: SearchResult | TrialResult[]): string {
  const rows = resultsOf(results);
  const header = ['rank', 'val acc', 'val loss', 'epochs', 'status', 'seconds', 'weights', 'hyperparameters'];
  const body = rows.map((r, i) => [
    `${i + 1}`,
    Number.isNaN(r.valAccuracy) ? '-' : `${(r.valAccuracy * 100).toFixed(2)}%`,
    Number.isNaN(r.valLoss) ? '-' : r.valLoss.toFixed(4),
    `${r.epochs}`,
    r.status,
    r.seconds.toFixed(1),
    `${r.parameterCount}`,
    Object.entries(r.params).map(([k, v]) => `${k}=${formatParam(v)}`).join(' ') + (r.error ? `  (${r.error})` : ''),
  ]);
  const widths = header.map((h, c) => (c === header.length - 1 ? h.length : Math.max(h.length, ...body.map((row) => row[c].length))));
  const line = (cells: string[]): string => cells.map((cell, c) => (c === cells.length - 1 ? cell : c === 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Writes the results (and the search's settings, when a SearchResult is given) as JSON. */
export async function saveResults(results: SearchResult | TrialResult[], file: string): Promise<void> {
  const rows = resultsOf(results);
  if (typeof file !== 'string' || file.length === 0) throw invalidType('path', 'a non-empty file path', file);
  // The trained model is not data: save it with model.save.
  const document = Array.isArray(results) ? { results: rows } : { ...results, bestModel: undefined };
  // NaN is not JSON: failed trials store null.
  const json = JSON.stringify(document, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
  try {
    await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await fs.writeFile(file, `${json}\n`);
  } catch (error) {
    throw new FaltungError(`Could not write ${file}: ${(error as Error).message}`, 'FALTUNG_WRITE_FAILED');
  }
}
