// matMul (TensorFlow.js's name and argument order) on the native SGEMM, for rank-2 tensors, with
// an async twin that runs off the event loop. Deliberately no broadcasting or batched (rank-3)
// products and no alpha/beta: the raw `sgemm` binding has those for the layers that need them.
import { withCallSite } from '../async';
import { native } from '../native';
import { Tensor, checkTensor } from '../tensor';
import { outputArray } from './output';
import { MAX_ELEMENTS, checkBoolean, invalidRange } from '../validate';

interface GemmPlan {
  M: number;
  N: number;
  K: number;
}

function planMatMul(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): GemmPlan {
  checkTensor('a', a, 2);
  checkTensor('b', b, 2);
  checkBoolean('transposeA', transposeA);
  checkBoolean('transposeB', transposeB);
  const [M, Ka] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [Kb, N] = transposeB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (Ka !== Kb) {
    throw invalidRange('b', `inner dimension ${Ka} to match a's`, `shape [${b.shape.join(', ')}] (inner ${Kb})`);
  }
  if (M * N > MAX_ELEMENTS) {
    throw invalidRange('a, b', `a product with at most ${MAX_ELEMENTS} elements`, `[${M}, ${N}]`);
  }
  return { M, N, K: Ka };
}

/** a (M,K) x b (K,N) -> (M,N); transposeA / transposeB apply to the stored matrices. */
export function matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  const { M, N, K } = planMatMul(a, b, transposeA, transposeB);
  const out = outputArray(M * N);
  native.sgemm(out, a.data, b.data, M, N, K, transposeA, transposeB, 1, 0, false);
  return new Tensor(out, [M, N]);
}

/** matMul off the event loop: the product runs on a worker thread; errors carry this call site. */
export async function matMulAsync(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Promise<Tensor> {
  const callSite = new Error();
  const { M, N, K } = planMatMul(a, b, transposeA, transposeB);
  const out = outputArray(M * N);
  await withCallSite(native.sgemm(out, a.data, b.data, M, N, K, transposeA, transposeB, 1, 0, true), callSite);
  return new Tensor(out, [M, N]);
}
