// The two networks of the head-to-head, written once as plain layer lists that every runner turns
// into its own library's model: the Keras MNIST convnet and VGG16 (configuration D, with its
// classifier). Also the training setup they share. No library code here, only the specification.
'use strict';

/** conv: 3x3, stride 1, bias; pool: 2x2 max, stride 2; dense: with bias. Shapes are NHWC. */
const MNIST_CONVNET = {
  name: 'Keras MNIST convnet',
  inputShape: [28, 28, 1],
  params: 34_826,
  layers: [
    { type: 'conv', filters: 32, kernel: 3, pad: 'valid', activation: 'relu' },
    { type: 'maxpool' },
    { type: 'conv', filters: 64, kernel: 3, pad: 'valid', activation: 'relu' },
    { type: 'maxpool' },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.5 },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

function vggLayers() {
  const layers = [];
  for (const [count, filters] of [[2, 64], [2, 128], [3, 256], [3, 512], [3, 512]]) {
    for (let i = 0; i < count; ++i) layers.push({ type: 'conv', filters, kernel: 3, pad: 'same', activation: 'relu' });
    layers.push({ type: 'maxpool' });
  }
  layers.push({ type: 'flatten' }, { type: 'dense', units: 4096, activation: 'relu' }, { type: 'dense', units: 4096, activation: 'relu' },
    { type: 'dense', units: 1000, activation: 'softmax' });
  return layers;
}

const VGG16 = { name: 'VGG16', inputShape: [224, 224, 3], params: 138_357_544, layers: vggLayers() };

/** Training: categorical cross-entropy, Adam (Keras defaults besides the rate), batch 128. */
const TRAINING = { batchSize: 128, learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

/** Inference: throughput at batch 1000, latency at batch 1. */
const INFERENCE = { batchSize: 1000 };

/** Parameters of a layer list (3x3 conv and dense layers carry weights and biases). */
function countParams(model) {
  let [height, width, channels] = model.inputShape;
  let flat = 0;
  let total = 0;
  for (const layer of model.layers) {
    if (layer.type === 'conv') {
      total += layer.kernel * layer.kernel * channels * layer.filters + layer.filters;
      if (layer.pad === 'valid') { height -= layer.kernel - 1; width -= layer.kernel - 1; }
      channels = layer.filters;
    } else if (layer.type === 'maxpool') {
      height = Math.floor(height / 2);
      width = Math.floor(width / 2);
    } else if (layer.type === 'flatten') {
      flat = height * width * channels;
    } else if (layer.type === 'dense') {
      total += flat * layer.units + layer.units;
      flat = layer.units;
    }
  }
  return total;
}

module.exports = { MNIST_CONVNET, VGG16, TRAINING, INFERENCE, countParams };
