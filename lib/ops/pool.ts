// Pooling ops with TensorFlow.js's names and argument order: max/avg pooling in 1D, 2D and 3D with
// their gradients, and global average/max pooling (over every spatial position) with theirs.
// Channels-last x (N, ...spatial, C). Deliberately no argmax outputs: gradients take x and
// recompute the winners (first maximum on ties, as TensorFlow), and no dilated pooling.
import { withCallSite } from '../async';
import { native } from '../native';
import { Tensor, checkTensor } from '../tensor';
import { outputArray } from './output';
import { invalidRange } from '../validate';
import { Padding, WindowPlan, checkPadding, checkWindowTuple, planWindow } from './conv-util';

import type { Pair, Triple } from './conv';

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

function shapeText(shape: readonly number[]): string {
  return `shape [${shape.join(', ')}]`;
}

// 1D pooling names its hyperparameters in the singular.
interface Names {
  filterSize: string;
  strides: string;
}
const SINGULAR: Names = { filterSize: 'filterSize', strides: 'stride' };
const PLURAL: Names = { filterSize: 'filterSize', strides: 'strides' };

function plan(rank: number, x: Tensor, filterSize: unknown, strides: unknown, pad: unknown, names: Names): WindowPlan {
  checkTensor('x', x, rank + 2);
  if (x.shape.slice(1).some((dim) => dim < 1)) {
    throw invalidRange('x', 'an input with spatial and channel dims >= 1', shapeText(x.shape));
  }
  const kernel = checkWindowTuple(names.filterSize, filterSize, rank);
  const padding = checkPadding('pad', pad);
  // Explicit pads must leave a real cell in every window (TensorFlow's kernels require the same).
  if (typeof padding === 'number' && kernel.some((size) => padding >= size)) {
    throw invalidRange('pad', `a pad smaller than every window extent (${kernel.join(', ')})`, padding);
  }
  return planWindow({
    inputShape: x.shape, kernel, strides: checkWindowTuple(names.strides, strides, rank),
    dilations: new Array<number>(rank).fill(1), pad: padding, outChannels: x.shape[rank + 1], windowName: names.filterSize,
  });
}

type Kind = 'max' | 'avg';

function forwardCall(kind: Kind, rank: number, x: Tensor, filterSize: unknown, strides: unknown, pad: unknown,
  names: Names): NativeCall {
  const window = plan(rank, x, filterSize, strides, pad, names);
  const y = outputArray(window.outShape.reduce((a, b) => a * b, 1));
  const call = kind === 'max' ? native.maxPoolForward : native.avgPoolForward;
  return { result: new Tensor(y, window.outShape), invoke: (async) => call(y, x.data, window.geometry, async) };
}

function gradCall(kind: Kind, rank: number, dy: Tensor, x: Tensor, filterSize: unknown, strides: unknown, pad: unknown,
  names: Names): NativeCall {
  const window = plan(rank, x, filterSize, strides, pad, names);
  checkTensor('dy', dy, rank + 2);
  if (dy.shape.some((dim, axis) => dim !== window.outShape[axis])) {
    throw invalidRange('dy', `shape [${window.outShape.join(', ')}] (the pooling output)`, shapeText(dy.shape));
  }
  const dx = outputArray(x.size);
  const invoke = kind === 'max'
    ? (async: boolean) => native.maxPoolBackward(dx, dy.data, x.data, window.geometry, async)
    : (async: boolean) => native.avgPoolBackward(dx, dy.data, window.geometry, async);
  return { result: new Tensor(dx, x.shape), invoke };
}

// x [N, ...spatial (>= 1 dims), C] as (N, S, C).
function globalDims(x: Tensor): { N: number; S: number; C: number } {
  checkTensor('x', x);
  if (x.rank < 3 || x.shape.slice(1).some((dim) => dim < 1)) {
    throw invalidRange('x', 'a Tensor [N, ...spatial, C] of rank >= 3 with spatial and channel dims >= 1', shapeText(x.shape));
  }
  const N = x.shape[0];
  const C = x.shape[x.rank - 1];
  return { N, S: N === 0 ? 1 : x.size / (N * C), C };
}

function globalForwardCall(kind: Kind, x: Tensor): NativeCall {
  const { N, S, C } = globalDims(x);
  const y = outputArray(N * C);
  const call = kind === 'max' ? native.globalMaxPoolForward : native.globalAvgPoolForward;
  return { result: new Tensor(y, [N, C]), invoke: (async) => call(y, x.data, N, S, C, async) };
}

