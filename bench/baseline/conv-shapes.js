// The four conv layer shapes every conv benchmark uses (bench/conv.bench.js, bench/peers/), taken
// from real CNN layers: MNIST convnet layers 1 and 2, a ResNet stage-1 layer, VGG's first layer.
// `torch`: PyTorch 1.13 CPU, 2 threads, on the development machine (ms): forward / forward+backward.
'use strict';

const CONV_SHAPES = [
  { name: 'N=128 28x28x1 -> 32, k3 valid', N: 128, H: 28, W: 28, C: 1, OC: 32, K: 3, pad: 'valid', torch: [0.46, 4.3] },
  { name: 'N=128 13x13x32 -> 64, k3 valid', N: 128, H: 13, W: 13, C: 32, OC: 64, K: 3, pad: 'valid', torch: [2.1, 6.4] },
  { name: 'N=32 56x56x64 -> 64, k3 same', N: 32, H: 56, W: 56, C: 64, OC: 64, K: 3, pad: 'same', torch: [24, 79] },
  { name: 'N=8 224x224x3 -> 64, k3 same', N: 8, H: 224, W: 224, C: 3, OC: 64, K: 3, pad: 'same', torch: [10.8, 62] },
];

module.exports = { CONV_SHAPES };
