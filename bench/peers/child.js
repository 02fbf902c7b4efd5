// The measuring half of every runner in bench/peers/: parses `--task <name> --budget-s <s>`
// (and `--shapes 0,1`, `--quick`),
// runs that one workload with the library's adapter under a time budget, watches the event loop
// with a 10 ms heartbeat, and prints one `PEERS_RESULT {json}` line. Adapters only build models
// and run calls; all timing, warm-up and batch accounting is here, the same for every library.
'use strict';
const { median, randomFloats } = require('../lib/timing');
const { CONV_SHAPES } = require('../baseline/conv-shapes');
const { loadMnist } = require('./mnist');
const { TRAINING, INFERENCE } = require('./models');

/** Training cycles through the first TRAIN_IMAGES training images (80 batches of 128). */
const TRAIN_IMAGES = 10_240;
/** `--quick` (a smoke run of the plumbing, not a benchmark): smaller batches. */
const QUICK = { trainBatch: 16, inferBatch: 100 };
const RESULT_PREFIX = 'PEERS_RESULT ';

function seconds(start) {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Longest gap between 10 ms ticks, minus the 10 ms: how long the event loop was blocked. */
function heartbeat() {
  let last = process.hrtime.bigint();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = process.hrtime.bigint();
    maxGap = Math.max(maxGap, Number(now - last) / 1e6);
    last = now;
  }, 10);
  return {
    reset() { last = process.hrtime.bigint(); maxGap = 0; },
    /** Includes the gap still open now (a call that blocked until this moment). */
    stallMs() { return Math.max(0, Math.max(maxGap, Number(process.hrtime.bigint() - last) / 1e6) - 10); },
    stop() { clearInterval(timer); },
  };
}

const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Awaits `fn()` repeatedly: at least `minCalls`, then until the calls have taken `budget`
 * seconds. Between calls it yields to the event loop (untimed), as an application would, so a
 * library that blocks shows a stall of one call, not of the whole loop.
 */
async function timeCalls(fn, budget, { minCalls = 1, maxCalls = Infinity } = {}) {
  const times = [];
  let total = 0;
  while (times.length < maxCalls && (times.length < minCalls || total < budget)) {
    const call = process.hrtime.bigint();
    await fn(times.length);
    times.push(seconds(call));
    total += times[times.length - 1];
    await yieldToLoop();
  }
  return { times, total };
}

async function runTrain(adapter, budget, beat, { quick }) {
  const batchSize = quick ? QUICK.trainBatch : TRAINING.batchSize;
  const data = loadMnist('train', TRAIN_IMAGES);
  const trainer = await adapter.trainer();
  const batches = TRAIN_IMAGES / batchSize;
  const step = (index, size = batchSize) => {
    const first = (index % batches) * batchSize;
    return trainer.step(data.images.subarray(first * 784, (first + size) * 784), data.oneHot.subarray(first * 10, (first + size) * 10),
      data.labels.subarray(first, first + size), size);
  };
  // Warm-up: a batch of 8 (JIT, allocation), then a full batch unless one would outlast the
  // budget (the TF.js CPU backend: about a minute), whose figure then includes any first-call cost.
  const small = process.hrtime.bigint();
  await step(0, Math.min(8, batchSize));
  const estimate = seconds(small) * (batchSize / Math.min(8, batchSize));
  if (estimate < budget) await step(1);
  await yieldToLoop();
  beat.reset();
  const losses = [];
  const { times, total } = await timeCalls(async (index) => { losses.push(await step(index + 2)); }, budget);
  return {
    figures: { train: { value: (times.length * batchSize) / total, unit: 'img/s', batchSize, calls: times.length, seconds: total,
      batchMsMedian: median(times) * 1e3, firstLoss: losses[0], lastLoss: losses[losses.length - 1] } },
    stallMs: beat.stallMs(),
    warmedFullBatch: estimate < budget,
  };
}

async function runInfer(adapter, budget, beat, { quick }) {
  const batchSize = quick ? QUICK.inferBatch : INFERENCE.batchSize;
  const data = loadMnist('test', batchSize);
  const predictor = await adapter.predictor();
  const small = process.hrtime.bigint();
  await predictor.predict(data.images.subarray(0, 100 * 784), 100);
  if (seconds(small) * (batchSize / 100) < budget) await predictor.predict(data.images, batchSize);
  await yieldToLoop();
  beat.reset();
  const throughput = await timeCalls(() => predictor.predict(data.images, batchSize), budget * 0.75);
  const stallMs = beat.stallMs();
  const one = data.images.subarray(0, 784);
  for (let i = 0; i < 3; ++i) await predictor.predictOne(one);
  const latency = await timeCalls(() => predictor.predictOne(one), budget * 0.25, { minCalls: 5, maxCalls: 2000 });
  return {
    figures: {
      infer: { value: (throughput.times.length * batchSize) / throughput.total, unit: 'img/s', batchSize, calls: throughput.times.length,
        seconds: throughput.total },
      latency: { value: median(latency.times) * 1e3, unit: 'ms', calls: latency.times.length, min: Math.min(...latency.times) * 1e3 },
    },
    stallMs,
  };
}

