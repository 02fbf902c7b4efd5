// Activations and softmax vs float64 references on every ISA the machine runs, 1 and 2 threads,
// every count from 1 to 70 (all vector tails) and multi-chunk sizes; ulp accuracy of the vector exp
// paths; finite differences for every backward; the bad-input tables for the ops and the raw addon.
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { native } from '../lib/native';
import { expectClose, forEachIsa } from './helpers/compare';
import { TestRandom } from './helpers/random';
import { Kind, activation64, activationGrad64, softmax64, softmaxGrad64 } from './reference/activation';

const KINDS: Kind[] = ['linear', 'relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh'];
const ALPHA: Record<Kind, number> = { linear: 0, relu: 0, leakyRelu: 0.2, elu: 1.3, sigmoid: 0, tanh: 0 };
const SIZES = [...Array.from({ length: 70 }, (_, i) => i + 1), 1000, 70001];
const threadsAtStart = fg.getNumThreads();

function forEachThreads(body: (threads: number) => void): void {
  for (const threads of [1, 2]) {
    fg.setNumThreads(threads);
    body(threads);
  }
  fg.setNumThreads(threadsAtStart);
}

/** Distance in float32 ulps between a float32 result and the exact value. */
function ulpError(actual: number, exact: number): number {
  if (Number.isNaN(exact)) return Number.isNaN(actual) ? 0 : Infinity;
  const magnitude = Math.abs(Math.fround(exact));
  const exponent = magnitude >= 2 ** -126 ? Math.floor(Math.log2(magnitude)) : -126;
  // Math.log2 can land one off at exact powers of two; the spacing below corrects nothing else.
  const spacing = 2 ** (Math.max(exponent, -126) - 23);
  return Math.abs(actual - exact) / spacing;
}

afterAll(() => fg.setNumThreads(threadsAtStart));

