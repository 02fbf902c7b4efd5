// Batch normalization over the last axis (channels-last): TF.js's batchNorm for inference, plus the
// training forward (batch statistics, moving averages updated in place, Keras' momentum) and its
// backward pass (docs/batchnorm-backward.md). Deliberately no other axis and no virtual batches.
import { withCallSite } from '../async';
import { native } from '../native';
import { Tensor, checkTensor } from '../tensor';
import { outputArray } from './output';
import { checkNumber, invalidRange, invalidType } from '../validate';

export interface BatchNormTrainingOptions {
  /** Moving-average momentum in [0, 1]; default 0.99 (Keras). */
  momentum?: number;
  /** Added to the variance, > 0; default 0.001 (Keras). */
  epsilon?: number;
}

export interface BatchNormTrainingResult {
  /** The normalised output, x's shape. */
  y: Tensor;
  /** Batch mean per channel, [C] (saved for batchNormGrad). */
  mean: Tensor;
  /** 1 / sqrt(batch variance + epsilon) per channel, [C] (saved for batchNormGrad). */
  invStd: Tensor;
}

export interface BatchNormGradResult {
  dx: Tensor;
  /** Gradient of scale (gamma), [C]. */
  dscale: Tensor;
  /** Gradient of offset (beta), [C]. */
  doffset: Tensor;
}

interface Plan {
  rows: number;
  channels: number;
}

function planX(name: string, x: unknown, minRows: number): Plan {
  const tensor = checkTensor(name, x);
  if (tensor.rank < 1) throw invalidRange(name, 'a Tensor of rank >= 1 (..., channels)', 'a scalar');
  const channels = tensor.shape[tensor.rank - 1];
  const rows = tensor.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (rows < minRows) {
    throw invalidRange(name, `at least ${minRows} row(s) over the axes before the channels`, `shape [${tensor.shape.join(', ')}]`);
  }
  return { rows, channels };
}

/** A per-channel vector: a Tensor (or Float32Array) of exactly `channels` values. */
function channelData(name: string, value: unknown, channels: number): Float32Array {
  let data: Float32Array;
  if (value instanceof Tensor) data = value.data;
  else if (value instanceof Float32Array) data = value;
  else throw invalidType(name, `a Tensor or Float32Array of ${channels} values (one per channel)`, value);
  if (data.length !== channels) {
    throw invalidRange(name, `${channels} values (one per channel of x)`, `${data.length} values`);
  }
  return data;
}

function optionalChannelData(name: string, value: unknown, channels: number, fill: number): Float32Array {
  if (value === undefined || value === null) return new Float32Array(channels).fill(fill);
  return channelData(name, value, channels);
}

function checkEpsilon(name: string, value: unknown): number {
  const epsilon = checkNumber(name, value, 0);
  if (epsilon === 0) throw invalidRange(name, 'a finite number > 0', epsilon);
  return epsilon;
}

function checkSameShape(name: string, value: Tensor, reference: Tensor): void {
  if (value.shape.length !== reference.shape.length || value.shape.some((dim, i) => dim !== reference.shape[i])) {
    throw invalidRange(name, `a Tensor of x's shape [${reference.shape.join(', ')}]`, `shape [${value.shape.join(', ')}]`);
  }
}

type ChannelVector = Tensor | Float32Array;

/**
 * Inference batch normalization with given statistics (TF.js argument order):
 * y = (x - mean) * scale / sqrt(variance + varianceEpsilon) + offset, per channel of x's last axis.
 * offset defaults to 0 and scale to 1.
 */
export function batchNorm(x: Tensor, mean: ChannelVector, variance: ChannelVector, offset?: ChannelVector | null,
  scale?: ChannelVector | null, varianceEpsilon = 0.001): Tensor {
  const { rows, channels } = planX('x', x, 0);
  const meanData = channelData('mean', mean, channels);
  const varianceData = channelData('variance', variance, channels);
  const beta = optionalChannelData('offset', offset, channels, 0);
  const gamma = optionalChannelData('scale', scale, channels, 1);
  const epsilon = checkEpsilon('varianceEpsilon', varianceEpsilon);
  const y = outputArray(x.size);
  native.batchNormInference(y, x.data, meanData, varianceData, gamma, beta, rows, channels, epsilon, false);
  return new Tensor(y, x.shape);
}

