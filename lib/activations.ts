// Activation names as Keras / TF.js spell them, checked once, and how each maps onto the native
// ops (a fused relu in conv, an elementwise op, or softmax over the last axis).
import { checkOneOf } from './validate';

export const ACTIVATIONS = ['linear', 'relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh', 'softmax'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Keras' `leaky_relu` activation string uses slope 0.2 (as tf.leakyRelu's default alpha). */
export const LEAKY_RELU_ALPHA = 0.2;
export const ELU_ALPHA = 1.0;

const ALIASES: Record<string, ActivationName> = { leaky_relu: 'leakyRelu', None: 'linear' };

export function checkActivation(name: string, value: unknown): ActivationName {
  if (value === undefined || value === null) return 'linear';
  if (typeof value === 'string' && value in ALIASES) return ALIASES[value];
  return checkOneOf(name, value, ACTIVATIONS);
}

/** The native op (if any) that applies `activation` to `size` values per example. */
export function activationSpec(activation: ActivationName, size: number, classes: number): (Record<string, unknown> & { kind: string })[] {
  switch (activation) {
    case 'linear':
      return [];
    case 'softmax':
      return [{ kind: 'softmax', size, classes }];
    case 'leakyRelu':
      return [{ kind: 'activation', activation, alpha: LEAKY_RELU_ALPHA, size }];
    case 'elu':
      return [{ kind: 'activation', activation, alpha: ELU_ALPHA, size }];
    default:
      return [{ kind: 'activation', activation, alpha: 0, size }];
  }
}
