// Pooling ops (max/avg in 1D/2D/3D with gradients, global max/avg with gradients) against float64
// references on seeded random shapes (odd sizes, any window and stride, valid/same/explicit pads,
// channel counts around the vector widths) for every ISA and 1 and 2 threads; gradient checks by
// central differences; async twins; and the bad-input tables of the ops and the raw bindings.
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { native } from '../lib/native';
import { expectClose, forEachIsa } from './helpers/compare';
import { TestRandom } from './helpers/random';
import { RefGeometry, RefPadding, refGeometry, refOutShape } from './reference/conv';
import { globalPool64, globalPoolBackward64, poolBackward64, poolForward64 } from './reference/pool';

const defaultThreads = fg.getNumThreads();
afterAll(() => fg.setNumThreads(defaultThreads));

type Tensor = fg.Tensor;
type Kind = 'max' | 'avg';

interface Case {
  rank: number;
  N: number;
  spatial: number[];
  C: number;
  window: number[];
  strides: number[];
  pad: RefPadding;
}

function label(c: Case): string {
  return `rank${c.rank} N=${c.N} in=[${c.spatial}] C=${c.C} window=[${c.window}] s=[${c.strides}] pad=${c.pad}`;
}

function geometry(c: Case): RefGeometry {
  return refGeometry([c.N, ...c.spatial, c.C], c.window, c.C, c.strides, c.window.map(() => 1), c.pad);
}

function randomCase(random: TestRandom, rank: number): Case {
  for (;;) {
    const c: Case = {
      rank, N: random.pick([1, 2, 3]), spatial: Array.from({ length: rank }, () => random.int(1, rank === 3 ? 7 : 12)),
      C: random.pick([1, 3, 4, 8, 15, 16, 17, 33]), window: Array.from({ length: rank }, () => random.int(1, 4)),
      strides: Array.from({ length: rank }, () => random.int(1, 3)), pad: random.pick<RefPadding>(['valid', 'same', 'same', 1]),
    };
    if (typeof c.pad === 'number' && c.window.some((w) => w <= (c.pad as number))) continue;
    if (geometry(c).outSize.every((out) => out >= 1)) return c;
  }
}

function tupleArg(values: number[]): never {
  return (values.length === 1 ? values[0] : values) as never;
}

function pool(kind: Kind, c: Case, x: Tensor): Tensor {
  const [w, s, pad] = [tupleArg(c.window), tupleArg(c.strides), c.pad as fg.ops.Padding];
  if (c.rank === 1) return kind === 'max' ? fg.ops.maxPool1d(x, w, s, pad) : fg.ops.avgPool1d(x, w, s, pad);
  if (c.rank === 2) return kind === 'max' ? fg.ops.maxPool(x, w, s, pad) : fg.ops.avgPool(x, w, s, pad);
  return kind === 'max' ? fg.ops.maxPool3d(x, w, s, pad) : fg.ops.avgPool3d(x, w, s, pad);
}

function poolGrad(kind: Kind, c: Case, dy: Tensor, x: Tensor): Tensor {
  const [w, s, pad] = [tupleArg(c.window), tupleArg(c.strides), c.pad as fg.ops.Padding];
  if (c.rank === 1) return kind === 'max' ? fg.ops.maxPool1dGrad(dy, x, w, s, pad) : fg.ops.avgPool1dGrad(dy, x, w, s, pad);
  if (c.rank === 2) return kind === 'max' ? fg.ops.maxPoolGrad(dy, x, w, s, pad) : fg.ops.avgPoolGrad(dy, x, w, s, pad);
  return kind === 'max' ? fg.ops.maxPool3dGrad(dy, x, w, s, pad) : fg.ops.avgPool3dGrad(dy, x, w, s, pad);
}

