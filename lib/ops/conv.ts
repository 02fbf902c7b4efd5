// Convolution ops with TensorFlow.js's names and argument order: conv1d/2d/3d, their input and
// filter backprops, fused bias + relu (conv2dWithBias and friends), and the bias gradient.
// Channels-last x (N, ...spatial, C), Keras filters (...kernel, C, OC). Deliberately no dataFormat
// or dimRoundingMode options and no implicit batch axis: x always has one.
import { withCallSite } from '../async';
import { native } from '../native';
import { Tensor, checkTensor } from '../tensor';
import { outputArray } from './output';
import { checkOneOf, checkShape, invalidRange } from '../validate';
import { Padding, WindowPlan, checkPadding, checkWindowTuple, planWindow } from './conv-util';

/** Activation fused into the conv epilogue. Other activations are separate ops. */
export type ConvActivation = 'linear' | 'relu';

/** Per-dim hyperparameters: one number for every spatial dim, or one per dim. */
export type Pair = number | [number, number];
export type Triple = number | [number, number, number];

// A planned native call: the output is allocated, the call not yet made.
interface NativeCall {
  result: Tensor;
  invoke(async: boolean): Promise<void> | undefined;
}

function runSync(call: NativeCall): Tensor {
  call.invoke(false);
  return call.result;
}

async function runAsync(call: NativeCall): Promise<Tensor> {
  await withCallSite(call.invoke(true), new Error());
  return call.result;
}

// conv1d names its hyperparameters in the singular, as tf.conv1d does.
interface Names {
  strides: string;
  dilations: string;
}
const SINGULAR: Names = { strides: 'stride', dilations: 'dilation' };
const PLURAL: Names = { strides: 'strides', dilations: 'dilations' };

function allocate(shape: number[]): Float32Array {
  checkShape('output shape', shape);
  return outputArray(shape.reduce((a, b) => a * b, 1));
}

function shapeText(shape: readonly number[]): string {
  return `shape [${shape.join(', ')}]`;
}

// Spatial and channel extents must be positive (the batch may be 0).
function checkExtents(name: string, shape: readonly number[], what: string): void {
  if (shape.slice(1).some((dim) => dim < 1)) throw invalidRange(name, `${what} with spatial and channel dims >= 1`, shapeText(shape));
}

function plan(rank: number, inputShape: readonly number[], filterShape: readonly number[], strides: unknown, pad: unknown,
  dilations: unknown, names: Names): WindowPlan {
  checkExtents('x', inputShape, 'an input');
  if (filterShape.some((dim) => dim < 1)) throw invalidRange('filter', 'a filter shape with every dim >= 1', shapeText(filterShape));
  const inChannels = inputShape[rank + 1];
  if (filterShape[rank] !== inChannels) {
    throw invalidRange('filter', `a filter with ${inChannels} input channels (x's last dim) at axis ${rank}`, shapeText(filterShape));
  }
  return planWindow({
    inputShape, kernel: filterShape.slice(0, rank), strides: checkWindowTuple(names.strides, strides, rank),
    dilations: checkWindowTuple(names.dilations, dilations, rank), pad: checkPadding('pad', pad),
    outChannels: filterShape[rank + 1], windowName: 'filter',
  });
}

function checkDy(dy: unknown, expected: number[]): Tensor {
  checkTensor('dy', dy, expected.length);
  const tensor = dy as Tensor;
  if (tensor.shape.some((dim, axis) => dim !== expected[axis])) {
    throw invalidRange('dy', `shape [${expected.join(', ')}] (the conv output)`, shapeText(tensor.shape));
  }
  return tensor;
}

