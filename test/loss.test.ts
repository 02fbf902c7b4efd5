// Losses vs float64 references on every ISA, 1 and 2 threads, odd shapes and tails; finiteness for
// logits of +-1e4; the same loss bit for bit whatever the thread count; finite differences for every
// gradient; bad-input tables for the ops and the raw addon.
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { native } from '../lib/native';
import { expectClose, forEachIsa } from './helpers/compare';
import { TestRandom } from './helpers/random';
import {
  binaryCrossentropy64,
  meanSquaredError64,
  sigmoidCrossEntropy64,
  softmaxCrossEntropy64,
  sparseSoftmaxCrossEntropy64,
} from './reference/loss';

const threadsAtStart = fg.getNumThreads();
afterAll(() => fg.setNumThreads(threadsAtStart));

function forEachThreads(body: (threads: number) => void): void {
  for (const threads of [1, 2]) {
    fg.setNumThreads(threads);
    body(threads);
  }
  fg.setNumThreads(threadsAtStart);
}

/** Rows of positive weights normalised to sum to 1 (soft labels), or one-hot when `hard`. */
function labelRows(random: TestRandom, rows: number, classes: number, hard: boolean): Float32Array {
  const labels = new Float32Array(rows * classes);
  for (let r = 0; r < rows; ++r) {
    if (hard) {
      labels[r * classes + random.int(0, classes - 1)] = 1;
      continue;
    }
    let sum = 0;
    for (let j = 0; j < classes; ++j) sum += labels[r * classes + j] = random.uniform(0.1, 1);
    for (let j = 0; j < classes; ++j) labels[r * classes + j] /= sum;
  }
  return labels;
}

const SHAPES: [number, number][] = [...Array.from({ length: 70 }, (_, i): [number, number] => [2, i + 1]), [1, 1],
  [64, 10], [3, 1000], [1500, 3]];
const SIZES = [...Array.from({ length: 70 }, (_, i) => i + 1), 1000, 20001];

