// fg.layers: factory functions with tfjs-layers' names, and the registry that recreates a layer
// from its saved class name and config (used by fg.loadModel; nothing in a file is executed).
import { invalidRange } from '../validate';
import { Conv, ConvLayerArgs } from './conv';
import { DenseLayerArgs, Dense } from './dense';
import { Embedding, EmbeddingLayerArgs } from './embedding';
import { Activation, BatchNormalization, BatchNormalizationLayerArgs, Dropout } from './elementwise_layers';
import { Layer, LayerArgs } from './layer';
import { GlobalPooling, Pooling, PoolingLayerArgs } from './pooling';
import { Flatten, InputLayer, Reshape, ReshapeLayerArgs } from './shape_layers';
import type { ActivationName } from '../activations';

export { Layer, LayerVariable } from './layer';
export type { LayerArgs, Shape } from './layer';
export { Conv } from './conv';
export type { ConvLayerArgs } from './conv';
export { Dense } from './dense';
export type { DenseLayerArgs } from './dense';
export { Embedding } from './embedding';
export type { EmbeddingLayerArgs } from './embedding';
export { Pooling, GlobalPooling } from './pooling';
export type { PoolingLayerArgs } from './pooling';
export { Flatten, InputLayer, Reshape } from './shape_layers';
export type { ReshapeLayerArgs } from './shape_layers';
export { Activation, BatchNormalization, Dropout } from './elementwise_layers';
export type { BatchNormalizationLayerArgs } from './elementwise_layers';

export const input = (args: LayerArgs & { shape: number[] }): Layer => new InputLayer(args);
export const conv1d = (args: ConvLayerArgs): Layer => new Conv(1, args);
export const conv2d = (args: ConvLayerArgs): Layer => new Conv(2, args);
export const conv3d = (args: ConvLayerArgs): Layer => new Conv(3, args);
export const maxPooling1d = (args: PoolingLayerArgs = {}): Layer => new Pooling('max', 1, args);
export const maxPooling2d = (args: PoolingLayerArgs = {}): Layer => new Pooling('max', 2, args);
export const maxPooling3d = (args: PoolingLayerArgs = {}): Layer => new Pooling('max', 3, args);
export const averagePooling1d = (args: PoolingLayerArgs = {}): Layer => new Pooling('avg', 1, args);
export const averagePooling2d = (args: PoolingLayerArgs = {}): Layer => new Pooling('avg', 2, args);
export const averagePooling3d = (args: PoolingLayerArgs = {}): Layer => new Pooling('avg', 3, args);
export const globalAveragePooling1d = (args: LayerArgs = {}): Layer => new GlobalPooling('avg', 1, args);
export const globalAveragePooling2d = (args: LayerArgs = {}): Layer => new GlobalPooling('avg', 2, args);
export const globalAveragePooling3d = (args: LayerArgs = {}): Layer => new GlobalPooling('avg', 3, args);
export const globalMaxPooling1d = (args: LayerArgs = {}): Layer => new GlobalPooling('max', 1, args);
export const globalMaxPooling2d = (args: LayerArgs = {}): Layer => new GlobalPooling('max', 2, args);
export const globalMaxPooling3d = (args: LayerArgs = {}): Layer => new GlobalPooling('max', 3, args);
export const dense = (args: DenseLayerArgs): Layer => new Dense(args);
export const embedding = (args: EmbeddingLayerArgs): Layer => new Embedding(args);
export const flatten = (args: LayerArgs = {}): Layer => new Flatten(args);
export const reshape = (args: ReshapeLayerArgs): Layer => new Reshape(args);
export const dropout = (args: LayerArgs & { rate: number }): Layer => new Dropout(args);
export const activation = (args: LayerArgs & { activation: ActivationName }): Layer => new Activation(args);
export const batchNormalization = (args: BatchNormalizationLayerArgs = {}): Layer => new BatchNormalization(args);

type LayerFactory = (config: Record<string, unknown>) => Layer;

const registry = new Map<string, LayerFactory>([
  ['InputLayer', (c) => new InputLayer(c as never)],
  ['Conv1D', (c) => new Conv(1, c as never)],
  ['Conv2D', (c) => new Conv(2, c as never)],
  ['Conv3D', (c) => new Conv(3, c as never)],
  ['MaxPooling1D', (c) => new Pooling('max', 1, c)],
  ['MaxPooling2D', (c) => new Pooling('max', 2, c)],
  ['MaxPooling3D', (c) => new Pooling('max', 3, c)],
  ['AveragePooling1D', (c) => new Pooling('avg', 1, c)],
  ['AveragePooling2D', (c) => new Pooling('avg', 2, c)],
  ['AveragePooling3D', (c) => new Pooling('avg', 3, c)],
  ['GlobalAveragePooling1D', (c) => new GlobalPooling('avg', 1, c)],
  ['GlobalAveragePooling2D', (c) => new GlobalPooling('avg', 2, c)],
  ['GlobalAveragePooling3D', (c) => new GlobalPooling('avg', 3, c)],
  ['GlobalMaxPooling1D', (c) => new GlobalPooling('max', 1, c)],
  ['GlobalMaxPooling2D', (c) => new GlobalPooling('max', 2, c)],
  ['GlobalMaxPooling3D', (c) => new GlobalPooling('max', 3, c)],
  ['Dense', (c) => new Dense(c as never)],
  ['Embedding', (c) => new Embedding(c as never)],
  ['Flatten', (c) => new Flatten(c)],
  ['Reshape', (c) => new Reshape(c as never)],
  ['Dropout', (c) => new Dropout(c as never)],
  ['Activation', (c) => new Activation(c as never)],
  ['BatchNormalization', (c) => new BatchNormalization(c)],
]);

/** Lets users (and later layer families) make their own layers loadable. */
export function registerLayer(className: string, factory: LayerFactory): void {
  registry.set(className, factory);
}

/** Recreates a layer from a saved {className, config}; unknown classes and options are errors. */
export function deserializeLayer(className: unknown, config: unknown): Layer {
  if (typeof className !== 'string' || !registry.has(className)) {
    throw invalidRange('className', `one of ${[...registry.keys()].join(', ')}`, className);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw invalidRange(`${className} config`, 'an object', config);
  }
  return registry.get(className)!(config as Record<string, unknown>);
}
