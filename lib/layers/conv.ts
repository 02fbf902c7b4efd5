// Conv1D, Conv2D and Conv3D: one class parameterized by the number of spatial dims, because the
// native op is one N-d convolution. Channels-last input [...spatial, channels]; kernel in Keras
// layout [...kernelSize, inChannels, filters].
import { ActivationName, activationSpec, checkActivation } from '../activations';
import { InitializerName, checkInitializer } from '../initializers';
import { checkBoolean, checkInteger, checkOneOf, invalidRange } from '../validate';
import { PaddingMode, WindowPlan, checkWindowTuple, planWindow } from '../ops/conv-util';
import { Layer, LayerArgs, LayerVariable, NativeOpSpec, Shape, checkArgKeys } from './layer';

export interface ConvLayerArgs extends LayerArgs {
  /** Number of filters (output channels). */
  filters: number;
  /** Window size: one integer for every spatial dim, or one per dim. */
  kernelSize: number | number[];
  /** Step of the window (default 1). */
  strides?: number | number[];
  /** 'valid' (no padding, default) or 'same' (output = ceil(input / stride), TensorFlow's padding). */
  padding?: PaddingMode;
  /** Spacing between kernel taps (default 1). Keras forbids strides > 1 together with dilation > 1. */
  dilationRate?: number | number[];
  /** Activation applied to the output (default 'linear'). */
  activation?: ActivationName;
  /** Whether to add a bias per filter (default true). */
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
}

const CONV_KEYS = ['filters', 'kernelSize', 'strides', 'padding', 'dilationRate', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer'];

export class Conv extends Layer {
  readonly rank: 1 | 2 | 3;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: PaddingMode;
  readonly dilationRate: number[];
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  private kernel: LayerVariable | null = null;
  private bias: LayerVariable | null = null;

  constructor(rank: 1 | 2 | 3, args: ConvLayerArgs) {
    checkArgKeys(`Conv${rank}D`, args, CONV_KEYS);
    super(args, `conv${rank}d`);
    this.rank = rank;
    this.filters = checkInteger('filters', args.filters, 1, 2 ** 20);
    this.kernelSize = checkWindowTuple('kernelSize', args.kernelSize, rank);
    this.strides = checkWindowTuple('strides', args.strides ?? 1, rank);
    this.padding = checkOneOf('padding', args.padding ?? 'valid', ['valid', 'same'] as const);
    this.dilationRate = checkWindowTuple('dilationRate', args.dilationRate ?? 1, rank);
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) {
      throw invalidRange('strides', 'all 1 when dilationRate > 1 (as in Keras)', this.strides);
    }
    this.activation = checkActivation('activation', args.activation);
    this.useBias = args.useBias === undefined ? true : checkBoolean('useBias', args.useBias);
    this.kernelInitializer = checkInitializer('kernelInitializer', args.kernelInitializer, 'glorotUniform');
    this.biasInitializer = checkInitializer('biasInitializer', args.biasInitializer, 'zeros');
  }

  getClassName(): string {
    return `Conv${this.rank}D`;
  }

  private window(inputShape: readonly number[]): WindowPlan {
    return planWindow({
      inputShape: [1, ...inputShape],
      kernel: this.kernelSize,
      strides: this.strides,
      dilations: this.dilationRate,
      pad: this.padding,
      outChannels: this.filters,
      windowName: `${this.name} kernelSize`,
    });
  }

  computeOutputShape(inputShape: readonly number[]): Shape {
    if (inputShape.length !== this.rank + 1) {
      throw invalidRange(`${this.name} input shape`, `rank ${this.rank + 1} ([...${this.rank} spatial dims, channels])`, `[${inputShape.join(', ')}]`);
    }
    return this.window(inputShape).outShape.slice(1);
  }

  protected override createWeights(inputShape: Shape): void {
    this.kernel = this.addWeight('kernel', [...this.kernelSize, inputShape[this.rank], this.filters], this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.biasInitializer);
  }

  toNative(): NativeOpSpec[] {
    const { inputShape, outputShape } = this.requireBuilt();
    const size = outputShape.reduce((a, b) => a * b, 1);
    const conv: NativeOpSpec = {
      kind: 'conv',
      geometry: this.window(inputShape).geometry,
      relu: this.activation === 'relu',
      kernel: this.kernel!.data,
      bias: this.bias ? this.bias.data : null,
    };
    const rest = this.activation === 'relu' ? [] : activationSpec(this.activation, size, this.filters);
    return [conv, ...rest];
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: this.trainable,
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
      ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}),
    };
  }
}
