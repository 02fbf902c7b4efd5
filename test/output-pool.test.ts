// The output-buffer pool (native/binding/output_pool.cc, lib/ops/output.ts): with NaN-poisoned
// outputs every public op on every ISA must give the unpoisoned bits (it writes all its output);
// in child processes with --expose-gc: reuse, the caps in a synchronous loop, workers, transfers,
// FALTUNG_OUTPUT_POOL=0; and refused arguments.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { native } from '../lib/native';
import { setOutputPoisonForTests } from '../lib/ops/output';
import { NO_OUTPUT, OpCase, opCases, outputsOf } from './helpers/op-cases';

const root = path.join(__dirname, '..');
const defaultThreads = fg.getNumThreads();
afterAll(() => {
  setOutputPoisonForTests(false);
  fg.setNumThreads(defaultThreads);
  fg.setIsa(fg.backendInfo().bestIsa as fg.Isa);
});

async function outputs(opCase: OpCase, poison: boolean): Promise<Float32Array[]> {
  setOutputPoisonForTests(poison);
  try {
    return outputsOf(await opCase.run()).map((array) => array.slice());
  } finally {
    setOutputPoisonForTests(false);
  }
}

/** '' when `got` has no NaN and the same bits as `expected`, else where they first differ. */
function difference(got: Float32Array[], expected: Float32Array[]): string {
  if (got.length !== expected.length) return `${got.length} outputs, expected ${expected.length}`;
  for (let o = 0; o < got.length; ++o) {
    const a = new Uint32Array(got[o].buffer, got[o].byteOffset, got[o].length);
    const b = new Uint32Array(expected[o].buffer, expected[o].byteOffset, expected[o].length);
    if (a.length !== b.length) return `output ${o}: length ${a.length}, expected ${b.length}`;
    for (let i = 0; i < a.length; ++i) {
      if (Number.isNaN(got[o][i]) || a[i] !== b[i]) {
        return `output ${o} (length ${a.length}): index ${i} is ${got[o][i]}, expected ${expected[o][i]}`;
      }
    }
  }
  return '';
}

async function poisonSweep(cases: OpCase[]): Promise<string[]> {
  const failures: string[] = [];
  for (const opCase of cases) {
    const expected = await outputs(opCase, false);
    for (const array of expected) {
      if (array.some(Number.isNaN)) failures.push(`${opCase.op} (${opCase.label}): NaN without poison`);
    }
    const problem = difference(await outputs(opCase, true), expected);
    if (problem !== '') failures.push(`${opCase.op} (${opCase.label}) [${fg.backendInfo().isa}, ${fg.getNumThreads()} threads]: ${problem}`);
  }
  return failures;
}

describe('every op writes all of its output', () => {
  const cases = opCases();

  it('covers every fg.ops function that returns outputs', () => {
    const covered = new Set(cases.map((c) => c.op));
    const missing = Object.keys(fg.ops).filter((name) => !NO_OUTPUT.has(name) && !covered.has(name));
    expect(missing).toEqual([]);
    expect(cases.length).toBeGreaterThan(200);
  });

  it('gives no NaN and the unpoisoned bits with NaN-filled outputs, on every ISA', async () => {
    const failures: string[] = [];
    for (const isa of fg.backendInfo().supportedIsas) {
      fg.setIsa(isa as fg.Isa);
      failures.push(...await poisonSweep(cases));
    }
    fg.setIsa(fg.backendInfo().bestIsa as fg.Isa);
    expect(failures).toEqual([]);
  }, 180_000);

  it('does the same on one thread', async () => {
    fg.setNumThreads(1);
    try {
      expect(await poisonSweep(cases)).toEqual([]);
    } finally {
      fg.setNumThreads(defaultThreads);
    }
  }, 120_000);

  it('poisons outputs not asked to be zeroed, and only those', () => {
    native.setOutputPoolPoison(true);
    try {
      expect(native.allocateOutput(5000, false).every(Number.isNaN)).toBe(true);
      expect(native.allocateOutput(5000, true).every((value) => value === 0)).toBe(true);
    } finally {
      native.setOutputPoolPoison(false);
    }
  });
});

