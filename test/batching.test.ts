// Batching helpers: permutations (validity, reproducibility, uniformity), batch ranges, and
// gatherRows against a plain-loop reference on both copy paths, plus its bad-input table.
import { describe, expect, it } from 'vitest';
import { batchRanges, gatherRows, shuffle, shuffledIndices } from '../lib/data/batching';
import { data } from '../lib/data/index';
import { Random, setSeed } from '../lib/random';
import { TestRandom } from './helpers/random';

function isPermutation(indices: ArrayLike<number>): boolean {
  const seen = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; ++i) {
    const k = indices[i];
    if (!Number.isInteger(k) || k < 0 || k >= indices.length || seen[k]) return false;
    seen[k] = 1;
  }
  return true;
}

function gatherReference(source: Float32Array, rowSize: number, indices: ArrayLike<number>, start: number, count: number): Float32Array {
  const out = new Float32Array(count * rowSize);
  for (let b = 0; b < count; ++b) {
    for (let k = 0; k < rowSize; ++k) out[b * rowSize + k] = source[indices[start + b] * rowSize + k];
  }
  return out;
}

describe('shuffledIndices / shuffle', () => {
  it('returns a permutation, reproducible from the seed', () => {
    for (const n of [0, 1, 2, 7, 1000, 60_000]) {
      const indices = shuffledIndices(n, new Random(5));
      expect(indices).toBeInstanceOf(Uint32Array);
      expect(indices.length).toBe(n);
      expect(isPermutation(indices), `n=${n}`).toBe(true);
      expect(Array.from(shuffledIndices(n, new Random(5)))).toEqual(Array.from(indices));
    }
    const a = shuffledIndices(1000, new Random(5));
    const b = shuffledIndices(1000, new Random(6));
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('uses the global generator by default, so setSeed reproduces it', () => {
    setSeed(77);
    const first = Array.from(shuffledIndices(500));
    setSeed(77);
    expect(Array.from(data.shuffledIndices(500))).toEqual(first);
  });

  it('gives every permutation of 4 items the same probability (chi-square, 24 cells)', () => {
    const random = new Random(9);
    const counts = new Map<string, number>();
    const trials = 48_000;
    const indices = new Uint32Array(4);
    for (let t = 0; t < trials; ++t) {
      indices.set([0, 1, 2, 3]);
      const key = shuffle(indices, random).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    const expected = trials / 24;
    const chiSquare = [...counts.values()].reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(57.6); // 23 degrees of freedom: p = 1e-4
  });

  it('shuffles arrays and Int32Arrays in place, reusing the same buffer each epoch', () => {
    const plain = [10, 20, 30, 40, 50];
    expect(shuffle(plain, new Random(1))).toBe(plain);
    expect([...plain].sort((x, y) => x - y)).toEqual([10, 20, 30, 40, 50]);
    const epoch = new Int32Array([0, 1, 2, 3, 4, 5, 6, 7]);
    const seen = new Set<string>();
    const random = new Random(2);
    for (let e = 0; e < 5; ++e) seen.add(shuffle(epoch, random).join(','));
    expect(seen.size).toBeGreaterThan(1);
    expect(isPermutation(epoch)).toBe(true);
  });

  it('rejects bad arguments', () => {
    expect(() => shuffledIndices(-1)).toThrow(RangeError);
    expect(() => shuffledIndices(1.5)).toThrow(/for n but received 1.5/);
    expect(() => shuffledIndices(NaN)).toThrow(RangeError);
    expect(() => shuffledIndices('3' as never)).toThrow(TypeError);
    expect(() => shuffledIndices(3, {} as never)).toThrow(/random/);
    expect(() => shuffledIndices(3, null as never)).toThrow(TypeError);
    expect(() => shuffle(new Float32Array(3) as never, new Random(1))).toThrow(/indices/);
  });
});

describe('batchRanges', () => {
  it('covers 0..n-1 in order with a short last batch', () => {
    expect(batchRanges(10, 3)).toEqual([{ start: 0, count: 3 }, { start: 3, count: 3 }, { start: 6, count: 3 }, { start: 9, count: 1 }]);
    expect(batchRanges(9, 3)).toEqual([{ start: 0, count: 3 }, { start: 3, count: 3 }, { start: 6, count: 3 }]);
    expect(batchRanges(2, 32)).toEqual([{ start: 0, count: 2 }]);
    expect(batchRanges(0, 32)).toEqual([]);
    const ranges = batchRanges(60_000, 128);
    expect(ranges.length).toBe(469);
    expect(ranges.reduce((acc, r) => acc + r.count, 0)).toBe(60_000);
    expect(ranges.at(-1)).toEqual({ start: 59_904, count: 96 });
  });

  it('rejects bad arguments', () => {
    expect(() => batchRanges(10, 0)).toThrow(/batchSize/);
    expect(() => batchRanges(10, NaN)).toThrow(RangeError);
    expect(() => batchRanges(-1, 3)).toThrow(/for n/);
    expect(() => batchRanges(10, '3' as never)).toThrow(TypeError);
  });
});

describe('gatherRows', () => {
  const random = new TestRandom(21);
  // Row sizes on both sides of the element-loop / subarray switch (32), MNIST's 784 and one-hot 10.
  for (const rowSize of [1, 10, 31, 32, 33, 784]) {
    it(`matches the reference, rowSize ${rowSize}`, () => {
      const rows = 57;
      const source = random.floats(rows * rowSize);
      const indices = shuffledIndices(rows, new Random(rowSize));
      const target = new Float32Array(16 * rowSize).fill(-7);
      for (const { start, count } of batchRanges(rows, 16)) {
        target.fill(-7);
        const view = gatherRows(source, rowSize, indices, start, count, target);
        expect(view.buffer).toBe(target.buffer);
        expect(view.length).toBe(count * rowSize);
        expect(Array.from(view)).toEqual(Array.from(gatherReference(source, rowSize, indices, start, count)));
        // Past the batch, the reused buffer is untouched.
        expect(target.subarray(count * rowSize).every((v) => v === -7)).toBe(true);
      }
    });
  }

  it('accepts plain arrays of indices and an empty batch', () => {
    const source = Float32Array.from({ length: 12 }, (_, i) => i);
    expect(Array.from(gatherRows(source, 3, [3, 0], 0, 2, new Float32Array(6)))).toEqual([9, 10, 11, 0, 1, 2]);
    expect(gatherRows(source, 3, [3, 0], 2, 0, new Float32Array(0)).length).toBe(0);
  });

  it('rejects bad arguments, leaving the target untouched', () => {
    const source = new Float32Array(12); // 4 rows of 3
    const target = new Float32Array(6).fill(5);
    const cases: [string, () => unknown, typeof TypeError | typeof RangeError, RegExp][] = [
      ['source not Float32Array', () => gatherRows([1, 2, 3] as never, 3, [0], 0, 1, target), TypeError, /source/],
      ['source length', () => gatherRows(new Float32Array(10), 3, [0], 0, 1, target), RangeError, /multiple of rowSize 3/],
      ['rowSize 0', () => gatherRows(source, 0, [0], 0, 1, target), RangeError, /rowSize/],
      ['rowSize NaN', () => gatherRows(source, NaN, [0], 0, 1, target), RangeError, /rowSize/],
      ['indices not array', () => gatherRows(source, 3, 5 as never, 0, 1, target), TypeError, /indices/],
      ['start past end', () => gatherRows(source, 3, [0, 1], 3, 0, target), RangeError, /start/],
      ['count past end', () => gatherRows(source, 3, [0, 1], 1, 2, target), RangeError, /count/],
      ['negative count', () => gatherRows(source, 3, [0, 1], 0, -1, target), RangeError, /count/],
      ['target short', () => gatherRows(source, 3, [0, 1, 2], 0, 3, target), RangeError, /at least 9 values \(3 rows of 3\) for target/],
      ['target not Float32Array', () => gatherRows(source, 3, [0], 0, 1, new Float64Array(3) as never), TypeError, /target/],
      ['index too large', () => gatherRows(source, 3, [0, 4], 0, 2, target), RangeError, /\[0, 3\] for indices\[1\] but received 4/],
      ['index negative', () => gatherRows(source, 3, new Int32Array([1, -1]), 0, 2, target), RangeError, /indices\[1\]/],
      ['index fractional', () => gatherRows(source, 3, [0.5], 0, 1, target), RangeError, /indices\[0\]/],
      ['index NaN', () => gatherRows(source, 3, [NaN], 0, 1, target), RangeError, /indices\[0\]/],
      ['overlap', () => gatherRows(source, 3, [0], 0, 1, source.subarray(3)), RangeError, /overlap/],
    ];
    for (const [label, call, kind, message] of cases) {
      expect(call, label).toThrow(kind);
      expect(call, label).toThrow(message);
    }
    expect(target.every((v) => v === 5)).toBe(true);
    // A target in the same buffer but disjoint from the source is fine.
    const shared = new Float32Array(18);
    shared.set([1, 2, 3, 4, 5, 6], 0);
    expect(Array.from(gatherRows(shared.subarray(0, 6), 3, [1], 0, 1, shared.subarray(6)))).toEqual([4, 5, 6]);
  });
});
