// SGEMM through the public API (fg.ops.matMul / matMulAsync) and the raw `sgemm` binding, against
// the float64 reference, on every ISA the machine runs and on 1 and 2 threads; plus the bad-input
// tables that must throw TypeError/RangeError before any native code reads out of bounds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { native } from '../lib/native';
import { expectClose, forEachIsa } from './helpers/compare';
import { TestRandom } from './helpers/random';
import { gemmReference, gemmTolerance } from './reference/gemm';

interface Shape {
  M: number;
  N: number;
  K: number;
  transposeA: boolean;
  transposeB: boolean;
}

// Edge sizes around the register tiles (4x8, 6x16, 14x32, 8x12), the K block (384 on AVX-512,
// 256 elsewhere), the M block and the direct-path threshold (64^3), then seeded random shapes.
function shapes(): Shape[] {
  const fixed: [number, number, number][] = [
    [1, 1, 1], [1, 33, 7], [13, 31, 9], [14, 32, 64], [15, 33, 65], [27, 17, 255], [29, 64, 256],
    [6, 16, 257], [31, 5, 383], [5, 31, 384], [9, 47, 385], [113, 65, 70], [230, 40, 30], [3, 700, 20],
    [64, 64, 64], [65, 63, 64], [4, 8, 800],
  ];
  const random = new TestRandom(20240611);
  const list: Shape[] = fixed.map(([M, N, K], index) => ({ M, N, K, transposeA: (index & 1) === 1, transposeB: (index & 2) === 2 }));
  for (let i = 0; i < 12; ++i) {
    list.push({ M: random.int(1, 120), N: random.int(1, 120), K: random.int(1, 300), transposeA: random.next() < 0.5, transposeB: random.next() < 0.5 });
  }
  return list;
}

function describeShape(s: Shape): string {
  return `M=${s.M} N=${s.N} K=${s.K} tA=${s.transposeA} tB=${s.transposeB}`;
}

function operands(s: Shape, seed: number): { a: fg.Tensor; b: fg.Tensor } {
  const random = new TestRandom(seed);
  const a = new fg.Tensor(random.floats(s.M * s.K), s.transposeA ? [s.K, s.M] : [s.M, s.K]);
  const b = new fg.Tensor(random.floats(s.K * s.N), s.transposeB ? [s.N, s.K] : [s.K, s.N]);
  return { a, b };
}

const defaultThreads = fg.getNumThreads();

describe('matMul vs the float64 reference', () => {
  afterAll(() => fg.setNumThreads(defaultThreads));

  it('agrees on every ISA, with 1 and 2 threads, and the thread count does not change the bits', () => {
    const cases = shapes().map((s, index) => {
      const { a, b } = operands(s, 1000 + index);
      return { s, a, b, expected: gemmReference(a.data, b.data, s.M, s.N, s.K, s.transposeA, s.transposeB) };
    });
    let isas = 0;
    forEachIsa(fg, (isa) => {
      isas += 1;
      for (const { s, a, b, expected } of cases) {
        const results: Float32Array[] = [];
        for (const threads of [1, 2]) {
          fg.setNumThreads(threads);
          const out = fg.ops.matMul(a, b, s.transposeA, s.transposeB);
          expect(out.shape).toEqual([s.M, s.N]);
          const { atol, rtol } = gemmTolerance(s.K);
          expectClose(out.data, expected, `${isa} threads=${threads} ${describeShape(s)}`, atol, rtol);
          results.push(out.data);
        }
        expect(Buffer.from(results[0].buffer).equals(Buffer.from(results[1].buffer)), `${isa} ${describeShape(s)}: 1 vs 2 threads`).toBe(true);
      }
    });
    expect(isas).toBeGreaterThanOrEqual(1);
  });

  it('handles a product big enough for the blocked, threaded path (all transposes)', () => {
    const random = new TestRandom(77);
    for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const s: Shape = { M: 150, N: 97, K: 420, transposeA, transposeB };
      const { a, b } = operands(s, random.int(1, 1e6));
      const expected = gemmReference(a.data, b.data, s.M, s.N, s.K, transposeA, transposeB);
      const { atol, rtol } = gemmTolerance(s.K);
      forEachIsa(fg, (isa) => {
        fg.setNumThreads(2);
        expectClose(fg.ops.matMul(a, b, transposeA, transposeB).data, expected, `${isa} ${describeShape(s)}`, atol, rtol);
      });
    }
  });

  it('returns zeros for K = 0 and empty tensors for M = 0', () => {
    const out = fg.ops.matMul(fg.zeros([3, 0]), fg.zeros([0, 4]));
    expect(out.shape).toEqual([3, 4]);
    expect(Array.from(out.data)).toEqual(new Array(12).fill(0));
    expect(fg.ops.matMul(fg.zeros([0, 5]), fg.zeros([5, 2])).shape).toEqual([0, 2]);
  });
});