describe('softmax cross-entropy', () => {
  it('matches the float64 reference (dense and sparse) on every ISA and thread count', () => {
    const random = new TestRandom(11);
    forEachIsa(fg, (isa) => forEachThreads((threads) => {
      for (const [rows, classes] of SHAPES) {
        for (const hard of [false, true]) {
          const context = `${rows}x${classes} ${hard ? 'one-hot' : 'soft'} ${isa} ${threads}t`;
          const logits = fg.tensor(random.floats(rows * classes, -8, 8), [rows, classes]);
          const labels = fg.tensor(labelRows(random, rows, classes, hard), [rows, classes]);
          const result = fg.ops.softmaxCrossEntropy(labels, logits);
          const expected = softmaxCrossEntropy64(labels.data, logits.data, rows, classes);
          expectClose([result.loss], [expected.loss], `loss ${context}`, 1e-6, 1e-6);
          expectClose(result.dlogits.data, expected.gradient, `dlogits ${context}`, 2e-7 / rows, 1e-5);
          expect(result.dlogits.shape).toEqual([rows, classes]);
        }
        const indices = Int32Array.from({ length: rows }, () => random.int(0, classes - 1));
        const logits = fg.tensor(random.floats(rows * classes, -8, 8), [rows, classes]);
        const sparse = fg.ops.sparseSoftmaxCrossEntropy(indices, logits);
        const expected = sparseSoftmaxCrossEntropy64(indices, logits.data, rows, classes);
        expectClose([sparse.loss], [expected.loss], `sparse loss ${rows}x${classes} ${isa} ${threads}t`, 1e-6, 1e-6);
        expectClose(sparse.dlogits.data, expected.gradient, `sparse dlogits ${rows}x${classes} ${isa}`, 2e-7 / rows, 1e-5);
      }
    }));
  });

  it('stays finite and exact for logits of +-1e4', () => {
    forEachIsa(fg, (isa) => {
      const logits = fg.tensor([1e4, -1e4, -1e4, -1e4, 1e4, -1e4], [2, 3]);
      const right = fg.ops.softmaxCrossEntropy(fg.tensor([1, 0, 0, 0, 1, 0], [2, 3]), logits);
      expect(right.loss, isa).toBe(0);
      const wrong = fg.ops.softmaxCrossEntropy(fg.tensor([0, 1, 0, 0, 0, 1], [2, 3]), logits);
      expect(wrong.loss, isa).toBe(2e4);
      expect(Array.from(wrong.dlogits.data)).toEqual([0.5, -0.5, 0, 0, 0.5, -0.5]);
      const sparse = fg.ops.sparseSoftmaxCrossEntropy([1, 2], logits);
      expect(sparse.loss, isa).toBe(2e4);
      const huge = fg.ops.softmaxCrossEntropy(fg.tensor([0.5, 0.5, 0, 0, 0, 1], [2, 3]), fg.tensor([1e4, 1e4, -1e4, 3e4, -3e4, 0], [2, 3]));
      expect(Number.isFinite(huge.loss)).toBe(true);
      expectClose([huge.loss], [(0 + 3e4) / 2], `mixed huge logits ${isa}`);
    });
  });

  it('gives the same loss bit for bit with 1 and 2 threads', () => {
    const random = new TestRandom(12);
    const logits = fg.tensor(random.floats(4000 * 13, -5, 5), [4000, 13]);
    const labels = fg.tensor(labelRows(random, 4000, 13, false), [4000, 13]);
    const losses: number[] = [];
    forEachThreads(() => losses.push(fg.ops.softmaxCrossEntropy(labels, logits).loss));
    expect(losses[0]).toBe(losses[1]);
  });

  it('has gradients that match central differences', () => {
    const random = new TestRandom(13);
    const [rows, classes] = [3, 5];
    const labels = fg.tensor(labelRows(random, rows, classes, false), [rows, classes]);
    const logits = fg.tensor(random.floats(rows * classes, -3, 3), [rows, classes]);
    const dense = fg.gradCheck(
      ([, x]) => fg.tensor([fg.ops.softmaxCrossEntropy(labels, x).loss], [1]),
      ([, x], dy) => [null, scaled(fg.ops.softmaxCrossEntropy(labels, x).dlogits, dy.data[0])],
      [labels, logits],
      { forward64: ([t, x]) => Float64Array.of(softmaxCrossEntropy64(t, x, rows, classes).loss), inputsToCheck: [1] },
    );
    expect(dense.ok, JSON.stringify(dense.mismatches)).toBe(true);
    const indices = [4, 0, 2];
    const sparse = fg.gradCheck(
      ([x]) => fg.tensor([fg.ops.sparseSoftmaxCrossEntropy(indices, x).loss], [1]),
      ([x], dy) => [scaled(fg.ops.sparseSoftmaxCrossEntropy(indices, x).dlogits, dy.data[0])],
      [logits],
      { forward64: ([x]) => Float64Array.of(sparseSoftmaxCrossEntropy64(indices, x, rows, classes).loss) },
    );
    expect(sparse.ok, JSON.stringify(sparse.mismatches)).toBe(true);
  });

  it('has an async twin', async () => {
    const random = new TestRandom(14);
    const logits = fg.tensor(random.floats(50 * 10, -3, 3), [50, 10]);
    const labels = fg.tensor(labelRows(random, 50, 10, true), [50, 10]);
    const sync = fg.ops.softmaxCrossEntropy(labels, logits);
    const result = await fg.ops.softmaxCrossEntropyAsync(labels, logits);
    expect(result.loss).toBe(sync.loss);
    expect(Array.from(result.dlogits.data)).toEqual(Array.from(sync.dlogits.data));
  });
});

function scaled(t: fg.Tensor, factor: number): fg.Tensor {
  return fg.tensor(t.data.map((v) => v * factor), t.shape);
}

