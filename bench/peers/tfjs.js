// The TensorFlow.js adapter shared by tfjs-cpu.js and tfjs-wasm.js: tf.layers models built from
// the bench/peers/models.js layer lists (Keras-default initializers), trainOnBatch with tf.train.adam,
// predict, and the conv shapes through the engine's kernels (FusedConv2D forward with bias, then
// Conv2DBackpropInput, Conv2DBackpropFilter and a bias sum). Tensors are disposed after every call.
'use strict';
const { randomFloats } = require('../lib/timing');
const { MNIST_CONVNET, VGG16, TRAINING } = require('./models');

function buildModel(tf, model) {
  const layers = model.layers.map((layer, index) => {
    const first = index === 0 ? { inputShape: model.inputShape } : {};
    switch (layer.type) {
      case 'conv': return tf.layers.conv2d({ ...first, filters: layer.filters, kernelSize: layer.kernel, padding: layer.pad, activation: layer.activation });
      case 'maxpool': return tf.layers.maxPooling2d({ ...first, poolSize: 2, strides: 2 });
      case 'flatten': return tf.layers.flatten(first);
      case 'dropout': return tf.layers.dropout({ ...first, rate: layer.rate });
      case 'dense': return tf.layers.dense({ ...first, units: layer.units, activation: layer.activation });
      default: throw new Error(`unknown layer ${layer.type}`);
    }
  });
  const built = tf.sequential({ layers });
  if (built.countParams() !== model.params) throw new Error(`tfjs ${model.name}: ${built.countParams()} parameters, expected ${model.params}`);
  return built;
}

/** Runner adapter for an already selected backend; `setup` resolves to { tf, info }. */
function tfjsAdapter(library, setup) {
  let tf = null;
  const run = (fn) => tf.tidy(fn).dispose();
  return {
    library,
    version: require('@tensorflow/tfjs/package.json').version,
    async setup() {
      const ready = await setup();
      tf = ready.tf;
      return { backend: tf.getBackend(), ...ready.info };
    },
    trainer() {
      const model = buildModel(tf, MNIST_CONVNET);
      model.compile({ optimizer: tf.train.adam(TRAINING.learningRate, TRAINING.beta1, TRAINING.beta2, TRAINING.epsilon),
        loss: 'categoricalCrossentropy' });
      return {
        async step(images, oneHot, labels, count) {
          const xs = tf.tensor4d(images, [count, 28, 28, 1]);
          const ys = tf.tensor2d(oneHot, [count, 10]);
          try {
            return await model.trainOnBatch(xs, ys);
          } finally {
            xs.dispose();
            ys.dispose();
          }
        },
      };
    },
    predictor() {
      const model = buildModel(tf, MNIST_CONVNET);
      return {
        predict: (images, count) => run(() => model.predict(tf.tensor4d(images, [count, 28, 28, 1]), { batchSize: count })),
        predictOne: (image) => run(() => model.predict(tf.tensor4d(image, [1, 28, 28, 1]), { batchSize: 1 })),
      };
    },
    conv(shape, images) {
      const { H, W, C, OC, K, pad } = shape;
      const x = tf.tensor4d(randomFloats(images * H * W * C, 1), [images, H, W, C]);
      const filter = tf.tensor4d(randomFloats(K * K * C * OC, 2), [K, K, C, OC]);
      const bias = tf.tensor1d(randomFloats(OC, 3));
      const forward = () => tf.fused.conv2d({ x, filter, bias, strides: 1, pad });
      const outShape = tf.tidy(forward).shape;
      const dy = tf.tensor4d(randomFloats(outShape.reduce((a, b) => a * b, 1), 4), outShape);
      const attrs = { strides: 1, pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
      return {
        forward: () => run(forward),
        both: () => run(() => {
          forward();
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: x.shape });
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: filter.shape });
          return tf.sum(dy, [0, 1, 2]);
        }),
        dispose: () => tf.dispose([x, filter, bias, dy]),
      };
    },
    vgg16() {
      const model = buildModel(tf, VGG16);
      return { forward: (input) => run(() => model.predict(tf.tensor4d(input, [1, 224, 224, 3]), { batchSize: 1 })) };
    },
  };
}

module.exports = { tfjsAdapter, buildModel };
