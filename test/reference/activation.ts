// Float64 references for activations and softmax, written as plain loops: the test oracle for
// lib/ops/activation.ts (formulas of native/kernels/activation.h).
export type Kind = 'linear' | 'relu' | 'leakyRelu' | 'elu' | 'sigmoid' | 'tanh';

export function activation64(kind: Kind, alpha: number, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; ++i) {
    const v = x[i];
    switch (kind) {
      case 'linear': out[i] = v; break;
      case 'relu': out[i] = v < 0 ? 0 : v; break;
      case 'leakyRelu': out[i] = v < 0 ? alpha * v : v; break;
      case 'elu': out[i] = v < 0 ? alpha * Math.expm1(v) : v; break;
      case 'sigmoid': out[i] = 1 / (1 + Math.exp(-v)); break;
      case 'tanh': out[i] = Math.tanh(v); break;
    }
  }
  return out;
}

/** dx from dy and the forward output y (left derivative at 0, as the kernels). */
export function activationGrad64(kind: Kind, alpha: number, dy: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const dx = new Float64Array(dy.length);
  for (let i = 0; i < dy.length; ++i) {
    const g = dy[i];
    const v = y[i];
    switch (kind) {
      case 'linear': dx[i] = g; break;
      case 'relu': dx[i] = v > 0 ? g : 0; break;
      case 'leakyRelu': dx[i] = v > 0 ? g : alpha * g; break;
      case 'elu': dx[i] = v > 0 ? g : (v + alpha) * g; break;
      case 'sigmoid': dx[i] = g * v * (1 - v); break;
      case 'tanh': dx[i] = g * (1 - v * v); break;
    }
  }
  return dx;
}

export function softmax64(x: ArrayLike<number>, rows: number, classes: number): Float64Array {
  const out = new Float64Array(rows * classes);
  for (let r = 0; r < rows; ++r) {
    let max = -Infinity;
    for (let j = 0; j < classes; ++j) max = Math.max(max, x[r * classes + j]);
    let sum = 0;
    for (let j = 0; j < classes; ++j) sum += Math.exp(x[r * classes + j] - max);
    for (let j = 0; j < classes; ++j) out[r * classes + j] = Math.exp(x[r * classes + j] - max) / sum;
  }
  return out;
}

export function softmaxGrad64(dy: ArrayLike<number>, y: ArrayLike<number>, rows: number, classes: number): Float64Array {
  const dx = new Float64Array(rows * classes);
  for (let r = 0; r < rows; ++r) {
    let dot = 0;
    for (let j = 0; j < classes; ++j) dot += dy[r * classes + j] * y[r * classes + j];
    for (let j = 0; j < classes; ++j) dx[r * classes + j] = y[r * classes + j] * (dy[r * classes + j] - dot);
  }
  return dx;
}
