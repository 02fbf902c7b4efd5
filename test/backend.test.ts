// Backend control and the native boundary's shared machinery: ISA switching, thread counts,
// errors from bad arguments, FaltungError plumbing, concurrent async calls and worker_threads.
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { native } from '../lib/native';

const defaultThreads = fg.getNumThreads();
afterAll(() => fg.setNumThreads(defaultThreads));

describe('backendInfo', () => {
  it('reports the ISA, thread count and build', () => {
    const info = fg.backendInfo();
    expect(info.supportedIsas).toContain('scalar');
    expect(info.supportedIsas).toContain(info.isa);
    expect(info.supportedIsas).toContain(info.bestIsa);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.buildType).toBe('release');
    expect(['node-gyp', 'cmake-js']).toContain(info.buildSystem);
  });

  it('switches to every supported ISA and refuses others', () => {
    const info = fg.backendInfo();
    for (const isa of info.supportedIsas) {
      fg.setIsa(isa);
      expect(fg.backendInfo().isa).toBe(isa);
    }
    fg.setIsa(info.bestIsa);
    expect(() => fg.setIsa('sse9' as never)).toThrow(RangeError);
    const unsupported = (['neon', 'avx2', 'avx512'] as const).find((isa) => !info.supportedIsas.includes(isa));
    if (unsupported) expect(() => fg.setIsa(unsupported)).toThrow(/supports/);
  });

  it('sets and gets the thread count', () => {
    fg.setNumThreads(1);
    expect(fg.getNumThreads()).toBe(1);
    fg.setNumThreads(3);
    expect(fg.getNumThreads()).toBe(3);
    fg.setNumThreads(defaultThreads);
    for (const bad of [0, -1, 1.5, NaN, 1000]) expect(() => fg.setNumThreads(bad)).toThrow(RangeError);
    expect(() => fg.setNumThreads('2' as never)).toThrow(TypeError);
  });

  it('honours FALTUNG_ISA=scalar in a fresh process', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(process.execPath, ['-e', "console.log(require('./dist/index.js').backendInfo().isa)"], {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, FALTUNG_ISA: 'scalar' },
    }).toString().trim();
    expect(out).toBe('scalar');
  });
});

describe('errors', () => {
  it('turns native argument errors into TypeError/RangeError with the function and parameter', () => {
    expect(() => native.sgemm(new Float32Array(1), new Float32Array(1), new Float32Array(1), 1, 1, 1, false, false, 1, 0, 'no' as never))
      .toThrow(/sgemm: async must be a boolean, got a string/);
    expect(() => native.sgemm(new Float32Array(1), new Float32Array(1), new Float32Array(1), 1, 1, 1, false, false, NaN, 0, false))
      .toThrow(/alpha must be a finite number/);
  });

  it('FaltungError carries a code', () => {
    const error = new fg.FaltungError('boom', 'FALTUNG_TEST');
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('FALTUNG_TEST');
    expect(error.name).toBe('FaltungError');
  });
});

describe('async and threads', () => {
  it('runs two concurrent async products correctly', async () => {
    const size = 96;
    const a = fg.tensor(Float32Array.from({ length: size * size }, (_, i) => (i % 7) - 3), [size, size]);
    const b = fg.tensor(Float32Array.from({ length: size * size }, (_, i) => (i % 5) - 2), [size, size]);
    const expected = fg.ops.matMul(a, b);
    const results = await Promise.all([fg.ops.matMulAsync(a, b), fg.ops.matMulAsync(b, a), fg.ops.matMulAsync(a, b)]);
    expect(Array.from(results[0].data)).toEqual(Array.from(expected.data));
    expect(Array.from(results[2].data)).toEqual(Array.from(expected.data));
    expect(Array.from(results[1].data)).toEqual(Array.from(fg.ops.matMul(b, a).data));
  });

  it('loads and computes inside worker_threads, several at once', async () => {
    const script = path.join(__dirname, 'fixtures', 'worker-dense.js');
    const run = () => new Promise<number[]>((resolve, reject) => {
      const worker = new Worker(script);
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => { if (code !== 0) reject(new Error(`worker exited with ${code}`)); });
    });
    const results = await Promise.all([run(), run(), run()]);
    const x = fg.tensor(Float32Array.from({ length: 12 }, (_, i) => i / 10), [3, 4]);
    const w = fg.tensor(Float32Array.from({ length: 8 }, (_, i) => 1 - i / 8), [4, 2]);
    const expected = Array.from(fg.ops.dense(x, w).data);
    for (const result of results) expect(result).toEqual(expected);
  });
});
