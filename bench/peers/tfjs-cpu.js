#!/usr/bin/env node
// Runner for TensorFlow.js with its pure-JavaScript CPU backend (@tensorflow/tfjs with
// @tensorflow/tfjs-backend-cpu): one thread, synchronous kernels on the event loop.
'use strict';
const { runChild } = require('./child');
const { tfjsAdapter } = require('./tfjs');

runChild(tfjsAdapter('tfjs-cpu', async () => {
  const tf = require('@tensorflow/tfjs');
  require('@tensorflow/tfjs-backend-cpu');
  tf.enableProdMode(); // skips TF.js' debug-time checks (and its Node banner): its production setting
  if (!(await tf.setBackend('cpu'))) throw new Error('tfjs: the cpu backend did not initialize');
  return { tf, info: { threads: 1 } };
}));
