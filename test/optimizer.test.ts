// Optimizer updates vs float64 references of Keras' rules over several steps, for odd sizes and
// sizes spanning several parallel chunks, on every ISA and 1 and 2 threads; Keras' own docstring
// examples as golden values; clipping; bad-input tables for the ops and the raw addon.
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { native } from '../lib/native';
import { expectClose, forEachIsa } from './helpers/compare';
import { TestRandom } from './helpers/random';
import { adam64, momentum64, rmsprop64, sgd64 } from './reference/optimizer';

const threadsAtStart = fg.getNumThreads();
afterAll(() => fg.setNumThreads(threadsAtStart));

function forEachThreads(body: (threads: number) => void): void {
  for (const threads of [1, 2]) {
    fg.setNumThreads(threads);
    body(threads);
  }
  fg.setNumThreads(threadsAtStart);
}

const SIZES = [...Array.from({ length: 70 }, (_, i) => i + 1), 1000, 40001];
const STEPS = 6;

describe('optimizer updates', () => {
  it('track float64 references of Keras over several steps (every ISA, 1 and 2 threads)', () => {
    const random = new TestRandom(31);
    forEachIsa(fg, (isa) => forEachThreads((threads) => {
      for (const size of SIZES) {
        const context = `n=${size} ${isa} ${threads}t`;
        const start = random.floats(size);
        const w = {
          sgd: Float32Array.from(start), momentum: Float32Array.from(start), nesterov: Float32Array.from(start),
          adam: Float32Array.from(start), adamw: Float32Array.from(start), rmsprop: Float32Array.from(start),
          rmspropFull: Float32Array.from(start),
        };
        const w64 = Object.fromEntries(Object.entries(w).map(([k, v]) => [k, Float64Array.from(v)])) as Record<keyof typeof w, Float64Array>;
        const zeros = () => new Float32Array(size);
        const zeros64 = () => new Float64Array(size);
        const state = { v: zeros(), vn: zeros(), m: zeros(), va: zeros(), mw: zeros(), vw: zeros(), vMax: zeros(),
          s: zeros(), s2: zeros(), u: zeros(), a: zeros() };
        const state64 = { v: zeros64(), vn: zeros64(), m: zeros64(), va: zeros64(), mw: zeros64(), vw: zeros64(),
          vMax: zeros64(), s: zeros64(), s2: zeros64(), u: zeros64(), a: zeros64() };
        for (let step = 1; step <= STEPS; ++step) {
          const g = random.floats(size, -2, 2);
          fg.ops.applySgd(w.sgd, g, { learningRate: 0.1 });
          sgd64(w64.sgd, g, 0.1);
          fg.ops.applyMomentum(w.momentum, state.v, g, { learningRate: 0.05, momentum: 0.9 });
          momentum64(w64.momentum, state64.v, g, 0.05, 0.9, false);
          fg.ops.applyMomentum(w.nesterov, state.vn, g, { learningRate: 0.05, momentum: 0.8, nesterov: true });
          momentum64(w64.nesterov, state64.vn, g, 0.05, 0.8, true);
          fg.ops.applyAdam(w.adam, state.m, state.va, g, { learningRate: 0.01, step });
          adam64(w64.adam, state64.m, state64.va, g, { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step, weightDecay: 0 });
          fg.ops.applyAdamW(w.adamw, state.mw, state.vw, g, { learningRate: 0.01, step, weightDecay: 0.05, vMax: state.vMax });
          adam64(w64.adamw, state64.mw, state64.vw, g,
            { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step, weightDecay: 0.05, vMax: state64.vMax });
          fg.ops.applyRmsprop(w.rmsprop, state.s, g, { learningRate: 0.01 });
          rmsprop64(w64.rmsprop, state64.s, g, { lr: 0.01, rho: 0.9, momentum: 0, epsilon: 1e-7 });
          fg.ops.applyRmsprop(w.rmspropFull, state.s2, g,
            { learningRate: 0.01, rho: 0.8, momentum: 0.5, centered: true, momentumBuffer: state.u, meanGradient: state.a });
          rmsprop64(w64.rmspropFull, state64.s2, g,
            { lr: 0.01, rho: 0.8, momentum: 0.5, epsilon: 1e-7, momentumBuffer: state64.u, meanGradient: state64.a });
        }
        for (const key of Object.keys(w) as (keyof typeof w)[]) {
          // Centered RMSprop divides by sqrt(s - a^2 + eps), which float32 rounding can make small.
          const rtol = key === 'rmspropFull' ? 1e-3 : 2e-5;
          expectClose(w[key], w64[key], `${key} ${context}`, 1e-5, rtol);
        }
        expectClose(state.m, state64.m, `Adam m ${context}`, 1e-6, 1e-5);
        expectClose(state.va, state64.va, `Adam v ${context}`, 1e-7, 1e-5);
        expectClose(state.vMax, state64.vMax, `AMSGrad vMax ${context}`, 1e-7, 1e-5);
      }
    }));
  });

  it('reproduce the Keras docstring examples', () => {
    // keras.optimizers.SGD(learning_rate=0.1, momentum=0.9) on loss = var^2 / 2 from var = 1.
    const w = fg.tensor([1], [1]);
    const velocity = new Float32Array(1);
    fg.ops.applyMomentum(w, velocity, Float32Array.from(w.data), { learningRate: 0.1, momentum: 0.9 });
    expect(w.data[0]).toBeCloseTo(0.9, 6);
    fg.ops.applyMomentum(w, velocity, Float32Array.from(w.data), { learningRate: 0.1, momentum: 0.9 });
    expect(w.data[0]).toBeCloseTo(0.72, 6);
    // keras.optimizers.RMSprop(learning_rate=0.1) on loss = var^2 / 2 from var = 10: 9.683772.
    const v = Float32Array.of(10);
    fg.ops.applyRmsprop(v, new Float32Array(1), Float32Array.from(v), { learningRate: 0.1 });
    expect(v[0]).toBeCloseTo(9.683772, 5);
  });

  it('clip gradients by norm or by value as Keras does', () => {
    const random = new TestRandom(32);
    forEachIsa(fg, (isa) => {
      for (const size of [1, 17, 40001]) {
        const g = random.floats(size, -3, 3);
        for (const clip of [{ clipNorm: 0.5 }, { clipNorm: 1e6 }, { clipValue: 0.7 }]) {
          const w = new Float32Array(size);
          const w64 = new Float64Array(size);
          fg.ops.applySgd(w, g, { learningRate: 1, ...clip });
          sgd64(w64, g, 1, clip);
          expectClose(w, w64, `SGD ${JSON.stringify(clip)} n=${size} ${isa}`, 1e-7, 1e-5);
          const m = new Float32Array(size);
          const v = new Float32Array(size);
          const wa = new Float32Array(size);
          const m64 = new Float64Array(size);
          const v64 = new Float64Array(size);
          const wa64 = new Float64Array(size);
          fg.ops.applyAdam(wa, m, v, g, { step: 1, ...clip });
          adam64(wa64, m64, v64, g, { lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: 1, weightDecay: 0, clip });
          expectClose(wa, wa64, `Adam ${JSON.stringify(clip)} n=${size} ${isa}`, 1e-7, 1e-4);
        }
      }
    });
  });

  it('run off the event loop through the raw binding (async flag) with the same result', async () => {
    const g = new TestRandom(33).floats(50000);
    const [w1, m1, v1] = [new TestRandom(34).floats(50000), new Float32Array(50000), new Float32Array(50000)];
    const [w2, m2, v2] = [Float32Array.from(w1), new Float32Array(50000), new Float32Array(50000)];
    fg.ops.applyAdam(w1, m1, v1, g, { step: 1 });
    const pending = native.adamUpdate(w2, m2, v2, null, g, 0.001, 0.9, 0.999, 1e-7, 1, 0, 0, 0, true);
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(Array.from(w2)).toEqual(Array.from(w1));
    await native.sgdUpdate(w2, g, 0.5, 0, 0, true);
    fg.ops.applySgd(w1, g, { learningRate: 0.5 });
    expect(Array.from(w2)).toEqual(Array.from(w1));
  });

  it('update Tensors in place and leave gradients untouched', () => {
    const w = fg.tensor([1, 2, 3], [3]);
    const g = fg.tensor([0.5, -0.5, 4], [3]);
    fg.ops.applySgd(w, g, { learningRate: 0.5, clipValue: 1 });
    expect(Array.from(w.data)).toEqual([0.75, 2.25, 2.5]);
    expect(Array.from(g.data)).toEqual([0.5, -0.5, 4]);
  });
});

