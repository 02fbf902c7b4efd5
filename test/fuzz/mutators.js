// Shared pieces of the seeded fuzzers in test/fuzz/: a deterministic PRNG per target, the budget
// multiplier, pools of hostile values, byte and JSON mutators, and the tally every child reports.
// Plain CommonJS so the child processes (run on the built dist/) and the vitest files share it.
// Deliberately no coverage feedback: a fixed budget of seeded inputs, reproducible from the seed.
'use strict';

const DEFAULT_SEED = 20240605;

/** mulberry32: small, fast, and the same sequence on every platform for a given seed. */
class FuzzRandom {
  constructor(seed) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next() {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [low, high]. */
  int(low, high) {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  chance(probability) {
    return this.next() < probability;
  }

  pick(values) {
    return values[Math.floor(this.next() * values.length)];
  }

  uniform(low, high) {
    return low + (high - low) * this.next();
  }

  floats(count, low = -1, high = 1) {
    const out = new Float32Array(count);
    for (let i = 0; i < count; ++i) out[i] = this.uniform(low, high);
    return out;
  }

  bytes(count) {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; ++i) out[i] = this.int(0, 255);
    return out;
  }
}

/** FNV-1a of `name`, mixed with `seed`: each target (and each entry point) gets its own stream. */
function seedFor(seed, name) {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; ++i) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** FALTUNG_FUZZ_SEED, or the fixed default (so every test run tries the same inputs). */
function baseSeed() {
  const text = process.env.FALTUNG_FUZZ_SEED;
  if (text === undefined || text === '') return DEFAULT_SEED;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`FALTUNG_FUZZ_SEED must be a non-negative integer, got '${text}'`);
  return seed;
}

/** FALTUNG_FUZZ_BUDGET: a multiplier of every per-target input count (default 1; 20 for a release check). */
function budgetMultiplier() {
  const text = process.env.FALTUNG_FUZZ_BUDGET;
  if (text === undefined || text === '') return 1;
  const multiplier = Number(text);
  if (!Number.isFinite(multiplier) || multiplier <= 0) {
    throw new RangeError(`FALTUNG_FUZZ_BUDGET must be a positive number (a multiplier), got '${text}'`);
  }
  return multiplier;
}

/** Numbers that break naive dimension, index and size checks. */
const WEIRD_NUMBERS = [
  0, -0, 1, -1, 2, 0.5, -0.5, 1.5, NaN, Infinity, -Infinity, 255, 256, 65535, 65536,
  2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, 2 ** 40, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53),
  1e12, 1e15, 1e300, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON, 3.4e38, 3.5e38,
];

/** A number near `value` or a weird one. */
function mutateNumber(rng, value) {
  switch (rng.int(0, 7)) {
    case 0: return value + 1;
    case 1: return value - 1;
    case 2: return -value;
    case 3: return value * 2 ** rng.int(1, 40);
    case 4: return value + 0.5;
    case 5: return 0;
    default: return rng.pick(WEIRD_NUMBERS);
  }
}

/** A Float32Array whose buffer has been transferred away (length 0, no data). */
function detached(Type, length) {
  const array = new Type(length);
  structuredClone(array.buffer, { transfer: [array.buffer] });
  return array;
}

/** Whether a view's buffer has been detached (transferred away). */
function isDetached(view) {
  return view.byteLength === 0 && view.buffer.byteLength === 0 && view.byteOffset === 0 && !(view.buffer instanceof SharedArrayBuffer) && view.length === 0;
}

/** `source` copied into a view over a resizable ArrayBuffer (one that can shrink later). */
function onResizableBuffer(source) {
  if (isDetached(source)) return new source.constructor(new ArrayBuffer(0, { maxByteLength: 64 }));
  const buffer = new ArrayBuffer(source.byteLength, { maxByteLength: Math.max(source.byteLength * 2, 64) });
  const view = new source.constructor(buffer);
  view.set(source);
  return view;
}

