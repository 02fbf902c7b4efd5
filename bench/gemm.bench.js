// SGEMM benchmark: GFLOP/s of the native sgemm (raw binding, preallocated output, so no allocation
// is timed) on square products and on the conv-shaped products of the Keras MNIST convnet, with 1
// and 2 threads, against the pure-JS baseline. Deliberately no assertions: tests are correctness.
//
//   node scripts/build-ts.js && node bench/gemm.bench.js [--quick] [--no-js] [--threads=1,2] [--wait-idle]
// --wait-idle: on a shared machine, wait for an idle second before each native measurement.
//
// GFLOP/s = 2 * M * N * K / seconds (one multiply and one add per term), median of repeats.
'use strict';
const fg = require('../dist');
const { native } = require('../dist/native');
const { jsGemm } = require('./baseline/js-gemm');
const { timeCalls, gflops, printTable, fixed, writeResults, randomFloats, waitForIdle } = require('./lib/timing');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const withJs = !args.includes('--no-js');
const waitIdle = args.includes('--wait-idle');
const threadsArg = args.find((arg) => arg.startsWith('--threads='));
const threadCounts = threadsArg ? threadsArg.slice('--threads='.length).split(',').map(Number) : [1, 2];

// Keras "simple MNIST convnet", batch 128, NHWC im2col convolutions (rows = output pixels):
// conv1 3x3x1 -> 32 on 28x28 gives 128*26*26 = 86528 rows, K = 9; conv2 3x3x32 -> 64 on the
// pooled 13x13 gives 128*11*11 = 15488 rows, K = 288. Backward: dW = cols^T * dY (A transposed),
// dCols = dY * W^T (B transposed). The orientation computes the transposed products.
const shapes = [
  { name: 'square 256', M: 256, N: 256, K: 256 },
  { name: 'square 512', M: 512, N: 512, K: 512 },
  { name: 'square 1024', M: 1024, N: 1024, K: 1024 },
  { name: 'square 2048', M: 2048, N: 2048, K: 2048 },
  { name: 'conv2 forward', M: 15488, N: 64, K: 288 },
  { name: 'conv2 dW (A^T)', M: 288, N: 64, K: 15488, transposeA: true },
  { name: 'conv2 dCols (B^T)', M: 15488, N: 288, K: 64, transposeB: true },
  { name: 'conv1 forward', M: 86528, N: 32, K: 9 },
  { name: 'issue: 64x15488x288', M: 64, N: 15488, K: 288 },
  { name: 'issue: 32x86528x9', M: 32, N: 86528, K: 9 },
];

function benchShape(shape) {
  const { M, N, K } = shape;
  const transposeA = shape.transposeA === true;
  const transposeB = shape.transposeB === true;
  const a = randomFloats(M * K, 1);
  const b = randomFloats(K * N, 2);
  const c = new Float32Array(M * N);
  const flops = 2 * M * N * K;
  const result = { ...shape, transposeA, transposeB, flops, native: {} };
  for (const threads of threadCounts) {
    fg.setNumThreads(threads);
    if (waitIdle) waitForIdle();
    const timing = timeCalls(() => native.sgemm(c, a, b, M, N, K, transposeA, transposeB, 1, 0, false), {
      warmup: 2,
      minRepeats: quick ? 3 : 7,
      maxRepeats: quick ? 10 : 60,
      budgetSeconds: quick ? 0.3 : 1.5,
    });
    result.native[threads] = {
      gflops: gflops(flops, timing.median),
      medianSeconds: timing.median,
      bestGflops: gflops(flops, timing.min),
      repeats: timing.seconds.length,
    };
  }
  if (withJs && !(quick && flops > 2e9)) {
    // Bounded: few repeats (one on the largest shapes, which take seconds each in JS).
    const timing = timeCalls(() => jsGemm(c, a, b, M, N, K, transposeA, transposeB), {
      warmup: flops > 1e9 ? 0 : 1,
      minRepeats: 1,
      maxRepeats: 3,
      budgetSeconds: 2,
    });
    result.js = { gflops: gflops(flops, timing.median), medianSeconds: timing.median, repeats: timing.seconds.length };
  }
  return result;
}

function main() {
  const info = fg.backendInfo();
  const defaultThreads = fg.getNumThreads();
  console.log(`faltung sgemm: isa=${info.isa} (best ${info.bestIsa}), ${info.compiler}, ${info.buildType}, cores=${defaultThreads}`);
  console.log('GFLOP/s = 2*M*N*K / seconds, median of repeats; output preallocated (raw sgemm binding).\n');
  const results = [];
  for (const shape of shapes) {
    results.push(benchShape(shape));
    const r = results[results.length - 1];
    process.stderr.write(`  done: ${r.name}\n`);
  }
  fg.setNumThreads(defaultThreads);

  const header = ['shape', 'M', 'N', 'K', 'op', 'MFLOP'];
  for (const threads of threadCounts) header.push(`${threads}T GF/s`);
  if (threadCounts.includes(1) && threadCounts.includes(2)) header.push('2T/1T');
  if (withJs) header.push('JS GF/s', '1T/JS');
  const rows = results.map((r) => {
    const row = [r.name, r.M, r.N, r.K, `${r.transposeA ? 'T' : 'N'}${r.transposeB ? 'T' : 'N'}`, fixed(r.flops / 1e6, 0)];
    for (const threads of threadCounts) row.push(fixed(r.native[threads].gflops));
    if (threadCounts.includes(1) && threadCounts.includes(2)) row.push(fixed(r.native[2].gflops / r.native[1].gflops, 2));
    if (withJs) {
      row.push(r.js ? fixed(r.js.gflops, 2) : '-');
      row.push(r.js && r.native[1] ? fixed(r.native[1].gflops / r.js.gflops, 0) + 'x' : '-');
    }
    return row;
  });
  printTable(header, rows);
  const file = writeResults('gemm', {
    date: new Date().toISOString(),
    backend: info,
    formula: 'GFLOP/s = 2*M*N*K / median seconds',
    results,
  });
  console.log(`\nresults: ${file}`);
}

main();
