// Mini-batch plumbing for training loops: a seeded permutation per epoch, batch ranges, and a gather
// that copies one batch's rows into a reused buffer. Never copies or reorders the data set itself.
import { type Random, checkRandom, globalRandom } from '../random';
import { checkInteger, invalidRange, invalidType } from '../validate';

/** Largest index count: indices live in a Uint32Array. */
const MAX_INDICES = 2 ** 32 - 1;

/** Shuffles `indices` in place (Fisher-Yates, drawing from `random`) and returns it. */
export function shuffle<T extends Uint32Array | Int32Array | number[]>(indices: T, random: Pick<Random, 'int'> = globalRandom()): T {
  if (!(indices instanceof Uint32Array || indices instanceof Int32Array || Array.isArray(indices))) {
    throw invalidType('indices', 'a Uint32Array, an Int32Array or an array of numbers', indices);
  }
  checkRandom('random', random);
  for (let i = indices.length - 1; i > 0; --i) {
    const j = random.int(i + 1);
    const swap = indices[i];
    indices[i] = indices[j];
    indices[j] = swap;
  }
  return indices;
}

/** A random permutation of 0..n-1 (Fisher-Yates from `random`, default the global generator). */
export function shuffledIndices(n: number, random: Pick<Random, 'int'> = globalRandom()): Uint32Array {
  checkInteger('n', n, 0, MAX_INDICES);
  checkRandom('random', random);
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; ++i) indices[i] = i;
  return shuffle(indices, random);
}

export interface BatchRange {
  /** First position (into the index array or the data set) of the batch. */
  readonly start: number;
  /** Rows in the batch: batchSize, or fewer for the last one. */
  readonly count: number;
}

/** [start, count) ranges covering 0..n-1 in order; the last batch holds the remainder. */
export function batchRanges(n: number, batchSize: number): BatchRange[] {
  checkInteger('n', n, 0);
  checkInteger('batchSize', batchSize, 1);
  const ranges: BatchRange[] = [];
  for (let start = 0; start < n; start += batchSize) {
    ranges.push({ start, count: Math.min(batchSize, n - start) });
  }
  return ranges;
}

/** Rows below this size are copied element by element: a subarray object per row costs more. */
const SMALL_ROW = 32;

/**
 * Copies rows indices[start .. start+count) of `source` (rows of `rowSize` values) into the front of
 * `target`, batch row b at target[b*rowSize ..]. Returns the filled part of `target` as a view
 * (count*rowSize values), so the last, shorter batch needs no other buffer.
 */
export function gatherRows(
  source: Float32Array,
  rowSize: number,
  indices: ArrayLike<number>,
  start: number,
  count: number,
  target: Float32Array,
): Float32Array {
  if (!(source instanceof Float32Array)) throw invalidType('source', 'a Float32Array', source);
  checkInteger('rowSize', rowSize, 1);
  if (source.length % rowSize !== 0) {
    throw invalidRange('source', `a length that is a multiple of rowSize ${rowSize}`, source);
  }
  const rows = source.length / rowSize;
  if (typeof indices !== 'object' || indices === null || typeof indices.length !== 'number') {
    throw invalidType('indices', 'an array or typed array of row indices', indices);
  }
  checkInteger('start', start, 0, indices.length);
  checkInteger('count', count, 0, indices.length - start);
  if (!(target instanceof Float32Array)) throw invalidType('target', 'a Float32Array', target);
  const needed = count * rowSize;
  if (target.length < needed) {
    throw invalidRange('target', `at least ${needed} values (${count} rows of ${rowSize})`, target);
  }
  if (target.buffer === source.buffer) {
    const targetStart = target.byteOffset;
    const sourceStart = source.byteOffset;
    if (targetStart < sourceStart + source.byteLength && sourceStart < targetStart + needed * 4) {
      throw invalidRange('target', 'a buffer that does not overlap source', target);
    }
  }
  // All indices first, so a bad one leaves target untouched.
  for (let b = 0; b < count; ++b) {
    const row = indices[start + b];
    if (!(Number.isInteger(row) && row >= 0 && row < rows)) {
      throw invalidRange(`indices[${start + b}]`, `a row index in [0, ${rows - 1}]`, row);
    }
  }
  for (let b = 0; b < count; ++b) {
    const from = indices[start + b] * rowSize;
    const to = b * rowSize;
    if (rowSize < SMALL_ROW) {
      for (let k = 0; k < rowSize; ++k) target[to + k] = source[from + k];
    } else {
      target.set(source.subarray(from, from + rowSize), to);
    }
  }
  return target.subarray(0, needed);
}