describe('activations', () => {
  it('match the float64 reference for every kind, size, ISA and thread count', () => {
    const random = new TestRandom(1);
    forEachIsa(fg, (isa) => forEachThreads((threads) => {
      for (const kind of KINDS) {
        for (const size of SIZES) {
          const x = fg.tensor(random.floats(size, -6, 6), [size]);
          const context = `${kind} n=${size} ${isa} ${threads}t`;
          const y = fg.ops.activation(kind, x, ALPHA[kind]);
          expectClose(y.data, activation64(kind, ALPHA[kind], x.data), `forward ${context}`, 1e-6, 2e-6);
          const dy = fg.tensor(random.floats(size), [size]);
          const dx = fg.ops.activationGrad(kind, dy, y, ALPHA[kind]);
          expectClose(dx.data, activationGrad64(kind, ALPHA[kind], dy.data, y.data), `backward ${context}`, 1e-6, 2e-6);
        }
      }
    }));
  });

  it('stay within 4 ulp of exact for the exp-based kinds over a dense sweep', () => {
    const count = 40001;
    const values = new Float32Array(count);
    for (let i = 0; i < count; ++i) values[i] = -30 + (60 * i) / (count - 1);
    // Plus small magnitudes, where exp(x) - 1 would cancel.
    const small = Float32Array.from({ length: 200 }, (_, i) => -(2 ** -(i % 40)) * (1 + i / 1000));
    forEachIsa(fg, (isa) => {
      for (const kind of ['elu', 'sigmoid', 'tanh'] as const) {
        for (const input of [values, small]) {
          const y = fg.ops.activation(kind, fg.tensor(input, [input.length]), 1);
          const exact = activation64(kind, 1, input);
          let worst = 0;
          let where = 0;
          for (let i = 0; i < input.length; ++i) {
            if (Math.abs(exact[i]) < 2 ** -126) continue;  // denormal results: checked by absolute tolerance above
            const error = ulpError(y.data[i], exact[i]);
            if (error > worst) [worst, where] = [error, input[i]];
          }
          expect(worst, `${kind} on ${isa}: worst ${worst.toFixed(2)} ulp at x=${where}`).toBeLessThanOrEqual(4);
        }
      }
    });
  });

  it('propagate NaN, saturate without overflow and give exact limits', () => {
    forEachIsa(fg, (isa) => {
      const x = fg.tensor([NaN, -1e4, 1e4, -100, 100, 0], [6]);
      for (const kind of KINDS) {
        const y = fg.ops.activation(kind, x, ALPHA[kind]);
        expect(Number.isNaN(y.data[0]), `${kind} NaN on ${isa}`).toBe(true);
        for (let i = 1; i < 6; ++i) expect(Number.isFinite(y.data[i]), `${kind} finite at ${x.data[i]} on ${isa}`).toBe(true);
      }
      expect(Array.from(fg.ops.sigmoid(x).data.slice(1, 3))).toEqual([0, 1]);
      expect(Array.from(fg.ops.tanh(x).data.slice(1, 3))).toEqual([-1, 1]);
      expect(fg.ops.elu(x).data[1]).toBe(-1);
    });
  });

  it('work in place through the raw binding (out === x, dx === dy)', () => {
    const random = new TestRandom(2);
    forEachIsa(fg, (isa) => {
      for (const [index, kind] of KINDS.entries()) {
        const x = random.floats(37, -3, 3);
        const expected = activation64(kind, ALPHA[kind], x);
        const buffer = Float32Array.from(x);
        native.activationForward(buffer, buffer, index, ALPHA[kind], false);
        expectClose(buffer, expected, `${kind} in place on ${isa}`, 1e-6, 2e-6);
        const dy = random.floats(37);
        const expectedDx = activationGrad64(kind, ALPHA[kind], dy, buffer);
        native.activationBackward(dy, dy, buffer, index, ALPHA[kind], false);
        expectClose(dy, expectedDx, `${kind} backward in place on ${isa}`, 1e-6, 2e-6);
      }
    });
  });

  it('have backward passes that match central differences (kinks avoided)', () => {
    const random = new TestRandom(3);
    for (const kind of KINDS) {
      // |x| >= 0.1 keeps every probe of relu / leaky / elu on one side of the kink at 0.
      const values = random.floats(40, 0.1, 3).map((v, i) => (i % 2 === 0 ? v : -v));
      const x = fg.tensor(values, [40]);
      const result = fg.gradCheck(
        ([input]) => fg.ops.activation(kind, input, ALPHA[kind]),
        ([input], dy) => [fg.ops.activationGrad(kind, dy, fg.ops.activation(kind, input, ALPHA[kind]), ALPHA[kind])],
        [x],
        { forward64: ([input]) => activation64(kind, ALPHA[kind], input) },
      );
      expect(result.ok, `${kind}: ${JSON.stringify(result.mismatches)}`).toBe(true);
    }
  });

  it('offer the TF.js shorthands with TF.js defaults', () => {
    const x = fg.tensor([-2, -0.5, 0.5, 2], [2, 2]);
    expect(fg.ops.relu(x).arraySync()).toEqual([[0, 0], [0.5, 2]]);
    expectClose(fg.ops.leakyRelu(x).data, [-0.4, -0.1, 0.5, 2], 'leakyRelu default alpha 0.2');
    expectClose(fg.ops.elu(x).data, [Math.expm1(-2), Math.expm1(-0.5), 0.5, 2], 'elu default alpha 1');
    expectClose(fg.ops.sigmoid(x).data, activation64('sigmoid', 0, x.data), 'sigmoid');
    expectClose(fg.ops.tanh(x).data, activation64('tanh', 0, x.data), 'tanh');
    const y = fg.ops.leakyRelu(x, 0.1);
    const dy = fg.ones([2, 2]);
    expectClose(fg.ops.leakyReluGrad(dy, y, 0.1).data, [0.1, 0.1, 1, 1], 'leakyReluGrad');
    expectClose(fg.ops.reluGrad(dy, fg.ops.relu(x)).data, [0, 0, 1, 1], 'reluGrad');
    expectClose(fg.ops.eluGrad(dy, fg.ops.elu(x)).data, activationGrad64('elu', 1, dy.data, fg.ops.elu(x).data), 'eluGrad');
    const s = fg.ops.sigmoid(x);
    expectClose(fg.ops.sigmoidGrad(dy, s).data, activationGrad64('sigmoid', 0, dy.data, s.data), 'sigmoidGrad');
    const t = fg.ops.tanh(x);
    expectClose(fg.ops.tanhGrad(dy, t).data, activationGrad64('tanh', 0, dy.data, t.data), 'tanhGrad');
    expect(y.shape).toEqual([2, 2]);
  });

  it('has an async twin with the same results', async () => {
    const x = fg.tensor(new TestRandom(4).floats(5000, -4, 4), [50, 100]);
    for (const kind of KINDS) {
      const y = await fg.ops.activationAsync(kind, x, ALPHA[kind]);
      expect(Array.from(y.data)).toEqual(Array.from(fg.ops.activation(kind, x, ALPHA[kind]).data));
      expect(y.shape).toEqual([50, 100]);
    }
  });
});

