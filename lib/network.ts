// The TypeScript side of the native Network: builds the spec from built layers and wraps the
// wrapper's methods with typed signatures. Only lib/model.ts uses it.
import { native } from './native';
import type { Layer, NativeOpSpec } from './layers/layer';
import type { LossName } from './losses';
import type { NativeOptimizerConfig } from './optimizers';

/** The native Network object's methods (native/binding/network.cc). */
export interface NativeNetwork {
  trainStep(result: Float64Array, x: Float32Array, labels: Float32Array, batch: number, learningRate: number, seed: number, async: boolean): Promise<void> | undefined;
  computeGradients(result: Float64Array, x: Float32Array, labels: Float32Array, batch: number, training: boolean, seed: number): (Float32Array | null)[];
  evaluate(result: Float64Array, x: Float32Array, labels: Float32Array, count: number, batchSize: number, async: boolean): Promise<void> | undefined;
  predict(out: Float32Array, x: Float32Array, count: number, batchSize: number, async: boolean): Promise<void> | undefined;
  activations(outputs: Float32Array[], x: Float32Array, count: number): void;
  getSteps(): number;
  setSteps(steps: number): void;
}

export interface NetworkSpec {
  inputSize: number;
  layers: NativeOpSpec[];
  loss: LossName;
  classes: number;
  optimizer: NativeOptimizerConfig;
}

export interface BuiltNetwork {
  network: NativeNetwork;
  /** For each native op, the index of the layer it came from. */
  opLayer: number[];
  /** Values per example after each native op. */
  opSizes: number[];
}

/** Builds a native network for `layers` (all built, in order). */
export function createNetwork(layers: Layer[], inputShape: readonly number[], loss: LossName, optimizer: NativeOptimizerConfig): BuiltNetwork {
  const ops: NativeOpSpec[] = [];
  const opLayer: number[] = [];
  layers.forEach((layer, index) => {
    for (const op of layer.toNative()) {
      ops.push(layer.trainable ? op : { ...op, trainable: false });
      opLayer.push(index);
    }
  });
  const last = layers.length > 0 ? layers[layers.length - 1].outputShape! : [...inputShape];
  const spec: NetworkSpec = {
    inputSize: inputShape.reduce((a, b) => a * b, 1),
    layers: ops,
    loss,
    classes: last[last.length - 1] ?? 1,
    optimizer,
  };
  const Network = (native as unknown as { Network: new (spec: NetworkSpec) => NativeNetwork }).Network;
  const network = new Network(spec);
  const opSizes: number[] = [];
  let size = spec.inputSize;
  layers.forEach((layer) => {
    const count = layer.toNative().length;
    size = layer.outputShape!.reduce((a, b) => a * b, 1);
    for (let i = 0; i < count; ++i) opSizes.push(size);
  });
  return { network, opLayer, opSizes };
}