function forwardCall(rank: number, x: Tensor, filter: Tensor, bias: Tensor | null, strides: unknown, pad: unknown,
  dilations: unknown, activation: unknown, names: Names): NativeCall {
  checkTensor('x', x, rank + 2);
  checkTensor('filter', filter, rank + 2);
  const window = plan(rank, x.shape, filter.shape, strides, pad, dilations, names);
  let biasData: Float32Array | null = null;
  if (bias !== null) {
    checkTensor('bias', bias, 1);
    if (bias.shape[0] !== window.outChannels) throw invalidRange('bias', `shape [${window.outChannels}]`, shapeText(bias.shape));
    biasData = bias.data;
  }
  const relu = checkOneOf('activation', activation, ['linear', 'relu'] as const) === 'relu';
  const y = allocate(window.outShape);
  return {
    result: new Tensor(y, window.outShape),
    invoke: (async) => native.convForward(y, x.data, filter.data, biasData, window.geometry, relu, async),
  };
}

function backpropInputCall(rank: number, xShape: unknown, dy: Tensor, filter: Tensor, strides: unknown, pad: unknown,
  dilations: unknown, names: Names): NativeCall {
  const shape = checkShape('xShape', xShape, rank + 2);
  checkTensor('filter', filter, rank + 2);
  const window = plan(rank, shape, filter.shape, strides, pad, dilations, names);
  const gradient = checkDy(dy, window.outShape);
  const dx = allocate(shape);
  return {
    result: new Tensor(dx, shape),
    invoke: (async) => native.convBackwardInput(dx, gradient.data, filter.data, window.geometry, async),
  };
}

function backpropFilterCall(rank: number, x: Tensor, dy: Tensor, filterShape: unknown, strides: unknown, pad: unknown,
  dilations: unknown, names: Names): NativeCall {
  checkTensor('x', x, rank + 2);
  const shape = checkShape('filterShape', filterShape, rank + 2);
  const window = plan(rank, x.shape, shape, strides, pad, dilations, names);
  const gradient = checkDy(dy, window.outShape);
  const dfilter = allocate(shape);
  return {
    result: new Tensor(dfilter, shape),
    invoke: (async) => native.convBackwardFilter(dfilter, x.data, gradient.data, window.geometry, async),
  };
}

function biasGradCall(dy: Tensor): NativeCall {
  checkTensor('dy', dy);
  if (dy.rank < 1 || dy.shape[dy.rank - 1] < 1) {
    throw invalidRange('dy', 'a Tensor of rank >= 1 whose last (channel) dim is >= 1', shapeText(dy.shape));
  }
  const channels = dy.shape[dy.rank - 1];
  const dbias = outputArray(channels);
  return {
    result: new Tensor(dbias, [channels]),
    invoke: (async) => native.convBackwardBias(dbias, dy.data, dy.size / channels, channels, async),
  };
}

// ---- forward ----------------------------------------------------------------------------------

/** x [N, W, C], filter [KW, C, OC] -> [N, OW, OC]. */
export function conv1d(x: Tensor, filter: Tensor, stride: number, pad: Padding, dilation = 1): Tensor {
  return runSync(forwardCall(1, x, filter, null, stride, pad, dilation, 'linear', SINGULAR));
}
export async function conv1dAsync(x: Tensor, filter: Tensor, stride: number, pad: Padding, dilation = 1): Promise<Tensor> {
  return runAsync(forwardCall(1, x, filter, null, stride, pad, dilation, 'linear', SINGULAR));
}

/** x [N, H, W, C], filter [KH, KW, C, OC] -> [N, OH, OW, OC]. */
export function conv2d(x: Tensor, filter: Tensor, strides: Pair, pad: Padding, dilations: Pair = 1): Tensor {
  return runSync(forwardCall(2, x, filter, null, strides, pad, dilations, 'linear', PLURAL));
}
export async function conv2dAsync(x: Tensor, filter: Tensor, strides: Pair, pad: Padding, dilations: Pair = 1): Promise<Tensor> {
  return runAsync(forwardCall(2, x, filter, null, strides, pad, dilations, 'linear', PLURAL));
}

