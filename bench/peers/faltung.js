#!/usr/bin/env node
// Runner for faltung itself (this checkout's dist/ and native build) at 2 threads: the MNIST
// convnet and VGG16 from fg.applications, training with model.trainOnBatch and inference with
// predictAsync, both off the event loop; conv shapes through the public ops, fresh outputs each
// call, and the same kernels into preallocated outputs (reported beside them).
'use strict';
const fg = require('../../dist/index.js');
const { native } = require('../../dist/native');
const { planWindow } = require('../../dist/ops/conv-util');
const { runChild } = require('./child');
const { TRAINING } = require('./models');

const THREADS = 2;

function seeded(count, seed) {
  const data = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; ++i) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state / 2 ** 32 - 0.5;
  }
  return data;
}

runChild({
  library: 'faltung',
  version: require('../../package.json').version,
  setup() {
    fg.setNumThreads(THREADS);
    fg.setSeed(1);
    const info = fg.backendInfo();
    return { threads: fg.getNumThreads(), isa: info.isa, compiler: info.compiler };
  },
  trainer() {
    const model = fg.applications.mnistConvnet();
    model.compile({ optimizer: fg.optimizers.adam({ learningRate: TRAINING.learningRate }), loss: 'categoricalCrossentropy' });
    return {
      step: (images, oneHot, labels, count) => model.trainOnBatch(new fg.Tensor(images, [count, 28, 28, 1]), new fg.Tensor(oneHot, [count, 10])),
    };
  },
  predictor() {
    const model = fg.applications.mnistConvnet();
    return {
      predict: (images, count) => model.predictAsync(new fg.Tensor(images, [count, 28, 28, 1]), { batchSize: count }),
      predictOne: (image) => model.predict(new fg.Tensor(image, [1, 28, 28, 1]), { batchSize: 1 }),
    };
  },
  conv(shape, images) {
    const { H, W, C, OC, K, pad } = shape;
    const x = fg.tensor(seeded(images * H * W * C, 1), [images, H, W, C]);
    const filter = fg.tensor(seeded(K * K * C * OC, 2), [K, K, C, OC]);
    const bias = fg.tensor(seeded(OC, 3), [OC]);
    const y = fg.ops.conv2dWithBias(x, filter, bias, 1, pad);
    const dy = fg.tensor(seeded(y.size, 4), y.shape);
    // The kernels alone, into preallocated outputs through the raw bindings (as bench/conv.bench.js
    // does): the public ops above allocate every output afresh, and first touching fresh memory is
    // slow on some virtual machines, which the figures would otherwise not show apart.
    const { geometry } = planWindow({ inputShape: x.shape, kernel: [K, K], strides: [1, 1], dilations: [1, 1], pad, outChannels: OC,
      windowName: 'filter' });
    const out = new Float32Array(y.size);
    const dx = new Float32Array(x.size);
    const dfilter = new Float32Array(filter.size);
    const dbias = new Float32Array(OC);
    const kernelForward = () => native.convForward(out, x.data, filter.data, bias.data, geometry, false, false);
    return {
      forward: () => { fg.ops.conv2dWithBias(x, filter, bias, 1, pad); },
      both: () => {
        fg.ops.conv2dWithBias(x, filter, bias, 1, pad);
        fg.ops.conv2dBackpropInput(x.shape, dy, filter, 1, pad);
        fg.ops.conv2dBackpropFilter(x, dy, filter.shape, 1, pad);
        fg.ops.convBiasGrad(dy);
      },
      kernel: {
        forward: kernelForward,
        both: () => {
          kernelForward();
          native.convBackwardInput(dx, dy.data, filter.data, geometry, false);
          // Filter and bias gradients in one pass over dy, as the training step runs them.
          native.convBackwardFilterBias(dfilter, dbias, x.data, dy.data, geometry, false);
        },
      },
    };
  },
  vgg16() {
    const model = fg.applications.vgg16();
    return { forward: (input) => model.predictAsync(new fg.Tensor(input, [1, 224, 224, 3]), { batchSize: 1 }) };
  },
});
