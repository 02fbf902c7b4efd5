// Float64 references of Keras 3's optimizer update rules (keras/src/optimizers/*.py), one step at a
// time on Float64Array state, for lib/ops/optimizer.ts. Clipping as Keras' base optimizer.

export interface Clip64 {
  clipNorm?: number;
  clipValue?: number;
}

export function clipGradient64(g: ArrayLike<number>, clip: Clip64 = {}): Float64Array {
  const out = Float64Array.from(g);
  if (clip.clipNorm) {
    let sum = 0;
    for (const v of out) sum += v * v;
    const norm = Math.sqrt(sum);
    for (let i = 0; i < out.length; ++i) out[i] = (out[i] * clip.clipNorm) / Math.max(norm, clip.clipNorm);
  } else if (clip.clipValue) {
    for (let i = 0; i < out.length; ++i) out[i] = Math.min(Math.max(out[i], -clip.clipValue), clip.clipValue);
  }
  return out;
}

export function sgd64(w: Float64Array, g: ArrayLike<number>, lr: number, clip?: Clip64): void {
  const c = clipGradient64(g, clip);
  for (let i = 0; i < w.length; ++i) w[i] -= lr * c[i];
}

export function momentum64(w: Float64Array, v: Float64Array, g: ArrayLike<number>, lr: number, mu: number, nesterov: boolean,
  clip?: Clip64): void {
  const c = clipGradient64(g, clip);
  for (let i = 0; i < w.length; ++i) {
    v[i] = -c[i] * lr + v[i] * mu;
    w[i] += nesterov ? -c[i] * lr + v[i] * mu : v[i];
  }
}

export interface Adam64Options {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  step: number;
  weightDecay: number;
  vMax?: Float64Array;
  clip?: Clip64;
}

export function adam64(w: Float64Array, m: Float64Array, v: Float64Array, g: ArrayLike<number>, o: Adam64Options): void {
  const c = clipGradient64(g, o.clip);
  const alpha = (o.lr * Math.sqrt(1 - o.beta2 ** o.step)) / (1 - o.beta1 ** o.step);
  for (let i = 0; i < w.length; ++i) {
    w[i] -= w[i] * o.weightDecay * o.lr;
    m[i] += (c[i] - m[i]) * (1 - o.beta1);
    v[i] += (c[i] * c[i] - v[i]) * (1 - o.beta2);
    let denominator = v[i];
    if (o.vMax) denominator = o.vMax[i] = Math.max(o.vMax[i], v[i]);
    w[i] -= (m[i] * alpha) / (Math.sqrt(denominator) + o.epsilon);
  }
}

export interface Rmsprop64Options {
  lr: number;
  rho: number;
  momentum: number;
  epsilon: number;
  momentumBuffer?: Float64Array;
  meanGradient?: Float64Array;
  clip?: Clip64;
}

export function rmsprop64(w: Float64Array, s: Float64Array, g: ArrayLike<number>, o: Rmsprop64Options): void {
  const c = clipGradient64(g, o.clip);
  for (let i = 0; i < w.length; ++i) {
    s[i] = o.rho * s[i] + (1 - o.rho) * c[i] * c[i];
    let denominator = s[i] + o.epsilon;
    if (o.meanGradient) {
      o.meanGradient[i] = o.rho * o.meanGradient[i] + (1 - o.rho) * c[i];
      denominator = s[i] - o.meanGradient[i] * o.meanGradient[i] + o.epsilon;
    }
    const increment = (o.lr * c[i]) / Math.sqrt(denominator);
    if (o.momentumBuffer && o.momentum > 0) {
      o.momentumBuffer[i] = o.momentum * o.momentumBuffer[i] + increment;
      w[i] -= o.momentumBuffer[i];
    } else {
      w[i] -= increment;
    }
  }
}
