// Optimizers with Keras' names, defaults and formulas (native/kernels/optimizer.h). A model's
// training step applies them natively as part of one call; `step()` applies the same update to
// any weights and gradients for users writing their own loops. The learning rate is a plain
// mutable field so schedules and callbacks can change it between steps.
import {
  applyAdam, applyAdamW, applyMomentum, applyRmsprop, applySgd,
} from './ops/optimizer';
import { checkBoolean, checkNumber, checkOneOf, invalidRange, invalidType, checkKnownKeys } from './validate';

interface ClipArgs {
  /** Rescale each gradient tensor to at most this L2 norm (Keras clipnorm). */
  clipNorm?: number;
  /** Clamp gradient values to [-clipValue, clipValue] (Keras clipvalue). */
  clipValue?: number;
}

export interface SgdArgs extends ClipArgs {
  learningRate?: number;
  momentum?: number;
  nesterov?: boolean;
}

export interface AdamArgs extends ClipArgs {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
}

export interface AdamWArgs extends AdamArgs {
  weightDecay?: number;
}

export interface RmspropArgs extends ClipArgs {
  learningRate?: number;
  rho?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}

/** What the native network needs to know (native/binding/network.cc parse_optimizer). */
export interface NativeOptimizerConfig {
  kind: 'sgd' | 'adam' | 'rmsprop';
  momentum: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  amsgrad: boolean;
  rho: number;
  centered: boolean;
  clipNorm: number;
  clipValue: number;
}

function checkArgs(className: string, args: object, allowed: string[]): void {
  checkKnownKeys(`${className} args`, args, allowed);
}

export abstract class Optimizer {
  /** Mutable: schedules set it between steps. */
  learningRate: number;
  readonly clipNorm: number;
  readonly clipValue: number;
  /** Updates applied through step() (the model keeps its own count natively). */
  iterations = 0;
  private readonly state = new Map<Float32Array, Float32Array[]>();

  protected constructor(args: ClipArgs & { learningRate?: number }, defaultLearningRate: number) {
    this.learningRate = checkNumber('learningRate', args.learningRate ?? defaultLearningRate, 0);
    this.clipNorm = checkNumber('clipNorm', args.clipNorm ?? 0, 0);
    this.clipValue = checkNumber('clipValue', args.clipValue ?? 0, 0);
    if (this.clipNorm > 0 && this.clipValue > 0) throw invalidRange('clipValue', 'unset when clipNorm is set (as in Keras)', this.clipValue);
  }

  abstract getClassName(): string;
  abstract getConfig(): Record<string, unknown>;
  abstract nativeConfig(): NativeOptimizerConfig;
  protected abstract update(weights: Float32Array, gradients: Float32Array, slots: Float32Array[]): void;
  protected abstract slotCount(): number;

  /** Applies one update to each weights[i] with gradients[i] (state kept per weights array). */
  step(weights: Float32Array[], gradients: Float32Array[]): void {
    if (!Array.isArray(weights) || !Array.isArray(gradients) || weights.length !== gradients.length) {
      throw invalidRange('gradients', 'one gradient per weight array', gradients);
    }
    this.iterations += 1;
    weights.forEach((w, i) => {
      let slots = this.state.get(w);
      if (!slots) {
        slots = Array.from({ length: this.slotCount() }, () => new Float32Array(w.length));
        this.state.set(w, slots);
      }
      this.update(w, gradients[i], slots);
    });
  }

  protected clip(): { clipNorm?: number; clipValue?: number } {
    return { ...(this.clipNorm > 0 ? { clipNorm: this.clipNorm } : {}), ...(this.clipValue > 0 ? { clipValue: this.clipValue } : {}) };
  }

  protected baseNative(): Omit<NativeOptimizerConfig, 'kind'> {
    return {
      momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0, amsgrad: false,
      rho: 0.9, centered: false, clipNorm: this.clipNorm, clipValue: this.clipValue,
    };
  }
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(args: SgdArgs = {}) {
    checkArgs('SGD', args, ['learningRate', 'momentum', 'nesterov', 'clipNorm', 'clipValue']);
    super(args, 0.01);
    this.momentum = checkNumber('momentum', args.momentum ?? 0, 0, 1);
    this.nesterov = args.nesterov === undefined ? false : checkBoolean('nesterov', args.nesterov);
  }

  getClassName(): string {
    return 'SGD';
  }

  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov, clipNorm: this.clipNorm, clipValue: this.clipValue };
  }

  nativeConfig(): NativeOptimizerConfig {
    return { ...this.baseNative(), kind: 'sgd', momentum: this.momentum, nesterov: this.nesterov };
  }

  protected slotCount(): number {
    return this.momentum > 0 ? 1 : 0;
  }

  protected update(weights: Float32Array, gradients: Float32Array, slots: Float32Array[]): void {
    if (this.momentum > 0) {
      applyMomentum(weights, slots[0], gradients, { learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov, ...this.clip() });
    } else {
      applySgd(weights, gradients, { learningRate: this.learningRate, ...this.clip() });
    }
  }
}

