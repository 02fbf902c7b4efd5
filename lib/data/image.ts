// fg.data.loadImage / loadImages: PNG, JPEG or WebP through sharp (libvips) into float32 [0, 1]
// tensors [h, w, c] / [n, h, w, c]. sharp is loaded on first use, so code that never reads an
// image never loads libvips. No augmentation, no normalization beyond / 255: that is the model's job.
import { readFile, stat } from 'node:fs/promises';
import { FaltungError } from '../errors';
import { Tensor } from '../tensor';
import { MAX_ELEMENTS, checkBoolean, checkInteger, checkOneOf, invalidRange, invalidType } from '../validate';
import { checkOptions } from './options';
import { bytesToUnit } from './pixels';

export type ImageSource = string | Uint8Array;
export type ImageFit = 'fill' | 'contain' | 'cover';
export type ImageChannels = 1 | 3 | 4;

export interface LoadImageOptions {
  /**
   * Output width in pixels. With `height` as well the image becomes exactly width x height (see
   * `fit`); with only one of the two, the other follows the aspect ratio. Default: the image's own.
   */
  width?: number;
  /** Output height in pixels; see `width`. */
  height?: number;
  /**
   * 1 (default): grayscale, MNIST-style (libvips' luminance: sRGB decoded to linear light,
   * Y = 0.2126 R + 0.7152 G + 0.0722 B, encoded back to sRGB); 3: RGB; 4: RGBA. With 1 or 3, transparency is
   * flattened onto the background colour (black, or white with `invert`).
   */
  channels?: ImageChannels;
  /**
   * When width and height change the aspect ratio: 'fill' (default) stretches, 'contain'
   * letterboxes with the background colour, 'cover' crops the centre.
   */
  fit?: ImageFit;
  /**
   * Stores 1 - value. MNIST digits are white strokes on black; photos and scans of handwriting are
   * dark on light, so pass `invert: true` for those before feeding an MNIST model. It also makes the
   * background colour (transparency, letterboxing) white, which inverting turns into MNIST's black.
   */
  invert?: boolean;
}

interface ImagePlan {
  width: number | undefined;
  height: number | undefined;
  channels: ImageChannels;
  fit: ImageFit;
  invert: boolean;
}

interface DecodedImage {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** sharp's own limit on each output side. */
const MAX_SIDE = 16383;
/**
 * Pixels (width x height) an input may declare: sharp's default limitInputPixels, stated here so
 * the refusal happens from the header alone, before any decoding buffer exists.
 */
const MAX_INPUT_PIXELS = MAX_SIDE * MAX_SIDE;
/** Largest image file read (a Buffer's limit; an uncompressed 16383 x 16383 RGBA image is ~1 GiB). */
const MAX_FILE_BYTES = 2 ** 31 - 1;
const FORMATS = ['png', 'jpeg', 'webp'];
/** Files loadImages reads ahead (decoding itself runs one image at a time, see decode). */
const CONCURRENCY = 4;

type Sharp = typeof import('sharp');
let sharpModule: Sharp | null = null;

function loadSharp(): Sharp {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (sharpModule === null) sharpModule = require('sharp') as Sharp;
  return sharpModule;
}

function badImage(name: string, problem: string): FaltungError {
  return new FaltungError(`Bad image ${name}: ${problem}`, 'FALTUNG_BAD_IMAGE');
}

function checkImageOptions(options: unknown): ImagePlan {
  const checked = checkOptions<LoadImageOptions>('options', options, ['width', 'height', 'channels', 'fit', 'invert']);
  const channels = checked.channels ?? 1;
  if (typeof channels !== 'number') throw invalidType('options.channels', '1, 3 or 4', channels);
  if (channels !== 1 && channels !== 3 && channels !== 4) throw invalidRange('options.channels', '1, 3 or 4', channels);
  return {
    width: checked.width === undefined ? undefined : checkInteger('options.width', checked.width, 1, MAX_SIDE),
    height: checked.height === undefined ? undefined : checkInteger('options.height', checked.height, 1, MAX_SIDE),
    channels,
    fit: checked.fit === undefined ? 'fill' : checkOneOf<ImageFit>('options.fit', checked.fit, ['fill', 'contain', 'cover']),
    invert: checked.invert === undefined ? false : checkBoolean('options.invert', checked.invert),
  };
}

function checkSource(name: string, source: unknown): ImageSource {
  if (typeof source === 'string') {
    if (source.length === 0) throw invalidRange(name, 'a non-empty file path', source);
    return source;
  }
  if (source instanceof Uint8Array) {
    if (source.length === 0) throw invalidRange(name, 'a non-empty buffer of encoded image bytes', source);
    return source;
  }
  throw invalidType(name, 'a file path string or a Buffer/Uint8Array of PNG, JPEG or WebP bytes', source);
}

/**
 * A file's bytes. Read here rather than handed to sharp by path: libvips caches loads by file name,
 * so a file rewritten in place could decode as its previous contents (found by test/fuzz/image).
 */
async function readImageFile(path: string): Promise<Buffer> {
  const missing = (): FaltungError => new FaltungError(`Image file not found: ${path}`, 'FALTUNG_FILE_NOT_FOUND');
  let size: number;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw missing();
    size = stats.size;
  } catch (error) {
    if (error instanceof FaltungError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw missing();
    throw badImage(path, `it cannot be read (${(error as Error).message})`);
  }
  if (size > MAX_FILE_BYTES) throw badImage(path, `it is ${size} bytes, more than the ${MAX_FILE_BYTES} an image file may have`);
  try {
    return await readFile(path);
  } catch (error) {
    throw badImage(path, `it cannot be read (${(error as Error).message})`);
  }
}

// libvips (inside sharp) has freed the same block twice when decodes ran on two libuv threads at
// once: an AddressSanitizer double-free report from the image fuzzer (npm run test:asan,
// 2026-11-29), glibc heap-corruption aborts before that. So faltung decodes one image at a time;
// libvips still uses its own threads within each image.
let decodeQueue: Promise<unknown> = Promise.resolve();

function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const run = decodeQueue.then(work);
  decodeQueue = run.catch(() => undefined);
  return run;
}

