// Float64 references for the losses of lib/ops/loss.ts, as plain loops: each returns the mean loss
// and the gradient of that mean (formulas of native/kernels/loss.h).
export interface Loss64 {
  loss: number;
  gradient: Float64Array;
}

export function softmaxCrossEntropy64(labels: ArrayLike<number>, logits: ArrayLike<number>, rows: number, classes: number): Loss64 {
  const gradient = new Float64Array(rows * classes);
  let loss = 0;
  for (let r = 0; r < rows; ++r) {
    let max = -Infinity;
    for (let j = 0; j < classes; ++j) max = Math.max(max, logits[r * classes + j]);
    let sum = 0;
    let labelSum = 0;
    for (let j = 0; j < classes; ++j) {
      sum += Math.exp(logits[r * classes + j] - max);
      labelSum += labels[r * classes + j];
    }
    const logSumExp = max + Math.log(sum);
    for (let j = 0; j < classes; ++j) {
      const i = r * classes + j;
      loss += labels[i] * (logSumExp - logits[i]);
      gradient[i] = (Math.exp(logits[i] - max) / sum * labelSum - labels[i]) / rows;
    }
  }
  return { loss: rows > 0 ? loss / rows : 0, gradient };
}

export function sparseSoftmaxCrossEntropy64(labels: ArrayLike<number>, logits: ArrayLike<number>, rows: number, classes: number): Loss64 {
  const dense = new Float64Array(rows * classes);
  for (let r = 0; r < rows; ++r) dense[r * classes + labels[r]] = 1;
  return softmaxCrossEntropy64(dense, logits, rows, classes);
}

export function meanSquaredError64(labels: ArrayLike<number>, predictions: ArrayLike<number>): Loss64 {
  const n = predictions.length;
  const gradient = new Float64Array(n);
  let loss = 0;
  for (let i = 0; i < n; ++i) {
    const d = predictions[i] - labels[i];
    loss += d * d;
    gradient[i] = (2 * d) / n;
  }
  return { loss: n > 0 ? loss / n : 0, gradient };
}

/** Keras 3: predictions clipped to [eps, 1 - eps] (the upper bound rounded to float32), no gradient where clipped. */
export function binaryCrossentropy64(labels: ArrayLike<number>, predictions: ArrayLike<number>, epsilon: number): Loss64 {
  const n = predictions.length;
  const low = Math.fround(epsilon);
  const high = Math.fround(1 - Math.fround(epsilon));
  const gradient = new Float64Array(n);
  let loss = 0;
  for (let i = 0; i < n; ++i) {
    const p = predictions[i];
    const q = Math.min(Math.max(p, low), high);
    const t = labels[i];
    loss -= t * Math.log(q) + (1 - t) * Math.log(1 - q);
    gradient[i] = p >= low && p <= high ? (q - t) / (q * (1 - q)) / n : 0;
  }
  return { loss: n > 0 ? loss / n : 0, gradient };
}

export function sigmoidCrossEntropy64(labels: ArrayLike<number>, logits: ArrayLike<number>): Loss64 {
  const n = logits.length;
  const gradient = new Float64Array(n);
  let loss = 0;
  for (let i = 0; i < n; ++i) {
    const x = logits[i];
    const t = labels[i];
    loss += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
    gradient[i] = (1 / (1 + Math.exp(-x)) - t) / n;
  }
  return { loss: n > 0 ? loss / n : 0, gradient };
}