describe('raw sgemm binding', () => {
  it('computes alpha * op(A) op(B) + beta * C on every ISA', () => {
    const random = new TestRandom(5);
    forEachIsa(fg, (isa) => {
      for (const [M, N, K] of [[7, 9, 11], [40, 70, 300], [100, 33, 65]]) {
        for (const [transposeA, transposeB] of [[false, false], [true, true], [true, false], [false, true]] as const) {
          const a = random.floats(M * K);
          const b = random.floats(K * N);
          const c = random.floats(M * N);
          const alpha = -1.5;
          const beta = 0.75;
          const expected = gemmReference(a, b, M, N, K, transposeA, transposeB, alpha, beta, c);
          const result = native.sgemm(c, a, b, M, N, K, transposeA, transposeB, alpha, beta, false);
          expect(result).toBeUndefined();
          const { atol, rtol } = gemmTolerance(K, alpha);
          expectClose(c, expected, `${isa} sgemm M=${M} N=${N} K=${K} tA=${transposeA} tB=${transposeB}`, atol, rtol);
        }
      }
    });
  });

  it('with beta = 0 ignores NaNs in C; with alpha = 0 reads neither A nor B', () => {
    const M = 70;
    const N = 70;
    const K = 70;
    const random = new TestRandom(9);
    const a = random.floats(M * K);
    const b = random.floats(K * N);
    forEachIsa(fg, (isa) => {
      const c = new Float32Array(M * N).fill(NaN);
      native.sgemm(c, a, b, M, N, K, false, false, 1, 0, false);
      expectClose(c, gemmReference(a, b, M, N, K), `${isa} beta=0 over NaN`, ...Object.values(gemmTolerance(K)) as [number, number]);
      const nanA = new Float32Array(M * K).fill(NaN);
      const c2 = new Float32Array(M * N).fill(2);
      native.sgemm(c2, nanA, b, M, N, K, false, false, 0, 0.5, false);
      expect(c2.every((value) => value === 1), `${isa} alpha=0`).toBe(true);
    });
  });
});

describe('async twins', () => {
  beforeAll(() => fg.setNumThreads(defaultThreads));

  it('matMulAsync gives the same bits as matMul', async () => {
    const s: Shape = { M: 90, N: 130, K: 200, transposeA: false, transposeB: true };
    const { a, b } = operands(s, 31);
    const sync = fg.ops.matMul(a, b, false, true);
    const promise = fg.ops.matMulAsync(a, b, false, true);
    expect(promise).toBeInstanceOf(Promise);
    const result = await promise;
    expect(result.shape).toEqual([90, 130]);
    expect(Buffer.from(result.data.buffer).equals(Buffer.from(sync.data.buffer))).toBe(true);
  });

  it('two concurrent async products both come out right', async () => {
    const first: Shape = { M: 200, N: 150, K: 180, transposeA: false, transposeB: false };
    const second: Shape = { M: 120, N: 220, K: 160, transposeA: true, transposeB: false };
    const x = operands(first, 41);
    const y = operands(second, 42);
    const [one, two] = await Promise.all([
      fg.ops.matMulAsync(x.a, x.b),
      fg.ops.matMulAsync(y.a, y.b, true, false),
    ]);
    expectClose(one.data, gemmReference(x.a.data, x.b.data, 200, 150, 180), 'concurrent first', ...Object.values(gemmTolerance(180)) as [number, number]);
    expectClose(two.data, gemmReference(y.a.data, y.b.data, 120, 220, 160, true), 'concurrent second', ...Object.values(gemmTolerance(160)) as [number, number]);
  });

  it('the raw binding returns a Promise when async and rejects nothing valid', async () => {
    const c = new Float32Array(4);
    const pending = native.sgemm(c, Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 0, 0, 1), 2, 2, 2, false, false, 1, 0, true);
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(Array.from(c)).toEqual([1, 2, 3, 4]);
  });

  it('matMulAsync validates synchronously-shaped inputs and rejects with the same errors', async () => {
    await expect(fg.ops.matMulAsync(fg.zeros([2, 3]), fg.zeros([4, 2]))).rejects.toThrow(RangeError);
  });
});