/**
 * Each shape's forward and forward+backward get budget/(2*shapes) seconds. A library too slow
 * for the whole batch in that share runs a subset of the images, timed and scaled to N
 * (as bench/conv.bench.js does for the pure-JS baseline); `images` says how many it ran.
 * An adapter may also offer `kernel` (the same passes into preallocated outputs): `kernelMs`.
 */
async function runConv(adapter, budget, beat, { shapeIndices }) {
  const figures = {};
  const share = budget / (2 * shapeIndices.length);
  for (const index of shapeIndices) {
    const shape = CONV_SHAPES[index];
    for (const pass of ['forward', 'both']) {
      // Two calls on one image (the first warms up) say whether the whole batch fits the share.
      // A first call longer than the whole share is kept as the one measurement (warm-up is
      // noise next to it; the TF.js CPU backend's filter gradient takes half a minute per image).
      let layer = await adapter.conv(shape, 1);
      const probe = await timeCalls(() => layer[pass](), share, { minCalls: 1, maxCalls: 2 });
      const one = Math.min(...probe.times);
      const images = one * shape.N < share ? shape.N : Math.max(1, Math.min(shape.N, Math.floor(share / 2 / one)));
      let times = probe.times.slice(-1);
      if (images !== 1) {
        layer.dispose?.();
        layer = await adapter.conv(shape, images);
        await layer[pass]();
        times = [];
      }
      if (probe.times.length === 2 || images !== 1) times.push(...(await timeCalls(() => layer[pass](), share, { minCalls: 2 - times.length })).times);
      const figure = { value: (median(times) * 1e3 * shape.N) / images, unit: 'ms', calls: times.length, images, batch: shape.N };
      if (layer.kernel) {
        const kernel = await timeCalls(() => layer.kernel[pass](), share / 2, { minCalls: 3 });
        figure.kernelMs = (median(kernel.times.slice(1)) * 1e3 * shape.N) / images;
      }
      layer.dispose?.();
      figures[`conv${index}.${pass === 'forward' ? 'fwd' : 'fwdbwd'}`] = figure;
    }
  }
  return { figures, stallMs: beat.stallMs() };
}

/**
 * The first forward is timed on its own (it includes one-time work: TF.js WASM packs every
 * layer's weights for XNNPACK then, seconds on a busy machine). When it took under two budgets,
 * warm calls follow (at least one) and their median is the figure; otherwise the cold call is
 * (marked coldOnly: the TF.js CPU backend, ConvNetJS and plain JS take tens of seconds).
 */
async function runVgg16(adapter, budget, beat) {
  const buildStart = process.hrtime.bigint();
  const network = await adapter.vgg16();
  const buildSeconds = seconds(buildStart);
  const input = randomFloats(224 * 224 * 3, 7);
  await yieldToLoop();
  beat.reset();
  const cold = (await timeCalls(() => network.forward(input), 0)).times[0];
  let value = cold * 1e3;
  let calls = 1;
  if (cold < 2 * budget) {
    const warm = await timeCalls(() => network.forward(input), Math.max(0, budget - cold), { minCalls: 1 });
    value = median(warm.times) * 1e3;
    calls = warm.times.length;
  }
  return { figures: { vgg16: { value, unit: 'ms', calls, coldMs: cold * 1e3, coldOnly: cold >= 2 * budget, buildSeconds } },
    stallMs: beat.stallMs() };
}

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

/**
 * Entry point of a runner: `adapter` = { library, version, setup(), notes?, trainer(), predictor(),
 * conv(shape, images), vgg16() }; a missing method means the library cannot run that task.
 */
async function runChild(adapter) {
  const task = option('task', 'train');
  const budget = Number(option('budget-s', '5'));
  const shapeIndices = option('shapes', CONV_SHAPES.map((_, i) => i).join(',')).split(',').map(Number);
  const quick = process.argv.includes('--quick');
  const started = process.hrtime.bigint();
  const info = adapter.setup ? await adapter.setup() : {};
  const beat = heartbeat();
  const result = { library: adapter.library, version: adapter.version, task, budgetSeconds: budget, info };
  try {
    const run = { train: runTrain, infer: runInfer, conv: runConv, vgg16: runVgg16 }[task];
    if (!run) throw new RangeError(`--task: expected train, infer, conv or vgg16, received ${task}`);
    Object.assign(result, await run(adapter, budget, beat, { shapeIndices, quick }));
  } catch (error) {
    result.error = String(error && error.message ? error.message : error).split('\n')[0];
  } finally {
    beat.stop();
  }
  result.peakRssMb = process.resourceUsage().maxRSS / 1024;
  result.wallSeconds = seconds(started);
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  // Worker pools (tfjs' WASM threads) would keep the process alive.
  process.exit(0);
}

module.exports = { runChild, RESULT_PREFIX, TRAIN_IMAGES };
