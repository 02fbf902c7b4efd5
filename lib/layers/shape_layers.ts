// Layers that only reinterpret the shape of contiguous channels-last data: Input, Flatten and
// Reshape. They compile to no native op at all (the data is already in the right order).
import { checkShape, invalidRange } from '../validate';
import { Layer, LayerArgs, NativeOpSpec, Shape, checkArgKeys } from './layer';

/** fg.layers.input({shape}): declares the input shape of a sequential model. */
export class InputLayer extends Layer {
  constructor(args: LayerArgs & { shape?: number[] }) {
    checkArgKeys('InputLayer', args, ['shape']);
    const shape = args.shape ?? args.inputShape;
    if (shape === undefined) throw invalidRange('shape', 'the shape of one example', undefined);
    super({ ...args, inputShape: checkShape('shape', shape) }, 'input');
  }

  getClassName(): string {
    return 'InputLayer';
  }

  computeOutputShape(inputShape: readonly number[]): Shape {
    return [...inputShape];
  }

  toNative(): NativeOpSpec[] {
    return [];
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, shape: this.declaredInputShape };
  }
}

export class Flatten extends Layer {
  constructor(args: LayerArgs = {}) {
    checkArgKeys('Flatten', args, []);
    super(args, 'flatten');
  }

  getClassName(): string {
    return 'Flatten';
  }

  computeOutputShape(inputShape: readonly number[]): Shape {
    return [inputShape.reduce((a, b) => a * b, 1)];
  }

  toNative(): NativeOpSpec[] {
    return [];
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}) };
  }
}

export interface ReshapeLayerArgs extends LayerArgs {
  /** Shape of one output example; one entry may be -1 (inferred). */
  targetShape: number[];
}

export class Reshape extends Layer {
  readonly targetShape: number[];

  constructor(args: ReshapeLayerArgs) {
    checkArgKeys('Reshape', args, ['targetShape']);
    super(args, 'reshape');
    if (!Array.isArray(args.targetShape) || args.targetShape.filter((d) => d === -1).length > 1) {
      throw invalidRange('targetShape', 'an array of positive integers with at most one -1', args.targetShape);
    }
    args.targetShape.forEach((d, i) => {
      if (d !== -1 && (!Number.isInteger(d) || d < 1)) throw invalidRange(`targetShape[${i}]`, 'a positive integer or -1', d);
    });
    this.targetShape = [...args.targetShape];
  }

  getClassName(): string {
    return 'Reshape';
  }

  computeOutputShape(inputShape: readonly number[]): Shape {
    const size = inputShape.reduce((a, b) => a * b, 1);
    const known = this.targetShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const shape = this.targetShape.map((d) => (d === -1 ? size / known : d));
    if (shape.some((d) => !Number.isInteger(d)) || shape.reduce((a, b) => a * b, 1) !== size) {
      throw invalidRange(`${this.name} targetShape`, `a shape of ${size} values (input [${inputShape.join(', ')}])`, `[${this.targetShape.join(', ')}]`);
    }
    return shape;
  }

  toNative(): NativeOpSpec[] {
    return [];
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, targetShape: this.targetShape, ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}) };
  }
}
