// Sliding-window geometry for conv and pooling layers: output extents under 'valid'/'same'
// (TensorFlow's rule, mirrored from native/kernels/im2col.h) and the packed Int32Array the native
// ops take. Rank 1/2/3 windows map onto the native 3-D geometry with unit leading dimensions.
import { invalidRange } from '../validate';

export type PaddingMode = 'valid' | 'same';

export interface WindowGeometry {
  /** Spatial input extents (rank entries). */
  input: number[];
  channels: number;
  outChannels: number;
  kernel: number[];
  strides: number[];
  dilations: number[];
  padding: PaddingMode;
}

/** Output extent of one spatial dim (TensorFlow: valid = ceil((in - eff + 1) / s), same = ceil(in / s)). */
export function windowOutputSize(padding: PaddingMode, size: number, kernel: number, stride: number, dilation: number): number {
  const effective = (kernel - 1) * dilation + 1;
  if (padding === 'same') return Math.ceil(size / stride);
  return size >= effective ? Math.floor((size - effective) / stride) + 1 : 0;
}

export function outputExtents(geometry: WindowGeometry, owner: string): number[] {
  return geometry.input.map((size, axis) => {
    const out = windowOutputSize(geometry.padding, size, geometry.kernel[axis], geometry.strides[axis], geometry.dilations[axis]);
    if (out < 1) {
      const effective = (geometry.kernel[axis] - 1) * geometry.dilations[axis] + 1;
      throw invalidRange(`${owner} input`, `spatial size >= ${effective} on axis ${axis} for a '${geometry.padding}' window of ${geometry.kernel[axis]} (dilation ${geometry.dilations[axis]})`, size);
    }
    return out;
  });
}

const PADDING_CODE: Record<PaddingMode, number> = { valid: 1, same: 2 };

/** The native packed geometry: [N, C, OC, padding, D, H, W, KD, KH, KW, SD, SH, SW, DD, DH, DW, pads...]. */
export function packGeometry(geometry: WindowGeometry): Int32Array {
  const lift = (values: number[]): number[] => [...new Array<number>(3 - values.length).fill(1), ...values];
  return Int32Array.from([
    1, geometry.channels, geometry.outChannels, PADDING_CODE[geometry.padding],
    ...lift(geometry.input), ...lift(geometry.kernel), ...lift(geometry.strides), ...lift(geometry.dilations),
    0, 0, 0, 0, 0, 0,
  ]);
}