function globalGradCall(kind: Kind, dy: Tensor, x: Tensor): NativeCall {
  const { N, S, C } = globalDims(x);
  checkTensor('dy', dy, 2);
  if (dy.shape[0] !== N || dy.shape[1] !== C) throw invalidRange('dy', `shape [${N}, ${C}]`, shapeText(dy.shape));
  const dx = outputArray(x.size);
  const invoke = kind === 'max'
    ? (async: boolean) => native.globalMaxPoolBackward(dx, dy.data, x.data, N, S, C, async)
    : (async: boolean) => native.globalAvgPoolBackward(dx, dy.data, N, S, C, async);
  return { result: new Tensor(dx, x.shape), invoke };
}

// ---- 2D ---------------------------------------------------------------------------------------

/** x [N, H, W, C] -> [N, OH, OW, C], window maxima (padded cells never win). */
export function maxPool(x: Tensor, filterSize: Pair, strides: Pair, pad: Padding): Tensor {
  return runSync(forwardCall('max', 2, x, filterSize, strides, pad, PLURAL));
}
export async function maxPoolAsync(x: Tensor, filterSize: Pair, strides: Pair, pad: Padding): Promise<Tensor> {
  return runAsync(forwardCall('max', 2, x, filterSize, strides, pad, PLURAL));
}
/** x [N, H, W, C] -> [N, OH, OW, C], window means over real (non-padded) cells. */
export function avgPool(x: Tensor, filterSize: Pair, strides: Pair, pad: Padding): Tensor {
  return runSync(forwardCall('avg', 2, x, filterSize, strides, pad, PLURAL));
}
export async function avgPoolAsync(x: Tensor, filterSize: Pair, strides: Pair, pad: Padding): Promise<Tensor> {
  return runAsync(forwardCall('avg', 2, x, filterSize, strides, pad, PLURAL));
}
/** dL/dx of maxPool: each dy to its window's first maximum in x. */
export function maxPoolGrad(dy: Tensor, x: Tensor, filterSize: Pair, strides: Pair, pad: Padding): Tensor {
  return runSync(gradCall('max', 2, dy, x, filterSize, strides, pad, PLURAL));
}
export async function maxPoolGradAsync(dy: Tensor, x: Tensor, filterSize: Pair, strides: Pair, pad: Padding): Promise<Tensor> {
  return runAsync(gradCall('max', 2, dy, x, filterSize, strides, pad, PLURAL));
}
/** dL/dx of avgPool: dy / count over each window's real cells (x gives the shape). */
export function avgPoolGrad(dy: Tensor, x: Tensor, filterSize: Pair, strides: Pair, pad: Padding): Tensor {
  return runSync(gradCall('avg', 2, dy, x, filterSize, strides, pad, PLURAL));
}
export async function avgPoolGradAsync(dy: Tensor, x: Tensor, filterSize: Pair, strides: Pair, pad: Padding): Promise<Tensor> {
  return runAsync(gradCall('avg', 2, dy, x, filterSize, strides, pad, PLURAL));
}

// ---- 1D ---------------------------------------------------------------------------------------

/** x [N, W, C] -> [N, OW, C]. */
export function maxPool1d(x: Tensor, filterSize: number, stride: number, pad: Padding): Tensor {
  return runSync(forwardCall('max', 1, x, filterSize, stride, pad, SINGULAR));
}
export async function maxPool1dAsync(x: Tensor, filterSize: number, stride: number, pad: Padding): Promise<Tensor> {
  return runAsync(forwardCall('max', 1, x, filterSize, stride, pad, SINGULAR));
}
export function avgPool1d(x: Tensor, filterSize: number, stride: number, pad: Padding): Tensor {
  return runSync(forwardCall('avg', 1, x, filterSize, stride, pad, SINGULAR));
}
export async function avgPool1dAsync(x: Tensor, filterSize: number, stride: number, pad: Padding): Promise<Tensor> {
  return runAsync(forwardCall('avg', 1, x, filterSize, stride, pad, SINGULAR));
}
export function maxPool1dGrad(dy: Tensor, x: Tensor, filterSize: number, stride: number, pad: Padding): Tensor {
  return runSync(gradCall('max', 1, dy, x, filterSize, stride, pad, SINGULAR));
}
export async function maxPool1dGradAsync(dy: Tensor, x: Tensor, filterSize: number, stride: number, pad: Padding): Promise<Tensor> {
  return runAsync(gradCall('max', 1, dy, x, filterSize, stride, pad, SINGULAR));
}
export function avgPool1dGrad(dy: Tensor, x: Tensor, filterSize: number, stride: number, pad: Padding): Tensor {
  return runSync(gradCall('avg', 1, dy, x, filterSize, stride, pad, SINGULAR));
}
export async function avgPool1dGradAsync(dy: Tensor, x: Tensor, filterSize: number, stride: number, pad: Padding): Promise<Tensor> {
  return runAsync(gradCall('avg', 1, dy, x, filterSize, stride, pad, SINGULAR));
}