function makeData(c: Case, random: TestRandom): { x: Tensor; dy: Tensor } {
  const outShape = refOutShape(geometry(c), c.rank);
  return {
    x: fg.tensor(random.floats(c.N * c.spatial.reduce((a, b) => a * b, 1) * c.C), [c.N, ...c.spatial, c.C]),
    dy: fg.tensor(random.floats(outShape.reduce((a, b) => a * b, 1)), outShape),
  };
}

describe('pooling against the float64 reference', () => {
  const random = new TestRandom(77);
  const cases: Case[] = [
    { rank: 2, N: 2, spatial: [28, 28], C: 32, window: [2, 2], strides: [2, 2], pad: 'valid' },
    { rank: 2, N: 1, spatial: [13, 14], C: 17, window: [3, 3], strides: [2, 2], pad: 'same' },
    { rank: 2, N: 3, spatial: [5, 5], C: 64, window: [5, 5], strides: [1, 1], pad: 'valid' },
    { rank: 1, N: 2, spatial: [31], C: 9, window: [4], strides: [3], pad: 'same' },
    { rank: 3, N: 1, spatial: [5, 6, 7], C: 16, window: [2, 3, 2], strides: [2, 2, 3], pad: 'same' },
  ];
  for (const rank of [1, 2, 3]) for (let i = 0; i < 10; ++i) cases.push(randomCase(random, rank));
  const data = cases.map((c) => makeData(c, random));
  for (const threads of [1, 2]) {
    it(`${cases.length} shapes, every ISA, ${threads} thread(s)`, () => {
      fg.setNumThreads(threads);
      forEachIsa(fg, (isa) => {
        cases.forEach((c, index) => {
          const { x, dy } = data[index];
          const g = geometry(c);
          const context = `${label(c)} ${isa} threads=${threads}`;
          for (const kind of ['max', 'avg'] as const) {
            const y = pool(kind, c, x);
            expect(y.shape, context).toEqual(refOutShape(g, c.rank));
            expectClose(y.data, poolForward64(kind, g, x.data), `${kind} forward ${context}`, 1e-6, 1e-5);
            expectClose(poolGrad(kind, c, dy, x).data, poolBackward64(kind, g, dy.data, x.data), `${kind} grad ${context}`, 1e-6, 1e-5);
          }
        });
      });
    });
  }

  it('routes max-pool ties to the first maximum', () => {
    // One channel, 1x4 input [2, 2, 1, 2], window 2 stride 1: every window's tie goes to its first cell.
    const x = fg.tensor([2, 2, 1, 2], [1, 1, 4, 1]);
    const dy = fg.tensor([1, 10, 100], [1, 1, 3, 1]);
    expect(Array.from(fg.ops.maxPoolGrad(dy, x, [1, 2], 1, 'valid').data)).toEqual([1, 10, 0, 100]);
    const g = fg.ops.globalMaxPoolGrad(fg.tensor([5], [1, 1]), x);
    expect(Array.from(g.data)).toEqual([5, 0, 0, 0]);
  });

  it('averages over real cells only with same padding, and max ignores padding', () => {
    // 2x2 input, window 3 'same' stride 1: the corner window holds 4 real cells of 9.
    const x = fg.tensor([-1, -2, -3, -4], [1, 2, 2, 1]);
    expect(Array.from(fg.ops.avgPool(x, 3, 1, 'same').data)).toEqual([-2.5, -2.5, -2.5, -2.5]);
    expect(Array.from(fg.ops.maxPool(x, 3, 1, 'same').data)).toEqual([-1, -1, -1, -1]);
  });
});

