// fg.gradCheck: compares analytic gradients with central finite differences, as
// torch.autograd.gradcheck does. The scalar probed is L = sum(f(x) * dy) for a fixed random dy,
// accumulated in float64. With `forward64` (a float64 reference of f) the differences are taken
// entirely in float64; otherwise f itself (float32) is differenced with a larger step.
// Deliberately avoids any autodiff machinery: the caller supplies the backward function.
import { Tensor } from './tensor';
import { checkInteger, checkNumber, invalidRange, invalidType } from './validate';

export interface GradCheckOptions {
  /** Finite-difference step. Default 1e-6 with forward64, 1e-2 without (float32 noise). */
  epsilon?: number;
  /** Absolute tolerance. Default 1e-4 with forward64, 2e-3 without. */
  atol?: number;
  /** Relative tolerance. Default 1e-3 with forward64, 2e-2 without. */
  rtol?: number;
  /** Check at most this many positions per input (spread evenly); default 64. */
  maxChecksPerInput?: number;
  /** Seed of the random output weights dy. Default 1. */
  seed?: number;
  /** Float64 reference forward on the inputs' values (same layout as f's output). */
  forward64?: (inputs: Float64Array[]) => Float64Array;
  /** Indices of inputs to check (default: all that `backward` returns a gradient for). */
  inputsToCheck?: number[];
}

export interface GradCheckMismatch {
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradCheckResult {
  ok: boolean;
  checked: number;
  maxAbsError: number;
  maxRelError: number;
  /** Up to 10 positions outside the tolerance. */
  mismatches: GradCheckMismatch[];
}

function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weightedSum(values: ArrayLike<number>, weights: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < weights.length; ++i) sum += values[i] * weights[i];
  return sum;
}

/**
 * @param forward  f(inputs) -> output (float32 tensors).
 * @param backward (inputs, dy) -> one gradient per input (or null for inputs not differentiated).
 * @param inputs   points at which to check; not modified.
 */
export function gradCheck(
  forward: (inputs: Tensor[]) => Tensor,
  backward: (inputs: Tensor[], dy: Tensor) => (Tensor | null)[],
  inputs: Tensor[],
  options: GradCheckOptions = {},
): GradCheckResult {
  if (typeof forward !== 'function') throw invalidType('forward', 'a function', forward);
  if (typeof backward !== 'function') throw invalidType('backward', 'a function', backward);
  if (!Array.isArray(inputs) || inputs.some((t) => !(t instanceof Tensor))) {
    throw invalidType('inputs', 'an array of Tensors', inputs);
  }
  const reference = options.forward64;
  const epsilon = checkNumber('options.epsilon', options.epsilon ?? (reference ? 1e-6 : 1e-2), 0);
  const atol = checkNumber('options.atol', options.atol ?? (reference ? 1e-4 : 2e-3), 0);
  const rtol = checkNumber('options.rtol', options.rtol ?? (reference ? 1e-3 : 2e-2), 0);
  const maxChecks = checkInteger('options.maxChecksPerInput', options.maxChecksPerInput ?? 64, 1);
  const random = seededUniform(checkInteger('options.seed', options.seed ?? 1, 0, 2 ** 32 - 1));

  const output = forward(inputs);
  const dyValues = new Float64Array(output.size);
  for (let i = 0; i < dyValues.length; ++i) dyValues[i] = random() * 2 - 1;
  const dy = new Tensor(Float32Array.from(dyValues), output.shape);
  const analytic = backward(inputs, dy);
  if (!Array.isArray(analytic) || analytic.length !== inputs.length) {
    throw invalidRange('backward', `an array of ${inputs.length} gradients`, analytic);
  }

  const inputs64 = inputs.map((t) => Float64Array.from(t.data));
  const probe = (which: number, index: number, delta: number): number => {
    if (reference) {
      const copy = inputs64[which];
      const saved = copy[index];
      copy[index] = saved + delta;
      const value = weightedSum(reference(inputs64), dyValues);
      copy[index] = saved;
      return value;
    }
    const data = inputs[which].data;
    const saved = data[index];
    data[index] = saved + delta;
    const value = weightedSum(forward(inputs).data, dyValues);
    data[index] = saved;
    return value;
  };

  const result: GradCheckResult = { ok: true, checked: 0, maxAbsError: 0, maxRelError: 0, mismatches: [] };
  const which = options.inputsToCheck ?? inputs.map((_, i) => i).filter((i) => analytic[i] !== null);
  for (const input of which) {
    const gradient = analytic[input];
    if (!(gradient instanceof Tensor) || gradient.size !== inputs[input].size) {
      throw invalidRange(`backward()[${input}]`, `a Tensor of ${inputs[input].size} values`, gradient);
    }
    const size = inputs[input].size;
    const step = Math.max(1, Math.floor(size / maxChecks));
    for (let index = 0; index < size; index += step) {
      // With a float32 forward the step must be representable at the input's magnitude.
      const value = inputs[input].data[index];
      const delta = reference ? epsilon * Math.max(1, Math.abs(value)) : epsilon;
      const numeric = (probe(input, index, delta) - probe(input, index, -delta)) / (2 * delta);
      const got = gradient.data[index];
      const error = Math.abs(got - numeric);
      const tolerance = Math.max(atol, rtol * Math.abs(numeric));
      result.checked += 1;
      result.maxAbsError = Math.max(result.maxAbsError, error);
      if (Math.abs(numeric) > atol) result.maxRelError = Math.max(result.maxRelError, error / Math.abs(numeric));
      if (!(error <= tolerance)) {
        result.ok = false;
        if (result.mismatches.length < 10) result.mismatches.push({ input, index, analytic: got, numeric });
      }
    }
  }
  return result;
}
