// The learning-rate range test: geometric rates, early stop on divergence, a suggestion inside the
// range that actually trains, and the model left exactly as it was (weights, learning rate, step
// count and optimizer state: training afterwards matches a model that never ran the test).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as fg from '../lib/index';
import { findLearningRate, plotLearningRateCurve } from '../lib/tuning/lr_finder';
import { TestRandom } from './helpers/random';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-lr-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 3 linearly separable classes of 8 features: label = argmax of a fixed linear map. */
function problem(count: number, seed: number): { x: fg.Tensor; y: fg.Tensor } {
  const random = new TestRandom(seed);
  const map = new TestRandom(99).floats(8 * 3, -1, 1);
  const x = random.floats(count * 8, -1, 1);
  const labels = Array.from({ length: count }, (_, n) => {
    const scores = [0, 1, 2].map((k) => x.slice(n * 8, n * 8 + 8).reduce((s, v, i) => s + v * map[i * 3 + k], 0));
    return scores.indexOf(Math.max(...scores));
  });
  return { x: fg.tensor(x, [count, 8]), y: fg.oneHot(labels, 3) };
}

function model(learningRate = 0.01): fg.Sequential {
  const m = fg.sequential([fg.layers.dense({ inputShape: [8], units: 16, activation: 'relu' }), fg.layers.dense({ units: 3, activation: 'softmax' })]);
  m.compile({ optimizer: fg.optimizers.sgd({ learningRate, momentum: 0.9 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const { x, y } = problem(512, 1);

describe('findLearningRate', () => {
  it('grows the rate geometrically, stops when the loss blows up and suggests the lowest-loss rate / 10', async () => {
    fg.setSeed(5);
    const m = model();
    const result = await findLearningRate(m, x, y, { minLr: 1e-5, maxLr: 1e3, steps: 80, batchSize: 32, smoothing: 0.9, seed: 1 });
    const n = result.learningRates.length;
    expect(result.losses.length).toBe(n);
    expect(result.smoothedLosses.length).toBe(n);
    result.learningRates.forEach((lr, i) => expect(lr / (1e-5 * 1e8 ** (i / 79))).toBeCloseTo(1, 12));
    // SGD with momentum at rates near 1000 diverges long before the last step.
    expect(result.stoppedBy).toBe('diverged');
    expect(n).toBeLessThan(80);
    const best = Math.min(...result.smoothedLosses);
    expect(result.smoothedLosses[n - 1]).toBeGreaterThan(4 * best);
    expect(result.minimumLossLearningRate).toBe(result.learningRates[result.smoothedLosses.indexOf(best)]);
    expect(result.method).toBe('minimum');
    expect(result.suggestion).toBeCloseTo(result.minimumLossLearningRate / 10, 15);
    expect(result.suggestion).toBeGreaterThanOrEqual(1e-5);
    expect(result.suggestion).toBeLessThanOrEqual(1e3);
    expect(result.steepestLearningRate).toBeLessThanOrEqual(result.minimumLossLearningRate);
  });

  it('leaves the model as it was: weights, learning rate, steps and optimizer state', async () => {
    fg.setSeed(11);
    const tested = model(0.05);
    fg.setSeed(11);
    const untouched = model(0.05);
    await tested.trainOnBatch(x, y);
    await untouched.trainOnBatch(x, y);
    const before = tested.getWeights();
    await findLearningRate(tested, x, y, { steps: 30, batchSize: 64, minLr: 1e-3, maxLr: 50, seed: 2 });
    tested.getWeights().forEach((w, i) => expect(w.data).toEqual(before[i].data));
    expect(tested.optimizer!.learningRate).toBe(0.05);
    expect(tested.steps).toBe(1);
    // Momentum left from the range test would change the next updates; there is none.
    await tested.fit(x, y, { epochs: 2, batchSize: 64, shuffle: false, verbose: 0 });
    await untouched.fit(x, y, { epochs: 2, batchSize: 64, shuffle: false, verbose: 0 });
    const a = tested.getWeights();
    untouched.getWeights().forEach((w, i) => expect(a[i].data).toEqual(w.data));
  });

  it('suggests a rate that trains where the bottom of the range does not', async () => {
    fg.setSeed(21);
    const probe = model();
    const { suggestion } = await findLearningRate(probe, x, y, { minLr: 1e-6, maxLr: 100, steps: 60, batchSize: 32, seed: 3 });
    const test = problem(256, 2);
    const trainWith = async (learningRate: number): Promise<number> => {
      fg.setSeed(21);
      const m = model(learningRate);
      await m.fit(x, y, { epochs: 8, batchSize: 32, verbose: 0 });
      return (await m.evaluate(test.x, test.y)).accuracy;
    };
    const good = await trainWith(suggestion);
    const tiny = await trainWith(1e-6);
    expect(good).toBeGreaterThan(0.85);
    expect(good).toBeGreaterThan(tiny + 0.2);
  });

  it('draws the curve on a log axis with the suggestion marked', async () => {
    fg.setSeed(5);
    const result = await findLearningRate(model(), x, y, { minLr: 1e-4, maxLr: 10, steps: 40, seed: 4 });
    const svg = await plotLearningRateCurve(result, path.join(dir, 'lr.svg'));
    expect(svg).toContain('data-x-scale="log"');
    expect(svg).toContain(`data-x="${result.suggestion}"`);
    expect(svg.match(/data-series="smoothed loss" points="([^"]*)"/)![1].split(' ').length).toBe(result.learningRates.length);
    await plotLearningRateCurve(result, path.join(dir, 'lr.png'));
    expect(fs.readFileSync(path.join(dir, 'lr.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('names bad arguments', async () => {
    const uncompiled = fg.sequential([fg.layers.dense({ inputShape: [8], units: 3 })]);
    await expect(findLearningRate(uncompiled, x, y)).rejects.toMatchObject({ code: 'FALTUNG_NOT_COMPILED' });
    await expect(findLearningRate(model(), x, y, { minLr: 1, maxLr: 0.1 })).rejects.toThrow(/options.maxLr/);
    await expect(findLearningRate(model(), x, y, { steps: 2 })).rejects.toThrow(/options.steps/);
    await expect(findLearningRate(model(), x, y, { smoothing: 1 })).rejects.toThrow(/options.smoothing/);
    await expect(findLearningRate(model(), x, y, { stop: 3 } as never)).rejects.toThrow(/Unknown option options.stop/);
    await expect(findLearningRate(model(), x, fg.oneHot([0, 1], 3))).rejects.toThrow(/512 examples/);
    await expect(findLearningRate({} as never, x, y)).rejects.toThrow(TypeError);
  });
});

describe('faltung lr-find', () => {
  it('runs the range test on an MNIST subset, draws the curve and trains at the suggestion', async () => {
    const { lrFindCommand } = await import('../lib/cli/commands/lr_find');
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(line); });
    const plot = path.join(dir, 'cli-lr.png');
    try {
      await lrFindCommand.run(['--limit', '400', '--steps', '30', '--batch-size', '32', '--train-epochs', '1', '--plot', plot, '--seed', '1']);
    } finally {
      log.mockRestore();
    }
    const text = lines.join('\n');
    const suggested = Number(/Suggested learning rate: ([\d.e+-]+)/.exec(text)![1]);
    expect(suggested).toBeGreaterThanOrEqual(1e-7);
    expect(suggested).toBeLessThanOrEqual(10);
    expect(text).toContain('SGD');
    expect(text).toMatch(/test accuracy \d+\.\d\d%/);
    expect(fs.readFileSync(plot).subarray(1, 4).toString()).toBe('PNG');
  });

  it('needs an optimizer for a model saved uncompiled, and names bad options', async () => {
    const { lrFindCommand } = await import('../lib/cli/commands/lr_find');
    const modelDir = path.join(dir, 'uncompiled');
    await fg.sequential([fg.layers.flatten({ inputShape: [28, 28, 1] }), fg.layers.dense({ units: 10, activation: 'softmax' })]).save(modelDir);
    await expect(lrFindCommand.run(['--model-dir', modelDir, '--limit', '100'])).rejects.toThrow(/--optimizer/);
    await expect(lrFindCommand.run(['--steps', '1'])).rejects.toThrow(/--steps/);
    await expect(lrFindCommand.run(['--optimizer', 'lion'])).rejects.toThrow(/--optimizer/);
  });
});
