// Loss names as Keras / TF.js spell them (camelCase and snake_case) and what each expects of the
// labels. The arithmetic is native (native/network/loss_head.cc).
import { checkOneOf } from './validate';

export const LOSSES = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError'] as const;
export type LossName = (typeof LOSSES)[number];

const ALIASES: Record<string, LossName> = {
  categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
};

export function checkLoss(value: unknown): LossName {
  if (typeof value === 'string' && value in ALIASES) return ALIASES[value];
  return checkOneOf('loss', value, LOSSES);
}
