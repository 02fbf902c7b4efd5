// Float64 reference of the dense layer: plain loops, the oracle for the native kernels.

export function denseReference(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null,
  N: number, I: number, U: number): Float64Array {
  const out = new Float64Array(N * U);
  for (let n = 0; n < N; ++n) {
    for (let u = 0; u < U; ++u) {
      let sum = bias ? bias[u] : 0;
      for (let i = 0; i < I; ++i) sum += x[n * I + i] * w[i * U + u];
      out[n * U + u] = sum;
    }
  }
  return out;
}
