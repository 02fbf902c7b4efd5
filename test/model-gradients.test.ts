// Every layer's gradients through the model API (one native training-step call computes them)
// against central finite differences of the model's loss.
import { describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { checkModelGradients, randomOneHot, randomTensor } from './helpers/models';
import { TestRandom } from './helpers/random';

interface Case {
  name: string;
  inputShape: number[];
  layers: () => fg.layers.Layer[];
  loss: string;
  classes: number;
  training?: boolean;
  epsilon?: number;
}

const L = fg.layers;
const cases: Case[] = [
  { name: 'dense + softmax + categorical CE (fused)', inputShape: [7], classes: 4, loss: 'categoricalCrossentropy',
    layers: () => [L.dense({ units: 5, activation: 'tanh', inputShape: [7] }), L.dense({ units: 4, activation: 'softmax' })] },
  { name: 'dense + sparse categorical CE', inputShape: [6], classes: 3, loss: 'sparseCategoricalCrossentropy',
    layers: () => [L.dense({ units: 3, activation: 'softmax', inputShape: [6] })] },
  { name: 'dense + sigmoid + binary CE (fused)', inputShape: [5], classes: 1, loss: 'binaryCrossentropy',
    layers: () => [L.dense({ units: 4, activation: 'elu', inputShape: [5] }), L.dense({ units: 1, activation: 'sigmoid' })] },
  { name: 'dense + MSE, leakyRelu and linear', inputShape: [4], classes: 3, loss: 'meanSquaredError',
    layers: () => [L.dense({ units: 6, activation: 'leakyRelu', inputShape: [4] }), L.dense({ units: 3 })] },
  { name: 'categorical CE on probabilities (sigmoid outputs)', inputShape: [4], classes: 3, loss: 'categoricalCrossentropy',
    layers: () => [L.dense({ units: 3, activation: 'sigmoid', inputShape: [4] })] },
  { name: 'conv2d valid + avg pool + dense', inputShape: [7, 6, 2], classes: 3, loss: 'categoricalCrossentropy',
    layers: () => [L.conv2d({ filters: 3, kernelSize: 3, activation: 'tanh', inputShape: [7, 6, 2] }), L.averagePooling2d({ poolSize: 2 }), L.flatten(), L.dense({ units: 3, activation: 'softmax' })] },
  { name: 'conv2d same stride 2 + max pool + dense', inputShape: [8, 7, 1], classes: 2, loss: 'categoricalCrossentropy', epsilon: 1e-3,
    layers: () => [L.conv2d({ filters: 2, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'sigmoid', inputShape: [8, 7, 1] }), L.maxPooling2d({ poolSize: 2, padding: 'same' }), L.flatten(), L.dense({ units: 2, activation: 'softmax' })] },
  { name: 'conv2d dilated + global average pooling', inputShape: [9, 9, 2], classes: 3, loss: 'categoricalCrossentropy',
    layers: () => [L.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, activation: 'tanh', inputShape: [9, 9, 2] }), L.globalAveragePooling2d(), L.dense({ units: 3, activation: 'softmax' })] },
  { name: 'conv1d + max pool 1d + global max pool', inputShape: [12, 3], classes: 2, loss: 'categoricalCrossentropy', epsilon: 1e-3,
    layers: () => [L.conv1d({ filters: 4, kernelSize: 3, activation: 'tanh', inputShape: [12, 3] }), L.maxPooling1d({ poolSize: 2 }), L.globalMaxPooling1d(), L.dense({ units: 2, activation: 'softmax' })] },
  { name: 'conv3d + avg pool 3d + global average 3d', inputShape: [5, 5, 4, 1], classes: 2, loss: 'categoricalCrossentropy',
    layers: () => [L.conv3d({ filters: 2, kernelSize: 2, activation: 'tanh', inputShape: [5, 5, 4, 1] }), L.averagePooling3d({ poolSize: 2 }), L.globalAveragePooling3d(), L.dense({ units: 2, activation: 'softmax' })] },
  { name: 'conv3d + max pool 3d', inputShape: [4, 4, 4, 2], classes: 2, loss: 'categoricalCrossentropy', epsilon: 1e-3,
    layers: () => [L.conv3d({ filters: 2, kernelSize: 2, activation: 'tanh', inputShape: [4, 4, 4, 2] }), L.maxPooling3d({ poolSize: 2 }), L.flatten(), L.dense({ units: 2, activation: 'softmax' })] },
  { name: 'batch normalization (training mode) + dense', inputShape: [6], classes: 3, loss: 'categoricalCrossentropy', training: true,
    layers: () => [L.dense({ units: 5, inputShape: [6] }), L.batchNormalization(), L.activation({ activation: 'tanh' }), L.dense({ units: 3, activation: 'softmax' })] },
  { name: 'batch normalization on conv maps', inputShape: [5, 5, 2], classes: 2, loss: 'categoricalCrossentropy', training: true,
    layers: () => [L.conv2d({ filters: 3, kernelSize: 2, inputShape: [5, 5, 2] }), L.batchNormalization(), L.activation({ activation: 'sigmoid' }), L.flatten(), L.dense({ units: 2, activation: 'softmax' })] },
  { name: 'dropout (fixed seed) + reshape + dense on rank-2 input', inputShape: [3, 4], classes: 2, loss: 'meanSquaredError', training: true,
    layers: () => [L.dense({ units: 5, activation: 'tanh', inputShape: [3, 4] }), L.dropout({ rate: 0.4 }), L.reshape({ targetShape: [15] }), L.dense({ units: 2 })] },
];

describe('model gradients vs finite differences', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      fg.setSeed(3);
      const random = new TestRandom(17);
      const model = fg.sequential(testCase.layers());
      model.compile({ optimizer: 'sgd', loss: testCase.loss });
      const batch = 5;
      const x = randomTensor(random, [batch, ...testCase.inputShape]);
      let y: fg.Tensor;
      if (testCase.loss === 'sparseCategoricalCrossentropy') y = fg.tensor(Array.from({ length: batch }, () => random.int(0, testCase.classes - 1)), [batch]);
      else if (testCase.loss === 'binaryCrossentropy') y = fg.tensor(Array.from({ length: batch }, () => random.int(0, 1)), [batch, 1]);
      else if (testCase.loss === 'meanSquaredError') y = randomTensor(random, [batch, testCase.classes]);
      else y = randomOneHot(random, batch, testCase.classes);
      const result = checkModelGradients(model, x, y, { training: testCase.training, seed: 42, epsilon: testCase.epsilon });
      expect(result.checked).toBeGreaterThan(0);
      expect(result.mismatches, JSON.stringify(result.mismatches)).toEqual([]);
    });
  }
});