describe('global pooling', () => {
  const random = new TestRandom(88);
  const shapes = [[2, 7, 7, 32], [1, 1, 1, 3], [3, 5, 17], [2, 2, 3, 4, 9], [4, 1, 33]];
  for (const threads of [1, 2]) {
    it(`matches the reference on ${shapes.length} shapes, every ISA, ${threads} thread(s)`, () => {
      fg.setNumThreads(threads);
      forEachIsa(fg, (isa) => {
        for (const shape of shapes) {
          const x = fg.tensor(random.floats(shape.reduce((a, b) => a * b, 1)), shape);
          const [N, C] = [shape[0], shape[shape.length - 1]];
          const S = x.size / (N * C);
          const dy = fg.tensor(random.floats(N * C), [N, C]);
          const context = `[${shape}] ${isa} threads=${threads}`;
          expectClose(fg.ops.globalAvgPool(x).data, globalPool64('avg', x.data, N, S, C), `avg ${context}`, 1e-6, 1e-5);
          expectClose(fg.ops.globalMaxPool(x).data, globalPool64('max', x.data, N, S, C), `max ${context}`, 0, 0);
          expectClose(fg.ops.globalAvgPoolGrad(dy, x).data, globalPoolBackward64('avg', dy.data, x.data, N, S, C), `avg grad ${context}`, 1e-7, 1e-6);
          expectClose(fg.ops.globalMaxPoolGrad(dy, x).data, globalPoolBackward64('max', dy.data, x.data, N, S, C), `max grad ${context}`, 0, 0);
          expect(fg.ops.globalAvgPool(x).shape).toEqual([N, C]);
        }
      });
    });
  }
});

describe('pooling gradients by central differences', () => {
  const random = new TestRandom(3);
  const cases: Case[] = [
    { rank: 1, N: 2, spatial: [9], C: 3, window: [3], strides: [2], pad: 'same' },
    { rank: 2, N: 1, spatial: [6, 5], C: 2, window: [2, 3], strides: [2, 1], pad: 'same' },
    { rank: 2, N: 2, spatial: [5, 5], C: 3, window: [3, 3], strides: [2, 2], pad: 'valid' },
    { rank: 3, N: 1, spatial: [4, 4, 3], C: 2, window: [2, 2, 2], strides: [2, 1, 2], pad: 'same' },
  ];
  for (const c of cases) {
    it(label(c), () => {
      const g = geometry(c);
      // Distinct, well-separated values: a finite-difference step never changes a window's winner.
      const size = c.N * c.spatial.reduce((a, b) => a * b, 1) * c.C;
      const order = Array.from({ length: size }, (_, i) => i).sort(() => random.next() - 0.5);
      const x = fg.tensor(Float32Array.from(order, (rank) => (rank - size / 2) * 0.01), [c.N, ...c.spatial, c.C]);
      forEachIsa(fg, (isa) => {
        for (const kind of ['max', 'avg'] as const) {
          const result = fg.gradCheck(
            ([input]) => pool(kind, c, input),
            ([input], dy) => [poolGrad(kind, c, dy, input)],
            [x],
            { forward64: ([input]) => poolForward64(kind, g, input) },
          );
          expect(result.mismatches, `${kind} ${label(c)} ${isa}`).toEqual([]);
        }
      });
    });
  }

  it('global pools', () => {
    const size = 2 * 3 * 4 * 5;
    const order = Array.from({ length: size }, (_, i) => i).sort(() => random.next() - 0.5);
    const x = fg.tensor(Float32Array.from(order, (rank) => (rank - size / 2) * 0.01), [2, 3, 4, 5]);
    for (const kind of ['max', 'avg'] as const) {
      const result = fg.gradCheck(
        ([input]) => (kind === 'max' ? fg.ops.globalMaxPool(input) : fg.ops.globalAvgPool(input)),
        ([input], dy) => [kind === 'max' ? fg.ops.globalMaxPoolGrad(dy, input) : fg.ops.globalAvgPoolGrad(dy, input)],
        [x],
        { forward64: ([input]) => globalPool64(kind, input, 2, 12, 5) },
      );
      expect(result.mismatches, kind).toEqual([]);
    }
  });
});