/** x [N, D, H, W, C], filter [KD, KH, KW, C, OC] -> [N, OD, OH, OW, OC]. */
export function conv3d(x: Tensor, filter: Tensor, strides: Triple, pad: Padding, dilations: Triple = 1): Tensor {
  return runSync(forwardCall(3, x, filter, null, strides, pad, dilations, 'linear', PLURAL));
}
export async function conv3dAsync(x: Tensor, filter: Tensor, strides: Triple, pad: Padding, dilations: Triple = 1): Promise<Tensor> {
  return runAsync(forwardCall(3, x, filter, null, strides, pad, dilations, 'linear', PLURAL));
}

// ---- fused bias (+ relu) ----------------------------------------------------------------------

/** activation(conv1d(x, filter) + bias), bias [OC], in one pass over the output. */
export function conv1dWithBias(x: Tensor, filter: Tensor, bias: Tensor, stride: number, pad: Padding, dilation = 1,
  activation: ConvActivation = 'linear'): Tensor {
  return runSync(forwardCall(1, x, filter, bias, stride, pad, dilation, activation, SINGULAR));
}
export async function conv1dWithBiasAsync(x: Tensor, filter: Tensor, bias: Tensor, stride: number, pad: Padding, dilation = 1,
  activation: ConvActivation = 'linear'): Promise<Tensor> {
  return runAsync(forwardCall(1, x, filter, bias, stride, pad, dilation, activation, SINGULAR));
}

/** activation(conv2d(x, filter) + bias), bias [OC], in one pass over the output. */
export function conv2dWithBias(x: Tensor, filter: Tensor, bias: Tensor, strides: Pair, pad: Padding, dilations: Pair = 1,
  activation: ConvActivation = 'linear'): Tensor {
  return runSync(forwardCall(2, x, filter, bias, strides, pad, dilations, activation, PLURAL));
}
export async function conv2dWithBiasAsync(x: Tensor, filter: Tensor, bias: Tensor, strides: Pair, pad: Padding,
  dilations: Pair = 1, activation: ConvActivation = 'linear'): Promise<Tensor> {
  return runAsync(forwardCall(2, x, filter, bias, strides, pad, dilations, activation, PLURAL));
}

/** activation(conv3d(x, filter) + bias), bias [OC], in one pass over the output. */
export function conv3dWithBias(x: Tensor, filter: Tensor, bias: Tensor, strides: Triple, pad: Padding,
  dilations: Triple = 1, activation: ConvActivation = 'linear'): Tensor {
  return runSync(forwardCall(3, x, filter, bias, strides, pad, dilations, activation, PLURAL));
}
export async function conv3dWithBiasAsync(x: Tensor, filter: Tensor, bias: Tensor, strides: Triple, pad: Padding,
  dilations: Triple = 1, activation: ConvActivation = 'linear'): Promise<Tensor> {
  return runAsync(forwardCall(3, x, filter, bias, strides, pad, dilations, activation, PLURAL));
}

// ---- gradient with respect to the input -------------------------------------------------------

/** dL/dx of conv1d, shape xShape [N, W, C], from dy [N, OW, OC]. */
export function conv1dBackpropInput(xShape: readonly number[], dy: Tensor, filter: Tensor, stride: number, pad: Padding,
  dilation = 1): Tensor {
  return runSync(backpropInputCall(1, xShape, dy, filter, stride, pad, dilation, SINGULAR));
}
export async function conv1dBackpropInputAsync(xShape: readonly number[], dy: Tensor, filter: Tensor, stride: number,
  pad: Padding, dilation = 1): Promise<Tensor> {
  return runAsync(backpropInputCall(1, xShape, dy, filter, stride, pad, dilation, SINGULAR));
}

