#!/usr/bin/env node
// Runner for ConvNetJS (npm convnetjs 0.3.0), the classic pure-JS CNN library: the same layer
// lists as its layer_defs (conv+relu, pool, dropout, softmax = fc+softmax), Float64 volumes, one
// image per forward/backward. Its npm release has no Adam (sgd, adagrad, adadelta, windowgrad),
// so Adam is applied here to its getParamsAndGrads(), the way its Trainer applies the others.
'use strict';
const convnetjs = require('convnetjs');
const { randomFloats } = require('../lib/timing');
const { runChild } = require('./child');
const { MNIST_CONVNET, VGG16, TRAINING } = require('./models');

/** layer_defs for a bench/peers/models.js layer list. */
function layerDefs(model) {
  const [height, width, depth] = model.inputShape;
  const defs = [{ type: 'input', out_sx: width, out_sy: height, out_depth: depth }];
  for (const layer of model.layers) {
    if (layer.type === 'conv') {
      defs.push({ type: 'conv', sx: layer.kernel, filters: layer.filters, stride: 1, pad: layer.pad === 'same' ? (layer.kernel - 1) / 2 : 0,
        activation: layer.activation });
    } else if (layer.type === 'maxpool') {
      defs.push({ type: 'pool', sx: 2, stride: 2 });
    } else if (layer.type === 'dropout') {
      defs.push({ type: 'dropout', drop_prob: layer.rate });
    } else if (layer.type === 'dense' && layer.activation === 'softmax') {
      defs.push({ type: 'softmax', num_classes: layer.units });
    } else if (layer.type === 'dense') {
      defs.push({ type: 'fc', num_neurons: layer.units, activation: layer.activation });
    } // flatten: ConvNetJS' fc layers read any volume as a vector.
  }
  return defs;
}

function network(model) {
  const net = new convnetjs.Net();
  net.makeLayers(layerDefs(model));
  const params = net.getParamsAndGrads().reduce((sum, pg) => sum + pg.params.length, 0);
  if (params !== model.params) throw new Error(`convnetjs ${model.name}: ${params} parameters, expected ${model.params}`);
  return net;
}

/** A volume holding one NHWC image (ConvNetJS' layout is the same: ((y*sx)+x)*depth+d). */
function volume(pixels, [height, width, depth]) {
  const vol = new convnetjs.Vol(width, height, depth, 0);
  vol.w.set(pixels);
  return vol;
}

/** Adam (Keras' formula and defaults) over accumulated per-image gradients, averaged per batch. */
function adamTrainer(net, { learningRate, beta1, beta2, epsilon }) {
  const groups = net.getParamsAndGrads();
  const moments = groups.map((pg) => ({ m: new Float64Array(pg.params.length), v: new Float64Array(pg.params.length) }));
  let step = 0;
  return (batchSize) => {
    step += 1;
    const rate = (learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
    groups.forEach(({ params, grads }, index) => {
      const { m, v } = moments[index];
      for (let j = 0; j < params.length; ++j) {
        const g = grads[j] / batchSize;
        m[j] = beta1 * m[j] + (1 - beta1) * g;
        v[j] = beta2 * v[j] + (1 - beta2) * g * g;
        params[j] -= (rate * m[j]) / (Math.sqrt(v[j]) + epsilon);
        grads[j] = 0;
      }
    });
  };
}

runChild({
  library: 'convnetjs',
  version: require('convnetjs/package.json').version,
  setup: () => ({ threads: 1 }),
  trainer() {
    const net = network(MNIST_CONVNET);
    const update = adamTrainer(net, TRAINING);
    return {
      step(images, oneHot, labels, count) {
        let loss = 0;
        for (let i = 0; i < count; ++i) {
          net.forward(volume(images.subarray(i * 784, (i + 1) * 784), MNIST_CONVNET.inputShape), true);
          loss += net.backward(labels[i]);
        }
        update(count);
        return loss / count;
      },
    };
  },
  predictor() {
    const net = network(MNIST_CONVNET);
    const predictOne = (image) => { net.forward(volume(image, MNIST_CONVNET.inputShape), false); };
    return {
      predict: (images, count) => { for (let i = 0; i < count; ++i) predictOne(images.subarray(i * 784, (i + 1) * 784)); },
      predictOne,
    };
  },
  conv(shape, images) {
    const { H, W, C, OC, K, pad } = shape;
    const layer = new convnetjs.ConvLayer({ in_sx: W, in_sy: H, in_depth: C, sx: K, filters: OC, stride: 1, pad: pad === 'same' ? (K - 1) / 2 : 0 });
    const inputs = [];
    for (let i = 0; i < images; ++i) inputs.push(volume(randomFloats(H * W * C, 1 + i), [H, W, C]));
    const gradient = Float64Array.from(randomFloats(layer.out_sx * layer.out_sy * OC, 4));
    return {
      forward: () => { for (const input of inputs) layer.forward(input, false); },
      both: () => {
        for (const input of inputs) {
          layer.forward(input, true);
          layer.out_act.dw.set(gradient);
          layer.backward();
        }
      },
    };
  },
  vgg16() {
    const net = network(VGG16);
    return { forward: (input) => { net.forward(volume(input, VGG16.inputShape), false); } };
  },
});