/** `source` copied into a view over a SharedArrayBuffer. */
function onSharedBuffer(source) {
  if (isDetached(source)) return new source.constructor(new SharedArrayBuffer(0));
  const view = new source.constructor(new SharedArrayBuffer(source.byteLength));
  view.set(source);
  return view;
}

/** `source` copied into a view that starts at a large byte offset of a bigger buffer. */
function atOffset(source, elementOffset) {
  if (isDetached(source)) return new source.constructor(elementOffset).subarray(elementOffset);
  const whole = new source.constructor(source.length + elementOffset);
  const view = whole.subarray(elementOffset);
  view.set(source);
  return view;
}

const OTHER_ARRAY_TYPES = [Float64Array, Int32Array, Uint32Array, Uint8Array, Int16Array, Float32Array, Int8Array, Uint8ClampedArray];

/** A value of the wrong type for any parameter (some of them right for a few). */
function wrongValue(rng) {
  switch (rng.int(0, 24)) {
    case 0: return undefined;
    case 1: return null;
    case 2: return rng.chance(0.5);
    case 3: return rng.pick(WEIRD_NUMBERS);
    case 4: return rng.pick(['', '1', 'abc', 'relu', 'avx2', 'scalar', '\u0000', 'x'.repeat(1000)]);
    case 5: return {};
    case 6: return [];
    case 7: return [1, 2, 3];
    case 8: return { length: 4, 0: 1 };
    case 9: return () => 1;
    case 10: return 1n;
    case 11: return Symbol('fuzz');
    case 12: return new (rng.pick(OTHER_ARRAY_TYPES))(rng.int(0, 8));
    case 13: return new Float32Array(0);
    case 14: return detached(rng.chance(0.5) ? Float32Array : Int32Array, rng.int(0, 8));
    case 15: return onSharedBuffer(new Float32Array(rng.int(0, 8)));
    case 16: return onResizableBuffer(new Float32Array(rng.int(0, 8)));
    case 17: return new DataView(new ArrayBuffer(16));
    case 18: return new ArrayBuffer(16);
    case 19: return Object.create(Float32Array.prototype);
    case 20: return new Proxy(new Float32Array(4), {});
    case 21: return Buffer.alloc(rng.int(0, 16));
    case 22: return new Date(0);
    case 23: return new Float32Array(rng.int(1, 4096));
    default: return { valueOf: () => 3, toString: () => '3' };
  }
}

/** A typed array like `array` but broken in one way (length, type, backing buffer or contents). */
function mutateTypedArray(rng, array) {
  const Type = array.constructor;
  const length = array.length;
  switch (rng.int(0, 11)) {
    case 0: return new Type(length + 1);
    case 1: return new Type(Math.max(length - 1, 0));
    case 2: return new Type(0);
    case 3: return new (rng.pick(OTHER_ARRAY_TYPES.filter((T) => T !== Type)))(length);
    case 4: return detached(Type, length);
    case 5: return onSharedBuffer(array);
    case 6: return onResizableBuffer(array);
    case 7: return atOffset(array, rng.pick([1, 3, 1024, 65536]));
    case 8: {  // non-finite contents: kernels must not fault on them
      const copy = isDetached(array) ? new Type(0) : new Type(array);
      if (copy.length > 0 && (Type === Float32Array || Type === Float64Array)) copy[rng.int(0, copy.length - 1)] = rng.pick([NaN, Infinity, -Infinity, 3.4e38]);
      else if (copy.length > 0) copy[rng.int(0, copy.length - 1)] = rng.pick([-1, 2 ** 31 - 1, -(2 ** 31), 1e6]);
      return copy;
    }
    case 9: return new Type(length * 2 + 7);
    case 10: return array;  // the same array in another argument slot (aliasing)
    default: return wrongValue(rng);
  }
}

