// The default training recipe of `faltung train`: optimizer, batch size, epochs and the one-cycle
// learning-rate schedule, chosen by measurement (docs/cli.md has the table) to reach >= 99.0% MNIST
// test accuracy quickly. Only numbers and the schedule factory live here, no training loop.
import { LearningRateSchedule, oneCycle } from '../callbacks/schedules';
import type { OptimizerName } from '../optimizers';

export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'momentum', 'adam', 'adamw', 'rmsprop'];

export const DEFAULT_RECIPE = {
  model: 'mnist-convnet',
  epochs: 5,
  batchSize: 128,
  optimizer: 'adam' as OptimizerName,
} as const;

/** Peak learning rate of the one-cycle schedule for each optimizer (--learning-rate overrides it). */
export const PEAK_LEARNING_RATE: Readonly<Record<OptimizerName, number>> = {
  adam: 0.01,
  adamw: 0.01,
  rmsprop: 2e-3,
  momentum: 0.05,
  sgd: 0.2,
};

/** Fraction of the steps spent warming up to the peak. */
export const WARMUP_FRACTION = 0.2;

/** The learning-rate schedule for `totalSteps` optimizer steps peaking at `peakLearningRate`. */
export function recipeSchedule(peakLearningRate: number, totalSteps: number): LearningRateSchedule {
  return oneCycle({ maxLearningRate: peakLearningRate, totalSteps: Math.max(totalSteps, 2), pctStart: WARMUP_FRACTION });
}
