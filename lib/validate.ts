// The one validation helper for the public API: every check throws a TypeError or RangeError that
// names the parameter, what was expected and what came (sharp's invalidParameterError idea).

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `${value}`;
  if (typeof value === 'string') return `'${value.length > 40 ? value.slice(0, 40) + '...' : value}'`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<unknown>).length}`;
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof value}`;
}

export function invalidType(name: string, expected: string, got: unknown): TypeError {
  return new TypeError(`Expected ${expected} for ${name} but received ${describe(got)}`);
}

export function invalidRange(name: string, expected: string, got: unknown): RangeError {
  return new RangeError(`Expected ${expected} for ${name} but received ${describe(got)}`);
}

/** An integer in [min, max]. */
export function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') throw invalidType(name, `an integer in [${min}, ${max}]`, value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidRange(name, `an integer in [${min}, ${max}]`, value);
  }
  return value;
}

/** A finite number in [min, max]. */
export function checkNumber(name: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number') throw invalidType(name, 'a number', value);
  if (!Number.isFinite(value) || value < min || value > max) {
    const bounds = min === -Infinity && max === Infinity ? 'a finite number' : `a finite number in [${min}, ${max}]`;
    throw invalidRange(name, bounds, value);
  }
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidType(name, 'a boolean', value);
  return value;
}

export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string') throw invalidType(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidRange(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

/** Largest element count of one tensor: 2^31 - 1, so shape products never lose precision. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** A shape: an array of non-negative integers whose product stays below MAX_ELEMENTS. */
export function checkShape(name: string, shape: unknown, rank?: number): number[] {
  if (!Array.isArray(shape)) throw invalidType(name, rank === undefined ? 'a shape array' : `a shape of rank ${rank}`, shape);
  if (rank !== undefined && shape.length !== rank) {
    throw invalidRange(name, `a shape of rank ${rank}`, `a shape of rank ${shape.length} ([${shape.join(', ')}])`);
  }
  let product = 1;
  shape.forEach((dim, index) => {
    checkInteger(`${name}[${index}]`, dim, 0, MAX_ELEMENTS);
    product *= dim as number;
  });
  if (product > MAX_ELEMENTS) {
    throw invalidRange(name, `a shape with at most ${MAX_ELEMENTS} elements`, `[${shape.join(', ')}]`);
  }
  return shape as number[];
}

/** An integer, or a tuple of `count` integers, each >= min: the usual kernelSize/strides form. */
export function checkIntTuple(name: string, value: unknown, count: number, min: number): number[] {
  if (typeof value === 'number') {
    checkInteger(name, value, min);
    return new Array<number>(count).fill(value);
  }
  if (!Array.isArray(value) || value.length !== count) {
    throw invalidType(name, `an integer or an array of ${count} integers`, value);
  }
  return value.map((entry, index) => checkInteger(`${name}[${index}]`, entry, min));
}

/**
 * An options object whose keys are all in `allowed`: a typo (`activaton`) is a RangeError naming
 * it instead of an option silently ignored. Returns the object for chaining.
 */
export function checkKnownKeys<T extends object>(name: string, value: T, allowed: readonly string[]): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidType(name, 'an options object', value);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw invalidRange(name, `only the options ${allowed.join(', ')}`, `unknown option '${key}'`);
  }
  return value;
}
