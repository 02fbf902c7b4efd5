// Float64 references for channels-last batch normalization (native/kernels/batchnorm.h), as plain
// loops over (rows, channels): training forward with moving averages, inference, and backward.

export interface BatchNormTraining64 {
  y: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
  invStd: Float64Array;
  movingMean: Float64Array;
  movingVariance: Float64Array;
}

export function batchNormTraining64(x: ArrayLike<number>, rows: number, channels: number, gamma: ArrayLike<number>,
  beta: ArrayLike<number>, movingMean: ArrayLike<number>, movingVariance: ArrayLike<number>, momentum: number,
  epsilon: number): BatchNormTraining64 {
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  for (let r = 0; r < rows; ++r) for (let c = 0; c < channels; ++c) mean[c] += x[r * channels + c];
  for (let c = 0; c < channels; ++c) mean[c] /= rows;
  for (let r = 0; r < rows; ++r) for (let c = 0; c < channels; ++c) variance[c] += (x[r * channels + c] - mean[c]) ** 2;
  for (let c = 0; c < channels; ++c) variance[c] /= rows;
  const invStd = variance.map((v) => 1 / Math.sqrt(v + epsilon));
  const y = new Float64Array(rows * channels);
  for (let r = 0; r < rows; ++r) {
    for (let c = 0; c < channels; ++c) y[r * channels + c] = gamma[c] * (x[r * channels + c] - mean[c]) * invStd[c] + beta[c];
  }
  const newMovingMean = new Float64Array(channels);
  const newMovingVariance = new Float64Array(channels);
  for (let c = 0; c < channels; ++c) {
    newMovingMean[c] = movingMean[c] * momentum + mean[c] * (1 - momentum);
    newMovingVariance[c] = movingVariance[c] * momentum + variance[c] * (1 - momentum);
  }
  return { y, mean, variance, invStd, movingMean: newMovingMean, movingVariance: newMovingVariance };
}

export function batchNormInference64(x: ArrayLike<number>, rows: number, channels: number, mean: ArrayLike<number>,
  variance: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>, epsilon: number): Float64Array {
  const y = new Float64Array(rows * channels);
  for (let r = 0; r < rows; ++r) {
    for (let c = 0; c < channels; ++c) {
      y[r * channels + c] = ((x[r * channels + c] - mean[c]) * gamma[c]) / Math.sqrt(variance[c] + epsilon) + beta[c];
    }
  }
  return y;
}

export interface BatchNormGrad64 {
  dx: Float64Array;
  dgamma: Float64Array;
  dbeta: Float64Array;
}

/** The textbook form (docs/batchnorm-backward.md), from the saved mean and inverse std. */
export function batchNormBackward64(dy: ArrayLike<number>, x: ArrayLike<number>, rows: number, channels: number,
  gamma: ArrayLike<number>, mean: ArrayLike<number>, invStd: ArrayLike<number>): BatchNormGrad64 {
  const dbeta = new Float64Array(channels);
  const dgamma = new Float64Array(channels);
  for (let r = 0; r < rows; ++r) {
    for (let c = 0; c < channels; ++c) {
      const i = r * channels + c;
      dbeta[c] += dy[i];
      dgamma[c] += dy[i] * (x[i] - mean[c]) * invStd[c];
    }
  }
  const dx = new Float64Array(rows * channels);
  for (let r = 0; r < rows; ++r) {
    for (let c = 0; c < channels; ++c) {
      const i = r * channels + c;
      const xhat = (x[i] - mean[c]) * invStd[c];
      dx[i] = ((gamma[c] * invStd[c]) / rows) * (rows * dy[i] - dbeta[c] - xhat * dgamma[c]);
    }
  }
  return { dx, dgamma, dbeta };
}
