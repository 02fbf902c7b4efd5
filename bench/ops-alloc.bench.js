#!/usr/bin/env node
// What allocating op outputs costs: fg.ops.conv2d on 128 MNIST images (28x28x1 -> 32 channels, 3x3,
// valid: an 11 MB output) and fg.ops.maxPool (2x2, stride 2) on its output, with the output pool
// (the default) and without it (FALTUNG_OUTPUT_POOL=0), each row in a fresh process. Two loops:
// one that awaits setImmediate between calls (a server's event loop, where collected outputs come
// back to the pool) and a plain synchronous one (where they cannot until it ends). The kernel alone,
// writing into one preallocated output, is the floor. Median, mean and 90th percentile, ms (glibc's
// reuse of freed memory comes and goes, so the median alone can hide the page faults).
// Deliberately no GC calls: V8 decides when outputs are collected, as in an application.
// Usage: node scripts/build-ts.js && node bench/ops-alloc.bench.js [--repeats 100]   (~30 s)
'use strict';
const { execFileSync } = require('node:child_process');
const { randomFloats } = require('./lib/timing');

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}
const repeats = Number(option('repeats', '100'));

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}


const turn = () => new Promise((resolve) => setImmediate(resolve));

// One case in this process (a fresh one each, so glibc's and the pool's state start the same):
// 3 warm-up calls, then `repeats` timed ones. Prints one JSON line.
async function child(loop, name) {
  const fg = require('../dist/index.js');
  const { native } = require('../dist/native.js');
  const { planWindow } = require('../dist/ops/conv-util.js');
  const x = fg.tensor(randomFloats(128 * 28 * 28, 1), [128, 28, 28, 1]);
  const filter = fg.tensor(randomFloats(3 * 3 * 32, 2), [3, 3, 1, 32]);
  const y = fg.ops.conv2d(x, filter, 1, 'valid');
  const window = planWindow({ inputShape: x.shape, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pad: 'valid',
    outChannels: 32, windowName: 'filter' });
  const out = new Float32Array(y.size);
  const op = {
    'conv2d kernel': () => native.convForward(out, x.data, filter.data, null, window.geometry, false, false),
    conv2d: () => fg.ops.conv2d(x, filter, 1, 'valid'),
    maxPool: () => fg.ops.maxPool(y, 2, 2, 'valid'),
  }[name];
  await turn();
  const start = native.outputPoolStats();
  const times = [];
  for (let i = 0; i < repeats + 3; ++i) {
    const begin = process.hrtime.bigint();
    op();
    const ms = Number(process.hrtime.bigint() - begin) / 1e6;
    if (i >= 3) times.push(ms);
    if (loop === 'event') await turn();
  }
  const stats = native.outputPoolStats();
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  process.stdout.write(`${JSON.stringify({ median: quantile(times, 0.5), mean, p90: quantile(times, 0.9),
    hits: stats.hits - start.hits, misses: stats.misses - start.misses, refused: stats.refused - start.refused,
    rssMB: Math.round(process.memoryUsage().rss / 2 ** 20) })}\n`);
}

function runChild(loop, name, pool) {
  const output = execFileSync(process.execPath, [__filename, '--child', loop, name, '--repeats', String(repeats)], {
    encoding: 'utf8', env: { ...process.env, FALTUNG_OUTPUT_POOL: pool ? '1' : '0' }, maxBuffer: 1 << 20,
  });
  return JSON.parse(output.trim().split('\n').pop());
}

function parent() {
  const fg = require('../dist/index.js');
  const info = fg.backendInfo();
  console.log(`fg.ops output allocation: ${repeats} calls per row after 3 warm-up, each row in fresh processes; ` +
    `${info.isa}, ${info.threads} threads; ms`);
  console.log('conv2d: x [128, 28, 28, 1], filter [3, 3, 1, 32], valid -> [128, 26, 26, 32] (11.1 MB); ' +
    'maxPool 2x2/2 on it (2.8 MB); "conv2d kernel": the binding into one preallocated output\n');
  const header = ['loop', 'op', 'no pool median', 'mean', 'p90', 'pool median', 'mean', 'p90', 'pool hits/misses/refused',
    'RSS MB no pool/pool'];
  const rows = [];
  for (const loop of ['event', 'sync']) {
    for (const name of ['conv2d kernel', 'conv2d', 'maxPool']) {
      const off = runChild(loop, name, false);
      const on = name === 'conv2d kernel' ? off : runChild(loop, name, true);
      const figures = (run) => [run.median, run.mean, run.p90].map((ms) => ms.toFixed(2));
      rows.push([loop === 'event' ? 'await setImmediate' : 'synchronous', name, ...figures(off), ...figures(on),
        `${on.hits}/${on.misses}/${on.refused}`, `${off.rssMB}/${on.rssMB}`]);
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  '));
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  child(process.argv[childIndex + 1], process.argv[childIndex + 2]).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  parent();
}
