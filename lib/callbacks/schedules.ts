// Learning-rate schedules as fit() callbacks: each sets model.optimizer.learningRate before every
// batch (or epoch) from a pure function of the step, which is also exposed for tests and plots.
// Formulas follow TF/Keras (and PyTorch for one-cycle); no momentum cycling, no warm restarts.
import type { Callback, Logs } from '../callbacks';
import { checkOptions } from '../data/options';
import { checkBoolean, checkInteger, checkNumber, checkOneOf, invalidRange, invalidType } from '../validate';

/** What a schedule needs from the model it trains: the optimizer and its step count (Keras' optimizer.iterations). */
interface ScheduledModel {
  optimizer: { learningRate: number } | null;
  readonly steps: number;
}

function checkModel(model: unknown): ScheduledModel {
  if (model === null || typeof model !== 'object' || !('optimizer' in model) || !('steps' in model)) {
    throw invalidType('model', 'a Sequential model (fg.sequential) being fit', model);
  }
  return model as ScheduledModel;
}

function compiledOptimizer(model: ScheduledModel | null): { learningRate: number } {
  if (model === null || model.optimizer === null) {
    throw invalidRange('learning-rate schedule', 'use inside model.fit({callbacks}) on a compiled model', model);
  }
  return model.optimizer;
}

/** A finite number > 0 (and <= max). */
function checkPositive(name: string, value: unknown, max = Infinity): number {
  const checked = checkNumber(name, value, 0, max);
  if (checked === 0) throw invalidRange(name, `a number in (0, ${max}]`, value);
  return checked;
}

/**
 * A fit() callback that sets the optimizer's learning rate to `learningRateAt(step)`: before every
 * batch from the model's optimizer step count ('step' schedules), or before every epoch from the
 * epoch index ('epoch' schedules). The step count lives in the model, so a second fit() continues
 * the schedule where the first stopped, as Keras' schedules do.
 */
export class LearningRateSchedule implements Callback {
  private model: ScheduledModel | null = null;

  constructor(
    /** Whether `learningRateAt` takes optimizer steps (batches) or epochs. */
    readonly unit: 'step' | 'epoch',
    /** The schedule itself: a pure function of a non-negative integer step (or epoch). */
    readonly learningRateAt: (step: number) => number,
  ) {}

  setModel(model: unknown): void {
    this.model = checkModel(model);
  }

  onEpochBegin(epoch: number): void {
    if (this.unit === 'epoch') compiledOptimizer(this.model).learningRate = this.learningRateAt(epoch);
  }

  onBatchBegin(): void {
    if (this.unit === 'step') {
      const optimizer = compiledOptimizer(this.model);
      optimizer.learningRate = this.learningRateAt(this.model!.steps);
    }
  }
}

function checkStep(step: unknown): number {
  return checkInteger('step', step, 0);
}

export interface StepDecayArgs {
  initialLearningRate: number;
  /** Epochs between drops. */
  dropEvery: number;
  /** Multiplier applied at every drop, in (0, 1]. */
  factor: number;
}

/** Per epoch: initialLearningRate * factor^floor(epoch / dropEvery). */
export function stepDecay(args: StepDecayArgs): LearningRateSchedule {
  const options = checkOptions<StepDecayArgs>('stepDecay args', args, ['initialLearningRate', 'dropEvery', 'factor']);
  const initial = checkNumber('initialLearningRate', options.initialLearningRate, 0);
  const dropEvery = checkInteger('dropEvery', options.dropEvery, 1);
  const factor = checkPositive('factor', options.factor, 1);
  return new LearningRateSchedule('epoch', (epoch) => initial * factor ** Math.floor(checkStep(epoch) / dropEvery));
}

export interface ExponentialDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in whole multiples of decaySteps (default false). */
  staircase?: boolean;
}

