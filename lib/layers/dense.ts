// Dense (fully connected): every input value votes for every unit. Applied to the last axis, as
// Keras does for inputs of rank > 1; kernel [inputs, units].
import { ActivationName, activationSpec, checkActivation } from '../activations';
import { InitializerName, checkInitializer } from '../initializers';
import { checkBoolean, checkInteger, invalidRange } from '../validate';
import { Layer, LayerArgs, LayerVariable, NativeOpSpec, Shape, checkArgKeys } from './layer';

export interface DenseLayerArgs extends LayerArgs {
  /** Number of output units. */
  units: number;
  /** Activation applied to the output (default 'linear'). */
  activation?: ActivationName;
  /** Whether to add a bias per unit (default true). */
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
}

export class Dense extends Layer {
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  private kernel: LayerVariable | null = null;
  private bias: LayerVariable | null = null;

  constructor(args: DenseLayerArgs) {
    checkArgKeys('Dense', args, ['units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer']);
    super(args, 'dense');
    this.units = checkInteger('units', args.units, 1, 2 ** 31 - 1);
    this.activation = checkActivation('activation', args.activation);
    this.useBias = args.useBias === undefined ? true : checkBoolean('useBias', args.useBias);
    this.kernelInitializer = checkInitializer('kernelInitializer', args.kernelInitializer, 'glorotUniform');
    this.biasInitializer = checkInitializer('biasInitializer', args.biasInitializer, 'zeros');
  }

  getClassName(): string {
    return 'Dense';
  }

  computeOutputShape(inputShape: readonly number[]): Shape {
    if (inputShape.length < 1) throw invalidRange(`${this.name} input shape`, 'rank >= 1', `[${inputShape.join(', ')}]`);
    return [...inputShape.slice(0, -1), this.units];
  }

  protected override createWeights(inputShape: Shape): void {
    this.kernel = this.addWeight('kernel', [inputShape[inputShape.length - 1], this.units], this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], this.biasInitializer);
  }

  toNative(): NativeOpSpec[] {
    const { inputShape, outputShape } = this.requireBuilt();
    const inputs = inputShape[inputShape.length - 1];
    const rows = inputShape.slice(0, -1).reduce((a, b) => a * b, 1);
    const dense: NativeOpSpec = { kind: 'dense', rows, inputs, units: this.units, kernel: this.kernel!.data, bias: this.bias ? this.bias.data : null };
    return [dense, ...activationSpec(this.activation, outputShape.reduce((a, b) => a * b, 1), this.units)];
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: this.trainable,
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
      ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}),
    };
  }
}