interface TrainingCall {
  args: Parameters<typeof native.batchNormTraining>;
  result: BatchNormTrainingResult;
}

function prepareTraining(x: Tensor, movingMean: ChannelVector, movingVariance: ChannelVector,
  offset: ChannelVector | null | undefined, scale: ChannelVector | null | undefined, options: BatchNormTrainingOptions,
  async: boolean): TrainingCall {
  const { rows, channels } = planX('x', x, 1);
  const movingMeanData = channelData('movingMean', movingMean, channels);
  const movingVarianceData = channelData('movingVariance', movingVariance, channels);
  const beta = optionalChannelData('offset', offset, channels, 0);
  const gamma = optionalChannelData('scale', scale, channels, 1);
  if (options === null || typeof options !== 'object') throw invalidType('options', 'an object', options);
  const momentum = checkNumber('options.momentum', options.momentum ?? 0.99, 0, 1);
  const epsilon = checkEpsilon('options.epsilon', options.epsilon ?? 0.001);
  const y = outputArray(x.size);
  const mean = outputArray(channels);
  const invStd = outputArray(channels);
  return {
    args: [y, mean, invStd, movingMeanData, movingVarianceData, x.data, gamma, beta, rows, channels, momentum, epsilon, async],
    result: { y: new Tensor(y, x.shape), mean: new Tensor(mean, [channels]), invStd: new Tensor(invStd, [channels]) },
  };
}

/**
 * Training-mode batch normalization: normalises x with its own batch statistics (biased variance,
 * as Keras) and updates movingMean / movingVariance in place with `momentum`. Returns the output
 * and the saved mean and inverse standard deviation that batchNormGrad needs.
 */
export function batchNormTraining(x: Tensor, movingMean: ChannelVector, movingVariance: ChannelVector,
  offset?: ChannelVector | null, scale?: ChannelVector | null, options: BatchNormTrainingOptions = {}): BatchNormTrainingResult {
  const call = prepareTraining(x, movingMean, movingVariance, offset, scale, options, false);
  native.batchNormTraining(...call.args);
  return call.result;
}

export async function batchNormTrainingAsync(x: Tensor, movingMean: ChannelVector, movingVariance: ChannelVector,
  offset?: ChannelVector | null, scale?: ChannelVector | null, options: BatchNormTrainingOptions = {}): Promise<BatchNormTrainingResult> {
  const call = prepareTraining(x, movingMean, movingVariance, offset, scale, options, true);
  await withCallSite(native.batchNormTraining(...call.args), new Error());
  return call.result;
}

interface GradCall {
  args: Parameters<typeof native.batchNormBackward>;
  result: BatchNormGradResult;
}

function prepareGrad(dy: Tensor, x: Tensor, scale: ChannelVector | null | undefined, mean: ChannelVector,
  invStd: ChannelVector, async: boolean): GradCall {
  const { rows, channels } = planX('x', x, 1);
  checkSameShape('dy', checkTensor('dy', dy), x);
  const gamma = optionalChannelData('scale', scale, channels, 1);
  const meanData = channelData('mean', mean, channels);
  const invStdData = channelData('invStd', invStd, channels);
  const dx = outputArray(x.size);
  const dscale = outputArray(channels);
  const doffset = outputArray(channels);
  return {
    args: [dx, dscale, doffset, dy.data, x.data, gamma, meanData, invStdData, rows, channels, async],
    result: { dx: new Tensor(dx, x.shape), dscale: new Tensor(dscale, [channels]), doffset: new Tensor(doffset, [channels]) },
  };
}

/**
 * Backward of batchNormTraining: from dy, the forward input x, scale (default 1) and the saved
 * mean / invStd, returns dx, dscale and doffset.
 */
export function batchNormGrad(dy: Tensor, x: Tensor, scale: ChannelVector | null | undefined, mean: ChannelVector,
  invStd: ChannelVector): BatchNormGradResult {
  const call = prepareGrad(dy, x, scale, mean, invStd, false);
  native.batchNormBackward(...call.args);
  return call.result;
}

export async function batchNormGradAsync(dy: Tensor, x: Tensor, scale: ChannelVector | null | undefined, mean: ChannelVector,
  invStd: ChannelVector): Promise<BatchNormGradResult> {
  const call = prepareGrad(dy, x, scale, mean, invStd, true);
  await withCallSite(native.batchNormBackward(...call.args), new Error());
  return call.result;
}