/** Per step, as tf.keras.optimizers.schedules.ExponentialDecay: initial * decayRate^(step / decaySteps). */
export function exponentialDecay(args: ExponentialDecayArgs): LearningRateSchedule {
  const options = checkOptions<ExponentialDecayArgs>('exponentialDecay args', args, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase']);
  const initial = checkNumber('initialLearningRate', options.initialLearningRate, 0);
  const decaySteps = checkPositive('decaySteps', options.decaySteps);
  const decayRate = checkPositive('decayRate', options.decayRate);
  const staircase = options.staircase === undefined ? false : checkBoolean('staircase', options.staircase);
  return new LearningRateSchedule('step', (step) => {
    const exponent = checkStep(step) / decaySteps;
    return initial * decayRate ** (staircase ? Math.floor(exponent) : exponent);
  });
}

export interface CosineDecayArgs {
  /** The rate at the start of the decay (the peak, after any warmup). */
  initialLearningRate: number;
  /** Steps of the cosine, counted after the warmup; the rate then stays at alpha * initial. */
  decaySteps: number;
  /** Final rate as a fraction of the initial one, in [0, 1] (default 0). */
  alpha?: number;
  /** Steps of linear warmup from 0 up to initialLearningRate before the decay (default 0). */
  warmupSteps?: number;
}

/**
 * Per step, as tf.keras.optimizers.schedules.CosineDecay. With warmupSteps it is TF's
 * CosineDecay(initial_learning_rate=0, warmup_target=initialLearningRate, warmup_steps).
 */
export function cosineDecay(args: CosineDecayArgs): LearningRateSchedule {
  const options = checkOptions<CosineDecayArgs>('cosineDecay args', args, ['initialLearningRate', 'decaySteps', 'alpha', 'warmupSteps']);
  const initial = checkNumber('initialLearningRate', options.initialLearningRate, 0);
  const decaySteps = checkInteger('decaySteps', options.decaySteps, 1);
  const alpha = checkNumber('alpha', options.alpha ?? 0, 0, 1);
  const warmupSteps = checkInteger('warmupSteps', options.warmupSteps ?? 0, 0);
  return new LearningRateSchedule('step', (step) => {
    checkStep(step);
    if (step < warmupSteps) return initial * (step / warmupSteps);
    const fraction = Math.min(step - warmupSteps, decaySteps) / decaySteps;
    return initial * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * fraction)) + alpha);
  });
}

export interface OneCycleArgs {
  maxLearningRate: number;
  /** Steps (batches) of the whole cycle, usually epochs * batches per epoch. */
  totalSteps: number;
  /** Fraction of the steps spent rising to maxLearningRate, in (0, 1) (default 0.3). */
  pctStart?: number;
  /** The cycle starts at maxLearningRate / divFactor (default 25). */
  divFactor?: number;
  /** It ends at maxLearningRate / divFactor / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
}

/** Cosine interpolation from `start` (fraction 0) to `end` (fraction 1). */
function cosineAnneal(start: number, end: number, fraction: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * fraction) + 1);
}

/**
 * Per step, as PyTorch's OneCycleLR (two phases, anneal_strategy='cos', no momentum cycling): a
 * cosine rise from max/divFactor to max over pctStart of the steps, then a cosine fall to
 * max/divFactor/finalDivFactor at step totalSteps - 1. Steps past the end keep the final rate
 * (PyTorch raises there).
 */
export function oneCycle(args: OneCycleArgs): LearningRateSchedule {
  const options = checkOptions<OneCycleArgs>('oneCycle args', args, ['maxLearningRate', 'totalSteps', 'pctStart', 'divFactor', 'finalDivFactor']);
  const maxRate = checkPositive('maxLearningRate', options.maxLearningRate);
  const totalSteps = checkInteger('totalSteps', options.totalSteps, 2);
  const pctStart = checkPositive('pctStart', options.pctStart ?? 0.3, 1);
  if (pctStart === 1) throw invalidRange('pctStart', 'a number in (0, 1)', pctStart);
  const initialRate = maxRate / checkPositive('divFactor', options.divFactor ?? 25);
  const finalRate = initialRate / checkPositive('finalDivFactor', options.finalDivFactor ?? 1e4);
  // PyTorch's phase ends, as floats: the peak is at pctStart * totalSteps - 1, the end at totalSteps - 1.
  const peakStep = pctStart * totalSteps - 1;
  const lastStep = totalSteps - 1;
  return new LearningRateSchedule('step', (step) => {
    const at = Math.min(checkStep(step), lastStep);
    if (at <= peakStep) return cosineAnneal(initialRate, maxRate, peakStep > 0 ? at / peakStep : 1);
    return cosineAnneal(maxRate, finalRate, (at - peakStep) / (lastStep - peakStep));
  });
}

