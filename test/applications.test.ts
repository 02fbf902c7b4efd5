// Model presets and VGG16: parameter counts and output shapes against Keras' published numbers,
// the summary table of the MNIST convnet, and forward passes whose outputs are probabilities.
import { beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { LENET5_PARAMS, PRESET_NAMES, createPreset, lenet5, mnistConvnet } from '../lib/applications/presets';
import { VGG16_PARAMS, vgg16 } from '../lib/applications/vgg16';

function summaryLines(model: fg.Sequential): string[] {
  const lines: string[] = [];
  model.summary(65, (line) => lines.push(line));
  return lines;
}

function expectProbabilities(output: fg.Tensor, rows: number, classes: number): void {
  expect(output.shape).toEqual([rows, classes]);
  for (let row = 0; row < rows; ++row) {
    const values = Array.from(output.data.subarray(row * classes, (row + 1) * classes));
    expect(values.every((p) => p >= 0 && p <= 1), `row ${row} in [0, 1]`).toBe(true);
    expect(Math.abs(values.reduce((a, b) => a + b, 0) - 1), `row ${row} sums to 1`).toBeLessThan(1e-5);
  }
}

describe('VGG16', () => {
  let model: fg.Sequential;
  beforeAll(() => {
    fg.setSeed(16);
    model = vgg16();
  });

  it('has exactly the 138,357,544 parameters of keras.applications.VGG16', () => {
    expect(model.countParams()).toBe(138_357_544);
    expect(VGG16_PARAMS).toBe(138_357_544);
  });

  it("has Keras' layer names and per-layer parameter counts", () => {
    const expected: [string, number][] = [
      ['block1_conv1', 1792], ['block1_conv2', 36928], ['block1_pool', 0],
      ['block2_conv1', 73856], ['block2_conv2', 147584], ['block2_pool', 0],
      ['block3_conv1', 295168], ['block3_conv2', 590080], ['block3_conv3', 590080], ['block3_pool', 0],
      ['block4_conv1', 1180160], ['block4_conv2', 2359808], ['block4_conv3', 2359808], ['block4_pool', 0],
      ['block5_conv1', 2359808], ['block5_conv2', 2359808], ['block5_conv3', 2359808], ['block5_pool', 0],
      ['flatten', 0], ['fc1', 102764544], ['fc2', 16781312], ['predictions', 4097000],
    ];
    expect(model.layers.map((layer) => [layer.name, layer.countParams()])).toEqual(expected);
    expect(model.layers[17].outputShape).toEqual([7, 7, 512]);
    expect(model.layers[18].outputShape).toEqual([25088]);
  });

  it('shows the first conv output as [null,224,224,64] in the summary', () => {
    const row = summaryLines(model).find((line) => line.startsWith('block1_conv1 (Conv2D)'));
    expect(row).toMatch(/\[null,224,224,64\]\s+1792$/);
  });

  it('maps one 224x224x3 image to 1000 probabilities', () => {
    const image = fg.zeros([1, 224, 224, 3]);
    for (let i = 0; i < image.data.length; ++i) image.data[i] = ((i * 7919) % 256) / 255;
    expectProbabilities(model.predict(image), 1, 1000);
  });

  it('takes other input shapes and class counts (33,637,066 parameters at 32x32x1, 10 classes)', () => {
    // From the default: conv1 1,792 -> 640; fc1 25,088*4096 -> 512*4096 (+4096 bias); predictions 4,097,000 -> 40,970.
    const small = vgg16({ inputShape: [32, 32, 1], classes: 10 });
    expect(small.countParams()).toBe(33_637_066);
    expect(small.outputShape).toEqual([10]);
  });

  it('rejects what Keras rejects', () => {
    expect(() => vgg16({ inputShape: [31, 224, 3] })).toThrow(/inputShape.*\[31, 224, 3\]/);
    expect(() => vgg16({ inputShape: [224, 224] })).toThrow(/rank 3/);
    expect(() => vgg16({ classes: 0 })).toThrow(/classes/);
    expect(() => vgg16({ weights: 'imagenet' } as never)).toThrow(/weights/);
  });
});

describe('MNIST convnet preset', () => {
  it('prints the Keras summary with 34,826 parameters', () => {
    expect(summaryLines(mnistConvnet())).toEqual([
      'Model: "mnist_convnet"',
      '_'.repeat(65),
      'Layer (type)                 Output shape              Param #',
      '='.repeat(65),
      'conv2d (Conv2D)              [null,26,26,32]           320',
      '_'.repeat(65),
      'max_pooling2d (MaxPooling2D) [null,13,13,32]           0',
      '_'.repeat(65),
      'conv2d_1 (Conv2D)            [null,11,11,64]           18496',
      '_'.repeat(65),
      'max_pooling2d_1 (MaxPooling2D [null,5,5,64]            0',
      '_'.repeat(65),
      'flatten (Flatten)            [null,1600]               0',
      '_'.repeat(65),
      'dropout (Dropout)            [null,1600]               0',
      '_'.repeat(65),
      'dense (Dense)                [null,10]                 16010',
      '='.repeat(65),
      'Total params: 34,826',
      'Trainable params: 34,826',
      'Non-trainable params: 0',
      '_'.repeat(65),
    ]);
  });
});

describe('LeNet-5 preset', () => {
  it('has 61,706 parameters and the classic shapes', () => {
    const model = lenet5();
    expect(model.countParams()).toBe(61_706);
    expect(LENET5_PARAMS).toBe(61_706);
    expect(model.layers.map((layer) => layer.outputShape)).toEqual([
      [28, 28, 6], [14, 14, 6], [10, 10, 16], [5, 5, 16], [400], [120], [84], [10],
    ]);
    expect(model.layers.map((layer) => layer.countParams())).toEqual([156, 0, 2416, 0, 0, 48120, 10164, 850]);
  });

  it('runs forward with either activation', () => {
    const images = fg.zeros([2, 28, 28, 1]);
    images.data.fill(0.5, 0, 784);
    for (const activation of ['relu', 'tanh'] as const) {
      const model = lenet5({ activation });
      expect(model.layers[0].getConfig().activation).toBe(activation);
      expectProbabilities(model.predict(images), 2, 10);
    }
    expect(() => lenet5({ activation: 'sigmoid' as never })).toThrow(/activation/);
  });
});

describe('preset registry', () => {
  it('builds every preset by name and rejects unknown names', () => {
    expect(PRESET_NAMES).toEqual(['mnist-convnet', 'lenet5']);
    expect(createPreset('mnist-convnet').countParams()).toBe(34_826);
    expect(createPreset('lenet5').countParams()).toBe(61_706);
    expect(() => createPreset('resnet50')).toThrow(RangeError);
  });
});
