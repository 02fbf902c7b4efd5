// fg.tuning.findLearningRate: the learning-rate range test (Smith 2015; fast.ai's lr_find). The
// rate grows geometrically from minLr to maxLr, one batch per step, until the smoothed loss passes
// stopFactor times its best. It trains a copy of the model (same layers, weights and optimizer
// settings, fresh optimizer state), so the model's weights, optimizer state, step count and learning
// rate are exactly as before. plotLearningRateCurve draws loss against rate on a log axis.
import { checkOptions } from '../data/options';
import { gatherRows, shuffledIndices } from '../data/batching';
import { FaltungError } from '../errors';
import { deserializeLayer } from '../layers/index';
import { InputLayer } from '../layers/shape_layers';
import { Sequential } from '../model';
import { deserializeOptimizer } from '../optimizers';
import { Random, nextSeed } from '../random';
import { Tensor, checkTensor } from '../tensor';
import { checkInteger, checkNumber, checkOneOf, invalidRange, invalidType } from '../validate';
import { chartSvg } from '../visualize/chart_svg';
import { writeChart } from '../visualize/line_chart';

export type SuggestionMethod = 'minimum' | 'steepest';

export interface FindLearningRateOptions {
  /** First learning rate (default 1e-7). */
  minLr?: number;
  /** Last learning rate, reached at the last step if the loss has not blown up before (default 10). */
  maxLr?: number;
  /**
   * Batches (one learning rate each), at least 5 (default 200: with 1e-7..10 that is 25 steps per
   * decade; at 100 the suggestion for the MNIST convnet varied by 3x between seeds, see docs/tuning.md).
   */
  steps?: number;
  /** Examples per batch (default 64); the data is reshuffled whenever it runs out. */
  batchSize?: number;
  /** EMA smoothing of the loss in [0, 1), bias corrected (default 0.98). */
  smoothing?: number;
  /** Stop once the smoothed loss exceeds stopFactor times the best smoothed loss so far (default 4). */
  stopFactor?: number;
  /**
   * How `suggestion` is chosen: 'minimum' (default): the rate of the lowest smoothed loss divided
   * by 10; 'steepest': the rate where the smoothed loss falls fastest per decade of rate.
   */
  method?: SuggestionMethod;
  /** Seed of the batch order (default: drawn from the global generator, so fg.setSeed reproduces it). */
  seed?: number;
}

export interface LearningRateCurve {
  /** The rate of each step that ran. */
  learningRates: number[];
  /** The batch loss of each step (before that step's update). */
  losses: number[];
  /** Bias-corrected EMA of the losses. */
  smoothedLosses: number[];
}

export interface LearningRateFinderResult extends LearningRateCurve {
  /** The suggested rate (see options.method), always within [minLr, maxLr]. */
  suggestion: number;
  method: SuggestionMethod;
  /** Rate at the lowest smoothed loss. */
  minimumLossLearningRate: number;
  /** Rate where the smoothed loss falls fastest (before the minimum). */
  steepestLearningRate: number;
  /** Why the test ended: 'diverged' (smoothed loss > stopFactor * best, or not finite) or 'maxLr'. */
  stoppedBy: 'diverged' | 'maxLr';
}

const OPTION_KEYS = ['minLr', 'maxLr', 'steps', 'batchSize', 'smoothing', 'stopFactor', 'method', 'seed'] as const;

/**
 * A compiled copy of `model` for training experiments: layers recreated from their configs (same
 * names), weights copied, a new optimizer with the same settings.
 */
export function trainingCopy(model: Sequential): Sequential {
  const optimizer = model.optimizer;
  if (optimizer === null || model.loss === null) {
    throw new FaltungError('The model must be compiled first: call model.compile({optimizer, loss})', 'FALTUNG_NOT_COMPILED');
  }
  const copy = new Sequential({ name: model.name });
  copy.add(new InputLayer({ shape: model.inputShape, name: `${model.name}_input` }));
  for (const layer of model.layers) {
    let clone;
    try {
      clone = deserializeLayer(layer.getClassName(), layer.getConfig());
    } catch (error) {
      throw invalidRange('model', 'layers that can be recreated from getConfig() (registered with registerLayer)',
        `${layer.name} (${layer.getClassName()}): ${(error as Error).message}`);
    }
    copy.add(clone);
  }
  copy.setWeights(model.getWeights());
  copy.compile({ optimizer: deserializeOptimizer(optimizer.getClassName(), optimizer.getConfig()), loss: model.loss, metrics: [...model.metrics] });
  return copy;
}

