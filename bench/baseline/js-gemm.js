// The pure-JavaScript baseline every faltung benchmark compares against: a straightforward
// matrix multiply on Float32Arrays, i-k-j loop order (unit stride in the inner loop when B is not
// transposed). Deliberately no blocking, no unrolling, no workers: what a careful user writes.
'use strict';

/**
 * c (M,N) = alpha * op(a) (M,K) * op(b) (K,N) + beta * c, row-major. a is stored (M,K), or (K,M)
 * when transposeA; b is stored (K,N), or (N,K) when transposeB. beta == 0 ignores c's contents.
 */
function jsGemm(c, a, b, M, N, K, transposeA = false, transposeB = false, alpha = 1, beta = 0) {
  for (let i = 0; i < M; ++i) {
    const row = i * N;
    for (let j = 0; j < N; ++j) c[row + j] = beta === 0 ? 0 : beta * c[row + j];
    for (let p = 0; p < K; ++p) {
      const av = alpha * (transposeA ? a[p * M + i] : a[i * K + p]);
      if (transposeB) {
        for (let j = 0; j < N; ++j) c[row + j] += av * b[j * K + p];
      } else {
        const bRow = p * N;
        for (let j = 0; j < N; ++j) c[row + j] += av * b[bRow + j];
      }
    }
  }
}

module.exports = { jsGemm };
