// Numerical faults in training: a batch whose loss is NaN or infinite never updates the weights,
// and fit throws (naming epoch and batch), stops or skips it as its onNonFiniteLoss option says.
import { describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { randomTensor } from './helpers/models';
import { TestRandom } from './helpers/random';

const L = fg.layers;
const BATCH = 4;
const POISONED_BATCH = 2;  // 0-based batch whose inputs overflow the loss or its gradient

/** 5 batches of regression data; batch POISONED_BATCH holds 1e30, whose products overflow float32. */
function data(poisoned: boolean): { x: fg.Tensor; y: fg.Tensor } {
  const random = new TestRandom(7);
  const x = randomTensor(random, [5 * BATCH, 3]);
  const y = randomTensor(random, [5 * BATCH, 2]);
  if (poisoned) x.data.fill(1e30, POISONED_BATCH * BATCH * 3, (POISONED_BATCH + 1) * BATCH * 3);
  return { x, y };
}

/** Drops the poisoned batch's rows, so training on the rest is what 'skip' must reproduce. */
function withoutPoisonedBatch(t: fg.Tensor): fg.Tensor {
  const row = t.size / t.shape[0];
  const kept = new Float32Array(t.size - BATCH * row);
  kept.set(t.data.subarray(0, POISONED_BATCH * BATCH * row));
  kept.set(t.data.subarray((POISONED_BATCH + 1) * BATCH * row), POISONED_BATCH * BATCH * row);
  return fg.tensor(kept, [t.shape[0] - BATCH, ...t.shape.slice(1)]);
}

function model(): fg.Sequential {
  fg.setSeed(11);
  const m = fg.sequential([L.dense({ units: 5, inputShape: [3] }), L.dense({ units: 2 })]);
  m.compile({ optimizer: fg.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
  return m;
}

function bytes(m: fg.Sequential): Uint8Array[] {
  return m.getWeights().map((w) => new Uint8Array(w.data.buffer.slice(w.data.byteOffset, w.data.byteOffset + w.data.byteLength)));
}

describe('a non-finite loss', () => {
  it('throws by default, naming epoch and batch, with the weights from before that batch', async () => {
    const { x, y } = data(true);
    const poisoned = model();
    await expect(poisoned.fit(x, y, { epochs: 2, batchSize: BATCH, shuffle: false, verbose: 0 }))
      .rejects.toThrow(/loss became (Infinity|NaN) at epoch 1, batch 3/);
    // The same model trained on only the batches before the poisoned one.
    const clean = model();
    await clean.fit(fg.tensor(x.data.slice(0, POISONED_BATCH * BATCH * 3), [POISONED_BATCH * BATCH, 3]),
      fg.tensor(y.data.slice(0, POISONED_BATCH * BATCH * 2), [POISONED_BATCH * BATCH, 2]),
      { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
    expect(bytes(poisoned)).toEqual(bytes(clean));
    for (const w of poisoned.getWeights()) expect(w.data.every(Number.isFinite)).toBe(true);
  });

  it("'skip' gives exactly the weights of training without the bad batch", async () => {
    const { x, y } = data(true);
    const skipping = model();
    const history = await skipping.fit(x, y, { epochs: 3, batchSize: BATCH, shuffle: false, verbose: 0, onNonFiniteLoss: 'skip' });
    const clean = model();
    await clean.fit(withoutPoisonedBatch(x), withoutPoisonedBatch(y), { epochs: 3, batchSize: BATCH, shuffle: false, verbose: 0 });
    expect(bytes(skipping)).toEqual(bytes(clean));
    expect(history.history.loss.every(Number.isFinite)).toBe(true);
  });

  it("'stop' ends fit normally at the bad batch and keeps the history so far", async () => {
    const { x, y } = data(true);
    const stopping = model();
    const ended: number[] = [];
    const history = await stopping.fit(x, y, {
      epochs: 5, batchSize: BATCH, shuffle: false, verbose: 0, onNonFiniteLoss: 'stop',
      callbacks: { onEpochEnd: (epoch: number) => { ended.push(epoch); } },
    });
    expect(history.epoch).toEqual([0]);
    expect(ended).toEqual([0]);
    expect(Number.isFinite(history.history.loss[0])).toBe(true);
  });

  it('a function decides per event and sees epoch, batch and loss', async () => {
    const { x, y } = data(true);
    const events: fg.NonFiniteLossEvent[] = [];
    const m = model();
    await m.fit(x, y, {
      epochs: 2, batchSize: BATCH, shuffle: false, verbose: 0,
      onNonFiniteLoss: async (event) => { events.push(event); return events.length < 2 ? 'skip' : 'stop'; },
    });
    expect(events.map(({ epoch, batch }) => [epoch, batch])).toEqual([[0, POISONED_BATCH], [1, POISONED_BATCH]]);
    for (const event of events) expect(Number.isFinite(event.loss)).toBe(false);
  });

  it('a NaN loss from NaN-producing weights is caught too', async () => {
    const { x, y } = data(false);
    const m = model();
    m.setWeights(m.getWeights().map((w, i) => (i === 0 ? fg.tensor(new Float32Array(w.size).fill(NaN), w.shape) : w)));
    await expect(m.fit(x, y, { batchSize: BATCH, verbose: 0 })).rejects.toThrow(/loss became NaN at epoch 1, batch 1/);
  });

  it('bad policies are TypeErrors', async () => {
    const { x, y } = data(true);
    const m = model();
    await expect(m.fit(x, y, { verbose: 0, onNonFiniteLoss: 'ignore' as never })).rejects.toThrow(TypeError);
    await expect(m.fit(x, y, { batchSize: BATCH, shuffle: false, verbose: 0, onNonFiniteLoss: () => 'retry' as never }))
      .rejects.toThrow(/onNonFiniteLoss result/);
  });

  it('trainOnBatch reports the non-finite loss and leaves the weights alone', async () => {
    const { x, y } = data(true);
    const m = model();
    const before = bytes(m);
    const loss = await m.trainOnBatch(fg.tensor(x.data.slice(POISONED_BATCH * BATCH * 3, (POISONED_BATCH + 1) * BATCH * 3), [BATCH, 3]),
      fg.tensor(y.data.slice(0, BATCH * 2), [BATCH, 2]));
    expect(Number.isFinite(loss)).toBe(false);
    expect(bytes(m)).toEqual(before);
  });

  it('a finite loss whose gradient overflows is refused as NaN, weights untouched', async () => {
    // Scan input magnitudes for one where the loss still fits in float32 but a gradient does not.
    for (let value = 1e18; value < 1e21; value *= 1.25) {
      const m = model();
      const x = fg.tensor(new Float32Array(BATCH * 3).fill(value), [BATCH, 3]);
      const y = fg.zeros([BATCH, 2]);
      const { loss, gradients } = m.computeGradients(x, y);
      if (!Number.isFinite(loss) || gradients.every((g) => g === null || g.data.every(Number.isFinite))) continue;
      const before = bytes(m);
      expect(await m.trainOnBatch(x, y)).toBeNaN();
      expect(bytes(m)).toEqual(before);
      return;
    }
    expect.unreachable('no input magnitude gave a finite loss with an overflowing gradient');
  });
});
