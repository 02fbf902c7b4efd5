// The `faltung` CLI run as a child process (dist/cli/main.js): help, summary, a short train, then
// evaluate and predict on the saved model checked against the same model loaded in-process, and
// the error paths (one line on stderr, non-zero exit, no stack trace).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { loadModel } from '../lib/io/model_io';
import { TrainingProgress, formatDuration } from '../lib/cli/progress';

const root = path.join(__dirname, '..');
const main = path.join(root, 'dist', 'cli', 'main.js');
const work = mkdtempSync(path.join(tmpdir(), 'faltung-cli-'));
const modelDir = path.join(work, 'model');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function faltung(...args: string[]): Run {
  const result = spawnSync(process.execPath, [main, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, FALTUNG_DEBUG: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A failed run: non-zero exit, exactly one "faltung: error:" line, no stack frames. */
function expectOneLineError(run: Run, pattern: RegExp): void {
  expect(run.status, run.stderr).not.toBe(0);
  expect(run.stderr.endsWith('\n')).toBe(true);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^faltung: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

/** Checks the two lines predict prints for image `index` against probabilities computed in-process. */
function expectPrediction(stdout: string, index: number, file: string, expected: number[]): void {
  const [header, list] = stdout.split('\n').slice(2 * index, 2 * index + 2);
  const best = expected.indexOf(Math.max(...expected));
  expect(header).toBe(`${file}: class ${best} (${(expected[best] * 100).toFixed(2)}%)`);
  const printed = list.trim().split(/\s{2,}/).map((entry) => entry.split(': '));
  expect(printed.map(([c]) => Number(c))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Printed with 4 decimals: within half a unit of the last digit (plus float noise).
  printed.forEach(([c, p]) => expect(Math.abs(Number(p) - expected[Number(c)]), `class ${c}`).toBeLessThan(6e-5));
}

beforeAll(() => {
  // Builds dist/ (and the addon) only where sources are newer.
  execFileSync(process.execPath, [path.join(root, 'scripts', 'ensure-built.js')], { cwd: root, stdio: 'ignore' });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('faltung help and summary', () => {
  it('prints the commands with --help', () => {
    const run = faltung('--help');
    expect(run.status).toBe(0);
    for (const command of ['train', 'evaluate', 'predict', 'summary']) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const train = faltung('train', '--help');
    expect(train.status).toBe(0);
    for (const flag of ['--epochs', '--batch-size', '--learning-rate', '--optimizer', '--model', '--data-dir', '--out', '--threads', '--seed', '--limit']) {
      expect(train.stdout).toContain(flag);
    }
  });

  it('summarizes a preset', () => {
    const run = faltung('summary', 'mnist-convnet');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Model: "mnist_convnet"');
    expect(run.stdout).toMatch(/^conv2d \(Conv2D\)\s+\[null,26,26,32\]\s+320$/m);
    expect(run.stdout).toMatch(/^dense \(Dense\)\s+\[null,10\]\s+16010$/m);
    expect(run.stdout).toContain('Total params: 34,826');
  });
});

describe('faltung train, evaluate, predict', () => {
  let trainRun: Run;
  let reportedAccuracy: string;
  beforeAll(() => {
    trainRun = faltung('train', '--epochs', '1', '--limit', '2000', '--seed', '7', '--out', modelDir);
    reportedAccuracy = /Test accuracy: (\d+\.\d\d)%/.exec(trainRun.stdout)?.[1] ?? '';
  });

  it('trains, reports test accuracy and speed, and saves', () => {
    expect(trainRun.status, trainRun.stderr).toBe(0);
    expect(trainRun.stderr).toBe('');
    // Not a terminal: one plain progress line for the one (short) epoch, no carriage returns.
    expect(trainRun.stdout.match(/^Epoch 1\/1 /gm)).toHaveLength(1);
    expect(trainRun.stdout).not.toContain('\r');
    expect(trainRun.stdout).toMatch(/on 2,000 MNIST images: 1 epoch, batch 128, adam .* seed 7/);
    // 16 steps on 2,000 images already beat chance (10%) by far.
    expect(Number(reportedAccuracy)).toBeGreaterThan(50);
    expect(trainRun.stdout).toMatch(/on 10,000 images/);
    expect(trainRun.stdout).toMatch(/^Training: 1 epoch in \d+\.\d s, [\d,]+ images\/s; wall time \d+\.\d s$/m);
    expect(trainRun.stdout).toContain(`Saved the model to ${modelDir}`);
  });

  it('evaluates the saved model to the accuracy train reported', () => {
    const run = faltung('evaluate', modelDir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Test loss \\d\\.\\d{4}, accuracy ${reportedAccuracy.replace('.', '\\.')}% on 10,000 MNIST test images$`, 'm'));
  });

  it('predicts PNG files as the loaded model does in-process, with --invert for dark-on-light', async () => {
    const { test } = await fg.datasets.mnist({ limit: { train: 0, test: 2 } });
    const bytes = (index: number, invert: boolean): Buffer =>
      Buffer.from(Array.from(test.images.data.subarray(index * 784, (index + 1) * 784), (v) => Math.round((invert ? 1 - v : v) * 255)));
    const files = [path.join(work, 'seven.png'), path.join(work, 'two.png'), path.join(work, 'two-dark-on-light.png')];
    await sharp(bytes(0, false), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(files[0]);
    await sharp(bytes(1, false), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(files[1]);
    await sharp(bytes(1, true), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(files[2]);

    const model = await loadModel(modelDir);
    const inProcess = (index: number): number[] =>
      Array.from(model.predict(new fg.Tensor(test.images.data.subarray(index * 784, (index + 1) * 784), [1, 28, 28, 1])).data);

    const plain = faltung('predict', modelDir, files[0], files[1]);
    expect(plain.status, plain.stderr).toBe(0);
    expectPrediction(plain.stdout, 0, files[0], inProcess(0));
    expectPrediction(plain.stdout, 1, files[1], inProcess(1));
    expect(plain.stdout.trimEnd().split('\n')).toHaveLength(4);
    const inverted = faltung('predict', modelDir, files[2], '--invert');
    expect(inverted.status, inverted.stderr).toBe(0);
    expectPrediction(inverted.stdout, 0, files[2], inProcess(1));
  });
});

describe('faltung errors', () => {
  it('rejects an unknown flag', () => {
    expectOneLineError(faltung('train', '--epoch', '2'), /unknown option '--epoch'/);
  });
  it('rejects an unknown command', () => {
    expectOneLineError(faltung('trian'), /unknown command 'trian'/);
  });
  it('reports a missing model folder', () => {
    expectOneLineError(faltung('evaluate', path.join(work, 'no-such-model')), /no model folder at .*no-such-model/);
    expectOneLineError(faltung('summary', path.join(work, 'no-such-model')), /neither a model folder nor one of mnist-convnet, lenet5, vgg16/);
  });
  it('rejects bad numbers and missing values', () => {
    const run = faltung('train', '--epochs', 'three');
    expectOneLineError(run, /--epochs.*'three'/);
    expect(run.status).toBe(2);
    expectOneLineError(faltung('train', '--batch-size', '0'), /--batch-size/);
    expectOneLineError(faltung('train', '--learning-rate', 'fast'), /--learning-rate.*'fast'/);
    expectOneLineError(faltung('train', '--seed'), /missing value for option '--seed'/);
  });
  it('reports models of the wrong shape', async () => {
    const tabular = fg.sequential([fg.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })]);
    const dir = path.join(work, 'tabular');
    await tabular.save(dir);
    expectOneLineError(faltung('evaluate', dir), /takes \[4\] and gives \[3\]; MNIST needs \[28, 28, 1\] -> \[10\]/);
    expectOneLineError(faltung('predict', dir, path.join(work, 'seven.png')), /images \[height, width, 1, 3 or 4 channels\]; this one takes \[4\]/);
  });
  it('reports a missing image and a missing MNIST folder', () => {
    expectOneLineError(faltung('predict', modelDir, path.join(work, 'nothing.png')), /Image file not found: .*nothing\.png/);
    expectOneLineError(faltung('train', '--data-dir', path.join(work, 'no-mnist')), /MNIST file .* not found/);
  });
});

describe('training progress', () => {
  /** A terminal-like sink: what was written, and a clock the test moves. */
  function sink(isTTY: boolean): { stream: { isTTY: boolean; columns: number; write(text: string): void }; text: () => string } {
    const chunks: string[] = [];
    return { stream: { isTTY, columns: 120, write: (text: string) => { chunks.push(text); } }, text: () => chunks.join('') };
  }

  /** One epoch of `batches` batches of 10 images, `msPerBatch` apart, loss 0.5 and accuracy 0.75 each. */
  function runEpoch(progress: TrainingProgress, clock: { now: number }, batches: number, msPerBatch: number): void {
    progress.onEpochBegin(0);
    for (let batch = 0; batch < batches; ++batch) {
      clock.now += msPerBatch;
      progress.onBatchEnd(batch, { batch, size: 10, loss: 0.5, accuracy: 0.75 });
    }
    progress.onEpochEnd(0, { loss: 0.5, accuracy: 0.75 });
  }

  it('redraws one line in place on a terminal, at most every 100 ms', () => {
    const { stream, text } = sink(true);
    const clock = { now: 0 };
    const progress = new TrainingProgress({ stream, epochs: 2, batchesPerEpoch: 100, now: () => clock.now });
    runEpoch(progress, clock, 100, 25); // 2.5 s: at most 25 redraws plus the final one
    const output = text();
    const redraws = output.split('\r').length - 1;
    expect(redraws).toBeGreaterThanOrEqual(20);
    expect(redraws).toBeLessThanOrEqual(26);
    expect(output.endsWith('\n')).toBe(true);
    expect(output.split('\n')).toHaveLength(2);
    const last = output.slice(output.lastIndexOf('\r') + 1);
    expect(last).toMatch(/^Epoch 1\/2  100\/100 \[=+\]  loss 0\.5000  acc 0\.7500  400 img\/s  2\.5s\x1b\[K\n$/);
    const middle = output.split('\r')[10];
    expect(middle).toMatch(/^Epoch 1\/2  \s*\d+\/100 \[=*>\.*\]  loss 0\.5000  acc 0\.7500  400 img\/s  ETA \d\.\ds\x1b\[K$/);
  });

  it('writes plain lines elsewhere: one per epoch, quarter lines only in long epochs', () => {
    const quick = sink(false);
    const clock = { now: 0 };
    runEpoch(new TrainingProgress({ stream: quick.stream, epochs: 1, batchesPerEpoch: 100, now: () => clock.now }), clock, 100, 25);
    expect(quick.text()).toBe('Epoch 1/1  100/100  loss 0.5000  acc 0.7500  400 img/s  2.5s\n');
    const slow = sink(false);
    runEpoch(new TrainingProgress({ stream: slow.stream, epochs: 1, batchesPerEpoch: 100, now: () => clock.now }), clock, 100, 200); // 20 s: the 25% mark (5 s) is too early for a line
    const lines = slow.text().trimEnd().split('\n');
    expect(lines.map((line) => line.split('  ')[1])).toEqual([' 50/100', ' 75/100', '100/100']);
    expect(lines[0]).toMatch(/ETA 10s$/);
    expect(slow.text()).not.toContain('\r');
  });

  it('formats durations', () => {
    expect([formatDuration(4.25), formatDuration(42), formatDuration(125), formatDuration(7260), formatDuration(NaN)]).toEqual(['4.3s', '42s', '2m05s', '2h01m', '?']);
  });
});
