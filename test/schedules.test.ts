// Learning-rate schedules: each pure step -> rate function at hand-computed points (TF / PyTorch
// formulas written out in the comments), reduce-on-plateau decisions, and the callbacks driving a
// real (tiny) model's optimizer during fit.
import { describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import type { Callback } from '../lib/callbacks';
import { cosineDecay, exponentialDecay, oneCycle, reduceLROnPlateau, stepDecay } from '../lib/callbacks/schedules';

function close(actual: number, expected: number): void {
  expect(Math.abs(actual - expected), `got ${actual}, expected ${expected}`).toBeLessThanOrEqual(1e-12 + 1e-9 * Math.abs(expected));
}

describe('stepDecay', () => {
  const schedule = stepDecay({ initialLearningRate: 0.1, dropEvery: 10, factor: 0.5 });
  it('drops by factor every dropEvery epochs', () => {
    expect(schedule.unit).toBe('epoch');
    close(schedule.learningRateAt(0), 0.1);
    close(schedule.learningRateAt(9), 0.1);
    close(schedule.learningRateAt(10), 0.05);
    close(schedule.learningRateAt(25), 0.025);
  });
  it('rejects bad arguments', () => {
    expect(() => stepDecay({ initialLearningRate: 0.1, dropEvery: 0, factor: 0.5 })).toThrow(RangeError);
    expect(() => stepDecay({ initialLearningRate: 0.1, dropEvery: 2, factor: 1.5 })).toThrow(/factor/);
    expect(() => stepDecay({ initialLearningRate: 0.1, dropEvery: 2, factor: 0.5, drop: 1 } as never)).toThrow(/drop/);
    expect(() => schedule.learningRateAt(-1)).toThrow(RangeError);
  });
});

describe('exponentialDecay (TF semantics, per step)', () => {
  it('decays continuously: 0.1 * 0.96^(step / 100)', () => {
    const schedule = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.96 });
    close(schedule.learningRateAt(0), 0.1);
    close(schedule.learningRateAt(50), 0.1 * 0.9797958971132712); // sqrt(0.96)
    close(schedule.learningRateAt(100), 0.096);
    close(schedule.learningRateAt(250), 0.1 * 0.96 ** 2.5);
  });
  it('decays in whole steps with staircase', () => {
    const schedule = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.96, staircase: true });
    close(schedule.learningRateAt(99), 0.1);
    close(schedule.learningRateAt(150), 0.096);
    close(schedule.learningRateAt(250), 0.09216);
  });
});

describe('cosineDecay', () => {
  it('follows half a cosine to alpha * initial, then stays', () => {
    const plain = cosineDecay({ initialLearningRate: 1, decaySteps: 100 });
    close(plain.learningRateAt(0), 1);
    close(plain.learningRateAt(25), 0.5 * (1 + Math.SQRT1_2)); // 0.853553...
    close(plain.learningRateAt(50), 0.5);
    close(plain.learningRateAt(100), 0);
    close(plain.learningRateAt(500), 0);
    const floored = cosineDecay({ initialLearningRate: 2, decaySteps: 100, alpha: 0.1 });
    close(floored.learningRateAt(50), 2 * (0.9 * 0.5 + 0.1)); // 1.1
    close(floored.learningRateAt(1000), 0.2);
  });
  it('warms up linearly from 0, then decays over decaySteps', () => {
    const schedule = cosineDecay({ initialLearningRate: 1, decaySteps: 100, warmupSteps: 10 });
    close(schedule.learningRateAt(0), 0);
    close(schedule.learningRateAt(5), 0.5);
    close(schedule.learningRateAt(10), 1);
    close(schedule.learningRateAt(60), 0.5);
    close(schedule.learningRateAt(110), 0);
  });
});

describe('oneCycle (PyTorch OneCycleLR, cosine)', () => {
  // max 0.1, div 25 -> starts at 0.004; final div 1e4 -> ends at 4e-7.
  // 100 steps, pctStart 0.3: the peak is at step 0.3 * 100 - 1 = 29, the end at step 99.
  const schedule = oneCycle({ maxLearningRate: 0.1, totalSteps: 100 });
  it('rises from max / divFactor to max, then falls to max / divFactor / finalDivFactor', () => {
    close(schedule.learningRateAt(0), 0.004);
    close(schedule.learningRateAt(29), 0.1);
    // halfway down: (64 - 29) / (99 - 29) = 0.5 -> 4e-7 + (0.1 - 4e-7) / 2
    close(schedule.learningRateAt(64), 4e-7 + (0.1 - 4e-7) / 2);
    close(schedule.learningRateAt(99), 4e-7);
    close(schedule.learningRateAt(150), 4e-7);
  });
  it('is halfway up at half the warmup', () => {
    // 102 steps, pctStart 0.5: peak at step 50; step 25 is halfway: 0.1 + (0.004 - 0.1) / 2 = 0.052.
    const symmetric = oneCycle({ maxLearningRate: 0.1, totalSteps: 102, pctStart: 0.5 });
    close(symmetric.learningRateAt(25), 0.052);
    // 202 steps: peak at 100; a quarter of the rise: 0.1 + (0.004 - 0.1) / 2 * (cos(pi / 4) + 1).
    close(oneCycle({ maxLearningRate: 0.1, totalSteps: 202, pctStart: 0.5 }).learningRateAt(25), 0.1 - 0.048 * (Math.SQRT1_2 + 1));
    const custom = oneCycle({ maxLearningRate: 0.1, totalSteps: 102, pctStart: 0.5, divFactor: 10, finalDivFactor: 100 });
    close(custom.learningRateAt(0), 0.01);
    close(custom.learningRateAt(101), 0.0001);
  });
  it('rejects bad arguments', () => {
    expect(() => oneCycle({ maxLearningRate: 0, totalSteps: 100 })).toThrow(/maxLearningRate/);
    expect(() => oneCycle({ maxLearningRate: 0.1, totalSteps: 1 })).toThrow(/totalSteps/);
    expect(() => oneCycle({ maxLearningRate: 0.1, totalSteps: 100, pctStart: 1 })).toThrow(/pctStart/);
  });
});