describe('softmax', () => {
  const SHAPES: [number, number][] = [...Array.from({ length: 70 }, (_, i): [number, number] => [2, i + 1]), [1, 1],
    [3, 100], [2, 1000], [300, 10], [2000, 9]];

  it('matches the float64 reference, forward and backward, on every ISA and thread count', () => {
    const random = new TestRandom(5);
    forEachIsa(fg, (isa) => forEachThreads((threads) => {
      for (const [rows, classes] of SHAPES) {
        const logits = fg.tensor(random.floats(rows * classes, -10, 10), [rows, classes]);
        const y = fg.ops.softmax(logits);
        const context = `${rows}x${classes} ${isa} ${threads}t`;
        expectClose(y.data, softmax64(logits.data, rows, classes), `softmax ${context}`, 1e-7, 1e-5);
        const dy = fg.tensor(random.floats(rows * classes), [rows, classes]);
        expectClose(fg.ops.softmaxGrad(dy, y).data, softmaxGrad64(dy.data, y.data, rows, classes), `softmaxGrad ${context}`,
          1e-6, 1e-4);
      }
    }));
  });

  it('is finite and exact at the limits for logits of +-1e4', () => {
    forEachIsa(fg, (isa) => {
      const logits = fg.tensor([1e4, -1e4, 0, 1e4, 1e4, -1e4, -1e4, -1e4, -1e4], [3, 3]);
      const y = fg.ops.softmax(logits);
      expect(Array.from(y.data), isa).toEqual([1, 0, 0, 0.5, 0.5, 0, 1 / 3, 1 / 3, 1 / 3].map(Math.fround));
    });
  });

  it('works on the last axis of any rank, in place through the raw binding, and async', async () => {
    const random = new TestRandom(6);
    const logits = fg.tensor(random.floats(2 * 3 * 5, -3, 3), [2, 3, 5]);
    const y = fg.ops.softmax(logits, 2);
    expect(y.shape).toEqual([2, 3, 5]);
    expectClose(y.data, softmax64(logits.data, 6, 5), 'rank 3');
    const buffer = Float32Array.from(logits.data);
    native.softmaxForward(buffer, buffer, 6, 5, false);
    expect(Array.from(buffer)).toEqual(Array.from(y.data));
    expect(Array.from((await fg.ops.softmaxAsync(logits)).data)).toEqual(Array.from(y.data));
    expect(fg.ops.softmax(fg.tensor(new Float32Array(0), [4, 0])).shape).toEqual([4, 0]);
  });

  it('has a backward pass that matches central differences', () => {
    const logits = fg.tensor(new TestRandom(7).floats(4 * 6, -2, 2), [4, 6]);
    const result = fg.gradCheck(
      ([x]) => fg.ops.softmax(x),
      ([x], dy) => [fg.ops.softmaxGrad(dy, fg.ops.softmax(x))],
      [logits],
      { forward64: ([x]) => softmax64(x, 4, 6) },
    );
    expect(result.ok, JSON.stringify(result.mismatches)).toBe(true);
  });
});

