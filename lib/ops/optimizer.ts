// Fused in-place optimizer updates with Keras semantics (formulas in native/kernels/optimizer.h and
// docs/optimizers.md), on Tensors or Float32Arrays. The caller owns the state buffers and the step
// counter; deliberately no optimizer objects or schedules here (those belong to lib/optimizers.ts).
import { native } from '../native';
import { Tensor } from '../tensor';
import { checkBoolean, checkInteger, checkNumber, invalidRange, invalidType } from '../validate';

/** A parameter or state buffer, updated in place. */
export type ParameterBuffer = Tensor | Float32Array;

const FLOAT32_MAX = 3.4028234663852886e38;

export interface ClipOptions {
  /** Rescale the gradient to this L2 norm when its norm is larger (Keras clipnorm). */
  clipNorm?: number;
  /** Clamp each gradient element to [-clipValue, clipValue] (Keras clipvalue). Not with clipNorm. */
  clipValue?: number;
}

export interface SgdOptions extends ClipOptions {
  /** Default 0.01 (Keras). */
  learningRate?: number;
}

export interface MomentumOptions extends ClipOptions {
  /** Default 0.01 (Keras). */
  learningRate?: number;
  /** In [0, 1]; default 0.9. */
  momentum?: number;
  /** Nesterov momentum; default false. */
  nesterov?: boolean;
}

export interface AdamOptions extends ClipOptions {
  /** Default 0.001. */
  learningRate?: number;
  /** In [0, 1); default 0.9. */
  beta1?: number;
  /** In [0, 1); default 0.999. */
  beta2?: number;
  /** Default 1e-7 (Keras' epsilon hat). */
  epsilon?: number;
  /** 1 for the first update, then 2, 3, ... (Keras' iterations + 1). Required. */
  step: number;
  /** AMSGrad's running maximum of v (zeros at the start); passing it turns AMSGrad on. */
  vMax?: ParameterBuffer;
}

export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay, >= 0; default 0.004 (Keras AdamW). */
  weightDecay?: number;
}

export interface RmspropOptions extends ClipOptions {
  /** Default 0.001. */
  learningRate?: number;
  /** In [0, 1]; default 0.9. */
  rho?: number;
  /** In [0, 1]; default 0. Above 0 it needs `momentumBuffer`. */
  momentum?: number;
  /** Default 1e-7. */
  epsilon?: number;
  /** Normalise by the gradient's variance rather than its second moment; needs `meanGradient`. */
  centered?: boolean;
  /** Momentum state (zeros at the start). */
  momentumBuffer?: ParameterBuffer;
  /** Mean-gradient state for centered RMSprop (zeros at the start). */
  meanGradient?: ParameterBuffer;
}

function dataOf(name: string, value: unknown, size?: number): Float32Array {
  let data: Float32Array;
  if (value instanceof Tensor) data = value.data;
  else if (value instanceof Float32Array) data = value;
  else throw invalidType(name, 'a Tensor or a Float32Array', value);
  if (size !== undefined && data.length !== size) {
    throw invalidRange(name, `${size} values (as many as weights)`, `${data.length} values`);
  }
  return data;
}

function checkOptions(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidType('options', 'an object', value);
  return value as Record<string, unknown>;
}

function option(options: Record<string, unknown>, key: string, fallback: number, min: number, max: number): number {
  return checkNumber(`options.${key}`, options[key] ?? fallback, min, max);
}

/** Strictly below `max` (betas). */
function optionBelow(options: Record<string, unknown>, key: string, fallback: number, max: number): number {
  const value = checkNumber(`options.${key}`, options[key] ?? fallback, 0, max);
  if (value === max) throw invalidRange(`options.${key}`, `a finite number in [0, ${max})`, value);
  return value;
}

function clipOf(options: Record<string, unknown>): [number, number] {
  const clipNorm = option(options, 'clipNorm', 0, 0, Infinity);
  const clipValue = option(options, 'clipValue', 0, 0, Infinity);
  if (clipNorm > 0 && clipValue > 0) {
    throw invalidRange('options.clipValue', 'unset when options.clipNorm is set (one clip at a time, as Keras)', clipValue);
  }
  return [clipNorm, clipValue];
}

function learningRateOf(options: Record<string, unknown>, fallback: number): number {
  return option(options, 'learningRate', fallback, -FLOAT32_MAX, FLOAT32_MAX);
}

function optionalBuffer(options: Record<string, unknown>, key: string, size: number): Float32Array | null {
  const value = options[key];
  return value === undefined || value === null ? null : dataOf(`options.${key}`, value, size);
}

