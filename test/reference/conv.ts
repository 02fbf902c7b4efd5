// Float64 references for the conv ops: the padding rule written out from TensorFlow's docs (not
// imported from lib/, so the library's own rule is tested against it) and direct convolution as
// plain loops over every output pixel and tap. Shapes are channels-last, filters Keras-ordered.

export type RefPadding = 'valid' | 'same' | number;

/** One spatial dim: output extent and pad before (TensorFlow's rule for 'same'). */
export function refWindow(inSize: number, kernel: number, stride: number, dilation: number, pad: RefPadding): { out: number; before: number; after: number } {
  const effective = (kernel - 1) * dilation + 1;
  if (pad === 'same') {
    const out = Math.ceil(inSize / stride);
    const total = Math.max((out - 1) * stride + effective - inSize, 0);
    return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
  }
  const p = pad === 'valid' ? 0 : pad;
  return { out: Math.floor((inSize + 2 * p - effective) / stride) + 1, before: p, after: p };
}

export interface RefGeometry {
  batch: number;
  inChannels: number;
  outChannels: number;
  /** Always three spatial dims (leading unit dims for 1D and 2D). */
  inSize: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  before: number[];
  outSize: number[];
}

/** xShape [N, ...spatial, C]; kernel/strides/dilations per spatial dim. */
export function refGeometry(xShape: readonly number[], kernel: number[], outChannels: number, strides: number[],
  dilations: number[], pad: RefPadding): RefGeometry {
  const rank = kernel.length;
  const lead = 3 - rank;
  const pick = (values: readonly number[], dim: number): number => (dim < lead ? 1 : values[dim - lead]);
  const inSize = [0, 1, 2].map((dim) => pick(xShape.slice(1, rank + 1), dim));
  const k = [0, 1, 2].map((dim) => pick(kernel, dim));
  const s = [0, 1, 2].map((dim) => pick(strides, dim));
  const d = [0, 1, 2].map((dim) => pick(dilations, dim));
  const windows = [0, 1, 2].map((dim) => (dim < lead ? { out: 1, before: 0, after: 0 } : refWindow(inSize[dim], k[dim], s[dim], d[dim], pad)));
  return {
    batch: xShape[0], inChannels: xShape[rank + 1], outChannels, inSize, kernel: k, strides: s, dilations: d,
    before: windows.map((w) => w.before), outSize: windows.map((w) => w.out),
  };
}

/** Output shape [N, ...out, OC] with the spatial rank of `rank`. */
export function refOutShape(g: RefGeometry, rank: number): number[] {
  return [g.batch, ...g.outSize.slice(3 - rank), g.outChannels];
}

// Calls tap(output pixel, tap index (kd,kh,kw), input pixel) for every in-range tap.
function forEachTap(g: RefGeometry, tap: (pixel: number, k: number, inPixel: number) => void): void {
  const [OD, OH, OW] = g.outSize;
  const [KD, KH, KW] = g.kernel;
  const [D, H, W] = g.inSize;
  for (let n = 0; n < g.batch; ++n)
    for (let od = 0; od < OD; ++od)
      for (let oh = 0; oh < OH; ++oh)
        for (let ow = 0; ow < OW; ++ow) {
          const pixel = ((n * OD + od) * OH + oh) * OW + ow;
          for (let kd = 0; kd < KD; ++kd)
            for (let kh = 0; kh < KH; ++kh)
              for (let kw = 0; kw < KW; ++kw) {
                const id = od * g.strides[0] - g.before[0] + kd * g.dilations[0];
                const ih = oh * g.strides[1] - g.before[1] + kh * g.dilations[1];
                const iw = ow * g.strides[2] - g.before[2] + kw * g.dilations[2];
                if (id < 0 || id >= D || ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                tap(pixel, (kd * KH + kh) * KW + kw, ((n * D + id) * H + ih) * W + iw);
              }
        }
}

function outPixels(g: RefGeometry): number {
  return g.batch * g.outSize[0] * g.outSize[1] * g.outSize[2];
}

/** y = activation(conv(x, filter) + bias). */
export function convForward64(g: RefGeometry, x: ArrayLike<number>, filter: ArrayLike<number>,
  bias: ArrayLike<number> | null = null, relu = false): Float64Array {
  const C = g.inChannels;
  const OC = g.outChannels;
  const y = new Float64Array(outPixels(g) * OC);
  forEachTap(g, (pixel, k, inPixel) => {
    for (let c = 0; c < C; ++c) {
      const value = x[inPixel * C + c];
      for (let oc = 0; oc < OC; ++oc) y[pixel * OC + oc] += value * filter[(k * C + c) * OC + oc];
    }
  });
  for (let i = 0; i < y.length; ++i) {
    if (bias) y[i] += bias[i % OC];
    if (relu && y[i] < 0) y[i] = 0;
  }
  return y;
}

/** dx = sum over taps of dy * filter^T, scattered to the tapped input pixels. */
export function convBackpropInput64(g: RefGeometry, dy: ArrayLike<number>, filter: ArrayLike<number>): Float64Array {
  const C = g.inChannels;
  const OC = g.outChannels;
  const dx = new Float64Array(g.batch * g.inSize[0] * g.inSize[1] * g.inSize[2] * C);
  forEachTap(g, (pixel, k, inPixel) => {
    for (let c = 0; c < C; ++c) {
      let sum = 0;
      for (let oc = 0; oc < OC; ++oc) sum += dy[pixel * OC + oc] * filter[(k * C + c) * OC + oc];
      dx[inPixel * C + c] += sum;
    }
  });
  return dx;
}

/** dfilter = sum over output pixels of x(tap) * dy. */
export function convBackpropFilter64(g: RefGeometry, x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  const C = g.inChannels;
  const OC = g.outChannels;
  const dfilter = new Float64Array(g.kernel[0] * g.kernel[1] * g.kernel[2] * C * OC);
  forEachTap(g, (pixel, k, inPixel) => {
    for (let c = 0; c < C; ++c) {
      const value = x[inPixel * C + c];
      for (let oc = 0; oc < OC; ++oc) dfilter[(k * C + c) * OC + oc] += value * dy[pixel * OC + oc];
    }
  });
  return dfilter;
}

/** Column sums of dy (rows, channels). */
export function biasGrad64(dy: ArrayLike<number>, channels: number): Float64Array {
  const out = new Float64Array(channels);
  for (let i = 0; i < dy.length; ++i) out[i % channels] += dy[i];
  return out;
}
