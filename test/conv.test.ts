// Conv ops (1D/2D/3D forward, fused bias + relu, input/filter/bias gradients) against float64
// references on seeded random shapes (odd sizes, strides 1-3, dilations 1-2, valid/same/explicit
// pads, batch 1 and more, chunk-boundary sizes) for every ISA and 1 and 2 threads; gradient checks
// by central differences; the padding rule; async twins; and the bad-input tables.
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { native } from '../lib/native';
import { expectClose, forEachIsa } from './helpers/compare';
import { TestRandom } from './helpers/random';
import {
  RefGeometry, RefPadding, biasGrad64, convBackpropFilter64, convBackpropInput64, convForward64, refGeometry,
  refOutShape, refWindow,
} from './reference/conv';

const defaultThreads = fg.getNumThreads();
afterAll(() => fg.setNumThreads(defaultThreads));

type Tensor = fg.Tensor;

interface Case {
  rank: number;
  N: number;
  spatial: number[];
  C: number;
  OC: number;
  kernel: number[];
  strides: number[];
  dilations: number[];
  pad: RefPadding;
}

function label(c: Case): string {
  return `rank${c.rank} N=${c.N} in=[${c.spatial}] C=${c.C} OC=${c.OC} k=[${c.kernel}] s=[${c.strides}] d=[${c.dilations}] pad=${c.pad}`;
}

function geometry(c: Case): RefGeometry {
  return refGeometry([c.N, ...c.spatial, c.C], c.kernel, c.OC, c.strides, c.dilations, c.pad);
}

function randomCase(random: TestRandom, rank: number): Case {
  for (;;) {
    const size = (): number => random.int(1, rank === 3 ? 7 : rank === 2 ? 12 : 20);
    const c: Case = {
      rank, N: random.pick([1, 2, 3]), spatial: Array.from({ length: rank }, size), C: random.pick([1, 2, 3, 5, 8, 17]),
      OC: random.pick([1, 3, 4, 7, 16, 33]), kernel: Array.from({ length: rank }, () => random.int(1, 4)),
      strides: Array.from({ length: rank }, () => random.int(1, 3)), dilations: Array.from({ length: rank }, () => random.int(1, 2)),
      pad: random.pick<RefPadding>(['valid', 'same', 'same', 0, 1, 2]),
    };
    if (geometry(c).outSize.every((out) => out >= 1)) return c;
  }
}

