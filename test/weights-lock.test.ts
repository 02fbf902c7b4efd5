// Predictions and training on one model at the same time: predictAsync and evaluate wait for the
// step in flight (never half-updated weights), synchronous reads refuse while a step runs, and the
// lock itself admits readers together, writers alone, in arrival order.
import { describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { WeightsLock } from '../lib/weights_lock';
import { randomOneHot, randomTensor } from './helpers/models';
import { TestRandom } from './helpers/random';

const L = fg.layers;

function smallConvnet(): fg.Sequential {
  fg.setSeed(5);
  const model = fg.sequential([
    L.conv2d({ inputShape: [12, 12, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
    L.maxPooling2d({ poolSize: 2 }),
    L.flatten(),
    L.dense({ units: 4, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: fg.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
  return model;
}

const bytesOf = (t: fg.Tensor): string => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64');

describe('one model predicting while it trains', () => {
  it('every predictAsync during fit equals a prediction from the weights of some step boundary', async () => {
    const random = new TestRandom(3);
    const x = randomTensor(random, [512, 12, 12, 1]);
    const y = randomOneHot(random, 512, 4);
    const probe = randomTensor(random, [16, 12, 12, 1]);
    const model = smallConvnet();
    const snapshots: fg.Tensor[][] = [model.getWeights()];
    let training = true;
    const fit = model.fit(x, y, {
      epochs: 2, batchSize: 16, verbose: 0,
      callbacks: { onBatchEnd: () => { snapshots.push(model.getWeights()); } },
    }).finally(() => { training = false; });
    const predictions: fg.Tensor[] = [];
    while (training) predictions.push(await model.predictAsync(probe, { batchSize: 16 }));
    await fit;
    expect(predictions.length).toBeGreaterThan(3);
    // What each boundary's weights predict, computed afterwards on a quiet model.
    const reference = smallConvnet();
    const allowed = new Set(snapshots.map((weights) => {
      reference.setWeights(weights);
      return bytesOf(reference.predict(probe, { batchSize: 16 }));
    }));
    const torn = predictions.filter((p) => !allowed.has(bytesOf(p)));
    expect(torn.length, `${torn.length} of ${predictions.length} predictions match no step boundary`).toBe(0);
  });

  it('synchronous reads refuse while a step is in flight and work once it ends', async () => {
    const random = new TestRandom(4);
    const x = randomTensor(random, [64, 12, 12, 1]);
    const y = randomOneHot(random, 64, 4);
    const model = smallConvnet();
    const step = model.trainOnBatch(x, y);
    for (const read of [() => model.predict(x), () => model.getWeights(), () => model.activations(x),
      () => model.setWeights(model.layers.flatMap((l) => l.weights)), () => model.computeGradients(x, y)]) {
      expect(read).toThrow(/training step is updating the weights/);
    }
    const evaluation = model.evaluate(x, y);  // waits for the step instead
    await step;
    expect(Number.isFinite((await evaluation).loss)).toBe(true);
    expect(model.predict(x).shape).toEqual([64, 4]);
  });
});

describe('WeightsLock', () => {
  it('runs readers together, a writer alone, in arrival order', async () => {
    const lock = new WeightsLock();
    const log: string[] = [];
    let active = 0;
    const task = (name: string, writer: boolean) => (writer ? lock.write.bind(lock) : lock.read.bind(lock))(async () => {
      active += 1;
      log.push(`${name}+${active}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active -= 1;
    });
    await Promise.all([task('r1', false), task('r2', false), task('w1', true), task('r3', false), task('w2', true)]);
    // r1 and r2 overlap; w1 waits for both and runs alone; r3 (behind w1) then w2 (behind r3).
    expect(log).toEqual(['r1+1', 'r2+2', 'w1+1', 'r3+1', 'w2+1']);
  });

  it('releases the lock when the body throws', async () => {
    const lock = new WeightsLock();
    await expect(lock.write(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(lock.writeInProgress).toBe(false);
    await expect(lock.read(async () => 7)).resolves.toBe(7);
  });
});
