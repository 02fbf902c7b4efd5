// Inverted dropout with a counter-based RNG (Philox4x32-10): element i's draw depends only on
// (seed, i), so a seed reproduces the mask on any thread count or machine. Deliberately no hidden
// generator state: pass a new seed each training step (and no noiseShape).
import { withCallSite } from '../async';
import { native } from '../native';
import { Tensor, checkTensor } from '../tensor';
import { outputArray } from './output';
import { checkInteger, checkNumber, invalidRange } from '../validate';

export interface DropoutResult {
  /** x * mask. */
  output: Tensor;
  /** 1 / (1 - rate) where kept, 0 where dropped; x's shape. */
  mask: Tensor;
}

function planDropout(x: unknown, rate: unknown, seed: unknown): [Tensor, number, number] {
  const tensor = checkTensor('x', x);
  const r = checkNumber('rate', rate, 0, 1);
  if (r === 1) throw invalidRange('rate', 'a number in [0, 1)', rate);
  return [tensor, r, checkInteger('seed', seed, 0, Number.MAX_SAFE_INTEGER)];
}

/**
 * Drops each element with probability `rate` and scales the rest by 1 / (1 - rate) (inverted
 * dropout, as Keras). seed: an integer in [0, 2^53 - 1]; the same seed gives the same mask.
 */
export function dropout(x: Tensor, rate: number, seed: number): DropoutResult {
  const [tensor, r, s] = planDropout(x, rate, seed);
  const output = outputArray(tensor.size);
  const mask = outputArray(tensor.size);
  native.dropoutForward(output, mask, tensor.data, r, s, false);
  return { output: new Tensor(output, tensor.shape), mask: new Tensor(mask, tensor.shape) };
}

export async function dropoutAsync(x: Tensor, rate: number, seed: number): Promise<DropoutResult> {
  const [tensor, r, s] = planDropout(x, rate, seed);
  const output = outputArray(tensor.size);
  const mask = outputArray(tensor.size);
  await withCallSite(native.dropoutForward(output, mask, tensor.data, r, s, true), new Error());
  return { output: new Tensor(output, tensor.shape), mask: new Tensor(mask, tensor.shape) };
}

/** dx = dy * mask, with the mask dropout returned. */
export function dropoutGrad(dy: Tensor, mask: Tensor): Tensor {
  checkTensor('dy', dy);
  checkTensor('mask', mask);
  if (mask.shape.length !== dy.shape.length || mask.shape.some((dim, i) => dim !== dy.shape[i])) {
    throw invalidRange('mask', `a Tensor of dy's shape [${dy.shape.join(', ')}]`, `shape [${mask.shape.join(', ')}]`);
  }
  const dx = outputArray(dy.size);
  native.dropoutBackward(dx, dy.data, mask.data, false);
  return new Tensor(dx, dy.shape);
}
