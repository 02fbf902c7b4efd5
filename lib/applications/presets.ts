// Small ready-made models for 28x28x1 images (MNIST-sized): the Keras MNIST convnet and LeNet-5,
// freshly initialized and uncompiled, plus a registry by name for the CLI. No pretrained weights.
import { averagePooling2d, conv2d, dense, dropout, flatten, maxPooling2d } from '../layers/index';
import { Sequential } from '../model';
import { checkOneOf } from '../validate';

/**
 * The convnet of Keras' "Simple MNIST convnet" example: conv 32 3x3 relu, max-pool 2, conv 64 3x3
 * relu, max-pool 2, flatten, dropout 0.5, dense 10 softmax. Input [28, 28, 1], 34,826 parameters.
 * Layers carry the names Keras gives them in a fresh session, so summaries match Keras'.
 */
export function mnistConvnet(): Sequential {
  return new Sequential({
    name: 'mnist_convnet',
    layers: [
      conv2d({ name: 'conv2d', inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      maxPooling2d({ name: 'max_pooling2d', poolSize: 2 }),
      conv2d({ name: 'conv2d_1', filters: 64, kernelSize: 3, activation: 'relu' }),
      maxPooling2d({ name: 'max_pooling2d_1', poolSize: 2 }),
      flatten({ name: 'flatten' }),
      dropout({ name: 'dropout', rate: 0.5 }),
      dense({ name: 'dense', units: 10, activation: 'softmax' }),
    ],
  });
}

export interface Lenet5Args {
  /** Activation of the conv and hidden dense layers: 'relu' (default, trains faster) or LeCun's 'tanh'. */
  activation?: 'relu' | 'tanh';
}

/** Parameters of lenet5(): 156 + 2,416 + 48,120 + 10,164 + 850. */
export const LENET5_PARAMS = 61_706;

/**
 * LeNet-5 (LeCun et al. 1998) adapted to 28x28x1 input: the first conv pads ('same') so the 28x28
 * image plays the role of the paper's padded 32x32 one. conv 6 5x5 same, avg-pool 2, conv 16 5x5,
 * avg-pool 2, flatten (400), dense 120, dense 84, dense 10 softmax: 61,706 parameters. The paper's
 * partial C3 connections and RBF output are replaced by full connections and softmax, as usual.
 */
export function lenet5(args: Lenet5Args = {}): Sequential {
  const activation = checkOneOf('activation', args.activation ?? 'relu', ['relu', 'tanh'] as const);
  return new Sequential({
    name: 'lenet5',
    layers: [
      conv2d({ name: 'conv2d', inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation }),
      averagePooling2d({ name: 'average_pooling2d', poolSize: 2 }),
      conv2d({ name: 'conv2d_1', filters: 16, kernelSize: 5, activation }),
      averagePooling2d({ name: 'average_pooling2d_1', poolSize: 2 }),
      flatten({ name: 'flatten' }),
      dense({ name: 'dense', units: 120, activation }),
      dense({ name: 'dense_1', units: 84, activation }),
      dense({ name: 'dense_2', units: 10, activation: 'softmax' }),
    ],
  });
}

const PRESETS = {
  'mnist-convnet': (): Sequential => mnistConvnet(),
  lenet5: (): Sequential => lenet5(),
} as const;

export type PresetName = keyof typeof PRESETS;

/** Names accepted by createPreset (and `faltung train --model`). */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** A fresh, uncompiled model of the named preset. */
export function createPreset(name: string): Sequential {
  return PRESETS[checkOneOf('preset', name, PRESET_NAMES)]();
}