// Fixed shapes at the blocking factors: chunk boundaries (4096 rows for small K, ~350 for K=360),
// GEMM tiles (channels 1, 8, 16, 17, 32, 33), pointwise and strided 1x1, even/odd 'same', and the
// shapes of the direct input-gradient path.
const FIXED: Case[] = [
  { rank: 2, N: 2, spatial: [52, 50], C: 1, OC: 8, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pad: 'valid' },
  { rank: 2, N: 2, spatial: [23, 21], C: 40, OC: 3, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { rank: 2, N: 3, spatial: [9, 11], C: 16, OC: 17, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pad: 'valid' },
  { rank: 2, N: 2, spatial: [9, 10], C: 8, OC: 33, kernel: [1, 1], strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { rank: 2, N: 1, spatial: [16, 16], C: 32, OC: 32, kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { rank: 2, N: 2, spatial: [15, 15], C: 3, OC: 16, kernel: [5, 5], strides: [1, 1], dilations: [2, 2], pad: 'same' },
  { rank: 1, N: 4, spatial: [1100], C: 4, OC: 5, kernel: [3], strides: [1], dilations: [1], pad: 'same' },
  { rank: 3, N: 2, spatial: [6, 7, 8], C: 3, OC: 4, kernel: [3, 2, 3], strides: [2, 1, 2], dilations: [1, 2, 1], pad: 'same' },
  // Stride 1, C <= 4, OC >= 16: the AVX-512 direct input gradient (pixel blocks, borders, OC tails).
  { rank: 2, N: 2, spatial: [30, 29], C: 1, OC: 32, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pad: 'valid' },
  { rank: 2, N: 1, spatial: [13, 21], C: 3, OC: 64, kernel: [3, 3], strides: [1, 1], dilations: [1, 2], pad: 'same' },
  { rank: 1, N: 2, spatial: [40], C: 2, OC: 17, kernel: [3], strides: [1], dilations: [1], pad: 'same' },
  { rank: 3, N: 1, spatial: [4, 5, 9], C: 4, OC: 20, kernel: [2, 3, 3], strides: [1, 1, 1], dilations: [1, 1, 1], pad: 'same' },
];

function tupleArg(values: number[]): never {
  return (values.length === 1 ? values[0] : values) as never;
}

function forward(c: Case, x: Tensor, filter: Tensor, bias?: Tensor, relu = false): Tensor {
  const s = tupleArg(c.strides);
  const d = tupleArg(c.dilations);
  const pad = c.pad as fg.ops.Padding;
  const activation = relu ? 'relu' : 'linear';
  if (bias) {
    if (c.rank === 1) return fg.ops.conv1dWithBias(x, filter, bias, s, pad, d, activation);
    if (c.rank === 2) return fg.ops.conv2dWithBias(x, filter, bias, s, pad, d, activation);
    return fg.ops.conv3dWithBias(x, filter, bias, s, pad, d, activation);
  }
  if (c.rank === 1) return fg.ops.conv1d(x, filter, s, pad, d);
  if (c.rank === 2) return fg.ops.conv2d(x, filter, s, pad, d);
  return fg.ops.conv3d(x, filter, s, pad, d);
}

function backpropInput(c: Case, dy: Tensor, filter: Tensor): Tensor {
  const shape = [c.N, ...c.spatial, c.C];
  const s = tupleArg(c.strides);
  const d = tupleArg(c.dilations);
  const pad = c.pad as fg.ops.Padding;
  if (c.rank === 1) return fg.ops.conv1dBackpropInput(shape, dy, filter, s, pad, d);
  if (c.rank === 2) return fg.ops.conv2dBackpropInput(shape, dy, filter, s, pad, d);
  return fg.ops.conv3dBackpropInput(shape, dy, filter, s, pad, d);
}

function backpropFilter(c: Case, x: Tensor, dy: Tensor): Tensor {
  const shape = [...c.kernel, c.C, c.OC];
  const s = tupleArg(c.strides);
  const d = tupleArg(c.dilations);
  const pad = c.pad as fg.ops.Padding;
  if (c.rank === 1) return fg.ops.conv1dBackpropFilter(x, dy, shape, s, pad, d);
  if (c.rank === 2) return fg.ops.conv2dBackpropFilter(x, dy, shape, s, pad, d);
  return fg.ops.conv3dBackpropFilter(x, dy, shape, s, pad, d);
}

interface Data {
  x: Tensor;
  filter: Tensor;
  bias: Tensor;
  dy: Tensor;
}

function makeData(c: Case, random: TestRandom): Data {
  const g = geometry(c);
  const kernelSize = c.kernel.reduce((a, b) => a * b, 1);
  const outShape = refOutShape(g, c.rank);
  return {
    x: fg.tensor(random.floats(c.N * c.spatial.reduce((a, b) => a * b, 1) * c.C), [c.N, ...c.spatial, c.C]),
    filter: fg.tensor(random.floats(kernelSize * c.C * c.OC), [...c.kernel, c.C, c.OC]),
    bias: fg.tensor(random.floats(c.OC), [c.OC]),
    dy: fg.tensor(random.floats(outShape.reduce((a, b) => a * b, 1)), outShape),
  };
}

// Sums of `terms` float32 products of values in [-1, 1]: error grows like sqrt(terms).
function tolerance(terms: number): number {
  return 2e-6 * Math.sqrt(Math.max(terms, 1)) + 1e-6;
}

function checkCase(c: Case, data: Data, context: string): void {
  const g = geometry(c);
  const taps = c.kernel.reduce((a, b) => a * b, 1);
  const outPixels = g.batch * g.outSize[0] * g.outSize[1] * g.outSize[2];
  const y = forward(c, data.x, data.filter);
  expect(y.shape, `${context} shape`).toEqual(refOutShape(g, c.rank));
  expectClose(y.data, convForward64(g, data.x.data, data.filter.data), `forward ${context}`, tolerance(taps * c.C), 1e-4);
  const fused = forward(c, data.x, data.filter, data.bias, true);
  expectClose(fused.data, convForward64(g, data.x.data, data.filter.data, data.bias.data, true), `bias+relu ${context}`,
    tolerance(taps * c.C), 1e-4);
  const dx = backpropInput(c, data.dy, data.filter);
  expectClose(dx.data, convBackpropInput64(g, data.dy.data, data.filter.data), `backprop input ${context}`,
    tolerance(taps * c.OC), 1e-4);
  const dfilter = backpropFilter(c, data.x, data.dy);
  expectClose(dfilter.data, convBackpropFilter64(g, data.x.data, data.dy.data), `backprop filter ${context}`,
    tolerance(outPixels), 1e-4);
  const dbias = fg.ops.convBiasGrad(data.dy);
  expectClose(dbias.data, biasGrad64(data.dy.data, c.OC), `bias grad ${context}`, tolerance(outPixels), 1e-4);
}

describe('conv against the float64 reference', () => {
  const random = new TestRandom(2024);
  const cases: Case[] = [...FIXED];
  for (const rank of [1, 2, 3]) for (let i = 0; i < 8; ++i) cases.push(randomCase(random, rank));
  const data = cases.map((c) => makeData(c, random));
  for (const threads of [1, 2]) {
    it(`${cases.length} shapes, every ISA, ${threads} thread(s)`, () => {
      fg.setNumThreads(threads);
      forEachIsa(fg, (isa) => {
        cases.forEach((c, index) => checkCase(c, data[index], `${label(c)} ${isa} threads=${threads}`));
      });
    });
  }
});

describe('conv gradients by central differences', () => {
  const random = new TestRandom(99);
  const cases: Case[] = [
    { rank: 1, N: 2, spatial: [9], C: 2, OC: 3, kernel: [3], strides: [2], dilations: [1], pad: 'same' },
    { rank: 1, N: 1, spatial: [8], C: 3, OC: 2, kernel: [2], strides: [1], dilations: [2], pad: 'valid' },
    { rank: 2, N: 2, spatial: [6, 5], C: 2, OC: 3, kernel: [3, 3], strides: [1, 2], dilations: [1, 1], pad: 'same' },
    { rank: 2, N: 1, spatial: [7, 7], C: 3, OC: 2, kernel: [2, 3], strides: [3, 1], dilations: [2, 1], pad: 1 },
    { rank: 3, N: 1, spatial: [4, 5, 4], C: 2, OC: 2, kernel: [2, 3, 2], strides: [1, 2, 1], dilations: [1, 1, 2], pad: 'same' },
  ];
  for (const c of cases) {
    it(label(c), () => {
      const data = makeData(c, random);
      const g = geometry(c);
      forEachIsa(fg, (isa) => {
        // Linear (no relu), so no kinks: every input is differentiable everywhere.
        const result = fg.gradCheck(
          ([x, filter, bias]) => forward(c, x, filter, bias, false),
          ([x, filter], dy) => [backpropInput(c, dy, filter), backpropFilter(c, x, dy), fg.ops.convBiasGrad(dy)],
          [data.x, data.filter, data.bias],
          { forward64: ([x, filter, bias]) => convForward64(g, x, filter, bias, false) },
        );
        expect(result.mismatches, `${label(c)} ${isa}`).toEqual([]);
        expect(result.checked).toBeGreaterThan(10);
      });
    });
  }
});

describe('padding rule and output shapes', () => {
  it('matches TensorFlow for even and odd inputs, strides and dilations', () => {
    for (let inSize = 1; inSize <= 9; ++inSize)
      for (const kernel of [1, 2, 3, 4])
        for (const stride of [1, 2, 3])
          for (const dilation of [1, 2])
            for (const pad of ['valid', 'same', 0, 1, 2] as const) {
              const expected = refWindow(inSize, kernel, stride, dilation, pad);
              if (expected.out < 1) continue;
              const got = fg.ops.windowOutputSize(inSize, kernel, stride, dilation, pad);
              expect([got.out, got.padBefore, got.padAfter], `in=${inSize} k=${kernel} s=${stride} d=${dilation} ${pad}`)
                .toEqual([expected.out, expected.before, expected.after]);
            }
  });

  it('spells out a few TensorFlow cases', () => {
    // 'same' on even input, stride 2: pad_total 1 goes after; odd input: split 1/1.
    expect(fg.ops.windowOutputSize(6, 3, 2, 1, 'same')).toEqual({ out: 3, padBefore: 0, padAfter: 1 });
    expect(fg.ops.windowOutputSize(5, 3, 2, 1, 'same')).toEqual({ out: 3, padBefore: 1, padAfter: 1 });
    expect(fg.ops.convOutputShape([8, 224, 224, 3], [3, 3, 3, 64], 1, 'same')).toEqual([8, 224, 224, 64]);
    expect(fg.ops.convOutputShape([128, 28, 28, 1], [3, 3, 1, 32], 1, 'valid')).toEqual([128, 26, 26, 32]);
    expect(fg.ops.convOutputShape([2, 10, 3], [3, 3, 4], 2, 'valid', 2)).toEqual([2, 3, 4]);
    expect(fg.ops.poolOutputShape([1, 7, 7, 5], 2, 2, 'same')).toEqual([1, 4, 4, 5]);
  });
});

describe('conv threads, async and layouts', () => {
  const random = new TestRandom(5);
  const c: Case = { rank: 2, N: 3, spatial: [30, 27], C: 24, OC: 16, kernel: [3, 3], strides: [1, 2], dilations: [1, 1], pad: 'same' };
  const data = makeData(c, random);

  it('gives bit-identical results with 1 and 2 threads (im2col and direct routes)', () => {
    const narrow: Case = { rank: 2, N: 3, spatial: [21, 23], C: 3, OC: 32, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pad: 'same' };
    const narrowData = makeData(narrow, random);
    for (const [shape, values] of [[c, data], [narrow, narrowData]] as [Case, Data][]) {
      const run = (threads: number): Float32Array[] => {
        fg.setNumThreads(threads);
        return [forward(shape, values.x, values.filter, values.bias, true).data, backpropInput(shape, values.dy, values.filter).data,
          backpropFilter(shape, values.x, values.dy).data, fg.ops.convBiasGrad(values.dy).data];
      };
      const one = run(1);
      const two = run(2);
      fg.setNumThreads(defaultThreads);
      one.forEach((output, index) => expect(Array.from(two[index]), `${label(shape)} output ${index}`).toEqual(Array.from(output)));
    }
  });

  it('async twins match the sync ops', async () => {
    const s = c.strides as [number, number];
    const shape = [c.N, ...c.spatial, c.C];
    const filterShape = [...c.kernel, c.C, c.OC];
    const [y, fused, dx, dfilter, dbias] = await Promise.all([
      fg.ops.conv2dAsync(data.x, data.filter, s, 'same'),
      fg.ops.conv2dWithBiasAsync(data.x, data.filter, data.bias, s, 'same', 1, 'relu'),
      fg.ops.conv2dBackpropInputAsync(shape, data.dy, data.filter, s, 'same'),
      fg.ops.conv2dBackpropFilterAsync(data.x, data.dy, filterShape, s, 'same'),
      fg.ops.convBiasGradAsync(data.dy),
    ]);
    expect(Array.from(y.data)).toEqual(Array.from(fg.ops.conv2d(data.x, data.filter, s, 'same').data));
    expect(Array.from(fused.data)).toEqual(Array.from(fg.ops.conv2dWithBias(data.x, data.filter, data.bias, s, 'same', 1, 'relu').data));
    expect(Array.from(dx.data)).toEqual(Array.from(fg.ops.conv2dBackpropInput(shape, data.dy, data.filter, s, 'same').data));
    expect(Array.from(dfilter.data)).toEqual(Array.from(fg.ops.conv2dBackpropFilter(data.x, data.dy, filterShape, s, 'same').data));
    expect(Array.from(dbias.data)).toEqual(Array.from(fg.ops.convBiasGrad(data.dy).data));
    const x1 = fg.tensor(random.floats(2 * 9 * 3), [2, 9, 3]);
    const f1 = fg.tensor(random.floats(3 * 3 * 2), [3, 3, 2]);
    expect(Array.from((await fg.ops.conv1dAsync(x1, f1, 2, 'same')).data)).toEqual(Array.from(fg.ops.conv1d(x1, f1, 2, 'same').data));
    const x3 = fg.tensor(random.floats(1 * 3 * 4 * 5 * 2), [1, 3, 4, 5, 2]);
    const f3 = fg.tensor(random.floats(2 * 2 * 2 * 2 * 3), [2, 2, 2, 2, 3]);
    expect(Array.from((await fg.ops.conv3dAsync(x3, f3, 1, 'valid')).data)).toEqual(Array.from(fg.ops.conv3d(x3, f3, 1, 'valid').data));
  });

  it('async validation errors reject; the raw async call returns a Promise', async () => {
    await expect(fg.ops.conv2dAsync(data.x, data.filter, 0, 'same')).rejects.toThrow(RangeError);
    const promise = native.convForward(new Float32Array(4), new Float32Array(4), new Float32Array(1), null,
      Int32Array.from([1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]), false, true);
    expect(promise).toBeInstanceOf(Promise);
    await promise;
  });

  it('handles an empty batch', () => {
    const x = fg.tensor(new Float32Array(0), [0, 5, 5, 2]);
    const filter = fg.tensor(random.floats(3 * 3 * 2 * 4), [3, 3, 2, 4]);
    const y = fg.ops.conv2d(x, filter, 1, 'same');
    expect(y.shape).toEqual([0, 5, 5, 4]);
    const dfilter = fg.ops.conv2dBackpropFilter(x, y, [3, 3, 2, 4], 1, 'same');
    expect(Array.from(dfilter.data).every((v) => v === 0)).toBe(true);
  });
});

describe('conv bad input', () => {
  const x = fg.tensor(new Float32Array(2 * 5 * 5 * 3), [2, 5, 5, 3]);
  const filter = fg.tensor(new Float32Array(3 * 3 * 3 * 4), [3, 3, 3, 4]);
  const dy = fg.tensor(new Float32Array(2 * 5 * 5 * 4), [2, 5, 5, 4]);
  const x1 = fg.tensor(new Float32Array(2 * 7 * 3), [2, 7, 3]);
  const f1 = fg.tensor(new Float32Array(3 * 3 * 4), [3, 3, 4]);
  const geometry = Int32Array.from([2, 3, 4, 2, 1, 5, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  const withField = (field: number, value: number): Int32Array => {
    const copy = geometry.slice();
    copy[field] = value;
    return copy;
  };
  const y = new Float32Array(2 * 5 * 5 * 4);
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['x not a tensor', () => fg.ops.conv2d([1, 2] as never, filter, 1, 'same'), TypeError, /x/],
    ['x wrong rank', () => fg.ops.conv2d(x1, filter, 1, 'same'), RangeError, /x.*rank 4|rank 4.*x/],
    ['filter wrong rank', () => fg.ops.conv2d(x, f1, 1, 'same'), RangeError, /filter/],
    ['filter channel mismatch', () => fg.ops.conv2d(x, fg.tensor(new Float32Array(36), [3, 3, 1, 4]), 1, 'same'), RangeError, /3 input channels/],
    ['zero stride', () => fg.ops.conv2d(x, filter, 0, 'same'), RangeError, /strides/],
    ['negative stride entry', () => fg.ops.conv2d(x, filter, [1, -1], 'same'), RangeError, /strides\[1\]/],
    ['fractional stride', () => fg.ops.conv2d(x, filter, 1.5, 'same'), RangeError, /strides/],
    ['NaN stride', () => fg.ops.conv2d(x, filter, NaN, 'same'), RangeError, /NaN/],
    ['strides tuple too long', () => fg.ops.conv2d(x, filter, [1, 1, 1] as never, 'same'), TypeError, /strides/],
    ['string stride', () => fg.ops.conv2d(x, filter, '1' as never, 'same'), TypeError, /strides/],
    ['huge stride', () => fg.ops.conv2d(x, filter, 2 ** 40, 'same'), RangeError, /strides/],
    ['zero dilation', () => fg.ops.conv2d(x, filter, 1, 'same', 0), RangeError, /dilations/],
    ['NaN dilation (1d)', () => fg.ops.conv1d(x1, f1, 1, 'same', NaN), RangeError, /dilation/],
    ['bad pad string', () => fg.ops.conv2d(x, filter, 1, 'full' as never), RangeError, /pad/],
    ['negative pad', () => fg.ops.conv2d(x, filter, 1, -1), RangeError, /pad/],
    ['NaN pad', () => fg.ops.conv2d(x, filter, 1, NaN), RangeError, /pad/],
    ['pad as object', () => fg.ops.conv2d(x, filter, 1, {} as never), TypeError, /pad/],
    ['filter larger than input', () => fg.ops.conv2d(x, fg.tensor(new Float32Array(6 * 6 * 3), [6, 6, 3, 1]), 1, 'valid'), RangeError, /filter/],
    ['dilated filter larger than input', () => fg.ops.conv2d(x, filter, 1, 'valid', 3), RangeError, /effective extent 7/],
    ['zero channels', () => fg.ops.conv2d(fg.tensor(new Float32Array(0), [2, 5, 5, 0]), filter, 1, 'same'), RangeError, /x/],
    ['bias wrong length', () => fg.ops.conv2dWithBias(x, filter, fg.tensor(new Float32Array(3), [3]), 1, 'same'), RangeError, /bias/],
    ['bad activation', () => fg.ops.conv2dWithBias(x, filter, fg.tensor(new Float32Array(4), [4]), 1, 'same', 1, 'gelu' as never), RangeError, /activation/],
    ['backprop input: xShape not an array', () => fg.ops.conv2dBackpropInput('2,5,5,3' as never, dy, filter, 1, 'same'), TypeError, /xShape/],
    ['backprop input: xShape negative', () => fg.ops.conv2dBackpropInput([2, -5, 5, 3], dy, filter, 1, 'same'), RangeError, /xShape/],
    ['backprop input: dy wrong shape', () => fg.ops.conv2dBackpropInput([2, 5, 5, 3], dy, filter, 2, 'same'), RangeError, /dy/],
    ['backprop filter: filterShape rank', () => fg.ops.conv2dBackpropFilter(x, dy, [3, 3, 4], 1, 'same'), RangeError, /filterShape/],
    ['backprop filter: channels mismatch', () => fg.ops.conv2dBackpropFilter(x, dy, [3, 3, 2, 4], 1, 'same'), RangeError, /filter/],
    ['backprop filter: dy wrong OC', () => fg.ops.conv2dBackpropFilter(x, dy, [3, 3, 3, 5], 1, 'same'), RangeError, /dy/],
    ['bias grad: not a tensor', () => fg.ops.convBiasGrad(new Float32Array(3) as never), TypeError, /dy/],
    ['raw: too few arguments', () => (native.convForward as (...a: unknown[]) => unknown)(y), TypeError, /arguments/],
    ['raw: short y', () => native.convForward(new Float32Array(10), x.data, filter.data, null, geometry, false, false), RangeError, /y/],
    ['raw: long x', () => native.convForward(y, new Float32Array(151), filter.data, null, geometry, false, false), RangeError, /x/],
    ['raw: short filter', () => native.convForward(y, x.data, new Float32Array(5), null, geometry, false, false), RangeError, /filter/],
    ['raw: bias length', () => native.convForward(y, x.data, filter.data, new Float32Array(3), geometry, false, false), RangeError, /bias/],
    ['raw: Float64Array x', () => native.convForward(y, new Float64Array(150) as never, filter.data, null, geometry, false, false), TypeError, /Float32Array/],
    ['raw: geometry not Int32Array', () => native.convForward(y, x.data, filter.data, null, [2, 3] as never, false, false), TypeError, /Int32Array/],
    ['raw: geometry short', () => native.convForward(y, x.data, filter.data, null, geometry.slice(0, 21), false, false), RangeError, /geometry/],
    ['raw: zero stride', () => native.convForward(y, x.data, filter.data, null, withField(11, 0), false, false), RangeError, /stride height/],
    ['raw: negative pad', () => native.convForward(y, x.data, filter.data, null, withField(20, -1), false, false), RangeError, /pad after height/],
    ['raw: bad padding mode', () => native.convForward(y, x.data, filter.data, null, withField(3, 7), false, false), RangeError, /padding mode/],
    ['raw: window too large', () => native.convForward(y, x.data, filter.data, null, withField(3, 1).map((v, i) => (i === 8 ? 9 : v)), false, false), RangeError, /window/],
    ['raw: huge dims overflow', () => native.convForward(y, x.data, filter.data, null, withField(5, 2 ** 31 - 1).map((v, i) => (i === 6 ? 2 ** 31 - 1 : i === 1 ? 2 ** 31 - 1 : v)), false, false), RangeError, /at most|overflow/],
    ['raw: relu not boolean', () => native.convForward(y, x.data, filter.data, null, geometry, 1 as never, false), TypeError, /relu/],
    ['raw: backward input short dx', () => native.convBackwardInput(new Float32Array(3), dy.data, filter.data, geometry, false), RangeError, /dx/],
    ['raw: backward filter short dfilter', () => native.convBackwardFilter(new Float32Array(3), x.data, dy.data, geometry, false), RangeError, /dfilter/],
    ['raw: bias grad negative rows', () => native.convBackwardBias(new Float32Array(4), dy.data, -1, 4, false), RangeError, /rows/],
    ['raw: bias grad NaN channels', () => native.convBackwardBias(new Float32Array(4), dy.data, 50, NaN, false), RangeError, /channels/],
    ['raw: bias grad short dy', () => native.convBackwardBias(new Float32Array(4), dy.data, 51, 4, false), RangeError, /dy/],
  ];
  for (const [name, call, type, message] of cases) {
    it(name, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }
});