describe('elementwise losses', () => {
  it('match the float64 references for every size, ISA and thread count', () => {
    const random = new TestRandom(21);
    forEachIsa(fg, (isa) => forEachThreads((threads) => {
      for (const size of SIZES) {
        const context = `n=${size} ${isa} ${threads}t`;
        const labels = fg.tensor(random.floats(size, 0, 1), [size]);
        const predictions = fg.tensor(random.floats(size, 0, 1), [size]);
        if (size > 3) {
          predictions.data[0] = 1e-9;  // below the clip: no gradient
          predictions.data[1] = 1;     // above it
        }
        const logits = fg.tensor(random.floats(size, -30, 30), [size]);
        const mse = fg.ops.meanSquaredError(labels, predictions);
        const mse64 = meanSquaredError64(labels.data, predictions.data);
        expectClose([mse.loss], [mse64.loss], `MSE ${context}`, 1e-7, 1e-6);
        expectClose(mse.dpredictions.data, mse64.gradient, `dMSE ${context}`, 1e-9, 1e-6);
        const bce = fg.ops.binaryCrossentropy(labels, predictions);
        const bce64 = binaryCrossentropy64(labels.data, predictions.data, 1e-7);
        expectClose([bce.loss], [bce64.loss], `BCE ${context}`, 1e-6, 1e-6);
        expectClose(bce.dpredictions.data, bce64.gradient, `dBCE ${context}`, 1e-9, 1e-5);
        const sce = fg.ops.sigmoidCrossEntropy(labels, logits);
        const sce64 = sigmoidCrossEntropy64(labels.data, logits.data);
        expectClose([sce.loss], [sce64.loss], `sigmoid CE ${context}`, 1e-6, 1e-6);
        expectClose(sce.dlogits.data, sce64.gradient, `d sigmoid CE ${context}`, 1e-9, 1e-5);
      }
    }));
  });

  it('clip like Keras and stay finite for extreme inputs', () => {
    const labels = fg.tensor([1, 0, 1, 0], [4]);
    const bce = fg.ops.binaryCrossentropy(labels, fg.tensor([0, 1, 1, 0], [4]));
    // Two certain mistakes at -log(1e-7) each, two certain hits at -log(1 - 1e-7).
    expectClose([bce.loss], [binaryCrossentropy64(labels.data, [0, 1, 1, 0], 1e-7).loss], 'clipped BCE', 1e-6, 1e-6);
    expect(Array.from(bce.dpredictions.data)).toEqual([0, 0, 0, 0]);
    const sce = fg.ops.sigmoidCrossEntropy(labels, fg.tensor([-1e4, 1e4, 1e4, -1e4], [4]));
    expect(sce.loss).toBe(5e3);
    expect(Array.from(sce.dlogits.data)).toEqual([-0.25, 0.25, 0, 0]);
    const withEpsilon = fg.ops.binaryCrossentropy(labels, fg.tensor([0.5, 0.5, 0.5, 0.5], [4]), 0.2);
    expectClose([withEpsilon.loss], [Math.log(2)], 'BCE at 0.5');
  });

  it('have gradients that match central differences', () => {
    const random = new TestRandom(22);
    const labels = fg.tensor(random.floats(30, 0, 1), [5, 6]);
    const inside = fg.tensor(random.floats(30, 0.05, 0.95), [5, 6]);
    const logits = fg.tensor(random.floats(30, -4, 4), [5, 6]);
    const checks: [string, (x: fg.Tensor) => { loss: number; gradient: fg.Tensor }, (t: Float64Array, x: Float64Array) => number, fg.Tensor][] = [
      ['MSE', (x) => { const r = fg.ops.meanSquaredError(labels, x); return { loss: r.loss, gradient: r.dpredictions }; },
        (t, x) => meanSquaredError64(t, x).loss, inside],
      ['BCE', (x) => { const r = fg.ops.binaryCrossentropy(labels, x); return { loss: r.loss, gradient: r.dpredictions }; },
        (t, x) => binaryCrossentropy64(t, x, 1e-7).loss, inside],
      ['sigmoid CE', (x) => { const r = fg.ops.sigmoidCrossEntropy(labels, x); return { loss: r.loss, gradient: r.dlogits }; },
        (t, x) => sigmoidCrossEntropy64(t, x).loss, logits],
    ];
    for (const [name, loss, loss64, point] of checks) {
      const result = fg.gradCheck(
        ([, x]) => fg.tensor([loss(x).loss], [1]),
        ([, x], dy) => [null, scaled(loss(x).gradient, dy.data[0])],
        [labels, point],
        { forward64: ([t, x]) => Float64Array.of(loss64(t, x)), inputsToCheck: [1] },
      );
      expect(result.ok, `${name}: ${JSON.stringify(result.mismatches)}`).toBe(true);
    }
  });
});

