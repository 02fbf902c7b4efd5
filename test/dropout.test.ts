// Dropout: the reference Philox against Random123's known answers; the native mask equal to the
// reference mask element for element (every size 1..70 and multi-chunk sizes, every ISA, 1 and 2
// threads); kept fractions statistically close to 1 - rate; the backward pass and its finite
// differences; bad-input tables for the ops and the raw addon.
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { native } from '../lib/native';
import { expectClose, forEachIsa } from './helpers/compare';
import { TestRandom } from './helpers/random';
import { dropoutMask64, philox4x32_10 } from './reference/dropout';

const threadsAtStart = fg.getNumThreads();
afterAll(() => fg.setNumThreads(threadsAtStart));

function forEachThreads(body: (threads: number) => void): void {
  for (const threads of [1, 2]) {
    fg.setNumThreads(threads);
    body(threads);
  }
  fg.setNumThreads(threadsAtStart);
}

describe('Philox4x32-10 reference', () => {
  it("matches Random123's known-answer vectors", () => {
    expect(philox4x32_10([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    expect(philox4x32_10([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))
      .toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
    expect(philox4x32_10([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))
      .toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
  });
});

describe('dropout', () => {
  it('draws exactly the reference mask for every size, ISA and thread count', () => {
    const random = new TestRandom(51);
    const sizes = [...Array.from({ length: 70 }, (_, i) => i + 1), 1000, 50003];
    const expected = new Map(sizes.map((size) => [size, dropoutMask64(size, 0.3, 987654321)]));
    forEachIsa(fg, (isa) => forEachThreads((threads) => {
      for (const size of sizes) {
        const x = fg.tensor(random.floats(size, -5, 5), [size]);
        const { output, mask } = fg.ops.dropout(x, 0.3, 987654321);
        const context = `n=${size} ${isa} ${threads}t`;
        expect(Array.from(mask.data), `mask ${context}`).toEqual(Array.from(expected.get(size)!));
        expectClose(output.data, x.data.map((v, i) => v * mask.data[i]), `output ${context}`, 0, 0);
      }
    }));
  });

  it('uses the high half of the seed and differs between seeds', () => {
    const x = fg.ones([4096]);
    const seeds = [0, 1, 2 ** 32, 2 ** 53 - 1];
    const masks = seeds.map((seed) => fg.ops.dropout(x, 0.5, seed).mask.data);
    for (const [i, seed] of seeds.entries()) {
      expect(Array.from(masks[i]), `seed ${seed}`).toEqual(Array.from(dropoutMask64(4096, 0.5, seed)));
      for (let j = 0; j < i; ++j) expect(Array.from(masks[i])).not.toEqual(Array.from(masks[j]));
    }
    expect(Array.from(fg.ops.dropout(x, 0.5, 7).mask.data)).toEqual(Array.from(fg.ops.dropout(x, 0.5, 7).mask.data));
  });

  it('keeps a fraction close to 1 - rate and preserves the mean in expectation', () => {
    const n = 200000;
    const x = fg.ones([n]);
    for (const rate of [0, 0.1, 0.5, 0.9]) {
      const { output, mask } = fg.ops.dropout(x, rate, 42 + rate * 10);
      let kept = 0;
      let sum = 0;
      for (let i = 0; i < n; ++i) {
        if (mask.data[i] !== 0) kept += 1;
        sum += output.data[i];
      }
      const sigma = Math.sqrt(n * rate * (1 - rate));
      expect(Math.abs(kept - n * (1 - rate)), `kept at rate ${rate}`).toBeLessThanOrEqual(5 * sigma + 1e-9);
      const scale = Math.fround(1 / (1 - rate));
      expect(new Set(mask.data)).toEqual(new Set(rate === 0 ? [1] : [0, scale]));
      expect(Math.abs(sum / n - 1), `mean at rate ${rate}`).toBeLessThanOrEqual((5 * sigma * scale) / n + 1e-6);
    }
  });

  it('accepts rates just below 1 (the scale is formed in double)', () => {
    const { mask } = fg.ops.dropout(fg.ones([1000]), 1 - 1e-9, 5);
    expect(Array.from(mask.data)).toEqual(Array.from(dropoutMask64(1000, 1 - 1e-9, 5)));
    expect(mask.data.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('zeroes dropped inf and NaN, like Keras', () => {
    const x = fg.tensor(new Float32Array(64).fill(NaN), [64]);
    const { output, mask } = fg.ops.dropout(x, 0.5, 3);
    for (let i = 0; i < 64; ++i) expect(mask.data[i] === 0 ? output.data[i] === 0 : Number.isNaN(output.data[i])).toBe(true);
  });

  it('backpropagates through the mask, and matches central differences', () => {
    const random = new TestRandom(52);
    const x = fg.tensor(random.floats(60, -2, 2), [6, 10]);
    const { mask } = fg.ops.dropout(x, 0.4, 11);
    const dy = fg.tensor(random.floats(60), [6, 10]);
    const dx = fg.ops.dropoutGrad(dy, mask);
    // Dropped positions give +0 (not -0 for negative dy): the kernel selects rather than multiplies.
    expect(Array.from(dx.data)).toEqual(Array.from(dy.data.map((v, i) => (mask.data[i] === 0 ? 0 : v * mask.data[i]))));
    expect(dx.shape).toEqual([6, 10]);
    const mask64 = dropoutMask64(60, 0.4, 11);
    const result = fg.gradCheck(
      ([input]) => fg.ops.dropout(input, 0.4, 11).output,
      ([input], g) => [fg.ops.dropoutGrad(g, fg.ops.dropout(input, 0.4, 11).mask)],
      [x],
      { forward64: ([input]) => input.map((v, i) => v * mask64[i]) },
    );
    expect(result.ok, JSON.stringify(result.mismatches)).toBe(true);
  });

  it('has an async twin with the same mask', async () => {
    const x = fg.tensor(new TestRandom(53).floats(30000), [300, 100]);
    const sync = fg.ops.dropout(x, 0.25, 99);
    const later = await fg.ops.dropoutAsync(x, 0.25, 99);
    expect(Array.from(later.mask.data)).toEqual(Array.from(sync.mask.data));
    expect(later.output.shape).toEqual([300, 100]);
  });
});

describe('bad inputs', () => {
  const x = fg.tensor([1, 2, 3, 4], [2, 2]);
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['x not a tensor', () => fg.ops.dropout(new Float32Array(4) as never, 0.5, 1), TypeError, /x/],
    ['rate 1', () => fg.ops.dropout(x, 1, 1), RangeError, /rate/],
    ['rate negative', () => fg.ops.dropout(x, -0.1, 1), RangeError, /rate/],
    ['rate NaN', () => fg.ops.dropout(x, NaN, 1), RangeError, /rate/],
    ['rate a string', () => fg.ops.dropout(x, '0.5' as never, 1), TypeError, /rate/],
    ['seed fractional', () => fg.ops.dropout(x, 0.5, 1.5), RangeError, /seed/],
    ['seed negative', () => fg.ops.dropout(x, 0.5, -1), RangeError, /seed/],
    ['seed beyond 2^53', () => fg.ops.dropout(x, 0.5, 2 ** 53), RangeError, /seed/],
    ['seed missing', () => (fg.ops.dropout as (...a: unknown[]) => unknown)(x, 0.5), TypeError, /seed/],
    ['grad mask shape mismatch', () => fg.ops.dropoutGrad(x, fg.tensor([1, 2, 3, 4], [4])), RangeError, /mask/],
    ['grad dy not a tensor', () => fg.ops.dropoutGrad(null as never, x), TypeError, /dy/],
  ];
  it.each(cases)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  const f = (n: number) => new Float32Array(n);
  const raw: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['rate 1', () => native.dropoutForward(f(4), f(4), f(4), 1, 0, false), RangeError, /rate/],
    ['seed negative', () => native.dropoutForward(f(4), f(4), f(4), 0.5, -1, false), RangeError, /seed/],
    ['seed beyond 2^53', () => native.dropoutForward(f(4), f(4), f(4), 0.5, 2 ** 53, false), RangeError, /seed/],
    ['mask short', () => native.dropoutForward(f(4), f(3), f(4), 0.5, 0, false), RangeError, /mask/],
    ['out a Float64Array', () => native.dropoutForward(new Float64Array(4) as never, f(4), f(4), 0.5, 0, false), TypeError, /out/],
    ['backward mask short', () => native.dropoutBackward(f(4), f(4), f(3), false), RangeError, /mask/],
    ['backward argument count', () => (native.dropoutBackward as (...a: unknown[]) => unknown)(f(4), f(4), f(4)), TypeError, /expected 4 arguments/],
  ];
  it.each(raw)('raw binding: %s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
