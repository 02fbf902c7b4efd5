// Absurd sizes are refused before anything is allocated, with an error that names what was too big:
// layers (units, filters, outputs), input shapes, tensors, the native boundary, saved models whose
// files claim terabytes, IDX headers and image headers. "Before allocating" is measured: neither
// RSS nor the bytes held by ArrayBuffers may grow by more than a few MiB across the call.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { FaltungError } from '../lib/errors';
import { parseIdx, readIdx } from '../lib/data/idx';
import { native } from '../lib/native';

const L = fg.layers;
const dir = mkdtempSync(path.join(tmpdir(), 'faltung-bounds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Growth allowed across one refused call (allocator noise, compiled code, error objects). */
const SLACK = 48 * 2 ** 20;

function memory(): { rss: number; arrayBuffers: number } {
  const { rss, arrayBuffers } = process.memoryUsage();
  return { rss, arrayBuffers };
}

function expectCheap(before: { rss: number; arrayBuffers: number }): void {
  const after = memory();
  expect(after.arrayBuffers - before.arrayBuffers, 'bytes held by ArrayBuffers grew').toBeLessThan(SLACK);
  expect(after.rss - before.rss, 'RSS grew').toBeLessThan(SLACK);
}

/** `make` must throw an instance of `type` whose message matches every pattern, without allocating. */
function expectRefused(make: () => unknown, type: new (...args: never[]) => Error, ...patterns: RegExp[]): void {
  const before = memory();
  let caught: unknown = null;
  try {
    make();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a refusal').toBeInstanceOf(type);
  for (const pattern of patterns) expect((caught as Error).message).toMatch(pattern);
  expectCheap(before);
}

async function expectRefusedAsync(make: () => Promise<unknown>, code: string, ...patterns: RegExp[]): Promise<void> {
  const before = memory();
  const error = await make().then(() => null, (e: unknown) => e);
  expect(error, 'expected a refusal').toBeInstanceOf(FaltungError);
  expect((error as FaltungError).code).toBe(code);
  for (const pattern of patterns) expect((error as Error).message).toMatch(pattern);
  expectCheap(before);
}

describe('absurd layer and tensor shapes', () => {
  it('refuses a dense layer of 1e12 units, naming units', () => {
    expectRefused(() => fg.sequential([L.dense({ inputShape: [4], units: 1e12 })]), RangeError, /units/, /1000000000000/);
  });

  it('refuses a dense layer whose kernel would pass 2^31 - 1 values, naming the kernel', () => {
    expectRefused(() => fg.sequential([L.dense({ inputShape: [1000], units: 1e9 })]), RangeError, /dense\w*\.kernel/, /1000000000000 values/);
  });

  it('refuses a conv layer of 1e6 filters of 1e4 x 1e4, naming its kernel', () => {
    expectRefused(() => fg.sequential([L.conv2d({ inputShape: [1e4, 1e4, 1], filters: 1e6, kernelSize: 1e4 })]), RangeError, /conv2d\w*\.kernel/, /100000000000000 values/);
  });

  it('refuses a layer whose output per example passes 2^31 - 1 values, naming the layer output', () => {
    // Weights are tiny (1 x 1 x 1 x 1e6); the output [40000, 40000, 1e6] is 1.6e15 values.
    expectRefused(() => fg.sequential([L.conv2d({ inputShape: [40000, 40000, 1], filters: 1e6, kernelSize: 1, padding: 'same' })]), RangeError, /conv2d\w* output/, /1600000000000000 values/);
  });

  it('refuses a pooling window of more than 2^24 cells, naming poolSize', () => {
    expectRefused(() => L.maxPooling3d({ poolSize: [2048, 2048, 2048], padding: 'same' }), RangeError, /poolSize/, /8589934592 cells/);
  });

  it('refuses an input shape whose product overflows 2^53, naming inputShape', () => {
    expectRefused(() => fg.sequential([L.flatten({ inputShape: [1e6, 1e6, 1e6] }), L.dense({ units: 1 })]), RangeError, /inputShape/, /\[1000000, 1000000, 1000000\]/);
    expectRefused(() => fg.sequential([L.dense({ inputShape: [2 ** 27, 2 ** 27], units: 1 })]), RangeError, /inputShape/);
  });

  it('refuses fg.zeros of 1e15 elements and of shapes whose product passes 2^31 - 1', () => {
    expectRefused(() => fg.zeros([1e15]), RangeError, /shape\[0\]/, /1000000000000000/);
    expectRefused(() => fg.zeros([1e8, 1e8]), RangeError, /shape/, /\[100000000, 100000000\]/);
    expectRefused(() => fg.ones([2 ** 31]), RangeError, /shape\[0\]/);
  });
});

describe('absurd sizes at the native boundary', () => {
  it('refuses sgemm dimensions whose products pass 2^40 elements before touching any array', () => {
    const small = new Float32Array(4);
    expectRefused(() => native.sgemm(small, small, small, 2 ** 40, 2 ** 40, 2 ** 40, false, false, 1, 0, false), RangeError, /c \(M\*N\)/, /at most 1099511627776 elements/);
  });

  it('refuses a max-pool window of 2^31 cells over a one-pixel input (its scratch would be 16 GB)', () => {
    const window = 2 ** 31 - 1;
    const pad = 2 ** 30 - 1;  // pads must stay below the window; the padded input then just fits it
    const geometry = new Int32Array([1, 1, 1, 0, 1, 1, 1, 1, 1, window, 1, 1, 1, 1, 1, 1, 0, 0, pad, 0, 0, pad + 1]);
    const one = new Float32Array(1);
    expectRefused(() => native.maxPoolBackward(one, one, one, geometry, false), RangeError, /geometry/, /at most 16777216 cells/);
  });

  it('refuses a network spec whose conv output per example would pass 2^31 values (huge pads)', () => {
    const pad = 2 ** 30;
    const geometry = new Int32Array([1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, pad, pad, 0, 0, 0]);
    const spec = {
      inputSize: 1, layers: [{ kind: 'conv', geometry, relu: false, kernel: new Float32Array(1), bias: null }], loss: 'sparseCategoricalCrossentropy',
      classes: 1, optimizer: { kind: 'sgd', momentum: 0, nesterov: false, clipNorm: 0, clipValue: 0 },
    };
    const Network = (native as unknown as { Network: new (spec: unknown) => unknown }).Network;
    expectRefused(() => new Network(spec), RangeError, /spec\.layers\[0\]\.geometry/, /output values/);
  });
});

describe('files that claim terabytes', () => {
  async function savedModelDir(name: string): Promise<{ dir: string; json: Record<string, any> }> {
    const model = fg.sequential([L.dense({ inputShape: [4], units: 3, name: 'hidden' }), L.dense({ units: 2, name: 'out' })]);
    const target = path.join(dir, name);
    await model.save(target);
    return { dir: target, json: JSON.parse(await fs.readFile(path.join(target, 'model.json'), 'utf8')) };
  }

  it('refuses a manifest claiming terabytes of weights from the weights file size alone', async () => {
    const { dir: target, json } = await savedModelDir('terabytes');
    // Consistent on its own: every entry back to back, each under the per-weight limit, 8 TB in all.
    const entries = Array.from({ length: 1000 }, (_, i) => ({ name: `w${i}`, shape: [2 ** 31 - 1], dtype: 'float32', offset: i * (2 ** 31 - 1) * 4, byteLength: (2 ** 31 - 1) * 4 }));
    json.weightsManifest = { ...json.weightsManifest, weights: entries, byteLength: 1000 * (2 ** 31 - 1) * 4 };
    await fs.writeFile(path.join(target, 'model.json'), JSON.stringify(json));
    await expectRefusedAsync(() => fg.loadModel(target), 'FALTUNG_BAD_WEIGHTS_FILE', /manifest says 8589934588000/);
  });

  it('refuses a single manifest weight of more than 2^31 - 1 values', async () => {
    const { dir: target, json } = await savedModelDir('one-huge-weight');
    json.weightsManifest.weights[0].shape = [1e6, 1e6];
    json.weightsManifest.weights[0].byteLength = 4e12;
    await fs.writeFile(path.join(target, 'model.json'), JSON.stringify(json));
    await expectRefusedAsync(() => fg.loadModel(target), 'FALTUNG_BAD_MODEL_FILE', /\[1000000, 1000000\]/, /more than the 2147483647 values/);
  });

  it('refuses a topology whose layers would allocate more weights than the weights file holds, before allocating them', async () => {
    const { dir: target, json } = await savedModelDir('inflated-topology');
    json.layers[0].config.units = 5e8;  // 4 x 5e8 floats = 8 GB of kernel, for a weights file of 68 bytes
    await fs.writeFile(path.join(target, 'model.json'), JSON.stringify(json));
    await expectRefusedAsync(() => fg.loadModel(target), 'FALTUNG_BAD_MODEL_FILE', /hidden\.kernel/, /bytes left in the weights file/, /8000000000 bytes/);
  });

  it('refuses IDX headers claiming terabytes from the header, raw, gzip and from a file', async () => {
    const header = (dims: number[]) => {
      const bytes = Buffer.alloc(4 + 4 * dims.length);
      bytes[2] = 0x0d;  // float32
      bytes[3] = dims.length;
      dims.forEach((d, i) => bytes.writeUInt32BE(d, 4 + 4 * i));
      return bytes;
    };
    const terabytes = header([65536, 65536, 65536]);
    expectRefused(() => parseIdx(terabytes), FaltungError, /\[65536, 65536, 65536\]/, /more than the 2147483647/);
    expectRefused(() => parseIdx(gzipSync(terabytes)), FaltungError, /\[65536, 65536, 65536\]/);
    // Under the element limit but far more than a small gzip can inflate to.
    const gigabytes = Buffer.concat([header([2 ** 29]), Buffer.alloc(1024)]);
    const file = path.join(dir, 'claims.idx.gz');
    writeFileSync(file, gzipSync(gigabytes));
    await expectRefusedAsync(() => readIdx(file), 'FALTUNG_BAD_IDX', /\[536870912\]/, /can expand to at most/);
    const rawFile = path.join(dir, 'claims.idx');
    writeFileSync(rawFile, gigabytes);
    await expectRefusedAsync(() => readIdx(rawFile), 'FALTUNG_BAD_IDX', /\[536870912\]/, /truncated/);
  });

  it('refuses an image whose header claims 100000 x 100000 pixels before decoding it', async () => {
    const crc32 = (bytes: Buffer) => {
      let crc = 0xffffffff;
      for (const byte of bytes) {
        crc ^= byte;
        for (let k = 0; k < 8; ++k) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
      }
      return (crc ^ 0xffffffff) >>> 0;
    };
    const chunk = (type: string, body: Buffer) => {
      const out = Buffer.alloc(12 + body.length);
      out.writeUInt32BE(body.length, 0);
      out.write(type, 4, 'latin1');
      body.copy(out, 8);
      out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
      return out;
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(100000, 0);
    ihdr.writeUInt32BE(100000, 4);
    ihdr[8] = 8;  // 8-bit grayscale: 10 GB decoded, 40 GB as float32
    const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(100001 * 4))), chunk('IEND', Buffer.alloc(0))]);
    await expectRefusedAsync(() => fg.data.loadImage(png), 'FALTUNG_BAD_IMAGE', /100000x100000 pixels/, /refused before decoding/);
  });
});