/** Mutates one or two arguments of `args` (in place), returning a description of what changed. */
function mutateArguments(rng, args) {
  const changes = [];
  const count = rng.chance(0.7) ? 1 : 2;
  for (let c = 0; c < count && args.length > 0; ++c) {
    const index = rng.int(0, args.length - 1);
    const value = args[index];
    let replacement;
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) replacement = mutateTypedArray(rng, value);
    else if (typeof value === 'number') replacement = rng.chance(0.8) ? mutateNumber(rng, value) : wrongValue(rng);
    else if (typeof value === 'boolean') replacement = rng.chance(0.5) ? !value : wrongValue(rng);
    else if (rng.chance(0.5) && args.length > 1) replacement = args[rng.int(0, args.length - 1)];  // a neighbour's value
    else replacement = wrongValue(rng);
    args[index] = replacement;
    changes.push(`arg ${index}: ${describeValue(value)} -> ${describeValue(replacement)}`);
  }
  return changes.join('; ');
}

/** Drops or adds trailing arguments (arity errors). */
function mutateArity(rng, args) {
  if (args.length > 0 && rng.chance(0.5)) return args.slice(0, rng.int(0, args.length - 1));
  return [...args, ...Array.from({ length: rng.int(1, 3) }, () => wrongValue(rng))];
}

/** A short description of a value for failure reports. */
function describeValue(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return `'${value.length > 20 ? `${value.slice(0, 20)}...` : value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function' || typeof value === 'boolean') return String(value);
  if (ArrayBuffer.isView(value)) {
    let buffer = value.buffer;
    let flavour = '';
    try {
      if (buffer instanceof SharedArrayBuffer) flavour = ' shared';
      else if (buffer.resizable) flavour = ' resizable';
      if (buffer.byteLength === 0 && value.byteOffset === 0 && value.length === 0) flavour += ' empty/detached';
    } catch {
      buffer = null;
    }
    const head = value.length > 0 && value.length <= 24 && !(value instanceof DataView) ? ` [${Array.from(value).join(',')}]` : '';
    return `${value.constructor.name}(${value.length ?? value.byteLength}${value.byteOffset ? ` @${value.byteOffset}` : ''}${flavour})${head}`;
  }
  if (Array.isArray(value)) return `array(${value.length})`;
  return `object ${value.constructor?.name ?? 'null-prototype'}`;
}

// ---- bytes ---------------------------------------------------------------------------------------

const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** One random corruption of `bytes` (a fresh copy): flips, overwrites, cuts, extensions, splices. */
function mutateBytes(rng, bytes) {
  const out = Uint8Array.from(bytes);
  const position = () => rng.int(0, Math.max(out.length - 1, 0));
  switch (rng.int(0, 9)) {
    case 0: {  // a few bit flips
      for (let i = rng.int(1, 4); i > 0 && out.length > 0; --i) out[position()] ^= 1 << rng.int(0, 7);
      return out;
    }
    case 1: {  // a random byte
      if (out.length > 0) out[position()] = rng.int(0, 255);
      return out;
    }
    case 2: {  // an interesting 32-bit value, either byte order
      if (out.length >= 4) {
        const at = rng.int(0, out.length - 4);
        new DataView(out.buffer).setUint32(at, rng.pick(INTERESTING_U32), rng.chance(0.5));
      }
      return out;
    }
    case 3: return out.subarray(0, rng.int(0, out.length));  // truncated
    case 4: {  // extended with zeros or noise
      const extra = rng.chance(0.5) ? new Uint8Array(rng.int(1, 64)) : rng.bytes(rng.int(1, 64));
      const longer = new Uint8Array(out.length + extra.length);
      longer.set(out);
      longer.set(extra, out.length);
      return longer;
    }
    case 5: {  // a chunk removed
      if (out.length < 2) return out;
      const start = position();
      const end = Math.min(out.length, start + rng.int(1, 32));
      return Uint8Array.from([...out.subarray(0, start), ...out.subarray(end)]);
    }
    case 6: {  // a chunk duplicated
      if (out.length < 2) return out;
      const start = position();
      const chunk = out.subarray(start, Math.min(out.length, start + rng.int(1, 32)));
      return Uint8Array.from([...out.subarray(0, start), ...chunk, ...out.subarray(start)]);
    }
    case 7: {  // a run of one byte
      const start = position();
      out.fill(rng.pick([0, 0xff, 0x7f, 0x80]), start, Math.min(out.length, start + rng.int(1, 64)));
      return out;
    }
    case 8: return rng.bytes(rng.int(0, 256));  // pure noise
    default: {  // several of the above
      let result = out;
      for (let i = rng.int(2, 4); i > 0; --i) result = mutateBytes(rng, result);
      return result;
    }
  }
}

// ---- JSON ----------------------------------------------------------------------------------------

/** Every [parent, key] path of a parsed JSON value (objects and arrays), depth first. */
function jsonSlots(root) {
  const slots = [];
  const walk = (value) => {
    if (value === null || typeof value !== 'object') return;
    for (const key of Object.keys(value)) {
      slots.push([value, key]);
      walk(value[key]);
    }
  };
  walk(root);
  return slots;
}

/** JSON text spliced in verbatim by stringifyJson (a value too deep for JSON.stringify itself). */
class RawJson {
  constructor(text) {
    this.text = text;
  }
}

/** Arrays or objects nested `depth` deep (recursive parsers and describers must not overflow the stack). */
function deepNesting(depth, asObject) {
  return new RawJson(asObject ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`);
}

