// Tensor: a shape and a Float32Array, nothing more. Memory belongs to the garbage collector;
// there is no dispose or tidy. Ops allocate outputs; the data array is never copied on the way in.
import { checkShape, invalidRange, invalidType } from './validate';

export type DataType = 'float32';

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DataType = 'float32';
  readonly data: Float32Array;

  constructor(data: Float32Array, shape: readonly number[]) {
    const checked = checkShape('shape', [...shape]);
    const size = checked.reduce((a, b) => a * b, 1);
    if (!(data instanceof Float32Array)) throw invalidType('data', 'a Float32Array', data);
    if (data.length !== size) {
      throw invalidRange('data', `${size} values for shape [${checked.join(', ')}]`, `${data.length} values`);
    }
    this.data = data;
    this.shape = Object.freeze(checked);
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Same data, new shape (sizes must agree). */
  reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.data, shape);
  }

  /** Nested arrays, for printing and small checks. */
  arraySync(): unknown {
    const build = (offset: number, axis: number): unknown => {
      if (axis === this.shape.length) return this.data[offset];
      const stride = this.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[axis] }, (_, i) => build(offset + i * stride, axis + 1));
    };
    return build(0, 0);
  }

  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype})`;
  }
}

function flatten(values: unknown, out: number[]): void {
  if (typeof values === 'number') {
    out.push(values);
  } else if (Array.isArray(values)) {
    for (const value of values) flatten(value, out);
  } else {
    throw invalidType('values', 'numbers, nested arrays of numbers or a typed array', values);
  }
}

/** fg.tensor(values, shape): values as a typed array, a flat array or nested arrays. */
export function tensor(values: Float32Array | ArrayLike<number> | unknown[], shape?: readonly number[]): Tensor {
  let data: Float32Array;
  if (values instanceof Float32Array) {
    data = values;
  } else if (ArrayBuffer.isView(values)) {
    data = Float32Array.from(values as unknown as ArrayLike<number>);
  } else {
    const flat: number[] = [];
    flatten(values, flat);
    data = Float32Array.from(flat);
  }
  if (shape === undefined) {
    const inferred: number[] = [];
    let level: unknown = values;
    while (Array.isArray(level)) {
      inferred.push(level.length);
      level = level[0];
    }
    shape = inferred.length > 0 && !ArrayBuffer.isView(values) ? inferred : [data.length];
  }
  return new Tensor(data, shape);
}

export function zeros(shape: readonly number[]): Tensor {
  const checked = checkShape('shape', [...shape]);
  return new Tensor(new Float32Array(checked.reduce((a, b) => a * b, 1)), checked);
}

export function ones(shape: readonly number[]): Tensor {
  const result = zeros(shape);
  result.data.fill(1);
  return result;
}

/** One-hot rows [n, depth] from integer labels. */
export function oneHot(indices: ArrayLike<number> | Tensor, depth: number): Tensor {
  const labels = indices instanceof Tensor ? indices.data : indices;
  const out = new Float32Array(labels.length * depth);
  for (let i = 0; i < labels.length; ++i) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= depth) {
      throw invalidRange(`indices[${i}]`, `an integer in [0, ${depth - 1}]`, label);
    }
    out[i * depth + label] = 1;
  }
  return new Tensor(out, [labels.length, depth]);
}

/** Accepts a Tensor where an op needs one; names the parameter otherwise. */
export function checkTensor(name: string, value: unknown, rank?: number): Tensor {
  if (!(value instanceof Tensor)) throw invalidType(name, 'a Tensor', value);
  if (rank !== undefined && value.rank !== rank) {
    throw invalidRange(name, `a Tensor of rank ${rank}`, `rank ${value.rank} (shape [${value.shape.join(', ')}])`);
  }
  return value;
}
