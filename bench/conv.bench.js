// Conv2d forward and forward+backward (input grad + filter grad + bias grad) on four CNN layer
// shapes, 1 and 2 threads, median of repeats, in ms and GFLOP/s, against the pure-JS direct
// convolution in bench/baseline/js-conv.js and PyTorch 1.13 CPU timings measured on this machine.
// Each is timed twice: through the public ops (which allocate fresh output arrays, so first-touch
// page faults are included) and through the raw bindings into preallocated outputs (the kernels).
// Run: node scripts/build-ts.js && node bench/conv.bench.js [--quick]
'use strict';
const fg = require('../dist');
const { native } = require('../dist/native');
const { planWindow } = require('../dist/ops/conv-util');
const { convForward, convBackward, geometry } = require('./baseline/js-conv');
const { randomFloats } = require('./lib/timing');

// The shapes, with PyTorch 1.13 CPU timings (2 threads, ms: forward / forward+backward), live in
// bench/baseline/conv-shapes.js, shared with bench/peers/.
const SHAPES = require('./baseline/conv-shapes').CONV_SHAPES;

const quick = process.argv.includes('--quick');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

// Repeats until ~budget ms or `max` runs (at least 3), after one warm-up; returns the median ms.
function measure(fn, budget = quick ? 300 : 1500, max = 15) {
  fn();
  const times = [];
  let total = 0;
  while (times.length < 3 || (total < budget && times.length < max)) {
    const t = time(fn);
    times.push(t);
    total += t;
  }
  return median(times);
}


const rows = [];
const baselines = new Map();

for (const shape of SHAPES) {
  const { N, H, W, C, OC, K, pad } = shape;
  const { OH, OW } = geometry(shape);
  // Multiply-adds: every output value sums K*K*C products; each of the three passes (forward,
  // input grad, filter grad) does the same count. Bias terms are left out (negligible).
  const flops = 2 * N * OH * OW * OC * K * K * C;
  const x = fg.tensor(randomFloats(N * H * W * C, 1), [N, H, W, C]);
  const filter = fg.tensor(randomFloats(K * K * C * OC, 2), [K, K, C, OC]);
  const bias = fg.tensor(randomFloats(OC, 3), [OC]);
  const dy = fg.tensor(randomFloats(N * OH * OW * OC, 4), [N, OH, OW, OC]);

  // Pure-JS baseline: time a subset of the batch (about 150 Mflop per pass) and scale to N.
  const subset = Math.max(1, Math.min(N, Math.floor(150e6 / (flops / N))));
  const jsForward = time(() => convForward(x.data, filter.data, bias.data, shape, 0, subset)) * (N / subset);
  const jsBackward = time(() => convBackward(x.data, filter.data, dy.data, shape, 0, subset)) * (N / subset);
  baselines.set(shape.name, { forward: jsForward, both: jsForward + jsBackward, subset });

  // Sanity: the native forward agrees with the baseline on the subset.
  const reference = convForward(x.data, filter.data, bias.data, shape, 0, 1);
  const ours = fg.ops.conv2dWithBias(x, filter, bias, 1, pad).data;
  let maxError = 0;
  for (let i = 0; i < reference.length; ++i) maxError = Math.max(maxError, Math.abs(reference[i] - ours[i]));
  if (maxError > 1e-3) throw new Error(`${shape.name}: native and JS disagree (max error ${maxError})`);

  // Kernels only: preallocated outputs through the raw bindings.
  const { geometry: packed } = planWindow({ inputShape: x.shape, kernel: [K, K], strides: [1, 1], dilations: [1, 1], pad,
    outChannels: OC, windowName: 'filter' });
  const y = new Float32Array(dy.size).fill(1);
  const dx = new Float32Array(x.size).fill(1);
  const dfilter = new Float32Array(filter.size).fill(1);
  const dbias = new Float32Array(OC).fill(1);
  const kernelForward = () => native.convForward(y, x.data, filter.data, bias.data, packed, false, false);
  const kernelBoth = () => {
    kernelForward();
    native.convBackwardInput(dx, dy.data, filter.data, packed, false);
    // Filter and bias gradients in one pass over dy, as the training step runs them.
    native.convBackwardFilterBias(dfilter, dbias, x.data, dy.data, packed, false);
  };

  for (const threads of [1, 2]) {
    fg.setNumThreads(threads);
    const forward = measure(() => fg.ops.conv2dWithBias(x, filter, bias, 1, pad));
    const both = measure(() => {
      fg.ops.conv2dWithBias(x, filter, bias, 1, pad);
      fg.ops.conv2dBackpropInput(x.shape, dy, filter, 1, pad);
      fg.ops.conv2dBackpropFilter(x, dy, filter.shape, 1, pad);
      fg.ops.convBiasGrad(dy);
    });
    rows.push({ shape, threads, forward, both, kernelForward: measure(kernelForward), kernelBoth: measure(kernelBoth), flops });
  }
}

const info = fg.backendInfo();
console.log(`faltung conv2d benchmark (isa ${info.isa}, ${info.compiler}, ${info.buildType})`);
console.log('GFLOP/s = 2*N*OH*OW*OC*KH*KW*C per pass / time; forward+backward counts 3 passes.');
console.log('JS baseline: bench/baseline/js-conv.js on a subset of the batch, scaled to N (1 thread).\n');
const header = ['shape', 'thr', 'fwd ms', 'f+b ms', 'kern fwd ms', 'GF/s', 'kern f+b ms', 'GF/s', 'torch fwd', 'torch f+b',
  'x JS fwd', 'x JS f+b', 'kern x JS fwd', 'kern x JS f+b'];
const table = rows.map(({ shape, threads, forward, both, kernelForward, kernelBoth, flops }) => {
  const base = baselines.get(shape.name);
  return [shape.name, String(threads), forward.toFixed(2), both.toFixed(2), kernelForward.toFixed(2),
    (flops / kernelForward / 1e6).toFixed(1), kernelBoth.toFixed(2), (3 * flops / kernelBoth / 1e6).toFixed(1),
    threads === 2 ? `${shape.torch[0]}` : '', threads === 2 ? `${shape.torch[1]}` : '',
    (base.forward / forward).toFixed(0), (base.both / both).toFixed(0),
    (base.forward / kernelForward).toFixed(0), (base.both / kernelBoth).toFixed(0)];
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
console.log('fwd/f+b ms: public ops in a synchronous loop (fresh outputs: the output pool only gets memory back once the ' +
  'event loop turns, see docs/memory.md); kern: raw bindings into preallocated outputs; x JS: ops / kernels vs baseline.');
console.log(line(header));
for (const row of table) console.log(line(row));
console.log('\nJS baseline (ms, scaled): ' + [...baselines].map(([name, b]) =>
  `${name}: fwd ${b.forward.toFixed(0)}, fwd+bwd ${b.both.toFixed(0)} (timed on ${b.subset} image${b.subset > 1 ? 's' : ''})`).join('; '));