/** JSON.stringify that writes RawJson values as their text. */
function stringifyJson(value, indent) {
  const raw = [];
  const text = JSON.stringify(value, (key, v) => {
    if (!(v instanceof RawJson)) return v;
    raw.push(v.text);
    return `__RAW_JSON_${raw.length - 1}__`;
  }, indent);
  return text === undefined ? 'null' : text.replace(/"__RAW_JSON_(\d+)__"/g, (match, index) => raw[Number(index)]);
}

/** A JSON value that is wrong for most fields: wrong types, huge numbers, hostile keys. */
function hostileJsonValue(rng) {
  switch (rng.int(0, 13)) {
    case 0: return null;
    case 1: return rng.pick(WEIRD_NUMBERS.filter(Number.isFinite));
    case 2: return rng.pick(['', 'Dense', 'Conv2D', '__proto__', 'constructor', 'prototype', 'toString', 'x'.repeat(5000)]);
    case 3: return [];
    case 4: return {};
    case 5: return rng.chance(0.5);
    case 6: return [1e12, 1e12, 1e12];
    case 7: return Object.defineProperty({}, '__proto__', { value: { polluted: true }, enumerable: true });
    case 8: return { constructor: { prototype: { polluted: true } } };
    case 9: return deepNesting(rng.pick([100, 5000, 100000]), rng.chance(0.5));
    case 10: return -rng.int(1, 1e6);
    case 11: return [-1, 0, 2 ** 31];
    case 12: return 'NaN';
    default: return rng.int(0, 10);
  }
}

