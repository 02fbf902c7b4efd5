// Training concurrency end to end: four models fit at once in this process (Promise.all) while two
// worker_threads each fit their own, all from fixed seeds, must give the same weights bit for bit as
// the six runs done one after another; a 5 ms timer keeps firing throughout. No timing asserted
// beyond a generous "the event loop was not blocked" bound.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { trainFromSeed } = require('./helpers/worker-train.js') as {
  trainFromSeed: (lib: typeof fg, images: fg.Tensor, labels: fg.Tensor, seed: number) => Promise<Float32Array>;
};

const WORKER = path.join(__dirname, 'helpers', 'worker-train.js');
const IN_PROCESS_SEEDS = [101, 102, 103, 104];
const WORKER_SEEDS = [201, 202];
// Longest timer gap tolerated: a blocked event loop would stall for a whole training run (seconds);
// a busy 2-core machine shared with other jobs can delay a timer by a few hundred ms.
const MAX_GAP_MS = 1000;

let images: fg.Tensor;
let labels: fg.Tensor;
beforeAll(async () => {
  const mnist = await fg.datasets.mnist({ limit: { train: 512, test: 1 } });
  images = mnist.train.images;
  labels = mnist.train.labels;
});

interface Run {
  seed: number;
  where: string;
  started: number;
  finished: number;
  weights: Float32Array;
}

/** Starts a worker that loads faltung (`ready`), then trains from `seed` once go() is called. */
function trainInWorker(seed: number): { ready: Promise<void>; go: () => void; done: Promise<Run> } {
  const worker = new Worker(WORKER, {
    workerData: { role: 'train', seed, images: images.data, imageShape: images.shape, labels: labels.data, labelShape: labels.shape },
  });
  let started = 0;
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  const go = (): void => {
    started = Date.now();
    worker.postMessage('go');
  };
  const done = new Promise<Run>((resolve, reject) => {
    ready.then(() => worker.once('message', (message: { weights: Float32Array; finished: number }) => {
      resolve({ seed, where: 'worker', started, finished: message.finished, weights: message.weights });
    }), reject);
    worker.on('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`worker for seed ${seed} exited with ${code}`)); });
  });
  return { ready, go, done };
}

async function trainHere(seed: number): Promise<Run> {
  const started = Date.now();
  const weights = await trainFromSeed(fg, images, labels, seed);
  return { seed, where: 'main', started, finished: Date.now(), weights };
}

function same(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function firstDifference(a: Float32Array, b: Float32Array): string {
  const index = a.findIndex((v, i) => !Object.is(v, b[i]));
  return index < 0 ? 'none' : `weight ${index}: ${a[index]} vs ${b[index]}`;
}

describe('concurrent training', () => {
  it('gives the sequential weights bit for bit, with the event loop serving a timer throughout', async () => {
    let last = performance.now();
    let longestGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks += 1;
    }, 5);
    let runs: Run[];
    try {
      // Workers take a while to load; all six fits start together once both have.
      const workers = WORKER_SEEDS.map(trainInWorker);
      await Promise.all(workers.map((w) => w.ready));
      for (const worker of workers) worker.go();
      const inProcess = IN_PROCESS_SEEDS.map(trainHere);
      runs = await Promise.all([...inProcess, ...workers.map((w) => w.done)]);
    } finally {
      clearInterval(timer);
    }
    const concurrent = runs.map((run) => run.weights);
    const origin = Math.min(...runs.map((run) => run.started));
    const lastStart = Math.max(...runs.map((run) => run.started));
    const firstEnd = Math.min(...runs.map((run) => run.finished));
    console.log(`concurrent phase: ${runs.map((r) => `${r.where} seed ${r.seed} ${r.started - origin}-${Math.round(r.finished - origin)} ms`).join(', ')}; ` +
      `all six running together for ${Math.round(firstEnd - lastStart)} ms; timer fired ${ticks} times, longest gap ${longestGap.toFixed(1)} ms`);

    const sequential: Float32Array[] = [];
    for (const seed of [...IN_PROCESS_SEEDS, ...WORKER_SEEDS]) sequential.push(await trainFromSeed(fg, images, labels, seed));

    const seeds = [...IN_PROCESS_SEEDS, ...WORKER_SEEDS];
    seeds.forEach((seed, i) => {
      expect(same(concurrent[i], sequential[i]), `seed ${seed}: ${firstDifference(concurrent[i], sequential[i])}`).toBe(true);
    });
    // Six different seeds give six different models (the comparison above is not vacuous).
    for (let i = 1; i < seeds.length; ++i) expect(same(sequential[0], sequential[i])).toBe(false);
    expect(longestGap).toBeLessThan(MAX_GAP_MS);
  });
});