export interface ReduceLROnPlateauArgs {
  /** Key of the epoch logs to watch (default 'val_loss'). */
  monitor?: string;
  /** Multiplier applied on a plateau, in (0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 1e-4). */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** The rate never goes below this (default 0). */
  minLr?: number;
  /** 'min', 'max', or 'auto' (default): 'max' when the monitor name contains 'acc'. */
  mode?: 'auto' | 'min' | 'max';
}

/**
 * Keras' ReduceLROnPlateau: after `patience` epochs whose monitored value did not improve by more
 * than minDelta, multiplies the learning rate by `factor` (not below minLr), then waits `cooldown`
 * epochs. It is stateful by nature; `learningRatesFor` replays it purely over a list of values.
 */
export class ReduceLROnPlateau implements Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly mode: 'min' | 'max';
  private best = Infinity;
  private wait = 0;
  private cooldownCounter = 0;
  private model: ScheduledModel | null = null;

  constructor(args: ReduceLROnPlateauArgs = {}) {
    const options = checkOptions<ReduceLROnPlateauArgs>('reduceLROnPlateau args', args,
      ['monitor', 'factor', 'patience', 'minDelta', 'cooldown', 'minLr', 'mode']);
    this.monitor = options.monitor ?? 'val_loss';
    if (typeof this.monitor !== 'string' || this.monitor.length === 0) throw invalidType('monitor', 'a metric name such as val_loss', options.monitor);
    this.factor = checkPositive('factor', options.factor ?? 0.1, 1);
    if (this.factor === 1) throw invalidRange('factor', 'a number in (0, 1) (as Keras)', this.factor);
    this.patience = checkInteger('patience', options.patience ?? 10, 0);
    this.minDelta = Math.abs(checkNumber('minDelta', options.minDelta ?? 1e-4));
    this.cooldown = checkInteger('cooldown', options.cooldown ?? 0, 0);
    this.minLr = checkNumber('minLr', options.minLr ?? 0, 0);
    const mode = checkOneOf('mode', options.mode ?? 'auto', ['auto', 'min', 'max'] as const);
    this.mode = mode === 'auto' ? (this.monitor.includes('acc') ? 'max' : 'min') : mode;
    this.reset();
  }

  /** Forgets the best value and the counters (done at the start of every fit, as Keras). */
  reset(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  private improved(current: number): boolean {
    return this.mode === 'min' ? current < this.best - this.minDelta : current > this.best + this.minDelta;
  }

  /** Feeds one epoch's monitored value; returns the learning rate to use from now on. */
  next(current: number, learningRate: number): number {
    checkNumber(this.monitor, current);
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.improved(current)) {
      this.best = current;
      this.wait = 0;
      return learningRate;
    }
    // As Keras, the cooldown is read after the decrement: its last epoch already counts.
    if (this.cooldownCounter > 0) return learningRate;
    this.wait += 1;
    if (this.wait < this.patience || learningRate <= this.minLr) return learningRate;
    this.cooldownCounter = this.cooldown;
    this.wait = 0;
    return Math.max(learningRate * this.factor, this.minLr);
  }

  /** The rate after each epoch for a run whose monitored values are `values` (state reset first and after). */
  learningRatesFor(values: number[], initialLearningRate: number): number[] {
    this.reset();
    let rate = checkNumber('initialLearningRate', initialLearningRate, 0);
    const rates = values.map((value) => (rate = this.next(value, rate)));
    this.reset();
    return rates;
  }

  setModel(model: unknown): void {
    this.model = checkModel(model);
  }

  onTrainBegin(): void {
    this.reset();
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      const available = Object.keys(logs).join(', ');
      throw invalidRange('reduceLROnPlateau monitor', `a key of the epoch logs (${available}${this.monitor.startsWith('val_') ? '; val_ metrics need validationData or validationSplit' : ''})`, this.monitor);
    }
    const optimizer = compiledOptimizer(this.model);
    optimizer.learningRate = this.next(current, optimizer.learningRate);
  }
}

export function reduceLROnPlateau(args: ReduceLROnPlateauArgs = {}): ReduceLROnPlateau {
  return new ReduceLROnPlateau(args);
}