describe('pooling async twins', () => {
  const random = new TestRandom(4);
  it('match the sync ops', async () => {
    const x2 = fg.tensor(random.floats(2 * 9 * 8 * 5), [2, 9, 8, 5]);
    const x1 = fg.tensor(random.floats(2 * 9 * 5), [2, 9, 5]);
    const x3 = fg.tensor(random.floats(1 * 4 * 5 * 6 * 3), [1, 4, 5, 6, 3]);
    const same = (a: Tensor, b: Tensor): void => expect(Array.from(a.data)).toEqual(Array.from(b.data));
    same(await fg.ops.maxPoolAsync(x2, 3, 2, 'same'), fg.ops.maxPool(x2, 3, 2, 'same'));
    same(await fg.ops.avgPoolAsync(x2, [2, 3], [1, 2], 'valid'), fg.ops.avgPool(x2, [2, 3], [1, 2], 'valid'));
    same(await fg.ops.maxPool1dAsync(x1, 2, 2, 'valid'), fg.ops.maxPool1d(x1, 2, 2, 'valid'));
    same(await fg.ops.avgPool1dAsync(x1, 3, 1, 'same'), fg.ops.avgPool1d(x1, 3, 1, 'same'));
    same(await fg.ops.maxPool3dAsync(x3, 2, 2, 'same'), fg.ops.maxPool3d(x3, 2, 2, 'same'));
    same(await fg.ops.avgPool3dAsync(x3, 2, 1, 'valid'), fg.ops.avgPool3d(x3, 2, 1, 'valid'));
    same(await fg.ops.globalAvgPoolAsync(x2), fg.ops.globalAvgPool(x2));
    same(await fg.ops.globalMaxPoolAsync(x2), fg.ops.globalMaxPool(x2));
    const y = fg.ops.maxPool(x2, 3, 2, 'same');
    same(await fg.ops.maxPoolGradAsync(y, x2, 3, 2, 'same'), fg.ops.maxPoolGrad(y, x2, 3, 2, 'same'));
    same(await fg.ops.avgPoolGradAsync(y, x2, 3, 2, 'same'), fg.ops.avgPoolGrad(y, x2, 3, 2, 'same'));
    const g = fg.ops.globalMaxPool(x2);
    same(await fg.ops.globalMaxPoolGradAsync(g, x2), fg.ops.globalMaxPoolGrad(g, x2));
    same(await fg.ops.globalAvgPoolGradAsync(g, x2), fg.ops.globalAvgPoolGrad(g, x2));
    await expect(fg.ops.maxPoolAsync(x2, 0, 1, 'same')).rejects.toThrow(RangeError);
  });
});

