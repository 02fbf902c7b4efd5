// Sliding-window geometry for the conv and pool ops (and the model layers): output sizes and pads
// by TensorFlow's rule, mirroring native/kernels/im2col.cc, and the packed geometry the bindings
// take. Deliberately no tensors and no native calls: shapes in, shapes and Int32Arrays out.
import { checkIntTuple, checkInteger, invalidRange, invalidType } from '../validate';

/** 'valid': no padding. 'same': output = ceil(input / stride), pads split as TensorFlow does. */
export type PaddingMode = 'valid' | 'same';
/** A padding mode, or explicit zero padding of this many cells on both sides of every dim. */
export type Padding = PaddingMode | number;

export interface WindowSize {
  out: number;
  padBefore: number;
  padAfter: number;
}

/** Largest value of any packed geometry field (they travel as int32). */
const MAX_DIM = 2 ** 31 - 1;

/**
 * Output extent and pads of one spatial dimension (the rule of native window_output_size):
 * same: out = ceil(in / stride), total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - in, 0),
 * before = floor(total / 2), after = total - before. valid: no pads. A number: that many each side.
 * Returns out = 0 when the dilated window does not fit the padded input.
 */
export function windowOutputSize(inSize: number, kernel: number, stride: number, dilation: number, pad: Padding): WindowSize {
  const effective = (kernel - 1) * dilation + 1;
  if (pad === 'same') {
    const out = Math.ceil(inSize / stride);
    const total = Math.max((out - 1) * stride + effective - inSize, 0);
    return { out, padBefore: Math.floor(total / 2), padAfter: total - Math.floor(total / 2) };
  }
  const padding = pad === 'valid' ? 0 : pad;
  const padded = inSize + 2 * padding;
  const out = padded < effective ? 0 : Math.floor((padded - effective) / stride) + 1;
  return { out, padBefore: padding, padAfter: padding };
}

/** Checks a padding argument: 'valid', 'same' or a non-negative integer. */
export function checkPadding(name: string, pad: unknown): Padding {
  if (pad === 'valid' || pad === 'same') return pad;
  if (typeof pad === 'number') return checkInteger(name, pad, 0, MAX_DIM);
  if (typeof pad === 'string') throw invalidRange(name, "'valid', 'same' or a non-negative integer", pad);
  throw invalidType(name, "'valid', 'same' or a non-negative integer", pad);
}

/** The window of a conv or pool op over `rank` spatial dims, resolved against an input shape. */
export interface WindowPlan {
  batch: number;
  inChannels: number;
  outChannels: number;
  /** Spatial input extents, output extents and per-dim parameters (length = rank). */
  inSize: number[];
  outSize: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  padBefore: number[];
  padAfter: number[];
  pad: Padding;
  /** Packed for the bindings: see native/kernels/im2col.h (leading unused dims are 1). */
  geometry: Int32Array;
  /** [N, ...outSize, outChannels] */
  outShape: number[];
}

export interface WindowArgs {
  /** [N, ...spatial, C] */
  inputShape: readonly number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  pad: Padding;
  outChannels: number;
  /** Parameter named in errors when the window does not fit (e.g. 'filter', 'filterSize'). */
  windowName: string;
}

/** Resolves a window against an input shape; throws a RangeError naming `windowName` if it does not fit. */
export function planWindow(args: WindowArgs): WindowPlan {
  const rank = args.kernel.length;
  const shape = args.inputShape;
  const batch = shape[0];
  const inChannels = shape[rank + 1];
  const inSize = shape.slice(1, rank + 1);
  const outSize: number[] = [];
  const padBefore: number[] = [];
  const padAfter: number[] = [];
  for (let dim = 0; dim < rank; ++dim) {
    const size = windowOutputSize(inSize[dim], args.kernel[dim], args.strides[dim], args.dilations[dim], args.pad);
    if (size.out < 1) {
      const effective = (args.kernel[dim] - 1) * args.dilations[dim] + 1;
      throw invalidRange(args.windowName,
        `a window (effective extent ${effective} in spatial dim ${dim}) no larger than the padded input ` +
        `(${inSize[dim] + size.padBefore + size.padAfter})`, `[${args.kernel.join(', ')}]`);
    }
    outSize.push(size.out);
    padBefore.push(size.padBefore);
    padAfter.push(size.padAfter);
  }
  const geometry = new Int32Array(22);
  const lead = 3 - rank;
  geometry.set([batch, inChannels, args.outChannels, args.pad === 'valid' ? 1 : args.pad === 'same' ? 2 : 0]);
  for (let dim = 0; dim < 3; ++dim) {
    const own = dim - lead;
    const pick = (values: number[], unused: number): number => (own >= 0 ? values[own] : unused);
    geometry[4 + dim] = pick(inSize, 1);
    geometry[7 + dim] = pick(args.kernel, 1);
    geometry[10 + dim] = pick(args.strides, 1);
    geometry[13 + dim] = pick(args.dilations, 1);
    geometry[16 + dim] = pick(padBefore, 0);
    geometry[19 + dim] = pick(padAfter, 0);
  }
  return {
    batch, inChannels, outChannels: args.outChannels, inSize, outSize, kernel: args.kernel,
    strides: args.strides, dilations: args.dilations, padBefore, padAfter, pad: args.pad, geometry,
    outShape: [batch, ...outSize, args.outChannels],
  };
}

/** Strides / dilations / window sizes: an integer or a tuple of `rank` integers, each in [1, 2^31 - 1]. */
export function checkWindowTuple(name: string, value: unknown, rank: number): number[] {
  const values = checkIntTuple(name, value, rank, 1);
  values.forEach((entry, index) => {
    if (entry > MAX_DIM) throw invalidRange(typeof value === 'number' ? name : `${name}[${index}]`, `an integer in [1, ${MAX_DIM}]`, entry);
  });
  return values;
}

/**
 * Output shape of a channels-last convolution: input [N, ...spatial, C], filter
 * [...kernel, C, OC] -> [N, ...out, OC]. `strides` and `dilations` are per spatial dim.
 */
export function convOutputShape(inputShape: readonly number[], filterShape: readonly number[], strides: number | number[],
  pad: Padding, dilations: number | number[] = 1): number[] {
  const rank = filterShape.length - 2;
  return planWindow({
    inputShape, kernel: filterShape.slice(0, rank), strides: checkWindowTuple('strides', strides, rank),
    dilations: checkWindowTuple('dilations', dilations, rank), pad: checkPadding('pad', pad),
    outChannels: filterShape[rank + 1], windowName: 'filter',
  }).outShape;
}

/** Output shape of a channels-last pooling: input [N, ...spatial, C] -> [N, ...out, C]. */
export function poolOutputShape(inputShape: readonly number[], filterSize: number | number[], strides: number | number[],
  pad: Padding): number[] {
  const rank = inputShape.length - 2;
  return planWindow({
    inputShape, kernel: checkWindowTuple('filterSize', filterSize, rank), strides: checkWindowTuple('strides', strides, rank),
    dilations: new Array<number>(rank).fill(1), pad: checkPadding('pad', pad), outChannels: inputShape[rank + 1],
    windowName: 'filterSize',
  }).outShape;
}
