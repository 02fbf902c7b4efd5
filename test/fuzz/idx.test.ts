// Fuzzes the IDX parser (lib/data/idx.ts) and the MNIST loader on top of it: seeded corruptions of
// valid files (raw and gzip), synthesized headers (every type byte, ranks 0..255, dims claiming
// terabytes) and gzip garbage. In-process: the parser is plain TypeScript, so a hang is the test's
// timeout. Differential oracle: parseIdx (bytes) and readIdx (file, streamed) must agree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { datasets } from '../../lib/data/index';
import { type IdxArray, parseIdx, readIdx } from '../../lib/data/idx';
import { fuzzMultiplier, fuzzSeed, summarize, describeViolations, type FuzzReport } from './run-child';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const M = require('./mutators.js');

/** Inputs per case at multiplier 1. */
const MUTATED_FILES = 2500;
const SYNTHESIZED_HEADERS = 1500;
const GZIP_GARBAGE = 300;
/** Every how many parsed inputs one is also written to a file and read with readIdx. */
const FILE_EVERY = 8;
const MNIST_DIRECTORIES = 40;

const dir = mkdtempSync(path.join(tmpdir(), 'faltung-fuzz-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TYPES = [[0x08, 1], [0x09, 1], [0x0b, 2], [0x0c, 4], [0x0d, 4], [0x0e, 8]] as const;

/** A valid IDX file of a random type and small shape, with random values. */
function validIdx(rng: InstanceType<typeof M.FuzzRandom>): Uint8Array {
  const [type, size] = rng.pick(TYPES);
  const dims = Array.from({ length: rng.int(1, 4) }, () => rng.int(0, 5));
  const count = dims.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(4 + 4 * dims.length + count * size);
  const view = new DataView(bytes.buffer);
  bytes[2] = type;
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  bytes.set(rng.bytes(count * size), 4 + 4 * dims.length);
  return bytes;
}

/** A header with any type byte, rank and dims (from edge values), followed by a little data. */
function synthesizedIdx(rng: InstanceType<typeof M.FuzzRandom>): Uint8Array {
  const rank = rng.chance(0.8) ? rng.int(0, 6) : rng.int(0, 255);
  const dims = Array.from({ length: rank }, () => rng.pick([0, 1, 2, 3, 255, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 1e9, 46341]));
  const data = rng.int(0, 64);
  const bytes = new Uint8Array(4 + 4 * rank + data);
  const view = new DataView(bytes.buffer);
  bytes[0] = rng.chance(0.9) ? 0 : rng.int(0, 255);
  bytes[1] = rng.chance(0.9) ? 0 : rng.int(0, 255);
  bytes[2] = rng.chance(0.8) ? rng.pick(TYPES)[0] : rng.int(0, 255);
  bytes[3] = rank;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return rng.chance(0.2) ? bytes.subarray(0, rng.int(0, bytes.length)) : bytes;
}

type Outcome = { ok: true; value: IdxArray } | { ok: false; error: unknown };

function attempt(parse: () => IdxArray): Outcome {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    return { ok: false, error };
  }
}

async function attemptAsync(read: () => Promise<IdxArray>): Promise<Outcome> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error };
  }
}

const ARRAY_TYPES: Record<string, new (n: number) => ArrayLike<number>> = {
  uint8: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
};

/** An accepted array must be self-consistent: data of the shape's size, of the dtype's class. */
function consistent(result: IdxArray, maxItems: number | undefined): string | null {
  const size = result.shape.reduce((a, b) => a * b, 1);
  if (result.data.length !== size) return `data length ${result.data.length} for shape [${result.shape}]`;
  if (!(result.data instanceof ARRAY_TYPES[result.dtype])) return `dtype ${result.dtype} but ${result.data.constructor.name}`;
  if (result.shape.length !== result.fileShape.length) return 'rank differs from the file';
  if (maxItems !== undefined && result.shape[0] > maxItems) return `kept ${result.shape[0]} items above maxItems ${maxItems}`;
  return null;
}

function sameResult(a: IdxArray, b: IdxArray): boolean {
  if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join() || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; ++i) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
}

function codeOf(outcome: Outcome): string {
  if (outcome.ok) return 'accepted';
  const error = outcome.error as { name?: string; code?: string };
  return `${error.name}:${error.code ?? ''}`;
}