/** Bias-corrected EMA, one value per loss. */
function smooth(losses: readonly number[], smoothing: number): number[] {
  let average = 0;
  return losses.map((loss, i) => {
    average = smoothing * average + (1 - smoothing) * loss;
    return average / (1 - smoothing ** (i + 1));
  });
}

/** Index of the steepest fall of the smoothed loss per log10(rate), among the points before the minimum. */
export function steepestIndex(learningRates: readonly number[], smoothed: readonly number[]): number {
  const minimum = smoothed.indexOf(Math.min(...smoothed));
  // The first tenth of the points is mostly the smoothing warming up: skip it when there is room.
  const start = Math.min(Math.floor(smoothed.length / 10), Math.max(0, minimum - 1));
  let best = minimum;
  let bestSlope = Infinity;
  for (let i = Math.max(start, 1); i <= minimum && i < smoothed.length - 1; ++i) {
    const slope = (smoothed[i + 1] - smoothed[i - 1]) / (Math.log10(learningRates[i + 1]) - Math.log10(learningRates[i - 1]));
    if (slope < bestSlope) {
      bestSlope = slope;
      best = i;
    }
  }
  return best;
}

function checkFinderOptions(options: unknown): Required<Omit<FindLearningRateOptions, 'seed'>> & { seed: number } {
  const checked = checkOptions<FindLearningRateOptions>('options', options, [...OPTION_KEYS]);
  const minLr = checkNumber('options.minLr', checked.minLr ?? 1e-7, Number.MIN_VALUE);
  const maxLr = checkNumber('options.maxLr', checked.maxLr ?? 10, Number.MIN_VALUE);
  if (!(maxLr > minLr)) throw invalidRange('options.maxLr', `a rate above minLr (${minLr})`, maxLr);
  const seed = checked.seed ?? nextSeed();
  if (!Number.isSafeInteger(seed)) throw invalidRange('options.seed', 'a safe integer', seed);
  return {
    minLr,
    maxLr,
    steps: checkInteger('options.steps', checked.steps ?? 200, 5, 1_000_000),
    batchSize: checkInteger('options.batchSize', checked.batchSize ?? 64, 1, 1 << 20),
    smoothing: checkNumber('options.smoothing', checked.smoothing ?? 0.98, 0, 0.999999),
    stopFactor: checkNumber('options.stopFactor', checked.stopFactor ?? 4, 1.000001),
    method: checkOneOf('options.method', checked.method ?? 'minimum', ['minimum', 'steepest'] as const),
    seed,
  };
}

/** Runs the range test on (x, y) with a copy of `model`; the model itself is left untouched. */
export async function findLearningRate(model: Sequential, x: Tensor, y: Tensor, options: FindLearningRateOptions = {}): Promise<LearningRateFinderResult> {
  if (!(model instanceof Sequential)) throw invalidType('model', 'a compiled Sequential model', model);
  const settings = checkFinderOptions(options);
  checkTensor('x', x);
  checkTensor('y', y);
  const count = x.shape[0];
  if (y.shape[0] !== count) throw invalidRange('y', `${count} examples (as many as x)`, `shape [${y.shape.join(', ')}]`);
  if (count === 0) throw invalidRange('x', 'at least one example', 'shape [0, ...]');
  const copy = trainingCopy(model);
  const optimizer = copy.optimizer!;
  const xRow = x.size / count;
  const yRow = y.size / count;
  const batch = Math.min(settings.batchSize, count);
  const xBuffer = new Float32Array(batch * xRow);
  const yBuffer = new Float32Array(batch * yRow);
  const random = new Random(settings.seed);
  let order = shuffledIndices(count, random);
  let position = 0;
  const ratio = settings.maxLr / settings.minLr;
  const curve: LearningRateCurve = { learningRates: [], losses: [], smoothedLosses: [] };
  let average = 0;
  let best = Infinity;
  let stoppedBy: LearningRateFinderResult['stoppedBy'] = 'maxLr';
  for (let step = 0; step < settings.steps; ++step) {
    if (position + batch > count) {
      order = shuffledIndices(count, random);
      position = 0;
    }
    gatherRows(x.data, xRow, order, position, batch, xBuffer);
    gatherRows(y.data, yRow, order, position, batch, yBuffer);
    position += batch;
    const learningRate = settings.minLr * ratio ** (step / (settings.steps - 1));
    optimizer.learningRate = learningRate;
    const loss = await copy.trainOnBatch(new Tensor(xBuffer, [batch, ...x.shape.slice(1)]), new Tensor(yBuffer, [batch, ...y.shape.slice(1)]));
    if (!Number.isFinite(loss)) {
      stoppedBy = 'diverged';
      break;
    }
    average = settings.smoothing * average + (1 - settings.smoothing) * loss;
    const smoothed = average / (1 - settings.smoothing ** (step + 1));
    curve.learningRates.push(learningRate);
    curve.losses.push(loss);
    curve.smoothedLosses.push(smoothed);
    best = Math.min(best, smoothed);
    if (step > 0 && smoothed > settings.stopFactor * best) {
      stoppedBy = 'diverged';
      break;
    }
  }
  if (curve.losses.length < 2) {
    throw new FaltungError(`The loss was not finite from the first steps (at learning rate ${settings.minLr}): lower minLr or check the data`, 'FALTUNG_NAN_LOSS');
  }
  return { ...curve, ...suggest(curve, settings.method, settings.minLr, settings.maxLr), stoppedBy };
}

