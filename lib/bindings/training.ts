// Raw signatures of the native training group (native/binding/training.cc): optimizer updates,
// batch normalization and dropout. Only lib/native.ts and the ops in lib/ops/{optimizer,batchnorm,
// dropout}.ts use them; arguments are validated in TypeScript first. Optional state is null.

type Maybe = Promise<void> | undefined;

export interface TrainingBindings {
  /** w -= lr * clip(g). clipNorm / clipValue: 0 = off, at most one on. */
  sgdUpdate(weights: Float32Array, gradients: Float32Array, learningRate: number, clipNorm: number, clipValue: number,
    async: boolean): Maybe;
  momentumUpdate(weights: Float32Array, velocity: Float32Array, gradients: Float32Array, learningRate: number,
    momentum: number, nesterov: boolean, clipNorm: number, clipValue: number, async: boolean): Maybe;
  /** Adam (weightDecay 0) or AdamW; vMax non-null turns AMSGrad on. step >= 1 counts this update. */
  adamUpdate(weights: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null, gradients: Float32Array,
    learningRate: number, beta1: number, beta2: number, epsilon: number, step: number, weightDecay: number,
    clipNorm: number, clipValue: number, async: boolean): Maybe;
  /** momentumBuffer non-null: momentum on; meanGradient non-null: centered. */
  rmspropUpdate(weights: Float32Array, meanSquare: Float32Array, momentumBuffer: Float32Array | null,
    meanGradient: Float32Array | null, gradients: Float32Array, learningRate: number, rho: number, momentum: number,
    epsilon: number, clipNorm: number, clipValue: number, async: boolean): Maybe;
  /** x (rows, channels); per-channel buffers of `channels` floats; rows >= 1, epsilon > 0. */
  batchNormTraining(y: Float32Array, savedMean: Float32Array, savedInvStd: Float32Array, movingMean: Float32Array,
    movingVariance: Float32Array, x: Float32Array, gamma: Float32Array, beta: Float32Array, rows: number,
    channels: number, momentum: number, epsilon: number, async: boolean): Maybe;
  batchNormInference(y: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array,
    beta: Float32Array, rows: number, channels: number, epsilon: number, async: boolean): Maybe;
  batchNormBackward(dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, dy: Float32Array, x: Float32Array,
    gamma: Float32Array, savedMean: Float32Array, savedInvStd: Float32Array, rows: number, channels: number,
    async: boolean): Maybe;
  /** rate in [0, 1); seed an integer in [0, 2^53 - 1]. mask gets 0 or 1 / (1 - rate) (rounded to float32). */
  dropoutForward(out: Float32Array, mask: Float32Array, x: Float32Array, rate: number, seed: number, async: boolean): Maybe;
  dropoutBackward(dx: Float32Array, dy: Float32Array, mask: Float32Array, async: boolean): Maybe;
}
