#!/usr/bin/env node
// Speed of the elementwise and training kernels on shapes from a small CNN (NHWC 32x32x32x64
// activations, 1.2M parameters, 10 and 1000 classes): every ISA the machine runs, 1 and 2
// threads, median of repeats. Reports ms per call, G elements/s, GB/s (bytes each call must move)
// and GFLOP/s with the nominal flop count per element written out below. Hardware references: a
// plain copy of the same bytes (memory ceiling) and ~202 GFLOP/s fp32 per core (two 512-bit FMA
// pipes). Competitor: the same math as straight JavaScript loops on Float32Arrays (V8).
// Calls the addon directly with preallocated buffers, so allocation is not timed.
// Usage: node scripts/build-ts.js && node bench/elementwise.bench.js [--repeats 7] [--threads 1,2] [--only relu,adam]
'use strict';
const fg = require('../dist/index.js');
const { native } = require('../dist/native.js');

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}
const repeats = Number(option('repeats', '7'));
const threadCounts = option('threads', '1,2').split(',').map(Number);
const only = option('only', '') ? option('only', '').split(',') : null;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function random(n, low = -3, high = 3, seed = 1) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; ++i) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = low + ((high - low) * s) / 4294967296;
  }
  return out;
}

// Seconds per call: median over repeats of a timed loop long enough (>= 20 ms) to swamp timer noise.
function timeIt(fn) {
  fn();
  let iterations = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; ++i) fn();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (seconds >= 0.02) break;
    iterations *= seconds < 0.002 ? 10 : 2;
  }
  const samples = [];
  for (let r = 0; r < repeats; ++r) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; ++i) fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e9 / iterations);
  }
  return median(samples);
}

const N = 32 * 32 * 32 * 64;  // conv activations, batch 32 of 32x32x64, NHWC
const PARAMS = 1200000;       // parameters of a small CNN
const x = random(N);
const y = new Float32Array(N);
const dy = random(N, -1, 1, 2);
const dx = new Float32Array(N);
const mask = new Float32Array(N);