/** The suggestion of a curve (also usable on a curve loaded from JSON). */
export function suggest(curve: LearningRateCurve, method: SuggestionMethod = 'minimum', minLr = 0, maxLr = Infinity):
  Pick<LearningRateFinderResult, 'suggestion' | 'method' | 'minimumLossLearningRate' | 'steepestLearningRate'> {
  const smoothed = curve.smoothedLosses.length === curve.losses.length ? curve.smoothedLosses : smooth(curve.losses, 0.98);
  const minimum = smoothed.indexOf(Math.min(...smoothed));
  const minimumLossLearningRate = curve.learningRates[minimum];
  const steepestLearningRate = curve.learningRates[steepestIndex(curve.learningRates, smoothed)];
  const raw = method === 'minimum' ? minimumLossLearningRate / 10 : steepestLearningRate;
  return { suggestion: Math.min(maxLr, Math.max(minLr, raw)), method, minimumLossLearningRate, steepestLearningRate };
}

/** The curve as a chart SVG: raw and smoothed loss against the rate (log axis), the suggestion marked. */
export function learningRateCurveSvg(result: LearningRateFinderResult): string {
  if (result === null || typeof result !== 'object' || !Array.isArray(result.learningRates) || !Array.isArray(result.smoothedLosses)) {
    throw invalidType('result', 'the result of findLearningRate', result);
  }
  const smoothed = result.smoothedLosses;
  const minimum = smoothed.indexOf(Math.min(...smoothed));
  const low = smoothed[minimum];
  const high = Math.max(...smoothed.slice(0, minimum + 1));
  const span = Math.max(high - low, 1e-3 * Math.max(1, Math.abs(high)));
  return chartSvg({
    title: 'learning-rate range test',
    panelWidth: 640,
    panelHeight: 380,
    panels: [{
      title: `suggestion ${result.suggestion.toPrecision(3)} (${result.method === 'minimum' ? 'lowest loss / 10' : 'steepest fall'})`,
      xLabel: 'learning rate (log scale)',
      yLabel: 'loss',
      xScale: 'log',
      yRange: [low - 0.1 * span, high + 0.6 * span],
      series: [
        { name: 'batch loss', x: result.learningRates, y: result.losses, color: '#9ecae1', width: 1 },
        { name: 'smoothed loss', x: result.learningRates, y: smoothed, color: '#1f77b4', width: 2 },
      ],
      marks: [
        { x: result.suggestion, label: `suggested ${result.suggestion.toPrecision(2)}`, color: '#d62728' },
        { x: result.minimumLossLearningRate, label: 'lowest', color: '#555' },
      ],
    }],
  });
}

/** Writes the range-test curve to `path` (.svg or .png); returns the SVG text. */
export async function plotLearningRateCurve(result: LearningRateFinderResult, path: string): Promise<string> {
  const svg = learningRateCurveSvg(result);
  await writeChart(svg, path);
  return svg;
}
