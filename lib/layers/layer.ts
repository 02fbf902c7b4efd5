// The layer base class: Keras-shaped (name, build(inputShape), computeOutputShape, getConfig,
// weights in Keras order) plus one thing Keras does not have: `toNative`, the list of native ops
// the layer compiles to for the whole-network training step. Layers never run kernels themselves.
import { InitializerName, initialize } from '../initializers';
import { MAX_ELEMENTS, checkBoolean, checkShape, invalidRange, invalidType, checkKnownKeys } from '../validate';

/** Shape of one example (no batch axis). */
export type Shape = number[];

export interface LayerArgs {
  /** Unique name; default: the snake_case class name plus a counter (conv2d, conv2d_1, ...). */
  name?: string;
  /** Shape of one example, for the first layer of a model. */
  inputShape?: number[];
  /** [batch, ...inputShape]; the batch entry is ignored (any batch size works). */
  batchInputShape?: (number | null)[];
  /** Whether the optimizer updates this layer's weights (default true). */
  trainable?: boolean;
}

/** A weight tensor owned by a layer. `data` is handed to the native network, never replaced. */
export class LayerVariable {
  constructor(
    readonly name: string,
    readonly shape: readonly number[],
    readonly data: Float32Array,
    readonly trainable: boolean,
  ) {}

  get size(): number {
    return this.data.length;
  }
}

/** One native op of the network spec (see native/binding/network.cc for the fields). */
export type NativeOpSpec = Record<string, unknown> & { kind: string };

const nameCounters = new Map<string, number>();

/** Bytes of weights layers may still allocate (Infinity unless withWeightBudget is running). */
let weightBudget = Infinity;

/**
 * Runs `build` with at most `bytes` bytes of layer weights allowed to be allocated, so that a
 * topology read from a file cannot make layers allocate (and initialize) more than its weights
 * file holds: the first weight past the budget is refused before its Float32Array exists.
 */
export function withWeightBudget<T>(bytes: number, build: () => T): T {
  const saved = weightBudget;
  weightBudget = bytes;
  try {
    return build();
  } finally {
    weightBudget = saved;
  }
}

function uniqueName(prefix: string): string {
  const count = nameCounters.get(prefix) ?? 0;
  nameCounters.set(prefix, count + 1);
  return count === 0 ? prefix : `${prefix}_${count}`;
}

/** Common option keys every layer accepts. */
export const BASE_ARG_KEYS = ['name', 'inputShape', 'batchInputShape', 'trainable'] as const;

/** Rejects option keys a layer does not know (a typo would otherwise be silently ignored). */
export function checkArgKeys(className: string, args: object, allowed: readonly string[]): void {
  checkKnownKeys(`${className} args`, args, [...BASE_ARG_KEYS, ...allowed]);
}

export abstract class Layer {
  readonly name: string;
  trainable: boolean;
  /** Shape of one input example, known once built. */
  inputShape: Shape | null = null;
  /** Shape of one output example, known once built. */
  outputShape: Shape | null = null;
  /** Declared input shape from the args (first layer only). */
  readonly declaredInputShape: Shape | null;
  protected readonly variables: LayerVariable[] = [];

  constructor(args: LayerArgs, prefix: string) {
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name.length === 0)) {
      throw invalidType('name', 'a non-empty string', args.name);
    }
    this.name = args.name ?? uniqueName(prefix);
    this.trainable = args.trainable === undefined ? true : checkBoolean('trainable', args.trainable);
    if (args.inputShape !== undefined) {
      this.declaredInputShape = checkShape('inputShape', args.inputShape);
    } else if (args.batchInputShape !== undefined) {
      if (!Array.isArray(args.batchInputShape) || args.batchInputShape.length < 2) {
        throw invalidType('batchInputShape', '[batch, ...inputShape]', args.batchInputShape);
      }
      this.declaredInputShape = checkShape('batchInputShape', args.batchInputShape.slice(1));
    } else {
      this.declaredInputShape = null;
    }
  }

  /** Keras' class name ("Conv2D"), used in summaries and saved topologies. */
  abstract getClassName(): string;

  /** Output shape of one example for an input of `inputShape` (throws RangeError if it cannot take it). */
  abstract computeOutputShape(inputShape: readonly number[]): Shape;

  /** Constructor options that recreate this layer (Keras' get_config, in this library's names). */
  abstract getConfig(): Record<string, unknown>;

  /** The native ops this layer runs as, for an input of `inputShape` (built). */
  abstract toNative(): NativeOpSpec[];

  /** Creates the weights for `inputShape`; layers with weights override `createWeights`. */
  build(inputShape: readonly number[]): void {
    const shape = [...inputShape];
    const outputShape = this.computeOutputShape(shape);
    // Refused here, before any weight or activation buffer: a model whose per-example output could
    // not even be one tensor (an absurd filter count, a huge padded window) never gets built.
    const outputSize = outputShape.reduce((a, b) => a * b, 1);
    if (!(outputSize <= MAX_ELEMENTS)) {
      throw invalidRange(`${this.name} output`, `at most ${MAX_ELEMENTS} values per example`, `${outputSize} values, shape [${outputShape.join(', ')}]`);
    }
    this.outputShape = outputShape;
    this.inputShape = shape;
    if (this.variables.length === 0) this.createWeights(shape);
  }

  get built(): boolean {
    return this.outputShape !== null;
  }

  protected createWeights(_inputShape: Shape): void {}

  protected addWeight(name: string, shape: number[], initializer: InitializerName, trainable = true): LayerVariable {
    const size = shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(size) || size > 2 ** 31 - 1) {
      throw invalidRange(`${this.name}.${name}`, 'a weight of at most 2^31 - 1 values', `${size} values, shape [${shape.join(', ')}]`);
    }
    if (size * 4 > weightBudget) {
      throw invalidRange(`${this.name}.${name}`, `a weight of at most the ${weightBudget} bytes left in the weights file`,
        `${size * 4} bytes, shape [${shape.join(', ')}]`);
    }
    weightBudget -= size * 4;
    const variable = new LayerVariable(`${this.name}/${name}`, shape, new Float32Array(size), trainable);
    initialize(variable.data, shape, initializer);
    this.variables.push(variable);
    return variable;
  }

  /** Weights in Keras order (kernel, bias; gamma, beta, moving mean, moving variance). */
  get weights(): LayerVariable[] {
    return [...this.variables];
  }

  get trainableWeights(): LayerVariable[] {
    return this.trainable ? this.variables.filter((v) => v.trainable) : [];
  }

  get nonTrainableWeights(): LayerVariable[] {
    return this.trainable ? this.variables.filter((v) => !v.trainable) : [...this.variables];
  }

  countParams(): number {
    return this.variables.reduce((sum, v) => sum + v.size, 0);
  }

  protected requireBuilt(): { inputShape: Shape; outputShape: Shape } {
    if (this.inputShape === null || this.outputShape === null) {
      throw new Error(`Layer ${this.name} is not built yet: add it to a model with a known input shape`);
    }
    return { inputShape: this.inputShape, outputShape: this.outputShape };
  }
}