/** SGD: weights -= learningRate * gradients. */
export function applySgd(weights: ParameterBuffer, gradients: ParameterBuffer, options: SgdOptions = {}): void {
  const w = dataOf('weights', weights);
  const g = dataOf('gradients', gradients, w.length);
  const o = checkOptions(options);
  const [clipNorm, clipValue] = clipOf(o);
  native.sgdUpdate(w, g, learningRateOf(o, 0.01), clipNorm, clipValue, false);
}

/** SGD with (optionally Nesterov) momentum, Keras' formulation: v = m v - lr g; w += v (or m v - lr g). */
export function applyMomentum(weights: ParameterBuffer, velocity: ParameterBuffer, gradients: ParameterBuffer,
  options: MomentumOptions = {}): void {
  const w = dataOf('weights', weights);
  const v = dataOf('velocity', velocity, w.length);
  const g = dataOf('gradients', gradients, w.length);
  const o = checkOptions(options);
  const [clipNorm, clipValue] = clipOf(o);
  const nesterov = checkBoolean('options.nesterov', o.nesterov ?? false);
  native.momentumUpdate(w, v, g, learningRateOf(o, 0.01), option(o, 'momentum', 0.9, 0, 1), nesterov, clipNorm,
    clipValue, false);
}

function adam(weights: ParameterBuffer, m: ParameterBuffer, v: ParameterBuffer, gradients: ParameterBuffer,
  options: AdamOptions, weightDecay: number | null): void {
  const w = dataOf('weights', weights);
  const mData = dataOf('m', m, w.length);
  const vData = dataOf('v', v, w.length);
  const g = dataOf('gradients', gradients, w.length);
  const o = checkOptions(options);
  const [clipNorm, clipValue] = clipOf(o);
  const step = checkInteger('options.step', o.step, 1);
  const decay = weightDecay === null ? 0 : option(o, 'weightDecay', weightDecay, 0, FLOAT32_MAX);
  native.adamUpdate(w, mData, vData, optionalBuffer(o, 'vMax', w.length), g, learningRateOf(o, 0.001),
    optionBelow(o, 'beta1', 0.9, 1), optionBelow(o, 'beta2', 0.999, 1), option(o, 'epsilon', 1e-7, 0, FLOAT32_MAX),
    step, decay, clipNorm, clipValue, false);
}

/** Adam (Keras): bias correction folded into the step size, epsilon outside the square root. */
export function applyAdam(weights: ParameterBuffer, m: ParameterBuffer, v: ParameterBuffer, gradients: ParameterBuffer,
  options: AdamOptions): void {
  adam(weights, m, v, gradients, options, null);
}

/** AdamW (Keras): weights -= weights * weightDecay * learningRate, then the Adam step. */
export function applyAdamW(weights: ParameterBuffer, m: ParameterBuffer, v: ParameterBuffer, gradients: ParameterBuffer,
  options: AdamWOptions): void {
  adam(weights, m, v, gradients, options, 0.004);
}

/** RMSprop (Keras): epsilon inside the square root, optional plain momentum and centering. */
export function applyRmsprop(weights: ParameterBuffer, meanSquare: ParameterBuffer, gradients: ParameterBuffer,
  options: RmspropOptions = {}): void {
  const w = dataOf('weights', weights);
  const s = dataOf('meanSquare', meanSquare, w.length);
  const g = dataOf('gradients', gradients, w.length);
  const o = checkOptions(options);
  const [clipNorm, clipValue] = clipOf(o);
  const momentum = option(o, 'momentum', 0, 0, 1);
  const centered = checkBoolean('options.centered', o.centered ?? false);
  const momentumBuffer = optionalBuffer(o, 'momentumBuffer', w.length);
  if (momentum > 0 && momentumBuffer === null) {
    throw invalidType('options.momentumBuffer', 'a Tensor or Float32Array when options.momentum > 0', o.momentumBuffer);
  }
  const meanGradient = centered ? optionalBuffer(o, 'meanGradient', w.length) : null;
  if (centered && meanGradient === null) {
    throw invalidType('options.meanGradient', 'a Tensor or Float32Array when options.centered is true', o.meanGradient);
  }
  native.rmspropUpdate(w, s, momentum > 0 ? momentumBuffer : null, meanGradient, g, learningRateOf(o, 0.001),
    option(o, 'rho', 0.9, 0, 1), momentum, option(o, 'epsilon', 1e-7, 0, FLOAT32_MAX), clipNorm, clipValue, false);
}