/** One mutation of a parsed JSON document (in place on a deep copy; returns the copy and a note). */
function mutateJson(rng, document) {
  const copy = structuredClone(document);  // (a RawJson inside becomes a plain { text } object: harmless)
  const slots = jsonSlots(copy);
  if (slots.length === 0) return { value: hostileJsonValue(rng), note: 'replaced the root' };
  const [parent, key] = rng.pick(slots);
  const old = parent[key];
  switch (rng.int(0, 7)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      return { value: copy, note: `removed ${key}` };
    case 1:
      if (typeof old === 'number') {
        parent[key] = mutateNumber(rng, old);
        if (!Number.isFinite(parent[key])) parent[key] = rng.pick([1e308, -1e308, 2 ** 53 + 2]);
        return { value: copy, note: `${key}: ${old} -> ${parent[key]}` };
      }
      parent[key] = hostileJsonValue(rng);
      return { value: copy, note: `${key} -> hostile value` };
    case 2: {
      const name = rng.pick(['__proto__', 'constructor', 'prototype', 'extra', 'toString', 'hasOwnProperty']);
      const target = old !== null && typeof old === 'object' && !Array.isArray(old) ? old : parent;
      if (Array.isArray(target)) return { value: copy, note: 'no-op' };
      Object.defineProperty(target, name, { value: hostileJsonValue(rng), enumerable: true, writable: true, configurable: true });
      return { value: copy, note: `added key ${name}` };
    }
    case 3:
      if (Array.isArray(old)) {
        for (let i = rng.int(1, 3); i > 0 && old.length > 0; --i) old.push(structuredClone(old[rng.int(0, old.length - 1)]));
        return { value: copy, note: `${key}: duplicated entries` };
      }
      parent[key] = [old];
      return { value: copy, note: `${key}: wrapped in an array` };
    case 4:
      parent[key] = typeof old === 'string' ? Number(old.length) : String(old);
      return { value: copy, note: `${key}: type swapped` };
    case 5:
      if (Array.isArray(parent) && parent.length > 1) {
        const other = rng.int(0, parent.length - 1);
        [parent[key], parent[other]] = [parent[other], parent[key]];
        return { value: copy, note: `swapped ${key} and ${other}` };
      }
      parent[key] = hostileJsonValue(rng);
      return { value: copy, note: `${key} -> hostile value` };
    case 6:
      parent[key] = rng.pick([1e12, 2 ** 31, 2 ** 53 - 1, 1e300, 4e9]);
      return { value: copy, note: `${key} -> huge number` };
    default: {
      const again = mutateJson(rng, copy);
      return { value: again.value, note: `${again.note} (second mutation)` };
    }
  }
}

// ---- outcomes ------------------------------------------------------------------------------------

/** The name of an acceptable rejection, or null when `error` breaks the rule. */
function rejectionKind(error) {
  if (!(error instanceof Error) || typeof error.message !== 'string' || error.message.trim().length === 0) return null;
  if (error.name === 'FaltungError') return typeof error.code === 'string' && error.code.startsWith('FALTUNG_') ? 'FaltungError' : null;
  if (error instanceof TypeError && error.constructor === TypeError) return 'TypeError';
  if (error instanceof RangeError && error.constructor === RangeError) return 'RangeError';
  return null;
}

/** Counts per target and case, and the first violations (with what reproduces them). */
class Tally {
  constructor(target, seed, multiplier) {
    this.report = { target, seed, multiplier, tried: 0, accepted: 0, rejected: {}, cases: {}, checks: 0, violations: [] };
  }

  accepted(caseName) {
    this.report.tried += 1;
    this.count(caseName, 'accepted');
    this.report.accepted += 1;
  }

  /** Records a thrown value; a wrong kind of error is a violation. */
  rejected(caseName, error, input) {
    this.report.tried += 1;
    const kind = rejectionKind(error);
    if (kind === null) {
      this.violation(caseName, `threw ${error?.constructor?.name ?? typeof error} (${String(error?.message ?? error).slice(0, 300)}) instead of a TypeError/RangeError/FaltungError with a message`, input);
      this.count(caseName, 'bad');
      return;
    }
    this.count(caseName, kind);
    this.report.rejected[kind] = (this.report.rejected[kind] ?? 0) + 1;
  }

  /** An accepted input whose result failed a check. */
  check(caseName, ok, problem, input) {
    this.report.checks += 1;
    if (!ok) this.violation(caseName, problem, input);
  }

  violation(caseName, problem, input) {
    if (this.report.violations.length < 25) this.report.violations.push({ case: caseName, problem, input: String(input).slice(0, 600) });
    else this.report.violationsLeftOut = (this.report.violationsLeftOut ?? 0) + 1;
  }

  count(caseName, outcome) {
    const entry = (this.report.cases[caseName] ??= {});
    entry[outcome] = (entry[outcome] ?? 0) + 1;
  }
}

module.exports = {
  FuzzRandom, seedFor, baseSeed, budgetMultiplier, WEIRD_NUMBERS, mutateNumber, wrongValue, mutateTypedArray,
  mutateArguments, mutateArity, describeValue, detached, onResizableBuffer, onSharedBuffer, atOffset,
  mutateBytes, mutateJson, jsonSlots, deepNesting, stringifyJson, RawJson, hostileJsonValue, rejectionKind, Tally,
};