async function fuzzParser(tally: InstanceType<typeof M.Tally>): Promise<void> {
  const scaled = (n: number) => Math.max(1, Math.round(n * fuzzMultiplier));
  const rng = new M.FuzzRandom(M.seedFor(fuzzSeed, 'idx'));
  const total = scaled(MUTATED_FILES) + scaled(SYNTHESIZED_HEADERS) + scaled(GZIP_GARBAGE);
  for (let i = 0; i < total; ++i) {
    let bytes: Uint8Array;
    let caseName: string;
    if (i < scaled(MUTATED_FILES)) {
      const gzip = rng.chance(0.3);
      const valid = validIdx(rng);
      if (gzip) {
        // Corrupt either the raw file before compressing or the gzip stream itself.
        bytes = rng.chance(0.5) ? gzipSync(M.mutateBytes(rng, valid)) : M.mutateBytes(rng, gzipSync(valid));
        caseName = 'mutated gzip';
      } else {
        bytes = rng.chance(0.1) ? valid : M.mutateBytes(rng, valid);
        caseName = 'mutated raw';
      }
    } else if (i < scaled(MUTATED_FILES) + scaled(SYNTHESIZED_HEADERS)) {
      bytes = synthesizedIdx(rng);
      if (rng.chance(0.2)) bytes = gzipSync(bytes);
      caseName = 'synthesized header';
    } else {
      bytes = Uint8Array.from([0x1f, 0x8b, ...rng.bytes(rng.int(0, 200))]);
      caseName = 'gzip garbage';
    }
    const maxItems = rng.chance(0.7) ? undefined : rng.pick([0, 1, 2, 1e9, -1, 1.5, NaN]);
    const options = maxItems === undefined ? {} : { maxItems };
    const input = `${caseName}: ${Buffer.from(bytes.subarray(0, 48)).toString('hex')}${bytes.length > 48 ? '...' : ''} (${bytes.length} bytes), options ${JSON.stringify(options)}`;
    const parsed = attempt(() => parseIdx(bytes, 'fuzz', options));
    if (parsed.ok) {
      tally.accepted(caseName);
      const problem = consistent(parsed.value, maxItems);
      tally.check(caseName, problem === null, `accepted an inconsistent array: ${problem}`, input);
    } else {
      tally.rejected(caseName, parsed.error, input);
    }
    if (i % FILE_EVERY === 0) {
      const file = path.join(dir, `input-${i % 16}.idx`);
      writeFileSync(file, bytes);
      const read = await attemptAsync(() => readIdx(file, options));
      const fileCase = `${caseName} (file)`;
      if (read.ok) tally.accepted(fileCase);
      else tally.rejected(fileCase, read.error, input);
      const agree = codeOf(parsed) === codeOf(read) && (!parsed.ok || !read.ok || sameResult(parsed.value, read.value));
      tally.check(fileCase, agree, `parseIdx and readIdx disagree: ${codeOf(parsed)} vs ${codeOf(read)}`, input);
    }
  }
}

/** MNIST folders whose four files are valid small IDX files with one of them corrupted. */
async function fuzzMnist(tally: InstanceType<typeof M.Tally>): Promise<void> {
  const rng = new M.FuzzRandom(M.seedFor(fuzzSeed, 'mnist'));
  const idx = (type: number, dims: number[], values: Uint8Array) => {
    const bytes = new Uint8Array(4 + 4 * dims.length + values.length);
    bytes[2] = type;
    bytes[3] = dims.length;
    dims.forEach((d, i) => new DataView(bytes.buffer).setUint32(4 + 4 * i, d, false));
    bytes.set(values, 4 + 4 * dims.length);
    return bytes;
  };
  for (let i = 0; i < Math.max(1, Math.round(MNIST_DIRECTORIES * fuzzMultiplier)); ++i) {
    const folder = path.join(dir, `mnist-${i}`);
    mkdirSync(folder, { recursive: true });
    const files: Record<string, Uint8Array> = {};
    for (const [prefix, count] of [['train', rng.int(1, 6)], ['t10k', rng.int(1, 4)]] as const) {
      files[`${prefix}-images-idx3-ubyte`] = idx(0x08, [count, 28, 28], rng.bytes(count * 784));
      files[`${prefix}-labels-idx1-ubyte`] = idx(0x08, [count], Uint8Array.from({ length: count }, () => rng.int(0, 9)));
    }
    const names = Object.keys(files);
    const victim = rng.pick(names);
    files[victim] = M.mutateBytes(rng, files[victim]);
    for (const name of names) {
      const gzip = rng.chance(0.3);
      writeFileSync(path.join(folder, gzip ? `${name}.gz` : name), gzip ? gzipSync(files[name]) : files[name]);
    }
    const input = `mnist folder with ${victim} corrupted: ${Buffer.from(files[victim].subarray(0, 40)).toString('hex')} (${files[victim].length} bytes)`;
    try {
      const set = await datasets.mnist({ dir: folder, limit: rng.chance(0.5) ? { train: rng.int(0, 3) } : undefined });
      tally.accepted('mnist');
      for (const split of [set.train, set.test]) {
        const images = split.images.data;
        let inRange = true;
        for (let k = 0; k < images.length; ++k) if (!(images[k] >= 0 && images[k] <= 1)) inRange = false;
        tally.check('mnist', inRange && split.images.shape[0] === split.labels.shape[0], 'accepted a split with pixels outside [0, 1] or mismatched counts', input);
      }
    } catch (error) {
      tally.rejected('mnist', error, input);
    }
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('fuzzing the IDX parser and the MNIST loader', () => {
  it('refuses corrupt files with FaltungErrors and never allocates what a header claims', async () => {
    const tally = new M.Tally('idx', fuzzSeed, fuzzMultiplier);
    const rssBefore = process.memoryUsage().rss;
    await fuzzParser(tally);
    await fuzzMnist(tally);
    const report = tally.report as FuzzReport;
    console.log(summarize(report));
    expect(report.violations, describeViolations(report)).toEqual([]);
    // Headers claiming up to 2^32-1 per axis were refused from their size alone: nothing big was made.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 2 ** 20);
    expect(report.accepted).toBeGreaterThan(50);
    expect(report.rejected.FaltungError ?? 0).toBeGreaterThan(report.tried / 4);
  }, 120_000 * Math.max(1, fuzzMultiplier));
});
