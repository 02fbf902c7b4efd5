// VGG16 (Simonyan & Zisserman 2014, configuration D) exactly as keras.applications.VGG16 builds it
// with include_top=True: same layers, names and parameter count (138,357,544 for 224x224x3 and
// 1000 classes). Architecture only: randomly initialized, no ImageNet weights, no preprocessing.
import { conv2d, dense, flatten, maxPooling2d } from '../layers/index';
import { Layer } from '../layers/layer';
import { Sequential } from '../model';
import { checkOptions } from '../data/options';
import { checkInteger, checkShape, invalidRange } from '../validate';

export interface Vgg16Args {
  /** [height, width, channels] (default [224, 224, 3]); height and width at least 32, as Keras. */
  inputShape?: number[];
  /** Size of the softmax output (default 1000). */
  classes?: number;
}

/** Parameters of vgg16() with the defaults. */
export const VGG16_PARAMS = 138_357_544;

/** Filters of each block's convolutions: 2, 2, 3, 3 and 3 layers. */
const BLOCKS: readonly (readonly number[])[] = [
  [64, 64],
  [128, 128],
  [256, 256, 256],
  [512, 512, 512],
  [512, 512, 512],
];

/**
 * VGG16 with its classifier: 13 conv 3x3 'same' relu in five blocks (block1_conv1 ... block5_conv3),
 * a 2x2 max-pool after each block (block1_pool ... block5_pool), flatten, fc1 and fc2 (4096 relu)
 * and predictions (classes, softmax). The weights (553 MB at the defaults) are allocated here.
 */
export function vgg16(args: Vgg16Args = {}): Sequential {
  const options = checkOptions<Vgg16Args>('vgg16 args', args, ['inputShape', 'classes']);
  const inputShape = checkShape('inputShape', options.inputShape ?? [224, 224, 3], 3);
  if (inputShape[0] < 32 || inputShape[1] < 32 || inputShape[2] < 1) {
    throw invalidRange('inputShape', '[height >= 32, width >= 32, channels >= 1] (as Keras)', `[${inputShape.join(', ')}]`);
  }
  const classes = checkInteger('classes', options.classes ?? 1000, 1);
  const layers: Layer[] = [];
  BLOCKS.forEach((filters, blockIndex) => {
    const block = `block${blockIndex + 1}`;
    filters.forEach((count, convIndex) => {
      layers.push(conv2d({
        name: `${block}_conv${convIndex + 1}`,
        ...(layers.length === 0 ? { inputShape } : {}),
        filters: count, kernelSize: 3, padding: 'same', activation: 'relu',
      }));
    });
    layers.push(maxPooling2d({ name: `${block}_pool`, poolSize: 2, strides: 2 }));
  });
  layers.push(
    flatten({ name: 'flatten' }),
    dense({ name: 'fc1', units: 4096, activation: 'relu' }),
    dense({ name: 'fc2', units: 4096, activation: 'relu' }),
    dense({ name: 'predictions', units: classes, activation: 'softmax' }),
  );
  return new Sequential({ name: 'vgg16', layers });
}
