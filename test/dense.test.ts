// Dense forward/backward against a float64 reference and finite differences, on every ISA and
// thread count, plus the bad-input table of the public ops and the raw bindings.
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { native } from '../lib/native';
import { expectClose, forEachIsa } from './helpers/compare';
import { TestRandom } from './helpers/random';
import { denseReference } from './reference/dense';

const defaultThreads = fg.getNumThreads();
afterAll(() => fg.setNumThreads(defaultThreads));

describe('dense forward', () => {
  const random = new TestRandom(7);
  const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [17, 33, 10], [64, 128, 65], [130, 9, 3], [5, 300, 1]];
  for (const threads of [1, 2]) {
    for (const [N, I, U] of shapes) {
      it(`N=${N} I=${I} U=${U} threads=${threads}`, () => {
        fg.setNumThreads(threads);
        const x = fg.tensor(random.floats(N * I), [N, I]);
        const w = fg.tensor(random.floats(I * U), [I, U]);
        const b = fg.tensor(random.floats(U), [U]);
        forEachIsa(fg, (isa) => {
          const expected = denseReference(x.data, w.data, b.data, N, I, U);
          expectClose(fg.ops.dense(x, w, b).data, expected, `dense ${N}x${I}x${U} ${isa}`, 1e-5, 1e-4 * Math.sqrt(I));
          expectClose(fg.ops.dense(x, w).data, denseReference(x.data, w.data, null, N, I, U), `dense nobias ${isa}`, 1e-5, 1e-4 * Math.sqrt(I));
        });
      });
    }
  }

  it('async twin matches sync', async () => {
    const x = fg.tensor(random.floats(40 * 30), [40, 30]);
    const w = fg.tensor(random.floats(30 * 20), [30, 20]);
    const b = fg.tensor(random.floats(20), [20]);
    const [first, second] = await Promise.all([fg.ops.denseAsync(x, w, b), fg.ops.denseAsync(x, w, b)]);
    expect(Array.from(first.data)).toEqual(Array.from(fg.ops.dense(x, w, b).data));
    expect(Array.from(second.data)).toEqual(Array.from(first.data));
  });
});

describe('dense backward', () => {
  const random = new TestRandom(11);
  for (const [N, I, U] of [[2, 3, 4], [7, 13, 5], [16, 40, 33]] as [number, number, number][]) {
    it(`gradCheck N=${N} I=${I} U=${U}`, () => {
      const inputs = [fg.tensor(random.floats(N * I), [N, I]), fg.tensor(random.floats(I * U), [I, U]), fg.tensor(random.floats(U), [U])];
      forEachIsa(fg, (isa) => {
        const result = fg.gradCheck(
          ([x, w, b]) => fg.ops.dense(x, w, b),
          ([x, w], dy) => {
            const g = fg.ops.denseGrad(dy, x, w);
            return [g.dx, g.dKernel, g.dBias];
          },
          inputs,
          { forward64: ([x, w, b]) => denseReference(x, w, b, N, I, U) },
        );
        expect(result.mismatches, `${isa}`).toEqual([]);
        expect(result.checked).toBeGreaterThan(0);
      });
    });
  }

  it('accumulates into dw and dbias when asked', () => {
    const [N, I, U] = [4, 3, 2];
    const x = random.floats(N * I);
    const w = random.floats(I * U);
    const dy = random.floats(N * U);
    const dw = new Float32Array(I * U).fill(1);
    const db = new Float32Array(U).fill(2);
    native.denseBackward(null, dw, db, dy, x, w, N, I, U, true, false);
    const fresh = fg.ops.denseGrad(fg.tensor(dy, [N, U]), fg.tensor(x, [N, I]), fg.tensor(w, [I, U]));
    expectClose(dw, Array.from(fresh.dKernel.data, (v) => v + 1), 'dw accumulated');
    expectClose(db, Array.from(fresh.dBias.data, (v) => v + 2), 'db accumulated');
  });
});

describe('dense bad input', () => {
  const x = fg.tensor(new Float32Array(6), [2, 3]);
  const w = fg.tensor(new Float32Array(12), [3, 4]);
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['x not a tensor', () => fg.ops.dense([1, 2] as never, w), TypeError, /x/],
    ['x wrong rank', () => fg.ops.dense(fg.tensor(new Float32Array(6), [6]), w), RangeError, /rank 2/],
    ['kernel mismatch', () => fg.ops.dense(x, fg.tensor(new Float32Array(8), [2, 4])), RangeError, /kernel/],
    ['bias mismatch', () => fg.ops.dense(x, w, fg.tensor(new Float32Array(3), [3])), RangeError, /bias/],
    ['dy mismatch', () => fg.ops.denseGrad(fg.tensor(new Float32Array(6), [2, 3]), x, w), RangeError, /dy/],
    ['raw: short out', () => native.denseForward(new Float32Array(7), x.data, w.data, null, 2, 3, 4, false), RangeError, /out/],
    ['raw: long x', () => native.denseForward(new Float32Array(8), new Float32Array(7), w.data, null, 2, 3, 4, false), RangeError, /x/],
    ['raw: negative dim', () => native.denseForward(new Float32Array(8), x.data, w.data, null, -2, 3, 4, false), RangeError, /N/],
    ['raw: NaN dim', () => native.denseForward(new Float32Array(8), x.data, w.data, null, NaN, 3, 4, false), RangeError, /N/],
    ['raw: huge dims overflow', () => native.denseForward(new Float32Array(8), x.data, w.data, null, 2 ** 40, 2 ** 40, 4, false), RangeError, /overflow|at most/],
    ['raw: Float64Array', () => native.denseForward(new Float64Array(8) as never, x.data, w.data, null, 2, 3, 4, false), TypeError, /Float32Array/],
    ['raw: string dim', () => native.denseForward(new Float32Array(8), x.data, w.data, null, '2' as never, 3, 4, false), TypeError, /integer/],
    ['raw: wrong bias length', () => native.denseForward(new Float32Array(8), x.data, w.data, new Float32Array(3), 2, 3, 4, false), RangeError, /bias/],
    ['raw: too few args', () => (native.denseForward as (...a: unknown[]) => unknown)(new Float32Array(8)), TypeError, /arguments/],
    ['raw: backward short dw', () => native.denseBackward(null, new Float32Array(11), null, new Float32Array(8), x.data, w.data, 2, 3, 4, false, false), RangeError, /dw/],
  ];
  for (const [name, call, type, message] of cases) {
    it(name, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }
});