describe('allocateOutput arguments', () => {
  it('returns a Float32Array of the length asked, zeroed on request', () => {
    for (const length of [0, 1, 1023, 1024, 1025, 16384, 100_000]) {
      const array = native.allocateOutput(length, true);
      expect(array).toBeInstanceOf(Float32Array);
      expect(array.length).toBe(length);
      expect(array.byteOffset).toBe(0);
      expect(array.buffer.byteLength).toBe(length * 4);
      expect(array.every((value) => value === 0)).toBe(true);
    }
  });

  it('refuses bad lengths and flags with a TypeError or RangeError naming them', () => {
    const cases: [unknown[], ErrorConstructor, RegExp][] = [
      [[-1, false], RangeError, /allocateOutput: length must be an integer in \[0, 2147483647\], got -1/],
      [[1.5, false], RangeError, /length must be an integer .*got 1\.5/],
      [[NaN, false], RangeError, /length must be an integer/],
      [[2 ** 31, false], RangeError, /length must be an integer in \[0, 2147483647\], got 2147483648/],
      [[2 ** 53, true], RangeError, /length must be/],
      [['x', false], TypeError, /allocateOutput: length must be an integer, got a string/],
      [[10, 1], TypeError, /allocateOutput: zeroed must be a boolean, got a number/],
      [[10], TypeError, /allocateOutput: expected 2 arguments, got 1/],
    ];
    for (const [args, type, message] of cases) {
      const call = () => (native.allocateOutput as (...a: unknown[]) => unknown)(...args);
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    }
    expect(() => (native.setOutputPoolLimits as (...a: unknown[]) => unknown)(-1, 0, 0)).toThrow(/maxFreeBytes must be an integer/);
    expect(() => (native.setOutputPoolPoison as (...a: unknown[]) => unknown)('yes')).toThrow(TypeError);
  });
});

/** Runs `source` in `node --expose-gc` with faltung's dist build; returns its last stdout line as JSON. */
function child(source: string, env: Record<string, string> = {}): Record<string, unknown> {
  const prelude = `
    const fg = require(${JSON.stringify(path.join(root, 'dist', 'index.js'))});
    const { native } = require(${JSON.stringify(path.join(root, 'dist', 'native.js'))});
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    async function collect() { for (let i = 0; i < 3; ++i) { global.gc(); await turn(); } }
  `;
  const result = spawnSync(process.execPath, ['--expose-gc', '-e', `${prelude}\n(async () => {\n${source}\n})().catch((e) => { console.error(e); process.exit(1); });`], {
    encoding: 'utf8', cwd: root, timeout: 60_000, env: { ...process.env, ...env },
  });
  if (result.status !== 0) throw new Error(`child failed (${result.status ?? result.signal}):\n${result.stderr}`);
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}

// The benchmark's shape: 128 MNIST images through a 3x3 conv to 32 channels (11 MB out).
const CONV_SETUP = `
  const x = fg.tensor(new Float32Array(128 * 28 * 28).map((_, i) => (i % 13) / 13), [128, 28, 28, 1]);
  const filter = fg.tensor(new Float32Array(9 * 32).map((_, i) => (i % 7) / 7 - 0.5), [3, 3, 1, 32]);
`;