// ---- 3D ---------------------------------------------------------------------------------------

/** x [N, D, H, W, C] -> [N, OD, OH, OW, C]. */
export function maxPool3d(x: Tensor, filterSize: Triple, strides: Triple, pad: Padding): Tensor {
  return runSync(forwardCall('max', 3, x, filterSize, strides, pad, PLURAL));
}
export async function maxPool3dAsync(x: Tensor, filterSize: Triple, strides: Triple, pad: Padding): Promise<Tensor> {
  return runAsync(forwardCall('max', 3, x, filterSize, strides, pad, PLURAL));
}
export function avgPool3d(x: Tensor, filterSize: Triple, strides: Triple, pad: Padding): Tensor {
  return runSync(forwardCall('avg', 3, x, filterSize, strides, pad, PLURAL));
}
export async function avgPool3dAsync(x: Tensor, filterSize: Triple, strides: Triple, pad: Padding): Promise<Tensor> {
  return runAsync(forwardCall('avg', 3, x, filterSize, strides, pad, PLURAL));
}
export function maxPool3dGrad(dy: Tensor, x: Tensor, filterSize: Triple, strides: Triple, pad: Padding): Tensor {
  return runSync(gradCall('max', 3, dy, x, filterSize, strides, pad, PLURAL));
}
export async function maxPool3dGradAsync(dy: Tensor, x: Tensor, filterSize: Triple, strides: Triple, pad: Padding): Promise<Tensor> {
  return runAsync(gradCall('max', 3, dy, x, filterSize, strides, pad, PLURAL));
}
export function avgPool3dGrad(dy: Tensor, x: Tensor, filterSize: Triple, strides: Triple, pad: Padding): Tensor {
  return runSync(gradCall('avg', 3, dy, x, filterSize, strides, pad, PLURAL));
}
export async function avgPool3dGradAsync(dy: Tensor, x: Tensor, filterSize: Triple, strides: Triple, pad: Padding): Promise<Tensor> {
  return runAsync(gradCall('avg', 3, dy, x, filterSize, strides, pad, PLURAL));
}

// ---- global -----------------------------------------------------------------------------------

/** x [N, ...spatial, C] -> [N, C], the mean over every spatial position. */
export function globalAvgPool(x: Tensor): Tensor {
  return runSync(globalForwardCall('avg', x));
}
export async function globalAvgPoolAsync(x: Tensor): Promise<Tensor> {
  return runAsync(globalForwardCall('avg', x));
}
/** x [N, ...spatial, C] -> [N, C], the maximum over every spatial position. */
export function globalMaxPool(x: Tensor): Tensor {
  return runSync(globalForwardCall('max', x));
}
export async function globalMaxPoolAsync(x: Tensor): Promise<Tensor> {
  return runAsync(globalForwardCall('max', x));
}
/** dL/dx of globalAvgPool: dy [N, C] / S at every position of x's shape. */
export function globalAvgPoolGrad(dy: Tensor, x: Tensor): Tensor {
  return runSync(globalGradCall('avg', dy, x));
}
export async function globalAvgPoolGradAsync(dy: Tensor, x: Tensor): Promise<Tensor> {
  return runAsync(globalGradCall('avg', dy, x));
}
/** dL/dx of globalMaxPool: dy [N, C] at the first maximum of each (n, c), zeros elsewhere. */
export function globalMaxPoolGrad(dy: Tensor, x: Tensor): Tensor {
  return runSync(globalGradCall('max', dy, x));
}
export async function globalMaxPoolGradAsync(dy: Tensor, x: Tensor): Promise<Tensor> {
  return runAsync(globalGradCall('max', dy, x));
}
