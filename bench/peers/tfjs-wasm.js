#!/usr/bin/env node
// Runner for TensorFlow.js with its WebAssembly backend (@tensorflow/tfjs-backend-wasm: XNNPACK,
// SIMD) at 2 threads, set up by tfjs-wasm-setup.js, which also supplies Conv2DBackpropFilter
// (the backend has none, so stock it cannot train a convnet). `--threads 1` runs it single-threaded.
'use strict';
const { runChild } = require('./child');
const { tfjsAdapter } = require('./tfjs');
const { setupWasm } = require('./tfjs-wasm-setup');

const at = process.argv.indexOf('--threads');
const threads = at >= 0 ? Number(process.argv[at + 1]) : 2;

runChild(tfjsAdapter('tfjs-wasm', async () => {
  const { tf, threads: actual, simd, suppliedKernels } = await setupWasm(threads);
  return { tf, info: { threads: actual, simd, suppliedKernels } };
}));