export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;

  constructor(args: AdamArgs = {}, className = 'Adam', extraKeys: string[] = []) {
    checkArgs(className, args, ['learningRate', 'beta1', 'beta2', 'epsilon', 'amsgrad', 'clipNorm', 'clipValue', ...extraKeys]);
    super(args, 0.001);
    this.beta1 = checkNumber('beta1', args.beta1 ?? 0.9, 0, 0.999999);
    this.beta2 = checkNumber('beta2', args.beta2 ?? 0.999, 0, 0.999999);
    this.epsilon = checkNumber('epsilon', args.epsilon ?? 1e-7, 0);
    this.amsgrad = args.amsgrad === undefined ? false : checkBoolean('amsgrad', args.amsgrad);
  }

  getClassName(): string {
    return 'Adam';
  }

  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad, clipNorm: this.clipNorm, clipValue: this.clipValue };
  }

  nativeConfig(): NativeOptimizerConfig {
    return { ...this.baseNative(), kind: 'adam', beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }

  protected slotCount(): number {
    return this.amsgrad ? 3 : 2;
  }

  protected update(weights: Float32Array, gradients: Float32Array, slots: Float32Array[]): void {
    applyAdam(weights, slots[0], slots[1], gradients, {
      learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, step: this.iterations,
      ...(this.amsgrad ? { vMax: slots[2] } : {}), ...this.clip(),
    });
  }
}

export class AdamW extends Adam {
  readonly weightDecay: number;

  constructor(args: AdamWArgs = {}) {
    super(args, 'AdamW', ['weightDecay']);
    this.weightDecay = checkNumber('weightDecay', args.weightDecay ?? 0.004, 0);
  }

  override getClassName(): string {
    return 'AdamW';
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }

  override nativeConfig(): NativeOptimizerConfig {
    return { ...super.nativeConfig(), weightDecay: this.weightDecay };
  }

  protected override update(weights: Float32Array, gradients: Float32Array, slots: Float32Array[]): void {
    applyAdamW(weights, slots[0], slots[1], gradients, {
      learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, step: this.iterations,
      weightDecay: this.weightDecay, ...(this.amsgrad ? { vMax: slots[2] } : {}), ...this.clip(),
    });
  }
}

export class RMSprop extends Optimizer {
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(args: RmspropArgs = {}) {
    checkArgs('RMSprop', args, ['learningRate', 'rho', 'momentum', 'epsilon', 'centered', 'clipNorm', 'clipValue']);
    super(args, 0.001);
    this.rho = checkNumber('rho', args.rho ?? 0.9, 0, 1);
    this.momentum = checkNumber('momentum', args.momentum ?? 0, 0, 1);
    this.epsilon = checkNumber('epsilon', args.epsilon ?? 1e-7, 0);
    this.centered = args.centered === undefined ? false : checkBoolean('centered', args.centered);
  }

  getClassName(): string {
    return 'RMSprop';
  }

  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered, clipNorm: this.clipNorm, clipValue: this.clipValue };
  }

  nativeConfig(): NativeOptimizerConfig {
    return { ...this.baseNative(), kind: 'rmsprop', rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }

  protected slotCount(): number {
    return 3;
  }

  protected update(weights: Float32Array, gradients: Float32Array, slots: Float32Array[]): void {
    applyRmsprop(weights, slots[0], gradients, {
      learningRate: this.learningRate, rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered,
      ...(this.momentum > 0 ? { momentumBuffer: slots[1] } : {}), ...(this.centered ? { meanGradient: slots[2] } : {}), ...this.clip(),
    });
  }
}

export const sgd = (args: SgdArgs = {}): SGD => new SGD(args);
export const momentum = (args: SgdArgs = {}): SGD => new SGD({ momentum: 0.9, ...args });
export const adam = (args: AdamArgs = {}): Adam => new Adam(args);
export const adamw = (args: AdamWArgs = {}): AdamW => new AdamW(args);
export const rmsprop = (args: RmspropArgs = {}): RMSprop => new RMSprop(args);

const BY_NAME = { sgd, momentum, adam, adamw, rmsprop } as const;
export type OptimizerName = keyof typeof BY_NAME;

/** An optimizer object, or a name with Keras' defaults ('sgd', 'momentum', 'adam', 'adamw', 'rmsprop'). */
export function getOptimizer(value: unknown): Optimizer {
  if (value instanceof Optimizer) return value;
  const name = checkOneOf('optimizer', value, Object.keys(BY_NAME) as OptimizerName[]);
  return BY_NAME[name]();
}

/** Recreates an optimizer from a saved class name and config. */
export function deserializeOptimizer(className: unknown, config: Record<string, unknown>): Optimizer {
  switch (className) {
    case 'SGD': return new SGD(config);
    case 'Adam': return new Adam(config);
    case 'AdamW': return new AdamW(config);
    case 'RMSprop': return new RMSprop(config);
    default: throw invalidRange('optimizer className', 'one of SGD, Adam, AdamW, RMSprop', className);
  }
}