describe('reduceLROnPlateau (Keras semantics)', () => {
  it('reduces after patience epochs without improvement', () => {
    const plateau = reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 2, minDelta: 0 });
    // 1 and 0.9 improve; two epochs at 0.9 reach the patience; 0.5 improves again.
    expect(plateau.learningRatesFor([1, 0.9, 0.9, 0.9, 0.9, 0.5], 0.1)).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05]);
  });
  it('needs an improvement larger than minDelta', () => {
    const plateau = reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, minDelta: 0.01 });
    expect(plateau.learningRatesFor([1, 0.995, 0.98], 1)).toEqual([1, 0.5, 0.5]);
  });
  it('waits cooldown epochs after a reduction (the last cooldown epoch already counts, as Keras)', () => {
    const values = [1, 1, 1, 1, 1];
    expect(reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1 }).learningRatesFor(values, 1)).toEqual([1, 0.5, 0.25, 0.125, 0.0625]);
    expect(reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, cooldown: 2 }).learningRatesFor(values, 1)).toEqual([1, 0.5, 0.5, 0.25, 0.25]);
  });
  it('never goes below minLr', () => {
    const plateau = reduceLROnPlateau({ monitor: 'loss', factor: 0.1, patience: 0, minLr: 5e-4 });
    expect(plateau.learningRatesFor([1, 1, 1], 1e-3)).toEqual([1e-3, 5e-4, 5e-4]);
  });
  it("maximizes metrics named like 'acc' in auto mode", () => {
    const plateau = reduceLROnPlateau({ monitor: 'val_accuracy', factor: 0.5, patience: 1 });
    expect(plateau.mode).toBe('max');
    expect(plateau.learningRatesFor([0.9, 0.95, 0.94], 1)).toEqual([1, 1, 0.5]);
    expect(reduceLROnPlateau().mode).toBe('min');
  });
  it('rejects bad arguments', () => {
    expect(() => reduceLROnPlateau({ factor: 1 })).toThrow(/factor/);
    expect(() => reduceLROnPlateau({ patience: -1 })).toThrow(/patience/);
    expect(() => reduceLROnPlateau({ mode: 'up' as never })).toThrow(/mode/);
  });
});

/** A tiny compiled model and data: 16 examples of 3 features, 2 classes, batches of 4. */
function tinySetup(optimizer: fg.optimizers.Optimizer): { model: fg.Sequential; x: fg.Tensor; y: fg.Tensor } {
  fg.setSeed(3);
  const model = fg.sequential([fg.layers.dense({ inputShape: [3], units: 2, activation: 'softmax' })]);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = fg.tensor(Array.from({ length: 48 }, (_, i) => Math.sin(i)), [16, 3]);
  const y = fg.oneHot(Uint8Array.from({ length: 16 }, (_, i) => i % 2), 2);
  return { model, x, y };
}

/** Records the optimizer's learning rate at each batch end (after the schedule set it). */
function rateRecorder(model: fg.Sequential, into: number[], hook: 'onBatchEnd' | 'onEpochEnd'): Callback {
  return { [hook]: () => { into.push(model.optimizer!.learningRate); } };
}

describe('schedules as fit callbacks', () => {
  it('oneCycle sets the rate of every step, continuing across fits', async () => {
    const { model, x, y } = tinySetup(fg.optimizers.adam());
    const schedule = oneCycle({ maxLearningRate: 0.01, totalSteps: 12 });
    const seen: number[] = [];
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [schedule, rateRecorder(model, seen, 'onBatchEnd')] });
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, callbacks: [schedule, rateRecorder(model, seen, 'onBatchEnd')] });
    expect(model.steps).toBe(12);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, step) => schedule.learningRateAt(step)));
  });
  it('stepDecay sets the rate at each epoch, counting from initialEpoch', async () => {
    const { model, x, y } = tinySetup(fg.optimizers.sgd());
    const seen: number[] = [];
    const schedule = stepDecay({ initialLearningRate: 0.08, dropEvery: 1, factor: 0.5 });
    await model.fit(x, y, { epochs: 2, initialEpoch: 1, batchSize: 8, verbose: 0, callbacks: [schedule, rateRecorder(model, seen, 'onEpochEnd')] });
    expect(seen).toEqual([0.04, 0.02]);
  });
  it('reduceLROnPlateau lowers the rate when the training loss stalls', async () => {
    // A rate of 1e-12 leaves the weights (and so the unshuffled epoch loss) unchanged.
    const { model, x, y } = tinySetup(fg.optimizers.sgd({ learningRate: 1e-12 }));
    const plateau = reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1 });
    const seen: number[] = [];
    await model.fit(x, y, { epochs: 4, batchSize: 16, shuffle: false, verbose: 0, callbacks: [plateau, rateRecorder(model, seen, 'onEpochEnd')] });
    expect(seen).toEqual([1e-12, 0.5e-12, 0.25e-12, 0.125e-12]);
  });
  it('reduceLROnPlateau names the missing metric', async () => {
    const { model, x, y } = tinySetup(fg.optimizers.sgd());
    const fit = model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, callbacks: [reduceLROnPlateau()] });
    await expect(fit).rejects.toThrow(/\(loss, accuracy; .*validationData.*received 'val_loss'/);
  });
});
