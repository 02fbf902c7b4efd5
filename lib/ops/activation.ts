// Activations and softmax on Tensors, forward and backward, with TensorFlow.js names. Gradients
// take the forward OUTPUT y (never the input), so layers need not keep inputs. Deliberately no
// autodiff and no in-place variants: each call allocates its output.
import { withCallSite } from '../async';
import { native } from '../native';
import { Tensor, checkTensor } from '../tensor';
import { outputArray } from './output';
import { checkInteger, checkNumber, checkOneOf, invalidRange } from '../validate';

export type ActivationKind = 'linear' | 'relu' | 'leakyRelu' | 'elu' | 'sigmoid' | 'tanh';

/** In the order of native/kernels/activation.h's enum (the index is what the addon takes). */
export const ACTIVATION_KINDS: readonly ActivationKind[] = ['linear', 'relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh'];

/** Keras' defaults: LeakyReLU's negative_slope 0.2 (TF.js too), ELU's alpha 1. */
const DEFAULT_ALPHA: Record<ActivationKind, number> = { linear: 0, relu: 0, leakyRelu: 0.2, elu: 1, sigmoid: 0, tanh: 0 };
const FLOAT32_MAX = 3.4028234663852886e38;

interface ActivationPlan {
  kind: number;
  alpha: number;
}

function planActivation(kind: unknown, alpha: unknown): ActivationPlan {
  const name = checkOneOf('kind', kind, ACTIVATION_KINDS);
  const usesAlpha = name === 'leakyRelu' || name === 'elu';
  const value = alpha === undefined ? DEFAULT_ALPHA[name] : alpha;
  // The backward pass reads the sign of y, which a negative alpha would flip.
  const checked = usesAlpha ? checkNumber('alpha', value, 0, FLOAT32_MAX) : checkNumber('alpha', value);
  return { kind: ACTIVATION_KINDS.indexOf(name), alpha: usesAlpha ? checked : 0 };
}

function checkSameShape(name: string, value: Tensor, reference: Tensor, referenceName: string): void {
  if (value.shape.length !== reference.shape.length || value.shape.some((dim, i) => dim !== reference.shape[i])) {
    throw invalidRange(name, `a Tensor of ${referenceName}'s shape [${reference.shape.join(', ')}]`,
      `shape [${value.shape.join(', ')}]`);
  }
}

/** y = f(x) for one of the ACTIVATION_KINDS; alpha is the slope (leakyRelu) or scale (elu), >= 0. */
export function activation(kind: ActivationKind, x: Tensor, alpha?: number): Tensor {
  const plan = planActivation(kind, alpha);
  checkTensor('x', x);
  const out = outputArray(x.size);
  native.activationForward(out, x.data, plan.kind, plan.alpha, false);
  return new Tensor(out, x.shape);
}

export async function activationAsync(kind: ActivationKind, x: Tensor, alpha?: number): Promise<Tensor> {
  const plan = planActivation(kind, alpha);
  checkTensor('x', x);
  const out = outputArray(x.size);
  await withCallSite(native.activationForward(out, x.data, plan.kind, plan.alpha, true), new Error());
  return new Tensor(out, x.shape);
}

/** dx = dy * f'(x), computed from the forward output y (same shape as dy). */
export function activationGrad(kind: ActivationKind, dy: Tensor, y: Tensor, alpha?: number): Tensor {
  const plan = planActivation(kind, alpha);
  checkTensor('dy', dy);
  checkTensor('y', y);
  checkSameShape('y', y, dy, 'dy');
  const dx = outputArray(dy.size);
  native.activationBackward(dx, dy.data, y.data, plan.kind, plan.alpha, false);
  return new Tensor(dx, dy.shape);
}

export function relu(x: Tensor): Tensor {
  return activation('relu', x);
}

/** x for x >= 0, alpha * x below (TF.js default alpha 0.2). */
export function leakyRelu(x: Tensor, alpha = 0.2): Tensor {
  return activation('leakyRelu', x, alpha);
}

/** x for x >= 0, alpha * (exp(x) - 1) below (alpha 1 as in TF.js). */
export function elu(x: Tensor, alpha = 1): Tensor {
  return activation('elu', x, alpha);
}

export function sigmoid(x: Tensor): Tensor {
  return activation('sigmoid', x);
}

export function tanh(x: Tensor): Tensor {
  return activation('tanh', x);
}

export function reluGrad(dy: Tensor, y: Tensor): Tensor {
  return activationGrad('relu', dy, y);
}

export function leakyReluGrad(dy: Tensor, y: Tensor, alpha = 0.2): Tensor {
  return activationGrad('leakyRelu', dy, y, alpha);
}

export function eluGrad(dy: Tensor, y: Tensor, alpha = 1): Tensor {
  return activationGrad('elu', dy, y, alpha);
}

export function sigmoidGrad(dy: Tensor, y: Tensor): Tensor {
  return activationGrad('sigmoid', dy, y);
}

export function tanhGrad(dy: Tensor, y: Tensor): Tensor {
  return activationGrad('tanh', dy, y);
}

interface SoftmaxPlan {
  rows: number;
  classes: number;
}

function planSoftmax(name: string, logits: unknown, dim: unknown): SoftmaxPlan {
  const tensor = checkTensor(name, logits);
  if (tensor.rank < 1) throw invalidRange(name, 'a Tensor of rank >= 1', 'a scalar');
  const axis = checkInteger('dim', dim, -tensor.rank, tensor.rank - 1);
  if (axis !== -1 && axis !== tensor.rank - 1) {
    throw invalidRange('dim', `the last axis (-1 or ${tensor.rank - 1})`, axis);
  }
  const classes = tensor.shape[tensor.rank - 1];
  // An empty last axis leaves nothing to normalise: zero rows of zero classes.
  return { rows: classes === 0 ? 0 : tensor.size / classes, classes };
}

/** Softmax along the last axis (TF.js softmax(logits, dim = -1)); stable for any finite logits. */
export function softmax(logits: Tensor, dim = -1): Tensor {
  const { rows, classes } = planSoftmax('logits', logits, dim);
  const out = outputArray(logits.size);
  native.softmaxForward(out, logits.data, rows, classes, false);
  return new Tensor(out, logits.shape);
}

export async function softmaxAsync(logits: Tensor, dim = -1): Promise<Tensor> {
  const { rows, classes } = planSoftmax('logits', logits, dim);
  const out = outputArray(logits.size);
  await withCallSite(native.softmaxForward(out, logits.data, rows, classes, true), new Error());
  return new Tensor(out, logits.shape);
}

/** dx = y * (dy - sum(dy * y)) along the last axis, from the softmax output y. */
export function softmaxGrad(dy: Tensor, y: Tensor): Tensor {
  const { rows, classes } = planSoftmax('y', y, -1);
  checkTensor('dy', dy);
  checkSameShape('dy', dy, y, 'y');
  const dx = outputArray(y.size);
  native.softmaxBackward(dx, dy.data, y.data, rows, classes, false);
  return new Tensor(dx, y.shape);
}