describe('bad inputs', () => {
  const t23 = fg.zeros([2, 3]);
  const t32 = fg.zeros([3, 2]);
  const table: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['a not a Tensor', () => fg.ops.matMul([[1, 2]] as never, t32), TypeError, /Tensor for a/],
    ['b not a Tensor', () => fg.ops.matMul(t23, new Float32Array(6) as never), TypeError, /Tensor for b/],
    ['a of rank 1', () => fg.ops.matMul(fg.zeros([6]), t32), RangeError, /rank 2 for a/],
    ['b of rank 3', () => fg.ops.matMul(t23, fg.zeros([3, 2, 1])), RangeError, /rank 2 for b/],
    ['inner dimensions differ', () => fg.ops.matMul(t23, t23), RangeError, /inner dimension 3/],
    ['inner dimensions differ after transposeA', () => fg.ops.matMul(t23, t32, true), RangeError, /inner dimension 2/],
    ['transposeA not a boolean', () => fg.ops.matMul(t23, t32, 1 as never), TypeError, /boolean for transposeA/],
    ['transposeB not a boolean', () => fg.ops.matMul(t23, t32, false, 'yes' as never), TypeError, /boolean for transposeB/],
    ['output too large', () => fg.ops.matMul(fg.zeros([70000, 0]), fg.zeros([0, 70000])), RangeError, /at most/],
  ];
  for (const [name, call, type, message] of table) {
    it(`matMul: ${name}`, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }

  // The raw binding re-checks everything in C++: these reach native code without the TS checks.
  const c = new Float32Array(6);
  const a = new Float32Array(6);
  const b = new Float32Array(9);
  const raw = (...args: unknown[]) => () => (native.sgemm as unknown as (...x: unknown[]) => unknown)(...args);
  const rawTable: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['too few arguments', raw(c, a, b, 2, 3, 3), TypeError, /expected 11 arguments/],
    ['c not a Float32Array', raw(new Float64Array(6), a, b, 2, 3, 3, false, false, 1, 0, false), TypeError, /c must be a Float32Array/],
    ['a an array', raw(c, [1, 2, 3, 4, 5, 6], b, 2, 3, 3, false, false, 1, 0, false), TypeError, /a must be a Float32Array/],
    ['b short', raw(c, a, new Float32Array(8), 2, 3, 3, false, false, 1, 0, false), RangeError, /b must be a Float32Array of length 9/],
    ['b long', raw(c, a, new Float32Array(10), 2, 3, 3, false, false, 1, 0, false), RangeError, /b must be a Float32Array of length 9/],
    ['c short', raw(new Float32Array(5), a, b, 2, 3, 3, false, false, 1, 0, false), RangeError, /c must be a Float32Array of length 6/],
    ['a short for its dims', raw(c, new Float32Array(5), b, 2, 3, 3, false, false, 1, 0, false), RangeError, /a must be/],
    ['negative M', raw(c, a, b, -2, 3, 3, false, false, 1, 0, false), RangeError, /M must be an integer in \[0/],
    ['fractional N', raw(c, a, b, 2, 2.5, 3, false, false, 1, 0, false), RangeError, /N must be an integer/],
    ['NaN K', raw(c, a, b, 2, 3, NaN, false, false, 1, 0, false), RangeError, /K must be an integer/],
    ['huge K', raw(c, a, b, 2, 3, 2 ** 53, false, false, 1, 0, false), RangeError, /K must be an integer/],
    ['overflowing product', raw(c, a, b, 2 ** 30, 2 ** 30, 3, false, false, 1, 0, false), RangeError, /at most/],
    ['M a string', raw(c, a, b, '2', 3, 3, false, false, 1, 0, false), TypeError, /M must be an integer/],
    ['transposeA a number', raw(c, a, b, 2, 3, 3, 0, false, 1, 0, false), TypeError, /transposeA must be a boolean/],
    ['NaN alpha', raw(c, a, b, 2, 3, 3, false, false, NaN, 0, false), RangeError, /alpha must be a finite number/],
    ['infinite beta', raw(c, a, b, 2, 3, 3, false, false, 1, Infinity, false), RangeError, /beta must be a finite number/],
    ['async not a boolean', raw(c, a, b, 2, 3, 3, false, false, 1, 0, 'no'), TypeError, /async must be a boolean/],
  ];
  for (const [name, call, type, message] of rawTable) {
    it(`raw sgemm: ${name}`, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }
});