describe('bad inputs', () => {
  const w = () => new Float32Array(4);
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['weights an array', () => fg.ops.applySgd([1, 2] as never, w()), TypeError, /weights/],
    ['gradients short', () => fg.ops.applySgd(w(), new Float32Array(3)), RangeError, /gradients/],
    ['gradients Float64Array', () => fg.ops.applySgd(w(), new Float64Array(4) as never), TypeError, /gradients/],
    ['options not an object', () => fg.ops.applySgd(w(), w(), 0.1 as never), TypeError, /options/],
    ['learning rate NaN', () => fg.ops.applySgd(w(), w(), { learningRate: NaN }), RangeError, /learningRate/],
    ['learning rate huge', () => fg.ops.applySgd(w(), w(), { learningRate: 1e300 }), RangeError, /learningRate/],
    ['both clips', () => fg.ops.applySgd(w(), w(), { clipNorm: 1, clipValue: 1 }), RangeError, /clipValue/],
    ['negative clipNorm', () => fg.ops.applySgd(w(), w(), { clipNorm: -1 }), RangeError, /clipNorm/],
    ['momentum above 1', () => fg.ops.applyMomentum(w(), w(), w(), { momentum: 1.5 }), RangeError, /momentum/],
    ['velocity short', () => fg.ops.applyMomentum(w(), new Float32Array(2), w()), RangeError, /velocity/],
    ['nesterov not boolean', () => fg.ops.applyMomentum(w(), w(), w(), { nesterov: 1 as never }), TypeError, /nesterov/],
    ['Adam without step', () => fg.ops.applyAdam(w(), w(), w(), w(), {} as never), TypeError, /step/],
    ['Adam step 0', () => fg.ops.applyAdam(w(), w(), w(), w(), { step: 0 }), RangeError, /step/],
    ['Adam step fractional', () => fg.ops.applyAdam(w(), w(), w(), w(), { step: 1.5 }), RangeError, /step/],
    ['Adam beta1 = 1', () => fg.ops.applyAdam(w(), w(), w(), w(), { step: 1, beta1: 1 }), RangeError, /beta1/],
    ['Adam beta2 negative', () => fg.ops.applyAdam(w(), w(), w(), w(), { step: 1, beta2: -0.1 }), RangeError, /beta2/],
    ['Adam epsilon negative', () => fg.ops.applyAdam(w(), w(), w(), w(), { step: 1, epsilon: -1 }), RangeError, /epsilon/],
    ['Adam m short', () => fg.ops.applyAdam(w(), new Float32Array(1), w(), w(), { step: 1 }), RangeError, /\bm\b/],
    ['Adam vMax wrong type', () => fg.ops.applyAdam(w(), w(), w(), w(), { step: 1, vMax: [0] as never }), TypeError, /vMax/],
    ['AdamW negative decay', () => fg.ops.applyAdamW(w(), w(), w(), w(), { step: 1, weightDecay: -1 }), RangeError, /weightDecay/],
    ['RMSprop rho above 1', () => fg.ops.applyRmsprop(w(), w(), w(), { rho: 2 }), RangeError, /rho/],
    ['RMSprop momentum without buffer', () => fg.ops.applyRmsprop(w(), w(), w(), { momentum: 0.5 }), TypeError, /momentumBuffer/],
    ['RMSprop centered without meanGradient', () => fg.ops.applyRmsprop(w(), w(), w(), { centered: true }), TypeError, /meanGradient/],
    ['RMSprop meanGradient short', () => fg.ops.applyRmsprop(w(), w(), w(), { centered: true, meanGradient: new Float32Array(1) }), RangeError, /meanGradient/],
  ];
  it.each(cases)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  const f = (n: number) => new Float32Array(n);
  const raw: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['sgd argument count', () => (native.sgdUpdate as (...a: unknown[]) => unknown)(f(2), f(2), 0.1), TypeError, /expected 6 arguments/],
    ['sgd gradients short', () => native.sgdUpdate(f(2), f(1), 0.1, 0, 0, false), RangeError, /gradients/],
    ['sgd learning rate NaN', () => native.sgdUpdate(f(2), f(2), NaN, 0, 0, false), RangeError, /learningRate/],
    ['sgd both clips', () => native.sgdUpdate(f(2), f(2), 0.1, 1, 1, false), RangeError, /clipValue/],
    ['momentum 2', () => native.momentumUpdate(f(2), f(2), f(2), 0.1, 2, false, 0, 0, false), RangeError, /momentum/],
    ['adam vMax Float64Array', () => native.adamUpdate(f(2), f(2), f(2), new Float64Array(2) as never, f(2), 0.1, 0.9, 0.999, 1e-7, 1, 0, 0, 0, false), TypeError, /vMax must be a Float32Array or null/],
    ['adam vMax short', () => native.adamUpdate(f(2), f(2), f(2), f(1), f(2), 0.1, 0.9, 0.999, 1e-7, 1, 0, 0, 0, false), RangeError, /vMax/],
    ['adam step 0', () => native.adamUpdate(f(2), f(2), f(2), null, f(2), 0.1, 0.9, 0.999, 1e-7, 0, 0, 0, 0, false), RangeError, /step/],
    ['adam beta1 1', () => native.adamUpdate(f(2), f(2), f(2), null, f(2), 0.1, 1, 0.999, 1e-7, 1, 0, 0, 0, false), RangeError, /beta1/],
    ['adam negative weight decay', () => native.adamUpdate(f(2), f(2), f(2), null, f(2), 0.1, 0.9, 0.999, 1e-7, 1, -1, 0, 0, false), RangeError, /weightDecay/],
    ['rmsprop meanGradient wrong type', () => native.rmspropUpdate(f(2), f(2), null, 3 as never, f(2), 0.1, 0.9, 0, 1e-7, 0, 0, false), TypeError, /meanGradient/],
    ['rmsprop rho NaN', () => native.rmspropUpdate(f(2), f(2), null, null, f(2), 0.1, NaN, 0, 1e-7, 0, 0, false), RangeError, /rho/],
  ];
  it.each(raw)('raw binding: %s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