describe('pool lifetime (child processes)', () => {
  it('reuses an output once it is collected and the event loop has turned', () => {
    const report = child(`${CONV_SETUP}
      let y = fg.ops.conv2d(x, filter, 1, 'valid');
      const first = y.data.slice();
      const afterFirst = native.outputPoolStats();
      y = null;
      await collect();
      const returned = native.outputPoolStats();
      const again = fg.ops.conv2d(x, filter, 1, 'valid');
      const afterSecond = native.outputPoolStats();
      const same = again.data.every((v, i) => v === first[i]);
      console.log(JSON.stringify({ afterFirst, returned, afterSecond, same }));
    `);
    const { afterFirst, returned, afterSecond, same } = report as Record<string, Record<string, number>>;
    expect(afterFirst.misses).toBe(1);
    expect(afterFirst.outstandingBytes).toBeGreaterThanOrEqual(128 * 26 * 26 * 32 * 4);
    expect(returned.outstandingBytes).toBe(0);
    expect(returned.freeBytes).toBe(afterFirst.outstandingBytes);
    expect(afterSecond.hits).toBe(1);
    expect(afterSecond.misses).toBe(1);
    expect(same).toBe(true);
  });

  it('bounds a synchronous loop by its caps, then falls back to V8 memory', () => {
    const report = child(`${CONV_SETUP}
      async function loop(calls) {
        global.gc();
        const before = process.memoryUsage().rss;
        const start = native.outputPoolStats();
        let peakOutstanding = 0;
        let checksum = 0;
        for (let i = 0; i < calls; ++i) {
          const y = fg.ops.conv2d(x, filter, 1, 'valid');
          checksum += y.data[i];
          peakOutstanding = Math.max(peakOutstanding, native.outputPoolStats().outstandingBytes);
        }
        const grown = process.memoryUsage().rss - before;
        const refused = native.outputPoolStats().refused - start.refused;
        await collect();
        return { peakOutstanding, refused, grown, after: native.outputPoolStats() };
      }
      const defaults = native.outputPoolStats();
      // The default caps: the growth cap (no releases in a synchronous loop) binds first.
      const growth = await loop(150);
      // A tight outstanding cap binds before a loose growth cap.
      native.setOutputPoolLimits(32 << 20, 64 << 20, 1 << 30);
      const outstanding = await loop(150);
      console.log(JSON.stringify({ defaults, growth, outstanding }));
    `);
    type Loop = { peakOutstanding: number; refused: number; grown: number; after: Record<string, number> };
    const { defaults, growth, outstanding } = report as { defaults: Record<string, number>; growth: Loop; outstanding: Loop };
    const block = 128 * 26 * 26 * 32 * 4 + 4096;
    expect(growth.peakOutstanding).toBeLessThanOrEqual(defaults.maxGrowthBytes + block);
    expect(growth.refused).toBeGreaterThan(100);  // most of the 150 calls fell back
    expect(growth.after.outstandingBytes).toBe(0);
    expect(outstanding.peakOutstanding).toBeLessThanOrEqual(64 << 20);
    expect(outstanding.refused).toBeGreaterThan(100);
    expect(outstanding.after.freeBytes).toBeLessThanOrEqual(32 << 20);
    // 150 outputs of 11 MB is 1.6 GB: V8 collects the fallbacks as it always did.
    for (const { grown } of [growth, outstanding]) expect(grown).toBeLessThan(600 << 20);
  });

  it('survives a worker exiting with pooled outputs alive, and copies a transferred one', () => {
    const report = child(`${CONV_SETUP}
      const { Worker } = require('node:worker_threads');
      const workerSource = \`
        const { parentPort, workerData } = require('node:worker_threads');
        const fg = require(workerData.dist);
        const x = fg.tensor(new Float32Array(128 * 28 * 28).map((_, i) => (i % 13) / 13), [128, 28, 28, 1]);
        const filter = fg.tensor(new Float32Array(9 * 32).map((_, i) => (i % 7) / 7 - 0.5), [3, 3, 1, 32]);
        const kept = [fg.ops.conv2d(x, filter, 1, 'valid'), fg.ops.maxPool(fg.ops.conv2d(x, filter, 1, 'valid'), 2, 2, 'valid')];
        globalThis.kept = kept;  // alive when the worker exits: freed by its cleanup
        if (workerData.post) {
          const y = kept[0];
          parentPort.postMessage(y.data, [y.data.buffer]);
          // A transfer of a pooled array must copy: this array stays usable here.
          parentPort.postMessage({ stillHere: y.data.length, first: y.data[5] });
          y.data.fill(-7);  // must not reach the copy main received
        }
      \`;
      const run = (post) => new Promise((resolve, reject) => {
        const worker = new Worker(workerSource, { eval: true, workerData: { dist: ${JSON.stringify(path.join(root, 'dist', 'index.js'))}, post } });
        const messages = [];
        worker.on('message', (m) => messages.push(m));
        worker.on('error', reject);
        worker.on('exit', (code) => resolve({ code, messages }));
      });
      const plain = await run(false);
      const posted = await run(true);
      const expected = fg.ops.conv2d(x, filter, 1, 'valid').data;
      const copy = posted.messages[0];
      await collect();
      // Reuse freed memory hard after the worker's exit, then check the copy again.
      for (let i = 0; i < 5; ++i) fg.ops.conv2d(x, filter, 1, 'valid').data.fill(3);
      await collect();
      const intact = copy.length === expected.length && copy.every((v, i) => v === expected[i]);
      console.log(JSON.stringify({ codes: [plain.code, posted.code], intact, info: posted.messages[1] }));
    `);
    expect(report.codes).toEqual([0, 0]);
    expect(report.intact).toBe(true);
    expect(report.info).toEqual({ stillHere: 128 * 26 * 26 * 32, first: expect.any(Number) });
  });

  it('copies a pooled output under structuredClone with a transfer list', () => {
    const report = child(`${CONV_SETUP}
      const y = fg.ops.conv2d(x, filter, 1, 'valid').data;
      let outcome;
      try {
        const clone = structuredClone(y, { transfer: [y.buffer] });
        const equal = clone.every((v, i) => v === y[i]);
        y.fill(1);
        outcome = { kind: 'copied', equal, separate: clone[0] !== 1 || y[0] !== clone[0], originalLength: y.length };
      } catch (error) {
        outcome = { kind: 'threw', name: error.name, originalLength: y.length };
      }
      console.log(JSON.stringify(outcome));
    `);
    // Node 20 copies an untransferable buffer named in a transfer list; later versions may refuse
    // with a DataCloneError. Either way the pooled memory stays where it is.
    expect(report.originalLength).toBe(128 * 26 * 26 * 32);
    if (report.kind === 'copied') {
      expect(report.equal).toBe(true);
      expect(report.separate).toBe(true);
    } else {
      expect(report.name).toBe('DataCloneError');
    }
  });

  it('is not used with FALTUNG_OUTPUT_POOL=0', () => {
    const report = child(`${CONV_SETUP}
      const y = fg.ops.conv2d(x, filter, 1, 'valid');
      console.log(JSON.stringify(native.outputPoolStats()));
    `, { FALTUNG_OUTPUT_POOL: '0' });
    expect(report.misses).toBe(0);
    expect(report.hits).toBe(0);
  });
});
