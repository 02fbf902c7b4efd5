// earlyStopping and modelCheckpoint in real fits of a tiny model. The monitored values are
// scripted by a callback that runs first and overwrites them in the epoch's logs, so the epoch at
// which Keras' rules stop or save is known in advance.
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import type { Callback, Logs } from '../lib/callbacks';
import { earlyStopping } from '../lib/callbacks/early_stopping';
import { formatCheckpointPath, modelCheckpoint } from '../lib/callbacks/model_checkpoint';
import { loadModel } from '../lib/io/model_io';
import type { Sequential } from '../lib/model';
import { TestRandom } from './helpers/random';

let root = '';
beforeAll(async () => { root = await fs.mkdtemp(path.join(os.tmpdir(), 'faltung-callbacks-')); });
afterAll(async () => { await fs.rm(root, { recursive: true, force: true }); });

const random = new TestRandom(5);
const x = fg.tensor(random.floats(16 * 3), [16, 3]);
const y = fg.oneHot(Array.from({ length: 16 }, () => random.int(0, 1)), 2);

function tinyModel(): Sequential {
  const model = fg.sequential([fg.layers.dense({ inputShape: [3], units: 4, activation: 'relu' }), fg.layers.dense({ units: 2, activation: 'softmax' })]);
  model.compile({ optimizer: fg.optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Sets logs[metric] to script[epoch] at each epoch end (must come before the callback under test). */
function scripted(metric: string, script: number[]): Callback {
  return { onEpochEnd: (epoch: number, logs: Logs) => { logs[metric] = script[epoch]; } };
}

/** Records a copy of the model's weights at each epoch end. */
function weightRecorder(model: Sequential): { callback: Callback; byEpoch: Float32Array[][] } {
  const byEpoch: Float32Array[][] = [];
  return { byEpoch, callback: { onEpochEnd: () => { byEpoch.push(model.getWeights().map((w) => w.data)); } } };
}

function weightsOf(model: Sequential): number[][] {
  return model.getWeights().map((w) => Array.from(w.data));
}

async function epochsRun(script: number[], args: Parameters<typeof earlyStopping>[0], metric = 'val_loss'): Promise<number> {
  const model = tinyModel();
  const history = await model.fit(x, y, { epochs: script.length, batchSize: 8, verbose: 0, callbacks: [scripted(metric, script), earlyStopping(args)] });
  return history.epoch.length;
}

describe('earlyStopping', () => {
  it('stops after `patience` epochs without improvement (min mode)', async () => {
    const model = tinyModel();
    const stopper = earlyStopping({ patience: 2 });
    const history = await model.fit(x, y, {
      epochs: 8, batchSize: 8, verbose: 0, callbacks: [scripted('val_loss', [1.0, 0.8, 0.9, 0.85, 0.95, 0.7, 0.6, 0.5]), stopper],
    });
    expect(history.epoch).toEqual([0, 1, 2, 3]);
    expect(stopper.stoppedEpoch).toBe(3);
    expect(stopper.bestEpoch).toBe(1);
    expect(stopper.best).toBe(0.8);
  });

  it('patience 0 stops at the first epoch without improvement', async () => {
    expect(await epochsRun([1.0, 0.9, 0.95, 0.5], { patience: 0 })).toBe(3);
  });

  it('minDelta: smaller improvements do not count', async () => {
    expect(await epochsRun([1.0, 0.95, 0.92, 0.5, 0.4], { patience: 1, minDelta: 0.1 })).toBe(2);
    expect(await epochsRun([1.0, 0.95, 0.92, 0.5, 0.4], { patience: 1, minDelta: 0.01 })).toBe(5);
  });

  it('accuracy is maximized in auto mode; mode overrides', async () => {
    const accuracies = [0.5, 0.6, 0.55, 0.7, 0.8];
    expect(await epochsRun(accuracies, { monitor: 'val_accuracy', patience: 1 }, 'val_accuracy')).toBe(3);
    expect(await epochsRun(accuracies, { monitor: 'val_accuracy', patience: 1, mode: 'min' }, 'val_accuracy')).toBe(2);
    expect(await epochsRun([3, 2, 2.5, 1], { monitor: 'loss', patience: 1, mode: 'max' }, 'loss')).toBe(2);
  });

  it('baseline: improvements that do not beat it do not reset the wait', async () => {
    const script = [0.9, 0.8, 0.85, 0.86, 0.87, 0.88];
    expect(await epochsRun(script, { patience: 3 })).toBe(5);
    expect(await epochsRun(script, { patience: 3, baseline: 0.5 })).toBe(3);
  });

  it('restoreBestWeights puts back the best epoch\'s weights; without it the last weights stay', async () => {
    const script = [1.0, 0.5, 0.7, 0.8, 0.9];
    for (const restore of [true, false]) {
      fg.setSeed(3);
      const model = tinyModel();
      const recorder = weightRecorder(model);
      const history = await model.fit(x, y, {
        epochs: 5, batchSize: 8, verbose: 0, callbacks: [scripted('val_loss', script), recorder.callback, earlyStopping({ patience: 2, restoreBestWeights: restore })],
      });
      expect(history.epoch.length).toBe(4);
      const expected = recorder.byEpoch[restore ? 1 : 3].map((w) => Array.from(w));
      expect(weightsOf(model)).toEqual(expected);
      expect(recorder.byEpoch[1].map((w) => Array.from(w))).not.toEqual(recorder.byEpoch[3].map((w) => Array.from(w)));
    }
  });

  it('a real val_loss on held-out data drives it (no scripting)', async () => {
    const model = tinyModel();
    const stopper = earlyStopping({ patience: 1, minDelta: 10 });  // nothing improves by 10
    const history = await model.fit(x, y, { epochs: 6, batchSize: 8, verbose: 0, validationSplit: 0.25, callbacks: [stopper] });
    expect(history.epoch.length).toBe(2);
    expect(stopper.best).toBe(history.val_loss[0]);
  });

  it('rejects bad options and a metric fit does not log', async () => {
    expect(() => earlyStopping({ patience: -1 })).toThrow(RangeError);
    expect(() => earlyStopping({ patience: 1.5 })).toThrow(/patience/);
    expect(() => earlyStopping({ mode: 'up' as never })).toThrow(/mode/);
    expect(() => earlyStopping({ monitor: 'val_mae' })).toThrow(/'min' or 'max' for monitor 'val_mae'/);
    expect(() => earlyStopping({ patiense: 2 } as never)).toThrow(/unknown option 'patiense'/);
    expect(() => earlyStopping({ baseline: Number.NaN })).toThrow(/baseline/);
    const model = tinyModel();
    await expect(model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [earlyStopping()] })).rejects.toThrow(/val_ metrics need fit's validationData/);
  });
});

describe('modelCheckpoint', () => {
  it('saveBestOnly writes only on improvement, to a path with {epoch}', async () => {
    fg.setSeed(4);
    const model = tinyModel();
    const recorder = weightRecorder(model);
    const pattern = path.join(root, 'best-{epoch}');
    const checkpoint = modelCheckpoint({ path: pattern, saveBestOnly: true });
    await model.fit(x, y, { epochs: 5, batchSize: 8, verbose: 0, callbacks: [scripted('val_loss', [1.0, 0.8, 0.9, 0.7, 0.75]), recorder.callback, checkpoint] });
    const expected = [1, 2, 4].map((epoch) => path.join(root, `best-${epoch}`));
    expect(checkpoint.savedPaths).toEqual(expected);
    for (const epoch of [3, 5]) expect(existsSync(path.join(root, `best-${epoch}`))).toBe(false);
    for (const [index, epoch] of [[0, 1], [1, 2], [3, 4]]) {
      const loaded = await loadModel(path.join(root, `best-${epoch}`));
      expect(weightsOf(loaded)).toEqual(recorder.byEpoch[index].map((w) => Array.from(w)));
    }
    expect(checkpoint.best).toBe(0.7);
  });

  it('with a fixed path the directory ends up holding the best epoch', async () => {
    fg.setSeed(5);
    const model = tinyModel();
    const recorder = weightRecorder(model);
    const dir = path.join(root, 'best-fixed');
    await model.fit(x, y, {
      epochs: 5, batchSize: 8, verbose: 0,
      callbacks: [scripted('val_accuracy', [0.5, 0.75, 0.6, 0.7, 0.5]), recorder.callback, modelCheckpoint({ path: dir, monitor: 'val_accuracy', saveBestOnly: true })],
    });
    expect(weightsOf(await loadModel(dir))).toEqual(recorder.byEpoch[1].map((w) => Array.from(w)));
    expect((await fs.readdir(dir)).filter((f) => f.startsWith('weights-')).length).toBe(1);
  });

  it('without saveBestOnly every epoch is saved; placeholders take Keras formats', async () => {
    const model = tinyModel();
    const checkpoint = modelCheckpoint({ path: path.join(root, 'every', 'ep{epoch:03d}-loss{loss:.3f}') });
    const history = await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [checkpoint] });
    const names = history.loss.map((loss, i) => `ep${String(i + 1).padStart(3, '0')}-loss${loss.toFixed(3)}`);
    expect((await fs.readdir(path.join(root, 'every'))).sort()).toEqual(names.sort());
    expect((await loadModel(path.join(root, 'every', names[2]))).loss).toBe('categoricalCrossentropy');
  });

  it('formats paths like Python str.format for {epoch}, widths, precisions and literal braces', () => {
    expect(formatCheckpointPath('m-{epoch}', { epoch: 7 })).toBe('m-7');
    expect(formatCheckpointPath('m-{epoch:02d}', { epoch: 7 })).toBe('m-07');
    expect(formatCheckpointPath('m-{epoch:4d}', { epoch: 7 })).toBe('m-   7');
    expect(formatCheckpointPath('{val_loss:.2f}', { val_loss: 0.12567 })).toBe('0.13');
    expect(formatCheckpointPath('{val_loss:f}', { val_loss: 0.5 })).toBe('0.500000');
    expect(formatCheckpointPath('{{x}}-{epoch}', { epoch: 1 })).toBe('{x}-1');
    expect(() => modelCheckpoint({ path: '{val_loss:.500f}' })).toThrow(/placeholders like/);
    expect(() => formatCheckpointPath('{nope}', { epoch: 1 })).toThrow(/path placeholder \{nope\}/);
  });

  it('rejects bad options, malformed placeholders and a missing monitor', async () => {
    expect(() => modelCheckpoint({} as never)).toThrow(TypeError);
    expect(() => modelCheckpoint({ path: 'a-{epoch' })).toThrow(/placeholders like \{epoch\}/);
    expect(() => modelCheckpoint({ path: 'a', saveBestOnly: 'yes' as never })).toThrow(/saveBestOnly/);
    expect(() => modelCheckpoint({ path: 'a', every: 2 } as never)).toThrow(/unknown option 'every'/);
    const model = tinyModel();
    await expect(model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [modelCheckpoint({ path: path.join(root, 'x'), saveBestOnly: true })] }))
      .rejects.toThrow(/for monitor but received 'val_loss'/);
    await expect(model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [modelCheckpoint({ path: path.join(root, '{bogus}') })] }))
      .rejects.toThrow(/\{bogus\}/);
  });
});
