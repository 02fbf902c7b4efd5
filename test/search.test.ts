// Hyperparameter search on a tiny image problem (bars: horizontal, vertical, diagonal): grid and
// random strategies, the table sorted by validation accuracy, successive halving pruning the worst
// trials after the first rung, the seconds budget stopping the search, JSON and text output.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as fg from '../lib/index';
import { type Params, formatResults, gridCombinations, halvingRungs, saveResults, search } from '../lib/tuning/search';
import { TestRandom } from './helpers/random';

const L = fg.layers;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-search-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 8x8 images of one bar (class 0 horizontal, 1 vertical, 2 diagonal) at a random place, plus noise. */
function bars(count: number, seed: number): { x: fg.Tensor; y: fg.Tensor } {
  const random = new TestRandom(seed);
  const x = new Float32Array(count * 64);
  const labels: number[] = [];
  for (let n = 0; n < count; ++n) {
    const label = n % 3;
    const at = random.int(1, 6);
    for (let i = 0; i < 8; ++i) {
      const [r, c] = label === 0 ? [at, i] : label === 1 ? [i, at] : [i, (i + at) % 8];
      x[n * 64 + r * 8 + c] = 1;
    }
    for (let i = 0; i < 64; ++i) x[n * 64 + i] += random.uniform(-0.2, 0.2);
    labels.push(label);
  }
  return { x: fg.tensor(x, [count, 8, 8, 1]), y: fg.oneHot(labels, 3) };
}