describe('bad inputs', () => {
  const x = fg.tensor([1, 2, 3, 4], [2, 2]);
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['unknown kind', () => fg.ops.activation('swish' as never, x), RangeError, /kind/],
    ['kind not a string', () => fg.ops.activation(3 as never, x), TypeError, /kind/],
    ['x not a tensor', () => fg.ops.activation('relu', [1, 2] as never), TypeError, /x/],
    ['negative leaky alpha', () => fg.ops.leakyRelu(x, -0.1), RangeError, /alpha/],
    ['NaN alpha', () => fg.ops.elu(x, NaN), RangeError, /alpha/],
    ['infinite alpha', () => fg.ops.elu(x, Infinity), RangeError, /alpha/],
    ['huge alpha', () => fg.ops.leakyRelu(x, 1e300), RangeError, /alpha/],
    ['alpha a string', () => fg.ops.leakyRelu(x, '0.2' as never), TypeError, /alpha/],
    ['grad shape mismatch', () => fg.ops.reluGrad(x, fg.tensor([1, 2, 3, 4], [4])), RangeError, /y/],
    ['grad y not a tensor', () => fg.ops.sigmoidGrad(x, null as never), TypeError, /y/],
    ['softmax of a scalar', () => fg.ops.softmax(fg.tensor([1], [])), RangeError, /logits/],
    ['softmax on axis 0', () => fg.ops.softmax(x, 0), RangeError, /dim/],
    ['softmax dim out of range', () => fg.ops.softmax(x, 5), RangeError, /dim/],
    ['softmax dim not integer', () => fg.ops.softmax(x, 0.5), RangeError, /dim/],
    ['softmaxGrad shape mismatch', () => fg.ops.softmaxGrad(fg.tensor([1, 2], [2]), x), RangeError, /dy/],
  ];
  it.each(cases)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  const f = (n: number) => new Float32Array(n);
  const raw: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['wrong argument count', () => (native.activationForward as (...a: unknown[]) => unknown)(f(2), f(2), 1, 0), TypeError, /expected 5 arguments/],
    ['out a Float64Array', () => native.activationForward(new Float64Array(2) as never, f(2), 1, 0, false), TypeError, /out must be a Float32Array/],
    ['short out', () => native.activationForward(f(1), f(2), 1, 0, false), RangeError, /out must be a Float32Array of length 2/],
    ['kind out of range', () => native.activationForward(f(2), f(2), 6, 0, false), RangeError, /kind/],
    ['kind not integral', () => native.activationForward(f(2), f(2), 1.5, 0, false), RangeError, /kind/],
    ['negative alpha for leaky', () => native.activationForward(f(2), f(2), 2, -1, false), RangeError, /alpha/],
    ['NaN alpha', () => native.activationForward(f(2), f(2), 3, NaN, false), RangeError, /alpha/],
    ['alpha too big for float', () => native.activationForward(f(2), f(2), 3, 1e39, false), RangeError, /alpha/],
    ['async not boolean', () => native.activationForward(f(2), f(2), 1, 0, 1 as never), TypeError, /async/],
    ['backward y short', () => native.activationBackward(f(3), f(3), f(2), 1, 0, false), RangeError, /y must be/],
    ['softmax zero classes', () => native.softmaxForward(f(0), f(0), 2, 0, false), RangeError, /classes/],
    ['softmax size mismatch', () => native.softmaxForward(f(6), f(5), 2, 3, false), RangeError, /logits/],
    ['softmax negative rows', () => native.softmaxForward(f(0), f(0), -1, 3, false), RangeError, /rows/],
    ['softmax huge dims', () => native.softmaxForward(f(0), f(0), 2 ** 40, 2 ** 10, false), RangeError, /elements|overflow/],
    ['softmax backward dx short', () => native.softmaxBackward(f(5), f(6), f(6), 2, 3, false), RangeError, /dx/],
  ];
  it.each(raw)('raw binding: %s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