// flops: nominal per element (exp = 15: 1 mul + 2 fma reduction, 6 fma polynomial, 1 add, scale,
// clamps). bytes: per element, every array read or written once.
const cases = [
  { name: 'relu fwd', elements: N, bytes: 8, flops: 1, run: () => native.activationForward(y, x, 1, 0, false),
    js: () => { for (let i = 0; i < N; ++i) y[i] = x[i] < 0 ? 0 : x[i]; } },
  { name: 'relu bwd', elements: N, bytes: 12, flops: 1, run: () => native.activationBackward(dx, dy, x, 1, 0, false),
    js: () => { for (let i = 0; i < N; ++i) dx[i] = x[i] > 0 ? dy[i] : 0; } },
  { name: 'leakyRelu fwd', elements: N, bytes: 8, flops: 2, run: () => native.activationForward(y, x, 2, 0.2, false) },
  // elu: exp(15) + sub + mul + select
  { name: 'elu fwd', elements: N, bytes: 8, flops: 18, run: () => native.activationForward(y, x, 3, 1, false),
    js: () => { for (let i = 0; i < N; ++i) y[i] = x[i] < 0 ? Math.expm1(x[i]) : x[i]; } },
  // sigmoid: abs + exp(15) + add + div + mul + select
  { name: 'sigmoid fwd', elements: N, bytes: 8, flops: 20, run: () => native.activationForward(y, x, 4, 0, false),
    js: () => { for (let i = 0; i < N; ++i) y[i] = 1 / (1 + Math.exp(-x[i])); } },
  // tanh: clamp(2) + add + expm1(16) + add + div
  { name: 'tanh fwd', elements: N, bytes: 8, flops: 21, run: () => native.activationForward(y, x, 5, 0, false),
    js: () => { for (let i = 0; i < N; ++i) y[i] = Math.tanh(x[i]); } },
  { name: 'sigmoid bwd', elements: N, bytes: 12, flops: 3, run: () => native.activationBackward(dx, dy, y, 4, 0, false) },
  // softmax: max(1) + sub + exp(15) + add + mul per element
  { name: 'softmax 2048x10', elements: 20480, bytes: 8, flops: 19,
    run: () => native.softmaxForward(y.subarray(0, 20480), x.subarray(0, 20480), 2048, 10, false) },
  { name: 'softmax 256x1000', elements: 256000, bytes: 8, flops: 19,
    run: () => native.softmaxForward(y.subarray(0, 256000), x.subarray(0, 256000), 256, 1000, false),
    js: () => {
      for (let r = 0; r < 256; ++r) {
        let max = -Infinity, sum = 0;
        for (let j = 0; j < 1000; ++j) max = Math.max(max, x[r * 1000 + j]);
        for (let j = 0; j < 1000; ++j) sum += y[r * 1000 + j] = Math.exp(x[r * 1000 + j] - max);
        for (let j = 0; j < 1000; ++j) y[r * 1000 + j] /= sum;
      }
    } },
  // CE: softmax(19) + 2 fma (label dot, label sum) + 2 (gradient)
  { name: 'softmax CE 256x1000', elements: 256000, bytes: 12, flops: 23,
    run: (() => { const loss = new Float32Array(1); const labels = random(256000, 0, 0.002, 3);
      return () => native.softmaxCrossEntropy(loss, y.subarray(0, 256000), labels, x.subarray(0, 256000), 256, 1000, false); })() },
  // Adam: 2 (m) + 3 (v) + sqrt + add + div + 2 (w) ~ 10; bytes: w, m, v read+write, g read
  { name: 'Adam 1.2M params', elements: PARAMS, bytes: 28, flops: 10,
    run: (() => { const w = random(PARAMS), m = new Float32Array(PARAMS), v = new Float32Array(PARAMS), g = random(PARAMS, -1, 1, 4);
      return () => native.adamUpdate(w, m, v, null, g, 1e-3, 0.9, 0.999, 1e-7, 10, 0, 0, 0, false); })(),
    js: (() => { const w = random(PARAMS), m = new Float32Array(PARAMS), v = new Float32Array(PARAMS), g = random(PARAMS, -1, 1, 4);
      return () => { const alpha = 1e-3 * Math.sqrt(1 - 0.999 ** 10) / (1 - 0.9 ** 10);
        for (let i = 0; i < PARAMS; ++i) { m[i] += (g[i] - m[i]) * 0.1; v[i] += (g[i] * g[i] - v[i]) * 0.001; w[i] -= alpha * m[i] / (Math.sqrt(v[i]) + 1e-7); } }; })() },
  { name: 'SGD momentum 1.2M', elements: PARAMS, bytes: 20, flops: 4,
    run: (() => { const w = random(PARAMS), v = new Float32Array(PARAMS), g = random(PARAMS, -1, 1, 4);
      return () => native.momentumUpdate(w, v, g, 0.01, 0.9, false, 0, 0, false); })() },
  // BN training forward: sum(1) + centred square (3) + normalise (3); x read three times, y written
  { name: 'batchnorm train fwd', elements: N, bytes: 16, flops: 7,
    run: (() => { const c = 64, s = () => new Float32Array(c);
      const [mean, inv, mm, mv, gamma, beta] = [s(), s(), s(), s().fill(1), s().fill(1), s()];
      return () => native.batchNormTraining(y, mean, inv, mm, mv, x, gamma, beta, N / c, c, 0.99, 1e-3, false); })() },
  // BN backward: sums (1 + 3) + dx (4); dy and x read twice, dx written
  { name: 'batchnorm bwd', elements: N, bytes: 20, flops: 8,
    run: (() => { const c = 64, s = () => new Float32Array(c);
      const [mean, inv, gamma, dgamma, dbeta] = [s(), s().fill(1), s().fill(1), s(), s()];
      return () => native.batchNormBackward(dx, dgamma, dbeta, dy, x, gamma, mean, inv, N / c, c, false); })() },
  { name: 'batchnorm inference', elements: N, bytes: 8, flops: 2,
    run: (() => { const c = 64, s = () => new Float32Array(c);
      const [mean, variance, gamma, beta] = [s(), s().fill(1), s().fill(1), s()];
      return () => native.batchNormInference(y, x, mean, variance, gamma, beta, N / c, c, 1e-3, false); })() },
  // dropout: Philox (10 rounds x 2 32x32->64 multiplies per 4 elements) is integer work: flops 1 (the scale)
  { name: 'dropout fwd', elements: N, bytes: 12, flops: 1, run: () => native.dropoutForward(y, mask, x, 0.5, 1234, false) },
  { name: 'copy (memory ref)', elements: N, bytes: 8, flops: 0, run: () => y.set(x) },
];

const info = fg.backendInfo();
const threadsAtStart = fg.getNumThreads();
console.log(`faltung ${info.compiler} ${info.buildType}; ISAs ${info.supportedIsas.join(', ')}; ` +
  `median of ${repeats}; sizes: activations ${N} (32x32x32x64), parameters ${PARAMS}`);
const header = ['case', 'isa', 'threads', 'ms/call', 'Gelem/s', 'GB/s', 'GFLOP/s'];
const rows = [];
for (const c of cases) {
  if (only && !only.some((word) => c.name.includes(word))) continue;
  for (const threads of threadCounts) {
    fg.setNumThreads(threads);
    for (const isa of info.supportedIsas) {
      fg.setIsa(isa);
      const seconds = timeIt(c.run);
      rows.push([c.name, isa, threads, seconds * 1e3, c.elements / seconds / 1e9, (c.elements * c.bytes) / seconds / 1e9,
        (c.elements * c.flops) / seconds / 1e9]);
      if (c.name.startsWith('copy')) break;  // not a kernel: once per thread count is enough
    }
    fg.setIsa(info.bestIsa);
  }
  if (c.js) {
    const seconds = timeIt(c.js);
    rows.push([c.name, 'js loop', 1, seconds * 1e3, c.elements / seconds / 1e9, (c.elements * c.bytes) / seconds / 1e9,
      (c.elements * c.flops) / seconds / 1e9]);
  }
}
fg.setNumThreads(threadsAtStart);
const format = (v) => (typeof v === 'number' ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(3)) : String(v));
const table = [header, ...rows.map((row) => row.map(format))];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
for (const row of table) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