function buildModel(params: Params): fg.Sequential {
  const model = fg.sequential([
    L.conv2d({ inputShape: [8, 8, 1], filters: params.filters as number, kernelSize: params.kernelSize as number, activation: 'relu' }),
    L.maxPooling2d({ poolSize: (params.poolSize as number) ?? 2 }),
    L.flatten(),
    L.dense({ units: 3, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: fg.optimizers.sgd({ learningRate: params.learningRate as number, momentum: 0.9 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const train = bars(240, 1);
const validation = bars(90, 2);

function expectSorted(accuracies: number[]): void {
  for (let i = 1; i < accuracies.length; ++i) expect(accuracies[i]).toBeLessThanOrEqual(accuracies[i - 1]);
}

describe('search', () => {
  it('grid: runs every combination once and sorts the table by validation accuracy', async () => {
    const space = { filters: [2, 6], kernelSize: [3], learningRate: [1e-5, 0.05] };
    const result = await search({ space, buildModel, x: train.x, y: train.y, validationData: [validation.x, validation.y], strategy: 'grid', epochs: 2, batchSize: 16, seed: 1 });
    expect(result.trialsPlanned).toBe(4);
    expect(result.results.map((r) => r.params).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))))
      .toEqual(gridCombinations(space).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
    expect(result.results.every((r) => r.status === 'completed' && r.epochs === 2 && r.valAccuracyHistory.length === 2)).toBe(true);
    expectSorted(result.results.map((r) => r.valAccuracy));
    expect(result.best).toBe(result.results[0]);
    // A learning rate of 1e-5 cannot learn this in 2 epochs; 0.05 can.
    expect(result.best!.params.learningRate).toBe(0.05);
    expect(result.best!.valAccuracy).toBeGreaterThan(0.8);
    // The reported accuracy is the model's on the validation data (re-evaluated from the same seed).
    fg.setSeed(1 + result.best!.id);
    const again = buildModel(result.best!.params);
    await again.fit(train.x, train.y, { epochs: 2, batchSize: 16, validationData: [validation.x, validation.y], verbose: 0 });
    expect((await again.evaluate(validation.x, validation.y)).accuracy).toBeCloseTo(result.best!.valAccuracy, 6);

    expect((await result.bestModel!.evaluate(validation.x, validation.y)).accuracy).toBe(result.best!.valAccuracy);

    const table = formatResults(result);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^rank\s+val acc\s+val loss\s+epochs\s+status/);
    expect(lines.length).toBe(2 + 4);
    expect(lines[2]).toContain(`${(result.best!.valAccuracy * 100).toFixed(2)}%`);
    const file = path.join(dir, 'results.json');
    await saveResults(result, file);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(saved.results.map((r: { id: number }) => r.id)).toEqual(result.results.map((r) => r.id));
    expect(saved.strategy).toBe('grid');
    expect(saved.bestModel).toBeUndefined();
  });

  it('successive halving trains everything 1 epoch, then only the best third to the end', async () => {
    expect(halvingRungs(3, 1, 3)).toEqual([1, 3]);
    expect(halvingRungs(9, 1, 3)).toEqual([1, 3, 9]);
    expect(halvingRungs(10, 2, 2)).toEqual([2, 4, 8, 10]);
    const epochsSeen: Record<number, number> = {};
    const result = await search({
      space: { filters: [1, 2, 4, 8], kernelSize: [2, 3], learningRate: { min: 1e-4, max: 0.1, scale: 'log' } },
      buildModel, x: train.x, y: train.y, validationSplit: 0.25, strategy: 'random', trials: 9, epochs: 3,
      halving: { eta: 3, minEpochs: 1 }, batchSize: 16, seed: 4,
      onEpochEnd: (trial) => { epochsSeen[trial.id] = trial.epochs; },
    });
    expect(result.rungs).toEqual([1, 3]);
    const pruned = result.results.filter((r) => r.status === 'pruned');
    const kept = result.results.filter((r) => r.status === 'completed');
    expect(pruned.length).toBe(6);
    expect(kept.length).toBe(3);
    expect(pruned.every((r) => r.epochs === 1)).toBe(true);
    expect(kept.every((r) => r.epochs === 3)).toBe(true);
    expect(result.bestModel).not.toBeNull();
    expect(result.best!.status).toBe('completed');
    // The survivors were the best after the first rung.
    const worstKept = Math.min(...kept.map((r) => r.valAccuracyHistory[0]));
    expect(pruned.every((r) => r.valAccuracy <= worstKept)).toBe(true);
    expect(Object.values(epochsSeen).reduce((a, b) => a + b, 0)).toBe(6 * 1 + 3 * 3);
    result.results.forEach((r) => {
      expect(r.params.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(r.params.learningRate).toBeLessThanOrEqual(0.1);
    });
  });

  it('tries the included configurations first', async () => {
    const included = { filters: 3, kernelSize: 2, learningRate: 0.02 };
    const result = await search({ space: { filters: [2, 4], kernelSize: [3], learningRate: [0.05] }, include: [included], buildModel, x: train.x, y: train.y, validationSplit: 0.25, trials: 3, seed: 2 });
    expect(result.results.find((r) => r.id === 0)!.params).toEqual(included);
    expect(result.results.filter((r) => r.id > 0).every((r) => [2, 4].includes(r.params.filters as number))).toBe(true);
    await expect(search({ space: { filters: [2] }, include: [{ filters: [2] }] as never, buildModel, x: train.x, y: train.y, validationSplit: 0.25 })).rejects.toThrow(/options.include\[0\].filters/);
  });

  it('respects the seconds budget: no epoch starts that is expected to end after it', async () => {
    const none = await search({ space: { filters: [2], kernelSize: [3], learningRate: [0.05] }, buildModel, x: train.x, y: train.y, validationSplit: 0.25, trials: 3, budgetSeconds: 0 });
    expect(none.budgetExhausted).toBe(true);
    expect(none.results).toEqual([]);
    expect(none.best).toBeNull();

    const one = await search({ space: { filters: [4], kernelSize: [3], learningRate: [0.05] }, buildModel, x: train.x, y: train.y, validationSplit: 0.25, trials: 1, epochs: 1, batchSize: 8 });
    const epochSeconds = one.results[0].seconds;
    const budget = 3 * epochSeconds;
    const limited = await search({ space: { filters: [4], kernelSize: [3], learningRate: [0.05] }, buildModel, x: train.x, y: train.y, validationSplit: 0.25, trials: 200, epochs: 1, batchSize: 8, budgetSeconds: budget });
    expect(limited.budgetExhausted).toBe(true);
    expect(limited.results.length).toBeGreaterThan(0);
    expect(limited.results.length).toBeLessThan(200);
    // Each epoch starts only while (time used + expected epoch time) fits, so the search ends at most
    // one epoch (the slowest it measured) past the budget.
    const slowest = Math.max(...limited.results.map((r) => r.seconds));
    expect(limited.elapsedSeconds).toBeLessThanOrEqual(budget + slowest + 0.5);
  });

  it('records a configuration that fails as a failed trial and keeps searching', async () => {
    // A 9x9 kernel does not fit an 8x8 image: building the model throws a RangeError.
    const result = await search({ space: { filters: [2], kernelSize: [9, 3], learningRate: [0.05] }, buildModel, x: train.x, y: train.y, validationSplit: 0.25, strategy: 'grid', batchSize: 16 });
    expect(result.results.map((r) => r.status)).toEqual(['completed', 'failed']);
    expect(result.results[1].error).toMatch(/kernel|window|larger|input/i);
    expect(formatResults(result.results)).toContain('failed');
  });

  it('names bad options', async () => {
    const base = { space: { filters: [2] }, buildModel, x: train.x, y: train.y, validationSplit: 0.25 };
    await expect(search({ ...base, space: {} })).rejects.toThrow(/options.space/);
    await expect(search({ ...base, space: { lr: { min: 0, max: 1, scale: 'log' } } })).rejects.toThrow(/options.space.lr.min/);
    await expect(search({ ...base, strategy: 'grid', space: { lr: { min: 0.1, max: 1 } } })).rejects.toThrow(/grid search takes no ranges/);
    await expect(search({ ...base, validationSplit: undefined })).rejects.toThrow(/validationData or validationSplit/);
    await expect(search({ ...base, strategy: 'bayes' as never })).rejects.toThrow(/options.strategy/);
    await expect(search({ ...base, halving: { eta: 1 } })).rejects.toThrow(/options.halving.eta/);
    await expect(search({ ...base, buildModel: (() => fg.sequential([L.flatten({ inputShape: [8, 8, 1] })])) as never, trials: 1 }))
      .resolves.toMatchObject({ results: [{ status: 'failed' }] });
  });
});

describe('faltung tune', () => {
  it('builds the Keras MNIST convnet from the default parameters', async () => {
    const { DEFAULT_CNN, buildCnn } = await import('../lib/cli/commands/tune');
    const model = buildCnn(DEFAULT_CNN);
    expect(model.countParams()).toBe(34826);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dropout', 'Dense']);
    expect(buildCnn({ convBlocks: 3, filters: 8, padding: 'same', denseUnits: 16 }).layers.map((l) => l.outputShape!.join('x')))
      .toEqual(['28x28x8', '14x14x8', '14x14x16', '7x7x16', '7x7x32', '3x3x32', '288', '288', '16', '10']);
  });

  it('searches on an MNIST subset, prints the table and saves the JSON', async () => {
    const { tuneCommand } = await import('../lib/cli/commands/tune');
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(line); });
    const out = path.join(dir, 'tune.json');
    try {
      await tuneCommand.run(['--limit', '300', '--trials', '3', '--epochs', '2', '--budget-seconds', '120', '--seed', '5', '--out', out]);
    } finally {
      log.mockRestore();
    }
    const saved = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(saved.trialsPlanned).toBe(3);
    expect(saved.rungs).toEqual([1, 2]);
    const accuracies = saved.results.filter((r: { valAccuracy: number | null }) => r.valAccuracy !== null).map((r: { valAccuracy: number }) => r.valAccuracy);
    expectSorted(accuracies);
    const text = lines.join('\n');
    expect(text).toMatch(/rank\s+val acc/);
    expect(text).toMatch(/Best: trial \d+, validation \d+\.\d\d% after \d epochs, test \d+\.\d\d%/);
    await expect(tuneCommand.run(['--strategy', 'annealing'])).rejects.toThrow(/--strategy/);
    await expect(tuneCommand.run(['--budget', '3'])).rejects.toThrow(/Unknown option '--budget'/);
  });
});