async function decode(source: ImageSource, name: string, plan: ImagePlan): Promise<DecodedImage> {
  // Buffers go in as they are: sharp reads them without copying.
  const input = typeof source === 'string' ? await readImageFile(source) : source;
  return oneAtATime(() => decodeBytes(input, name, plan));
}

async function decodeBytes(input: Buffer | Uint8Array, name: string, plan: ImagePlan): Promise<DecodedImage> {
  const sharp = loadSharp();
  const background = plan.invert ? { r: 255, g: 255, b: 255, alpha: 1 } : { r: 0, g: 0, b: 0, alpha: 1 };
  try {
    // The header alone, without sharp's pixel limit, so the refusal below can name the size.
    const { format, width, height } = await sharp(input, { limitInputPixels: false }).metadata();
    if (format === undefined || !FORMATS.includes(format)) {
      throw badImage(name, `unsupported format '${format}'; expected PNG, JPEG or WebP`);
    }
    if (width !== undefined && height !== undefined && width * height > MAX_INPUT_PIXELS) {
      throw badImage(name, `its header declares ${width}x${height} pixels, more than the ${MAX_INPUT_PIXELS} ` +
        `(${MAX_SIDE}x${MAX_SIDE}) an image may have; refused before decoding`);
    }
    const image = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS });
    let pipeline = image.autoOrient();
    if (plan.channels !== 4) pipeline = pipeline.flatten({ background });
    if (plan.width !== undefined || plan.height !== undefined) {
      // With one side given, 'inside' scales the other to keep the aspect ratio ('fill' would not).
      const fit = plan.width !== undefined && plan.height !== undefined ? plan.fit : 'inside';
      pipeline = pipeline.resize({ width: plan.width, height: plan.height, fit, background });
    }
    pipeline = plan.channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
    if (plan.channels === 4) pipeline = pipeline.ensureAlpha();
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== plan.channels || data.length !== info.width * info.height * plan.channels) {
      throw badImage(name, `decoded to ${info.width}x${info.height}x${info.channels} (${data.length} bytes), expected ${plan.channels} channels`);
    }
    return { name, bytes: data, width: info.width, height: info.height };
  } catch (error) {
    if (error instanceof FaltungError) throw error;
    // sharp reports corrupt, truncated or unknown data as plain Errors.
    throw badImage(name, (error as Error).message);
  }
}

function sourceName(source: ImageSource, index?: number): string {
  if (typeof source === 'string') return source;
  const buffer = `a ${source.length}-byte buffer`;
  return index === undefined ? `(${buffer})` : `sources[${index}] (${buffer})`;
}

/**
 * Decodes one PNG, JPEG or WebP image (a path, or the encoded bytes) to a Tensor [height, width,
 * channels] of float32 in [0, 1]. EXIF orientation is applied. Throws FaltungError
 * 'FALTUNG_FILE_NOT_FOUND' for a missing file and 'FALTUNG_BAD_IMAGE' (naming the file) for
 * corrupt or unsupported data.
 */
export async function loadImage(source: ImageSource, options: LoadImageOptions = {}): Promise<Tensor> {
  checkSource('source', source);
  const plan = checkImageOptions(options);
  const image = await decode(source, sourceName(source), plan);
  const pixels = new Float32Array(image.bytes.length);
  bytesToUnit(image.bytes, pixels, 0, plan.invert);
  return new Tensor(pixels, [image.height, image.width, plan.channels]);
}

/**
 * Decodes several images into one Tensor [n, height, width, channels] (order kept). They must come
 * out the same size: give width and height to resize them all, or a FaltungError
 * 'FALTUNG_IMAGE_SIZE_MISMATCH' names the first two that differ.
 */
export async function loadImages(sources: readonly ImageSource[], options: LoadImageOptions = {}): Promise<Tensor> {
  if (!Array.isArray(sources)) throw invalidType('sources', 'an array of file paths or image buffers', sources);
  if (sources.length === 0) throw invalidRange('sources', 'at least one image', sources);
  sources.forEach((source, index) => checkSource(`sources[${index}]`, source));
  const plan = checkImageOptions(options);

  const decoded: DecodedImage[] = new Array(sources.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sources.length) {
      const index = next++;
      decoded[index] = await decode(sources[index], sourceName(sources[index], index), plan);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, sources.length) }, worker));

  const [first] = decoded;
  for (const image of decoded) {
    if (image.width !== first.width || image.height !== first.height) {
      throw new FaltungError(
        `Images differ in size: ${first.name} is ${first.width}x${first.height} but ${image.name} is ` +
          `${image.width}x${image.height}; pass options.width and options.height to resize them all`,
        'FALTUNG_IMAGE_SIZE_MISMATCH',
      );
    }
  }
  const imageSize = first.bytes.length;
  if (imageSize * decoded.length > MAX_ELEMENTS) {
    throw invalidRange('sources', `at most ${Math.floor(MAX_ELEMENTS / imageSize)} images of ${first.width}x${first.height}x${plan.channels}`, sources);
  }
  const pixels = new Float32Array(imageSize * decoded.length);
  decoded.forEach((image, index) => bytesToUnit(image.bytes, pixels, index * imageSize, plan.invert));
  return new Tensor(pixels, [decoded.length, first.height, first.width, plan.channels]);
}