describe('pooling bad input', () => {
  const x = fg.tensor(new Float32Array(2 * 6 * 6 * 3), [2, 6, 6, 3]);
  const y = fg.ops.maxPool(x, 2, 2, 'valid');
  const x1 = fg.tensor(new Float32Array(2 * 6 * 3), [2, 6, 3]);
  const geometry = Int32Array.from([2, 3, 3, 1, 1, 6, 6, 1, 2, 2, 1, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  const withField = (field: number, value: number): Int32Array => {
    const copy = geometry.slice();
    copy[field] = value;
    return copy;
  };
  const out = new Float32Array(2 * 3 * 3 * 3);
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['x not a tensor', () => fg.ops.maxPool(new Float32Array(4) as never, 2, 2, 'valid'), TypeError, /x/],
    ['x wrong rank', () => fg.ops.avgPool(x1, 2, 2, 'valid'), RangeError, /rank 4/],
    ['zero filterSize', () => fg.ops.maxPool(x, 0, 2, 'valid'), RangeError, /filterSize/],
    ['NaN filterSize', () => fg.ops.maxPool(x, NaN, 2, 'valid'), RangeError, /filterSize/],
    ['filterSize tuple of 3 for 2d', () => fg.ops.maxPool(x, [2, 2, 2] as never, 2, 'valid'), TypeError, /filterSize/],
    ['negative stride', () => fg.ops.avgPool(x, 2, -2, 'valid'), RangeError, /strides/],
    ['1d stride named stride', () => fg.ops.maxPool1d(x1, 2, 0, 'valid'), RangeError, /stride\b/],
    ['window larger than input', () => fg.ops.maxPool(x, 7, 1, 'valid'), RangeError, /filterSize/],
    ['bad pad', () => fg.ops.maxPool(x, 2, 2, 'causal' as never), RangeError, /pad/],
    ['pad as large as the window', () => fg.ops.maxPool(x, 2, 2, 2), RangeError, /pad/],
    ['grad: dy wrong shape', () => fg.ops.maxPoolGrad(x, x, 2, 2, 'valid'), RangeError, /dy/],
    ['grad: dy not a tensor', () => fg.ops.avgPoolGrad(null as never, x, 2, 2, 'valid'), TypeError, /dy/],
    ['3d: x rank 4', () => fg.ops.maxPool3d(x, 2, 2, 'valid'), RangeError, /rank 5/],
    ['global: rank 2', () => fg.ops.globalAvgPool(fg.tensor(new Float32Array(6), [2, 3])), RangeError, /rank >= 3/],
    ['global: zero channels', () => fg.ops.globalMaxPool(fg.tensor(new Float32Array(0), [2, 3, 0])), RangeError, /x/],
    ['global grad: dy shape', () => fg.ops.globalAvgPoolGrad(fg.tensor(new Float32Array(4), [2, 2]), x), RangeError, /dy/],
    ['raw: too few arguments', () => (native.maxPoolForward as (...a: unknown[]) => unknown)(out, x.data), TypeError, /arguments/],
    ['raw: short y', () => native.maxPoolForward(new Float32Array(5), x.data, geometry, false), RangeError, /y/],
    ['raw: long x', () => native.avgPoolForward(out, new Float32Array(217), geometry, false), RangeError, /x/],
    ['raw: Float64Array x', () => native.maxPoolForward(out, new Float64Array(216) as never, geometry, false), TypeError, /Float32Array/],
    ['raw: zero window', () => native.maxPoolForward(out, x.data, withField(8, 0), false), RangeError, /kernel height/],
    ['raw: channels differ', () => native.maxPoolForward(out, x.data, withField(2, 4), false), RangeError, /pooling window/],
    ['raw: dilation 2', () => native.maxPoolForward(out, x.data, withField(14, 2), false), RangeError, /pooling window/],
    ['raw: pad not below window', () => native.avgPoolForward(out, x.data, withField(3, 0).map((v, i) => (i === 17 ? 2 : v)), false), RangeError, /pooling window/],
    ['raw: backward short dx', () => native.maxPoolBackward(new Float32Array(3), y.data, x.data, geometry, false), RangeError, /dx/],
    ['raw: backward x wrong', () => native.maxPoolBackward(x.data.slice(), y.data, new Float32Array(3), geometry, false), RangeError, /x/],
    ['raw: avg backward short dy', () => native.avgPoolBackward(x.data.slice(), new Float32Array(3), geometry, false), RangeError, /dy/],
    ['raw: global zero positions', () => native.globalAvgPoolForward(new Float32Array(6), x.data, 2, 0, 3, false), RangeError, /S/],
    ['raw: global NaN batch', () => native.globalMaxPoolForward(new Float32Array(6), x.data, NaN, 36, 3, false), RangeError, /N/],
    ['raw: global huge overflow', () => native.globalAvgPoolForward(new Float32Array(6), x.data, 2 ** 30, 2 ** 30, 2 ** 30, false), RangeError, /at most|overflow/],
    ['raw: global short x', () => native.globalMaxPoolBackward(x.data.slice(), new Float32Array(6), new Float32Array(5), 2, 36, 3, false), RangeError, /x/],
    ['raw: global async not boolean', () => native.globalAvgPoolBackward(x.data.slice(), new Float32Array(6), 2, 36, 3, 'yes' as never), TypeError, /async/],
  ];
  for (const [name, call, type, message] of cases) {
    it(name, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }
});
