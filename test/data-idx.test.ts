// IDX parsing on hand-made files in a temp dir: every element type, gzip, maxItems, and each kind
// of damage (truncated, oversized, bad magic/type/rank, absurd dims, corrupt gzip), plus MNIST-set
// checks on small hand-made files (counts, label range, shapes, missing files, .gz names).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FaltungError } from '../lib/errors';
import { data, datasets } from '../lib/data/index';
import { parseIdx, readIdx } from '../lib/data/idx';

const dir = mkdtempSync(path.join(tmpdir(), 'faltung-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TYPE = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e } as const;
const SIZE = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 } as const;
type Kind = keyof typeof TYPE;

/** An IDX file written by hand: magic, big-endian dims, big-endian values. */
function idxBytes(kind: Kind, dims: number[], values: ArrayLike<number>): Buffer {
  const header = 4 + 4 * dims.length;
  const bytes = Buffer.alloc(header + values.length * SIZE[kind]);
  bytes[2] = TYPE[kind];
  bytes[3] = dims.length;
  dims.forEach((dim, axis) => bytes.writeUInt32BE(dim, 4 + 4 * axis));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < values.length; ++i) {
    const at = header + i * SIZE[kind];
    const v = values[i];
    switch (kind) {
      case 'uint8': view.setUint8(at, v); break;
      case 'int8': view.setInt8(at, v); break;
      case 'int16': view.setInt16(at, v, false); break;
      case 'int32': view.setInt32(at, v, false); break;
      case 'float32': view.setFloat32(at, v, false); break;
      case 'float64': view.setFloat64(at, v, false); break;
    }
  }
  return bytes;
}

let fileCounter = 0;
function writeTemp(bytes: Uint8Array, name = `file-${fileCounter++}.idx`, folder = dir): string {
  const file = path.join(folder, name);
  writeFileSync(file, bytes);
  return file;
}

