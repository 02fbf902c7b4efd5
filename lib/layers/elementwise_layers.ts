// Layers that act value by value or per channel: Activation, Dropout and BatchNormalization.
import { ActivationName, activationSpec, checkActivation } from '../activations';
import { checkBoolean, checkInteger, checkNumber, invalidRange } from '../validate';
import { Layer, LayerArgs, LayerVariable, NativeOpSpec, Shape, checkArgKeys } from './layer';

export class Activation extends Layer {
  readonly activation: ActivationName;

  constructor(args: LayerArgs & { activation: ActivationName }) {
    checkArgKeys('Activation', args, ['activation']);
    super(args, 'activation');
    if (args.activation === undefined) throw invalidRange('activation', 'an activation name', undefined);
    this.activation = checkActivation('activation', args.activation);
  }

  getClassName(): string {
    return 'Activation';
  }

  computeOutputShape(inputShape: readonly number[]): Shape {
    return [...inputShape];
  }

  toNative(): NativeOpSpec[] {
    const { outputShape } = this.requireBuilt();
    const size = outputShape.reduce((a, b) => a * b, 1);
    return activationSpec(this.activation, size, outputShape[outputShape.length - 1] ?? 1);
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, activation: this.activation, ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}) };
  }
}

export class Dropout extends Layer {
  readonly rate: number;

  constructor(args: LayerArgs & { rate: number }) {
    checkArgKeys('Dropout', args, ['rate']);
    super(args, 'dropout');
    this.rate = checkNumber('rate', args.rate, 0, 0.999999);
  }

  getClassName(): string {
    return 'Dropout';
  }

  computeOutputShape(inputShape: readonly number[]): Shape {
    return [...inputShape];
  }

  toNative(): NativeOpSpec[] {
    const { outputShape } = this.requireBuilt();
    return [{ kind: 'dropout', rate: this.rate, size: outputShape.reduce((a, b) => a * b, 1) }];
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, rate: this.rate, ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}) };
  }
}

export interface BatchNormalizationLayerArgs extends LayerArgs {
  /** Only -1 (the channels-last axis) is supported. */
  axis?: number;
  /** Moving-statistics momentum (default 0.99, as Keras). */
  momentum?: number;
  /** Added to the variance (default 1e-3, as Keras). */
  epsilon?: number;
  /** Learn an offset beta (default true). */
  center?: boolean;
  /** Learn a scale gamma (default true). */
  scale?: boolean;
}

export class BatchNormalization extends Layer {
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private gamma: LayerVariable | null = null;
  private beta: LayerVariable | null = null;
  private movingMean: LayerVariable | null = null;
  private movingVariance: LayerVariable | null = null;

  constructor(args: BatchNormalizationLayerArgs = {}) {
    checkArgKeys('BatchNormalization', args, ['axis', 'momentum', 'epsilon', 'center', 'scale']);
    super(args, 'batch_normalization');
    if (args.axis !== undefined && checkInteger('axis', args.axis, -1, -1) !== -1) {
      throw invalidRange('axis', '-1 (channels last)', args.axis);
    }
    this.momentum = checkNumber('momentum', args.momentum ?? 0.99, 0, 1);
    this.epsilon = checkNumber('epsilon', args.epsilon ?? 1e-3, 1e-12, 1);
    this.center = args.center === undefined ? true : checkBoolean('center', args.center);
    this.scale = args.scale === undefined ? true : checkBoolean('scale', args.scale);
  }

  getClassName(): string {
    return 'BatchNormalization';
  }

  computeOutputShape(inputShape: readonly number[]): Shape {
    if (inputShape.length < 1) throw invalidRange(`${this.name} input shape`, 'rank >= 1', `[${inputShape.join(', ')}]`);
    return [...inputShape];
  }

  protected override createWeights(inputShape: Shape): void {
    const channels = inputShape[inputShape.length - 1];
    if (this.scale) this.gamma = this.addWeight('gamma', [channels], 'ones');
    if (this.center) this.beta = this.addWeight('beta', [channels], 'zeros');
    this.movingMean = this.addWeight('moving_mean', [channels], 'zeros', false);
    this.movingVariance = this.addWeight('moving_variance', [channels], 'ones', false);
  }

  toNative(): NativeOpSpec[] {
    const { inputShape } = this.requireBuilt();
    return [{
      kind: 'batchNorm',
      size: inputShape.reduce((a, b) => a * b, 1),
      channels: inputShape[inputShape.length - 1],
      gamma: this.gamma ? this.gamma.data : null,
      beta: this.beta ? this.beta.data : null,
      movingMean: this.movingMean!.data,
      movingVariance: this.movingVariance!.data,
      momentum: this.momentum,
      epsilon: this.epsilon,
    }];
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: this.trainable,
      axis: -1,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}),
    };
  }
}