/** dL/dx of conv2d, shape xShape [N, H, W, C], from dy [N, OH, OW, OC]. */
export function conv2dBackpropInput(xShape: readonly number[], dy: Tensor, filter: Tensor, strides: Pair, pad: Padding,
  dilations: Pair = 1): Tensor {
  return runSync(backpropInputCall(2, xShape, dy, filter, strides, pad, dilations, PLURAL));
}
export async function conv2dBackpropInputAsync(xShape: readonly number[], dy: Tensor, filter: Tensor, strides: Pair,
  pad: Padding, dilations: Pair = 1): Promise<Tensor> {
  return runAsync(backpropInputCall(2, xShape, dy, filter, strides, pad, dilations, PLURAL));
}

/** dL/dx of conv3d, shape xShape [N, D, H, W, C], from dy [N, OD, OH, OW, OC]. */
export function conv3dBackpropInput(xShape: readonly number[], dy: Tensor, filter: Tensor, strides: Triple,
  pad: Padding, dilations: Triple = 1): Tensor {
  return runSync(backpropInputCall(3, xShape, dy, filter, strides, pad, dilations, PLURAL));
}
export async function conv3dBackpropInputAsync(xShape: readonly number[], dy: Tensor, filter: Tensor, strides: Triple,
  pad: Padding, dilations: Triple = 1): Promise<Tensor> {
  return runAsync(backpropInputCall(3, xShape, dy, filter, strides, pad, dilations, PLURAL));
}

// ---- gradient with respect to the filter ------------------------------------------------------

/** dL/dfilter of conv1d, shape filterShape [KW, C, OC]. */
export function conv1dBackpropFilter(x: Tensor, dy: Tensor, filterShape: readonly number[], stride: number,
  pad: Padding, dilation = 1): Tensor {
  return runSync(backpropFilterCall(1, x, dy, filterShape, stride, pad, dilation, SINGULAR));
}
export async function conv1dBackpropFilterAsync(x: Tensor, dy: Tensor, filterShape: readonly number[], stride: number,
  pad: Padding, dilation = 1): Promise<Tensor> {
  return runAsync(backpropFilterCall(1, x, dy, filterShape, stride, pad, dilation, SINGULAR));
}

/** dL/dfilter of conv2d, shape filterShape [KH, KW, C, OC]. */
export function conv2dBackpropFilter(x: Tensor, dy: Tensor, filterShape: readonly number[], strides: Pair,
  pad: Padding, dilations: Pair = 1): Tensor {
  return runSync(backpropFilterCall(2, x, dy, filterShape, strides, pad, dilations, PLURAL));
}
export async function conv2dBackpropFilterAsync(x: Tensor, dy: Tensor, filterShape: readonly number[], strides: Pair,
  pad: Padding, dilations: Pair = 1): Promise<Tensor> {
  return runAsync(backpropFilterCall(2, x, dy, filterShape, strides, pad, dilations, PLURAL));
}

/** dL/dfilter of conv3d, shape filterShape [KD, KH, KW, C, OC]. */
export function conv3dBackpropFilter(x: Tensor, dy: Tensor, filterShape: readonly number[], strides: Triple,
  pad: Padding, dilations: Triple = 1): Tensor {
  return runSync(backpropFilterCall(3, x, dy, filterShape, strides, pad, dilations, PLURAL));
}
export async function conv3dBackpropFilterAsync(x: Tensor, dy: Tensor, filterShape: readonly number[], strides: Triple,
  pad: Padding, dilations: Triple = 1): Promise<Tensor> {
  return runAsync(backpropFilterCall(3, x, dy, filterShape, strides, pad, dilations, PLURAL));
}

// ---- gradient with respect to the bias --------------------------------------------------------

/** dL/dbias [OC]: dy [..., OC] summed over every axis but the last (any conv rank, or dense). */
export function convBiasGrad(dy: Tensor): Tensor {
  return runSync(biasGradCall(dy));
}
export async function convBiasGradAsync(dy: Tensor): Promise<Tensor> {
  return runAsync(biasGradCall(dy));
}