/** Awaits `promise`, expecting a FaltungError with `code` whose message matches every pattern. */
async function expectFaltung(promise: Promise<unknown>, code: string, ...patterns: (string | RegExp)[]): Promise<FaltungError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a FaltungError ${code}`).toBeInstanceOf(FaltungError);
  const error = caught as FaltungError;
  expect(error.code).toBe(code);
  for (const pattern of patterns) {
    if (typeof pattern === 'string') expect(error.message).toContain(pattern);
    else expect(error.message).toMatch(pattern);
  }
  return error;
}

const VALUES: Record<Kind, number[]> = {
  uint8: [0, 1, 127, 128, 254, 255],
  int8: [-128, -1, 0, 1, 100, 127],
  int16: [-32768, -300, -1, 0, 258, 32767],
  int32: [-2147483648, -70000, -1, 0, 16909060, 2147483647],
  float32: [-1.5, 0, 3.25, Math.fround(1e-30), -65504, Math.fround(Math.PI)],
  float64: [-1.5, 0, Math.PI, 1e-300, -(2 ** 60), Number.MAX_VALUE],
};

describe('IDX: good files', () => {
  for (const kind of Object.keys(TYPE) as Kind[]) {
    it(`reads ${kind} (0x${TYPE[kind].toString(16)}), raw, gzip and from memory`, async () => {
      const dims = [3, 2];
      const bytes = idxBytes(kind, dims, VALUES[kind]);
      for (const [label, result] of [
        ['raw file', await readIdx(writeTemp(bytes))],
        ['gzip file', await readIdx(writeTemp(gzipSync(bytes)))],
        ['raw buffer', parseIdx(bytes, 'mem')],
        ['gzip buffer', parseIdx(gzipSync(bytes), 'mem.gz')],
      ] as const) {
        expect(result.dtype, label).toBe(kind);
        expect(result.shape, label).toEqual(dims);
        expect(result.fileShape, label).toEqual(dims);
        expect(Array.from(result.data), label).toEqual(VALUES[kind]);
      }
    });
  }

  it('reads a rank-3 MNIST-like file with odd sizes, the big-endian dims intact', async () => {
    const dims = [5, 7, 3];
    const values = Array.from({ length: 105 }, (_, i) => (i * 37) % 256);
    const result = await readIdx(writeTemp(idxBytes('uint8', dims, values)));
    expect(result.shape).toEqual(dims);
    expect(result.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(result.data)).toEqual(values);
    // A dimension above 2^24 in one byte-order-sensitive field (with an empty second axis).
    const wide = await readIdx(writeTemp(idxBytes('uint8', [0x01020304, 0], [])));
    expect(wide.shape).toEqual([0x01020304, 0]);
    expect(wide.data.length).toBe(0);
  });

  it('keeps only the first maxItems rows but checks the whole file', async () => {
    const values = Array.from({ length: 40 }, (_, i) => i * 1000 - 20000);
    const bytes = idxBytes('int32', [10, 4], values);
    for (const file of [writeTemp(bytes), writeTemp(gzipSync(bytes))]) {
      const head = await readIdx(file, { maxItems: 3 });
      expect(head.shape).toEqual([3, 4]);
      expect(head.fileShape).toEqual([10, 4]);
      expect(Array.from(head.data)).toEqual(values.slice(0, 12));
      expect((await readIdx(file, { maxItems: 0 })).data.length).toBe(0);
      expect((await readIdx(file, { maxItems: 99 })).shape).toEqual([10, 4]);
    }
    const cut = bytes.subarray(0, bytes.length - 1);
    await expectFaltung(readIdx(writeTemp(cut), { maxItems: 1 }), 'FALTUNG_BAD_IDX', 'truncated by 1 bytes');
    await expectFaltung(readIdx(writeTemp(gzipSync(cut)), { maxItems: 1 }), 'FALTUNG_BAD_IDX', 'truncated by 1 bytes');
  });

  it('reads gzip split over many chunks and concatenated gzip members', async () => {
    // 3 MB of data: several 1 MiB decompression chunks, header in the first.
    const values = new Uint8Array(3_000_000);
    for (let i = 0; i < values.length; ++i) values[i] = (i * 7919) & 255;
    const bytes = idxBytes('uint8', [1000, 3000], values);
    const result = await readIdx(writeTemp(gzipSync(bytes, { level: 1 })));
    expect(result.shape).toEqual([1000, 3000]);
    expect(Buffer.compare(Buffer.from(result.data as Uint8Array), Buffer.from(values))).toBe(0);
    // The header alone in the first member, split mid-dimension.
    const split = Buffer.concat([gzipSync(bytes.subarray(0, 6)), gzipSync(bytes.subarray(6))]);
    const joined = await readIdx(writeTemp(split));
    expect(Buffer.compare(Buffer.from(joined.data as Uint8Array), Buffer.from(values))).toBe(0);
  });

  it('returns data the caller owns: parseIdx never aliases or byte-swaps its input', () => {
    const bytes = idxBytes('int16', [2], [1, 2]);
    const copy = Buffer.from(bytes);
    const result = parseIdx(bytes);
    expect(Buffer.compare(bytes, copy)).toBe(0);
    bytes[9] = 99;
    expect(Array.from(result.data)).toEqual([1, 2]);
    const bytes8 = idxBytes('uint8', [2], [1, 2]);
    const result8 = parseIdx(bytes8);
    bytes8[8] = 50;
    expect(Array.from(result8.data)).toEqual([1, 2]);
  });

  it('is reachable as fg.data.readIdx / parseIdx', async () => {
    const file = writeTemp(idxBytes('uint8', [2], [3, 4]));
    expect(Array.from((await data.readIdx(file)).data)).toEqual([3, 4]);
    expect(Array.from(data.parseIdx(idxBytes('uint8', [1], [9])).data)).toEqual([9]);
  });
});

describe('IDX: damaged files get a FaltungError naming the file and the problem', () => {
  const good = idxBytes('uint8', [4, 3, 2], Array.from({ length: 24 }, (_, i) => i));

  it('truncated data', async () => {
    const file = writeTemp(good.subarray(0, good.length - 5));
    await expectFaltung(readIdx(file), 'FALTUNG_BAD_IDX', file, '[4, 3, 2] of ubyte need 40 bytes (16-byte header + 24 data bytes)', 'has 35: truncated by 5 bytes');
    await expectFaltung(Promise.resolve().then(() => parseIdx(good.subarray(0, 30), 'part.idx')), 'FALTUNG_BAD_IDX', 'part.idx', 'truncated by 10 bytes');
  });

  it('oversized data', async () => {
    const file = writeTemp(Buffer.concat([good, Buffer.from([1, 2, 3])]));
    await expectFaltung(readIdx(file), 'FALTUNG_BAD_IDX', file, 'has 43: 3 bytes too many');
    const gz = writeTemp(gzipSync(Buffer.concat([good, Buffer.alloc(100)])));
    await expectFaltung(readIdx(gz), 'FALTUNG_BAD_IDX', gz, 'the decompressed data has 140: 100 bytes too many');
  });

  it('gzip of truncated content', async () => {
    const file = writeTemp(gzipSync(good.subarray(0, 20)));
    await expectFaltung(readIdx(file), 'FALTUNG_BAD_IDX', file, 'the decompressed data has 20: truncated by 20 bytes');
  });

  it('bad magic', async () => {
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]);
    const file = writeTemp(zip);
    await expectFaltung(readIdx(file), 'FALTUNG_BAD_IDX', file, 'expected the IDX magic number 00 00 <type> <rank>', 'starts with 50 4b 03 04');
    const png = writeTemp(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'));
    await expectFaltung(readIdx(png), 'FALTUNG_BAD_IDX', png, 'starts with 89 50 4e 47');
  });

  it('unknown element type', async () => {
    const bytes = Buffer.from(good);
    bytes[2] = 0x07;
    const file = writeTemp(bytes);
    await expectFaltung(readIdx(file), 'FALTUNG_BAD_IDX', file, 'unknown element type 0x07', '0x08 (ubyte)', '0x0e (double)');
    await expectFaltung(readIdx(writeTemp(gzipSync(bytes))), 'FALTUNG_BAD_IDX', 'unknown element type 0x07');
  });

  it('rank 0 and a header cut short', async () => {
    const rank0 = writeTemp(Buffer.from([0, 0, 8, 0, 1, 2]));
    await expectFaltung(readIdx(rank0), 'FALTUNG_BAD_IDX', rank0, 'rank 0');
    const shortHeader = writeTemp(good.subarray(0, 10));
    await expectFaltung(readIdx(shortHeader), 'FALTUNG_BAD_IDX', shortHeader, 'the file has 10 bytes, too short for the 16-byte header of a rank-3 IDX file');
    const shortGz = writeTemp(gzipSync(good.subarray(0, 10)));
    await expectFaltung(readIdx(shortGz), 'FALTUNG_BAD_IDX', shortGz, 'the decompressed data has 10 bytes, too short for the 16-byte header');
  });

  it('files too short for a magic number, empty ones included', async () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from([0, 0])]) {
      const file = writeTemp(bytes);
      await expectFaltung(readIdx(file), 'FALTUNG_BAD_IDX', file, `has ${bytes.length} bytes, too short for the 4-byte IDX magic number`);
    }
  });

  it('absurd dimensions are refused from the header, before allocating', async () => {
    // 2^40 elements claimed by a 1 MB file: over the tensor limit.
    const huge = Buffer.alloc(1 << 20);
    huge.set([0, 0, 8, 2]);
    huge.writeUInt32BE(2 ** 20, 4);
    huge.writeUInt32BE(2 ** 20, 8);
    const file = writeTemp(huge);
    await expectFaltung(readIdx(file), 'FALTUNG_BAD_IDX', file, '[1048576, 1048576] make 1099511627776 elements, more than the 2147483647');
    // 10^9 elements (within the limit, 4 GB as int32) in a 1 MB file: refused by the size check.
    const big = Buffer.from(huge);
    big.set([0, 0, 0x0c, 2]);
    big.writeUInt32BE(1000, 4);
    big.writeUInt32BE(1_000_000, 8);
    const bigFile = writeTemp(big);
    await expectFaltung(readIdx(bigFile), 'FALTUNG_BAD_IDX', bigFile, 'need 4000000012 bytes', `has ${1 << 20}: truncated`);
    // The same header in a small gzip: refused by deflate's 1032:1 bound, before inflating the rest.
    const gz = gzipSync(big.subarray(0, 4096));
    const gzFile = writeTemp(gz);
    await expectFaltung(readIdx(gzFile), 'FALTUNG_BAD_IDX', gzFile, `${gz.length} bytes of gzip can expand to at most ${1032 * gz.length}`);
    // All-0xff dimensions at the maximum rank.
    const maxRank = Buffer.alloc(4 + 4 * 255, 0xff);
    maxRank.set([0, 0, 8, 255]);
    await expectFaltung(readIdx(writeTemp(maxRank)), 'FALTUNG_BAD_IDX', 'more than the 2147483647');
  });

  it('corrupt and truncated gzip streams', async () => {
    const gz = gzipSync(good);
    const cut = writeTemp(gz.subarray(0, gz.length - 6));
    await expectFaltung(readIdx(cut), 'FALTUNG_BAD_IDX', cut, 'corrupt gzip data (unexpected end of file)');
    const flipped = Buffer.from(gz);
    flipped[3] = 0xe0; // reserved flag bits
    const bad = writeTemp(flipped);
    await expectFaltung(readIdx(bad), 'FALTUNG_BAD_IDX', bad, 'corrupt gzip data');
    const crc = Buffer.from(gz);
    crc[crc.length - 6] ^= 0xff; // checksum no longer matches
    const crcFile = writeTemp(crc);
    await expectFaltung(readIdx(crcFile), 'FALTUNG_BAD_IDX', crcFile, 'corrupt gzip data');
    await expectFaltung(Promise.resolve().then(() => parseIdx(gz.subarray(0, 12), 'cut.gz')), 'FALTUNG_BAD_IDX', 'cut.gz', 'corrupt gzip data');
  });

  it('missing files and folders', async () => {
    const missing = path.join(dir, 'no-such-file');
    await expectFaltung(readIdx(missing), 'FALTUNG_FILE_NOT_FOUND', `IDX file not found: ${missing}`);
    await expectFaltung(readIdx(dir), 'FALTUNG_FILE_NOT_FOUND', `IDX file ${dir} is not a regular file`);
  });

  it('bad arguments are TypeError/RangeError naming the parameter', async () => {
    const file = writeTemp(good);
    await expect(readIdx(42 as never)).rejects.toThrow(TypeError);
    await expect(readIdx('')).rejects.toThrow(/non-empty file path string for path/);
    await expect(readIdx(file, { maxItems: -1 })).rejects.toThrow(RangeError);
    await expect(readIdx(file, { maxItems: 1.5 })).rejects.toThrow(/options.maxItems/);
    await expect(readIdx(file, { maxItems: NaN })).rejects.toThrow(RangeError);
    await expect(readIdx(file, { maxitems: 1 } as never)).rejects.toThrow(/Unknown option options.maxitems/);
    await expect(readIdx(file, 'x' as never)).rejects.toThrow(/options object for options/);
    expect(() => parseIdx('bytes' as never)).toThrow(/Uint8Array or Buffer for bytes/);
    expect(() => parseIdx(good, 5 as never)).toThrow(/for name/);
    expect(() => parseIdx(good, 'x', { maxItems: -2 })).toThrow(RangeError);
  });
});

describe('MNIST set checks on small hand-made files', () => {
  let setCounter = 0;
  interface SetSpec {
    trainImages?: Buffer;
    trainLabels?: Buffer;
    testImages?: Buffer;
    testLabels?: Buffer;
    gzip?: boolean;
  }
  const pixels = (n: number, h: number, w: number) => Array.from({ length: n * h * w }, (_, i) => (i * 13) % 256);

  function writeSet(spec: SetSpec): string {
    const folder = path.join(dir, `set-${setCounter++}`);
    mkdirSync(folder);
    const files: [string, Buffer][] = [
      ['train-images-idx3-ubyte', spec.trainImages ?? idxBytes('uint8', [5, 4, 3], pixels(5, 4, 3))],
      ['train-labels-idx1-ubyte', spec.trainLabels ?? idxBytes('uint8', [5], [3, 1, 4, 1, 5])],
      ['t10k-images-idx3-ubyte', spec.testImages ?? idxBytes('uint8', [2, 4, 3], pixels(2, 4, 3))],
      ['t10k-labels-idx1-ubyte', spec.testLabels ?? idxBytes('uint8', [2], [9, 0])],
    ];
    for (const [name, bytes] of files) {
      if (spec.gzip) writeTemp(gzipSync(bytes), `${name}.gz`, folder);
      else writeTemp(bytes, name, folder);
    }
    return folder;
  }

  it('loads any HxW, raw or .gz, one-hot or not, with limits', async () => {
    for (const gzip of [false, true]) {
      const folder = writeSet({ gzip });
      const set = await datasets.mnist({ dir: folder });
      expect(set.train.images.shape).toEqual([5, 4, 3, 1]);
      expect(set.test.images.shape).toEqual([2, 4, 3, 1]);
      expect(Array.from(set.train.images.data)).toEqual(pixels(5, 4, 3).map((p) => Math.fround(p / 255)));
      expect(Array.from(set.train.labelIndices)).toEqual([3, 1, 4, 1, 5]);
      expect(set.train.labels.shape).toEqual([5, 10]);
      expect(Array.from(set.test.labels.data)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      const plain = await datasets.mnist({ dir: folder, oneHot: false, limit: { train: 2, test: 5 } });
      expect(plain.train.labels.shape).toEqual([2]);
      expect(Array.from(plain.train.labels.data)).toEqual([3, 1]);
      expect(plain.train.images.shape).toEqual([2, 4, 3, 1]);
      expect(Array.from(plain.train.images.data)).toEqual(Array.from(set.train.images.data.subarray(0, 24)));
      expect(plain.test.images.shape).toEqual([2, 4, 3, 1]);
    }
  });

  it('prefers the raw file when both raw and .gz exist', async () => {
    const folder = writeSet({});
    writeTemp(gzipSync(idxBytes('uint8', [5], [0, 0, 0, 0, 0])), 'train-labels-idx1-ubyte.gz', folder);
    expect(Array.from((await datasets.mnist({ dir: folder })).train.labelIndices)).toEqual([3, 1, 4, 1, 5]);
  });

  it('image/label count mismatch names both files', async () => {
    const folder = writeSet({ trainLabels: idxBytes('uint8', [4], [1, 2, 3, 4]) });
    await expectFaltung(
      datasets.mnist({ dir: folder }),
      'FALTUNG_BAD_DATASET',
      `${path.join(folder, 'train-images-idx3-ubyte')} holds 5 images but ${path.join(folder, 'train-labels-idx1-ubyte')} holds 4 labels`,
    );
    // Also caught when a limit hides the difference.
    await expectFaltung(datasets.mnist({ dir: folder, limit: { train: 2 } }), 'FALTUNG_BAD_DATASET', 'holds 5 images');
  });

  it('labels out of 0..9 name the file and the position', async () => {
    const folder = writeSet({ testLabels: idxBytes('uint8', [2], [9, 10]) });
    await expectFaltung(datasets.mnist({ dir: folder }), 'FALTUNG_BAD_DATASET', path.join(folder, 't10k-labels-idx1-ubyte'), 'label 1 is 10, expected 0..9');
  });

  it('wrong ranks, element types, empty images and differing sizes', async () => {
    const cases: [SetSpec, string, string][] = [
      [{ trainImages: idxBytes('uint8', [5, 12], pixels(5, 4, 3)) }, 'train-images-idx3-ubyte', 'expected 3-D uint8 images [n, height, width], got uint8 [5, 12]'],
      [{ trainImages: idxBytes('float32', [5, 4, 3], pixels(5, 4, 3)) }, 'train-images-idx3-ubyte', 'got float32 [5, 4, 3]'],
      [{ testImages: idxBytes('uint8', [2, 0, 3], []) }, 't10k-images-idx3-ubyte', 'image size 0x3 is empty'],
      [{ trainLabels: idxBytes('uint8', [5, 1], [1, 2, 3, 4, 5]) }, 'train-labels-idx1-ubyte', 'expected 1-D uint8 labels [n], got uint8 [5, 1]'],
      [{ trainLabels: idxBytes('int8', [5], [1, 2, 3, 4, 5]) }, 'train-labels-idx1-ubyte', 'got int8 [5]'],
      [{ testImages: idxBytes('uint8', [2, 3, 4], pixels(2, 3, 4)) }, 't10k-images-idx3-ubyte', 'has 4x3 images'],
    ];
    for (const [spec, file, message] of cases) {
      const folder = writeSet(spec);
      await expectFaltung(datasets.mnist({ dir: folder }), 'FALTUNG_BAD_DATASET', path.join(folder, file), message);
    }
  });

  it('a damaged file inside the set is reported by name', async () => {
    const folder = writeSet({ testImages: idxBytes('uint8', [2, 4, 3], pixels(2, 4, 3)).subarray(0, 30) });
    await expectFaltung(datasets.mnist({ dir: folder }), 'FALTUNG_BAD_IDX', path.join(folder, 't10k-images-idx3-ubyte'), 'truncated by 10 bytes');
  });

  it('a missing file names the folder and both names tried', async () => {
    const folder = writeSet({});
    rmSync(path.join(folder, 't10k-labels-idx1-ubyte'));
    await expectFaltung(datasets.mnist({ dir: folder }), 'FALTUNG_FILE_NOT_FOUND', `t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz) not found in ${folder}`);
    await expectFaltung(datasets.mnist({ dir: path.join(dir, 'nowhere') }), 'FALTUNG_FILE_NOT_FOUND', 'not found in');
  });

  it('bad options are TypeError/RangeError naming the option', async () => {
    const folder = writeSet({});
    const cases: [unknown, typeof TypeError | typeof RangeError, RegExp][] = [
      ['dir', TypeError, /options object for options/],
      [{ dir: 5 }, TypeError, /options.dir/],
      [{ dir: '' }, TypeError, /options.dir/],
      [{ dir: folder, oneHot: 'yes' }, TypeError, /boolean for options.oneHot/],
      [{ dir: folder, limit: 3 }, TypeError, /options object for options.limit/],
      [{ dir: folder, limit: { train: -1 } }, RangeError, /options.limit.train/],
      [{ dir: folder, limit: { test: 2.5 } }, RangeError, /options.limit.test/],
      [{ dir: folder, limit: { test: NaN } }, RangeError, /options.limit.test/],
      [{ dir: folder, limit: { trian: 1 } }, TypeError, /Unknown option options.limit.trian/],
      [{ dir: folder, onehot: false }, TypeError, /Unknown option options.onehot; expected only dir, oneHot, limit/],
    ];
    for (const [options, kind, message] of cases) {
      await expect(datasets.mnist(options as never), JSON.stringify(options)).rejects.toThrow(kind);
      await expect(datasets.mnist(options as never), JSON.stringify(options)).rejects.toThrow(message);
    }
  });
});
