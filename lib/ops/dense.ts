// Fully connected forward and backward on the native GEMM: `dense(x, kernel, bias)` like
// tf.fused.matMul without activation (activations are their own ops), and `denseGrad`.
import { withCallSite } from '../async';
import { native } from '../native';
import { Tensor, checkTensor } from '../tensor';
import { outputArray } from './output';
import { invalidRange } from '../validate';

interface DensePlan {
  N: number;
  I: number;
  U: number;
}

function planDense(x: Tensor, kernel: Tensor, bias: Tensor | null | undefined): DensePlan {
  checkTensor('x', x, 2);
  checkTensor('kernel', kernel, 2);
  const [N, I] = x.shape;
  const [kernelIn, U] = kernel.shape;
  if (kernelIn !== I) {
    throw invalidRange('kernel', `shape [${I}, units] to match x's ${I} features`, `shape [${kernel.shape.join(', ')}]`);
  }
  if (bias !== null && bias !== undefined) {
    checkTensor('bias', bias, 1);
    if (bias.shape[0] !== U) throw invalidRange('bias', `shape [${U}]`, `shape [${bias.shape.join(', ')}]`);
  }
  return { N, I, U };
}

/** x (N,I) kernel (I,U) + bias (U) -> (N,U). */
export function dense(x: Tensor, kernel: Tensor, bias?: Tensor | null): Tensor {
  const { N, I, U } = planDense(x, kernel, bias);
  const out = outputArray(N * U);
  native.denseForward(out, x.data, kernel.data, bias ? bias.data : null, N, I, U, false);
  return new Tensor(out, [N, U]);
}

export async function denseAsync(x: Tensor, kernel: Tensor, bias?: Tensor | null): Promise<Tensor> {
  const { N, I, U } = planDense(x, kernel, bias);
  const out = outputArray(N * U);
  await withCallSite(native.denseForward(out, x.data, kernel.data, bias ? bias.data : null, N, I, U, true), new Error());
  return new Tensor(out, [N, U]);
}

export interface DenseGradients {
  dx: Tensor;
  dKernel: Tensor;
  dBias: Tensor;
}

/** Gradients of dense(x, kernel, bias) given dy (N,U). */
export function denseGrad(dy: Tensor, x: Tensor, kernel: Tensor): DenseGradients {
  const { N, I, U } = planDense(x, kernel, null);
  checkTensor('dy', dy, 2);
  if (dy.shape[0] !== N || dy.shape[1] !== U) {
    throw invalidRange('dy', `shape [${N}, ${U}]`, `shape [${dy.shape.join(', ')}]`);
  }
  const dx = outputArray(N * I);
  const dKernel = outputArray(I * U);
  const dBias = outputArray(U);
  native.denseBackward(dx, dKernel, dBias, dy.data, x.data, kernel.data, N, I, U, false, false);
  return { dx: new Tensor(dx, [N, I]), dKernel: new Tensor(dKernel, [I, U]), dBias: new Tensor(dBias, [U]) };
}
