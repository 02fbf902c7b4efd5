#!/usr/bin/env node
// Runner for the pure-JavaScript baseline (bench/baseline/js-network.js, built on js-conv.js and
// js-gemm.js): the same layer lists, Float32Arrays, one thread, synchronous. What a careful user
// writes without a library; no SIMD, no workers, no WebAssembly.
'use strict';
const { convForward, convBackward } = require('../baseline/js-conv');
const { createJsNetwork } = require('../baseline/js-network');
const { randomFloats } = require('../lib/timing');
const { runChild } = require('./child');
const { MNIST_CONVNET, VGG16, TRAINING } = require('./models');

runChild({
  library: 'plain-js',
  version: process.version,
  setup: () => ({ threads: 1 }),
  trainer() {
    const network = createJsNetwork(MNIST_CONVNET, { seed: 1, ...TRAINING });
    return { step: (images, oneHot, labels, count) => network.trainStep(images, oneHot, count) };
  },
  predictor() {
    const network = createJsNetwork(MNIST_CONVNET, { seed: 1 });
    return {
      predict: (images, count) => { network.forward(images, count); },
      predictOne: (image) => { network.forward(image, 1); },
    };
  },
  conv(shape, images) {
    const { H, W, C, OC, K } = shape;
    const x = randomFloats(images * H * W * C, 1);
    const filter = randomFloats(K * K * C * OC, 2);
    const bias = randomFloats(OC, 3);
    const y = convForward(x, filter, bias, shape, 0, images);
    const dy = randomFloats(y.length, 4);
    return {
      forward: () => { convForward(x, filter, bias, shape, 0, images); },
      both: () => {
        convForward(x, filter, bias, shape, 0, images);
        convBackward(x, filter, dy, shape, 0, images);
      },
    };
  },
  vgg16() {
    const network = createJsNetwork(VGG16, { seed: 1 });
    return { forward: (input) => { network.forward(input, 1); } };
  },
});
