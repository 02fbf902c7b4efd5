// MaxPooling1D/2D/3D and AveragePooling1D/2D/3D: one class over the native N-d pooling op.
// Defaults as Keras: poolSize 2, strides = poolSize, padding 'valid'.
import { checkOneOf, invalidRange } from '../validate';
import { PaddingMode, WindowPlan, checkWindowTuple, planWindow } from '../ops/conv-util';
import { Layer, LayerArgs, NativeOpSpec, Shape, checkArgKeys } from './layer';

/** Most cells one pooling window may cover (the native ops bound it the same way: native/binding/pool.cc). */
const MAX_POOL_WINDOW = 2 ** 24;

export interface PoolingLayerArgs extends LayerArgs {
  /** Window size per spatial dim (default 2). */
  poolSize?: number | number[];
  /** Step of the window (default: poolSize). */
  strides?: number | number[] | null;
  /** 'valid' (default) or 'same' (padded cells never win the max and are not counted in the mean). */
  padding?: PaddingMode;
}

export type PoolingKind = 'max' | 'avg';

export class Pooling extends Layer {
  readonly rank: 1 | 2 | 3;
  readonly kind: PoolingKind;
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: PaddingMode;

  constructor(kind: PoolingKind, rank: 1 | 2 | 3, args: PoolingLayerArgs = {}) {
    const className = `${kind === 'max' ? 'Max' : 'Average'}Pooling${rank}D`;
    checkArgKeys(className, args, ['poolSize', 'strides', 'padding']);
    super(args, `${kind === 'max' ? 'max' : 'average'}_pooling${rank}d`);
    this.kind = kind;
    this.rank = rank;
    this.poolSize = checkWindowTuple('poolSize', args.poolSize ?? 2, rank);
    const cells = this.poolSize.reduce((a, b) => a * b, 1);
    if (cells > MAX_POOL_WINDOW) throw invalidRange('poolSize', `a window of at most ${MAX_POOL_WINDOW} cells`, `${cells} cells, [${this.poolSize.join(', ')}]`);
    this.strides = args.strides === undefined || args.strides === null ? [...this.poolSize] : checkWindowTuple('strides', args.strides, rank);
    this.padding = checkOneOf('padding', args.padding ?? 'valid', ['valid', 'same'] as const);
  }

  getClassName(): string {
    return `${this.kind === 'max' ? 'Max' : 'Average'}Pooling${this.rank}D`;
  }

  private window(inputShape: readonly number[]): WindowPlan {
    return planWindow({
      inputShape: [1, ...inputShape],
      kernel: this.poolSize,
      strides: this.strides,
      dilations: new Array<number>(this.rank).fill(1),
      pad: this.padding,
      outChannels: inputShape[this.rank],
      windowName: `${this.name} poolSize`,
    });
  }

  computeOutputShape(inputShape: readonly number[]): Shape {
    if (inputShape.length !== this.rank + 1) {
      throw invalidRange(`${this.name} input shape`, `rank ${this.rank + 1} ([...${this.rank} spatial dims, channels])`, `[${inputShape.join(', ')}]`);
    }
    return this.window(inputShape).outShape.slice(1);
  }

  toNative(): NativeOpSpec[] {
    const { inputShape } = this.requireBuilt();
    return [{ kind: 'pool', pool: this.kind, geometry: this.window(inputShape).geometry }];
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: this.trainable,
      poolSize: this.poolSize,
      strides: this.strides,
      padding: this.padding,
      ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}),
    };
  }
}

/** GlobalAveragePooling1D/2D/3D and GlobalMaxPooling1D/2D/3D: one value per channel. */
export class GlobalPooling extends Layer {
  readonly rank: 1 | 2 | 3;
  readonly kind: PoolingKind;

  constructor(kind: PoolingKind, rank: 1 | 2 | 3, args: LayerArgs = {}) {
    const className = `Global${kind === 'max' ? 'Max' : 'Average'}Pooling${rank}D`;
    checkArgKeys(className, args, []);
    super(args, `global_${kind === 'max' ? 'max' : 'average'}_pooling${rank}d`);
    this.kind = kind;
    this.rank = rank;
  }

  getClassName(): string {
    return `Global${this.kind === 'max' ? 'Max' : 'Average'}Pooling${this.rank}D`;
  }

  computeOutputShape(inputShape: readonly number[]): Shape {
    if (inputShape.length !== this.rank + 1) {
      throw invalidRange(`${this.name} input shape`, `rank ${this.rank + 1} ([...${this.rank} spatial dims, channels])`, `[${inputShape.join(', ')}]`);
    }
    return [inputShape[this.rank]];
  }

  toNative(): NativeOpSpec[] {
    const { inputShape } = this.requireBuilt();
    const channels = inputShape[this.rank];
    const positions = inputShape.slice(0, this.rank).reduce((a, b) => a * b, 1);
    return [{ kind: 'globalPool', pool: this.kind, positions, channels }];
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, ...(this.declaredInputShape ? { inputShape: this.declaredInputShape } : {}) };
  }
}