describe('bad inputs', () => {
  const logits = fg.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const labels = fg.tensor([1, 0, 0, 0, 1, 0], [2, 3]);
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['labels shape mismatch', () => fg.ops.softmaxCrossEntropy(fg.tensor([1, 0, 0], [3]), logits), RangeError, /labels/],
    ['logits not a tensor', () => fg.ops.softmaxCrossEntropy(labels, [1, 2] as never), TypeError, /logits/],
    ['scalar logits', () => fg.ops.softmaxCrossEntropy(fg.tensor([1], []), fg.tensor([1], [])), RangeError, /logits/],
    ['zero classes', () => fg.ops.sparseSoftmaxCrossEntropy([0, 0], fg.tensor(new Float32Array(0), [2, 0])), RangeError, /logits/],
    ['sparse label out of range', () => fg.ops.sparseSoftmaxCrossEntropy([0, 3], logits), RangeError, /labels\[1\]/],
    ['sparse label negative', () => fg.ops.sparseSoftmaxCrossEntropy([-1, 0], logits), RangeError, /labels\[0\]/],
    ['sparse label fractional', () => fg.ops.sparseSoftmaxCrossEntropy([0.5, 0], logits), RangeError, /labels\[0\]/],
    ['sparse label NaN', () => fg.ops.sparseSoftmaxCrossEntropy([NaN, 0], logits), RangeError, /labels\[0\]/],
    ['sparse labels wrong count', () => fg.ops.sparseSoftmaxCrossEntropy([0, 1, 2], logits), RangeError, /labels/],
    ['sparse labels Float32Array', () => fg.ops.sparseSoftmaxCrossEntropy(new Float32Array(2) as never, logits), TypeError, /labels/],
    ['MSE shape mismatch', () => fg.ops.meanSquaredError(labels, fg.tensor([1, 2], [2])), RangeError, /labels/],
    ['BCE epsilon 0.5', () => fg.ops.binaryCrossentropy(labels, logits, 0.5), RangeError, /epsilon/],
    ['BCE epsilon negative', () => fg.ops.binaryCrossentropy(labels, logits, -1e-7), RangeError, /epsilon/],
    ['BCE epsilon NaN', () => fg.ops.binaryCrossentropy(labels, logits, NaN), RangeError, /epsilon/],
    ['sigmoid CE labels null', () => fg.ops.sigmoidCrossEntropy(null as never, logits), TypeError, /labels/],
  ];
  it.each(cases)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  const f = (n: number) => new Float32Array(n);
  const raw: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['loss of length 2', () => native.softmaxCrossEntropy(f(2), f(6), f(6), f(6), 2, 3, false), RangeError, /loss must be a Float32Array of length 1/],
    ['dlogits short', () => native.softmaxCrossEntropy(f(1), f(5), f(6), f(6), 2, 3, false), RangeError, /dlogits/],
    ['classes 0 with rows', () => native.softmaxCrossEntropy(f(1), f(0), f(0), f(0), 2, 0, false), RangeError, /classes/],
    ['sparse labels Float32Array', () => native.sparseSoftmaxCrossEntropy(f(1), f(6), f(2) as never, f(6), 2, 3, false), TypeError, /labels must be an Int32Array/],
    ['sparse label out of range', () => native.sparseSoftmaxCrossEntropy(f(1), f(6), Int32Array.of(0, 3), f(6), 2, 3, false), RangeError, /labels\[1\]/],
    ['sparse label negative', () => native.sparseSoftmaxCrossEntropy(f(1), f(6), Int32Array.of(-5, 0), f(6), 2, 3, false), RangeError, /labels\[0\]/],
    ['sparse labels short', () => native.sparseSoftmaxCrossEntropy(f(1), f(6), Int32Array.of(0), f(6), 2, 3, false), RangeError, /labels/],
    ['MSE labels short', () => native.meanSquaredError(f(1), f(4), f(3), f(4), false), RangeError, /labels/],
    ['BCE epsilon 0.5', () => native.binaryCrossentropy(f(1), f(4), f(4), f(4), 0.5, false), RangeError, /epsilon/],
    ['BCE epsilon infinite', () => native.binaryCrossentropy(f(1), f(4), f(4), f(4), Infinity, false), RangeError, /epsilon/],
    ['sigmoid CE argument count', () => (native.sigmoidCrossEntropy as (...a: unknown[]) => unknown)(f(1), f(4), f(4), f(4)), TypeError, /expected 5 arguments/],
  ];
  it.each(raw)('raw binding: %s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
