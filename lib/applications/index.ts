// fg.applications: ready-made model architectures (Keras' keras.applications idea), randomly
// initialized and uncompiled. No pretrained weights are bundled or downloaded.
export { vgg16, VGG16_PARAMS } from './vgg16';
export type { Vgg16Args } from './vgg16';
export { mnistConvnet, lenet5, createPreset, PRESET_NAMES, LENET5_PARAMS } from './presets';
export type { Lenet5Args, PresetName } from './presets';
