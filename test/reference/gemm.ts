// Float64 reference of SGEMM as three plain loops: the oracle for the native kernel's tests.
// Deliberately no blocking, no tricks: C (M,N) = alpha * op(A) (M,K) * op(B) (K,N) + beta * C.

/**
 * a is stored (M,K), or (K,M) when transposeA; b is stored (K,N), or (N,K) when transposeB.
 * c (M,N) is read only when beta !== 0. Returns a new Float64Array of M*N values.
 */
export function gemmReference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  N: number,
  K: number,
  transposeA = false,
  transposeB = false,
  alpha = 1,
  beta = 0,
  c?: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; ++i) {
    for (let j = 0; j < N; ++j) {
      let sum = 0;
      for (let p = 0; p < K; ++p) {
        const av = transposeA ? a[p * M + i] : a[i * K + p];
        const bv = transposeB ? b[j * K + p] : b[p * N + j];
        sum += av * bv;
      }
      out[i * N + j] = alpha * sum + (beta !== 0 && c !== undefined ? beta * c[i * N + j] : 0);
    }
  }
  return out;
}

/**
 * Tolerances for a float32 result summed over K terms of magnitude <= 1: the rounding error of
 * a float32 sum grows about linearly with K in the worst case, so both bounds scale with K.
 */
export function gemmTolerance(K: number, alpha = 1): { atol: number; rtol: number } {
  return { atol: 1e-6 + 1e-6 * K * Math.abs(alpha), rtol: 1e-6 * (4 + K) };
}
