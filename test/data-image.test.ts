// loadImage / loadImages on PNG, JPEG and WebP files written here with sharp from known pixels:
// exact values for lossless formats, close ones for lossy; channels, grayscale, resize/fit,
// invert, EXIF orientation, batches, and a FaltungError naming the file for each bad input.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaltungError } from '../lib/errors';
import { data } from '../lib/data/index';
import { loadImage, loadImages } from '../lib/data/image';
import type { Tensor } from '../lib/tensor';
import { expectClose } from './helpers/compare';

const dir = mkdtempSync(path.join(tmpdir(), 'faltung-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Raw {
  bytes: Buffer;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** Odd sizes; smooth content so lossy codecs stay close. */
function makeRaw(width: number, height: number, channels: 1 | 3 | 4, smooth = false): Raw {
  const bytes = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; ++y) {
    for (let x = 0; x < width; ++x) {
      for (let c = 0; c < channels; ++c) {
        const value = smooth ? 40 + Math.round((150 * (x + y)) / (width + height)) + 20 * c : (x * 31 + y * 17 + c * 101 + x * y) % 256;
        bytes[(y * width + x) * channels + c] = c === 3 && !smooth ? 255 - (x % 2) * 128 : value;
      }
    }
  }
  return { bytes, width, height, channels };
}

function encoder(raw: Raw) {
  const image = sharp(raw.bytes, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
  return raw.channels === 1 ? image.toColourspace('b-w') : image;
}

async function write(name: string, raw: Raw, format: 'png' | 'jpeg' | 'webp' | 'webp-lossless'): Promise<string> {
  const image = encoder(raw);
  const encoded =
    format === 'png' ? image.png() : format === 'jpeg' ? image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }) : image.webp({ quality: 95, lossless: format === 'webp-lossless' });
  const file = path.join(dir, name);
  writeFileSync(file, await encoded.toBuffer());
  return file;
}

function unit(bytes: ArrayLike<number>): number[] {
  return Array.from(bytes, (b) => Math.fround(b / 255));
}

async function expectFaltung(promise: Promise<unknown>, code: string, ...parts: string[]): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected FaltungError ${code}`).toBeInstanceOf(FaltungError);
  expect((caught as FaltungError).code).toBe(code);
  for (const part of parts) expect((caught as FaltungError).message).toContain(part);
}

function meanAbsoluteError(a: Tensor, b: number[]): number {
  let sum = 0;
  for (let i = 0; i < b.length; ++i) sum += Math.abs(a.data[i] - b[i]);
  return sum / b.length;
}

/** libvips' grayscale: sRGB to linear light, Rec. 709 luminance, back to sRGB (float64 reference). */
function luminanceReference(r: number, g: number, b: number): number {
  const linear = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const y = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  return y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055;
}

const gray = makeRaw(7, 5, 1);
const rgb = makeRaw(6, 9, 3);
const rgba = makeRaw(5, 3, 4);
const files: Record<string, string> = {};

beforeAll(async () => {
  files.grayPng = await write('gray.png', gray, 'png');
  files.rgbPng = await write('rgb.png', rgb, 'png');
  files.rgbaPng = await write('rgba.png', rgba, 'png');
  files.rgbWebpLossless = await write('rgb-lossless.webp', rgb, 'webp-lossless');
  files.smoothJpeg = await write('smooth.jpg', makeRaw(33, 17, 3, true), 'jpeg');
  files.smoothWebp = await write('smooth.webp', makeRaw(33, 17, 3, true), 'webp');
  files.smoothGrayJpeg = await write('smooth-gray.jpg', makeRaw(21, 13, 1, true), 'jpeg');
});

describe('loadImage: exact values from lossless files', () => {
  it('grayscale PNG, channels 1 (the default)', async () => {
    const tensor = await loadImage(files.grayPng);
    expect(tensor.shape).toEqual([5, 7, 1]);
    expect(Array.from(tensor.data)).toEqual(unit(gray.bytes));
  });

  it('RGB PNG and lossless WebP, channels 3', async () => {
    for (const file of [files.rgbPng, files.rgbWebpLossless]) {
      const tensor = await loadImage(file, { channels: 3 });
      expect(tensor.shape).toEqual([9, 6, 3]);
      expect(Array.from(tensor.data), file).toEqual(unit(rgb.bytes));
    }
  });

  it('RGBA PNG, channels 4', async () => {
    const tensor = await loadImage(files.rgbaPng, { channels: 4 });
    expect(tensor.shape).toEqual([3, 5, 4]);
    expect(Array.from(tensor.data)).toEqual(unit(rgba.bytes));
  });

  it('channel expansion: gray to RGB repeats the value, RGB to RGBA adds opaque alpha', async () => {
    const three = await loadImage(files.grayPng, { channels: 3 });
    expect(Array.from(three.data)).toEqual(unit(Array.from(gray.bytes).flatMap((v) => [v, v, v])));
    const four = await loadImage(files.rgbPng, { channels: 4 });
    const expected: number[] = [];
    for (let i = 0; i < rgb.bytes.length; i += 3) expected.push(rgb.bytes[i], rgb.bytes[i + 1], rgb.bytes[i + 2], 255);
    expect(Array.from(four.data)).toEqual(unit(expected));
  });

  it('encoded bytes in a Buffer load like the file', async () => {
    const fromFile = await loadImage(files.rgbPng, { channels: 3 });
    const bytes = await encoder(rgb).png().toBuffer();
    const fromBuffer = await data.loadImage(bytes, { channels: 3 });
    expect(Array.from(fromBuffer.data)).toEqual(Array.from(fromFile.data));
    const asUint8 = await loadImage(new Uint8Array(bytes), { channels: 3 });
    expect(Array.from(asUint8.data)).toEqual(Array.from(fromFile.data));
  });
});

describe('loadImage: lossy files are close', () => {
  it('JPEG and WebP at quality 95 stay within a few levels of the source', async () => {
    const source = makeRaw(33, 17, 3, true);
    for (const file of [files.smoothJpeg, files.smoothWebp]) {
      const tensor = await loadImage(file, { channels: 3 });
      expect(tensor.shape).toEqual([17, 33, 3]);
      expect(meanAbsoluteError(tensor, unit(source.bytes)), file).toBeLessThan(3 / 255);
      expectClose(tensor.data, unit(source.bytes), file, 12 / 255, 0);
    }
    const graySource = makeRaw(21, 13, 1, true);
    const grayJpeg = await loadImage(files.smoothGrayJpeg);
    expect(grayJpeg.shape).toEqual([13, 21, 1]);
    expectClose(grayJpeg.data, unit(graySource.bytes), 'gray jpeg', 6 / 255, 0);
  });
});

describe('loadImage: grayscale conversion, alpha and invert', () => {
  it('RGB to gray is libvips luminance; gray pixels stay exactly gray', async () => {
    const pixels = [255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128, 10, 10, 10, 250, 250, 250, 200, 120, 40, 0, 0, 0];
    const bytes = await sharp(Buffer.from(pixels), { raw: { width: 4, height: 2, channels: 3 } }).png().toBuffer();
    const tensor = await loadImage(bytes, { channels: 1 });
    expect(tensor.shape).toEqual([2, 4, 1]);
    const expected: number[] = [];
    for (let i = 0; i < pixels.length; i += 3) expected.push(luminanceReference(pixels[i], pixels[i + 1], pixels[i + 2]));
    expectClose(tensor.data, expected, 'luminance', 1.01 / 255, 0);
    expect(Array.from(tensor.data.subarray(3, 6))).toEqual(unit([128, 10, 250]));
    expect(tensor.data[1]).toBeGreaterThan(tensor.data[0]); // green is brighter than red, red than blue
    expect(tensor.data[0]).toBeGreaterThan(tensor.data[2]);
  });

  it('invert gives 1 - value exactly', async () => {
    const plain = await loadImage(files.grayPng);
    const inverted = await loadImage(files.grayPng, { invert: true });
    expect(Array.from(inverted.data)).toEqual(Array.from(gray.bytes, (b) => Math.fround((255 - b) / 255)));
    for (let i = 0; i < plain.size; ++i) expect(inverted.data[i]).toBeCloseTo(1 - plain.data[i], 6);
  });

  it('transparency is flattened onto black, or onto white with invert (so both end up 0)', async () => {
    // Pixel 0: transparent; pixel 1: opaque gray 100; pixel 2: half-transparent white.
    const pixels = Buffer.from([255, 255, 255, 0, 100, 100, 100, 255, 255, 255, 255, 128]);
    const bytes = await sharp(pixels, { raw: { width: 3, height: 1, channels: 4 } }).png().toBuffer();
    const plain = await loadImage(bytes);
    const inverted = await loadImage(bytes, { invert: true });
    expect(plain.data[0]).toBe(0);
    expect(inverted.data[0]).toBe(0);
    expect(plain.data[1]).toBe(Math.fround(100 / 255));
    expect(inverted.data[1]).toBe(Math.fround(155 / 255));
    expect(plain.data[2]).toBeCloseTo(128 / 255, 2);
    expect(inverted.data[2]).toBe(0);
    const rgbaKept = await loadImage(bytes, { channels: 4 });
    expect(Array.from(rgbaKept.data)).toEqual(unit(pixels));
  });
});

describe('loadImage: size and orientation', () => {
  const constant = makeRawConstant(8, 4, 200);
  function makeRawConstant(width: number, height: number, value: number): Raw {
    return { bytes: Buffer.alloc(width * height, value), width, height, channels: 1 };
  }

  it('resizes to width x height; a constant image stays constant', async () => {
    const bytes = await encoder(constant).png().toBuffer();
    for (const [width, height] of [[4, 4], [28, 28], [3, 7], [1, 1]]) {
      const tensor = await loadImage(bytes, { width, height });
      expect(tensor.shape).toEqual([height, width, 1]);
      expect(tensor.data.every((v) => v === Math.fround(200 / 255)), `${width}x${height}`).toBe(true);
    }
  });

  it("fit 'contain' letterboxes with the background, 'cover' crops", async () => {
    const bytes = await encoder(constant).png().toBuffer();
    const contain = await loadImage(bytes, { width: 4, height: 4, fit: 'contain' });
    const v = Math.fround(200 / 255);
    expect(Array.from(contain.data)).toEqual([0, 0, 0, 0, v, v, v, v, v, v, v, v, 0, 0, 0, 0]);
    const containInverted = await loadImage(bytes, { width: 4, height: 4, fit: 'contain', invert: true });
    const w = Math.fround(55 / 255);
    expect(Array.from(containInverted.data)).toEqual([0, 0, 0, 0, w, w, w, w, w, w, w, w, 0, 0, 0, 0]);
    const cover = await loadImage(bytes, { width: 4, height: 4, fit: 'cover' });
    expect(cover.data.every((x) => x === v)).toBe(true);
  });

  it('one side given keeps the aspect ratio', async () => {
    const bytes = await encoder(constant).png().toBuffer();
    expect((await loadImage(bytes, { width: 4 })).shape).toEqual([2, 4, 1]);
    expect((await loadImage(bytes, { height: 8 })).shape).toEqual([8, 16, 1]);
  });

  it('applies the EXIF orientation', async () => {
    const bytes = await sharp(Buffer.alloc(4 * 2 * 3, 90), { raw: { width: 4, height: 2, channels: 3 } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    expect((await loadImage(bytes)).shape).toEqual([4, 2, 1]);
  });
});

describe('loadImages', () => {
  it('stacks same-size images in order, each equal to loadImage', async () => {
    const second = await write('rgb-2.png', makeRaw(6, 9, 3, true), 'png');
    const batch = await loadImages([files.rgbPng, second, files.rgbWebpLossless, second, files.rgbPng], { channels: 3 });
    expect(batch.shape).toEqual([5, 9, 6, 3]);
    const single = [await loadImage(files.rgbPng, { channels: 3 }), await loadImage(second, { channels: 3 })];
    const order = [0, 1, 0, 1, 0];
    order.forEach((which, n) => {
      expect(Array.from(batch.data.subarray(n * 162, (n + 1) * 162)), `image ${n}`).toEqual(Array.from(single[which].data));
    });
  });

  it('differing sizes: an error naming both, unless a size is given', async () => {
    await expectFaltung(loadImages([files.rgbPng, files.grayPng]), 'FALTUNG_IMAGE_SIZE_MISMATCH', `${files.rgbPng} is 6x9`, `${files.grayPng} is 7x5`, 'options.width');
    const resized = await data.loadImages([files.rgbPng, files.grayPng, files.smoothJpeg], { width: 28, height: 28, invert: true });
    expect(resized.shape).toEqual([3, 28, 28, 1]);
    expect(resized.data.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('reports the bad one among many by name', async () => {
    const missing = path.join(dir, 'missing.png');
    await expectFaltung(loadImages([files.rgbPng, missing], { channels: 3 }), 'FALTUNG_FILE_NOT_FOUND', missing);
    await expectFaltung(loadImages([files.rgbPng, Buffer.from('nope')]), 'FALTUNG_BAD_IMAGE', 'sources[1] (a 4-byte buffer)');
  });
});

describe('loadImage: bad files and bad arguments', () => {
  it('missing files and folders', async () => {
    const missing = path.join(dir, 'nothing-here.png');
    await expectFaltung(loadImage(missing), 'FALTUNG_FILE_NOT_FOUND', `Image file not found: ${missing}`);
    await expectFaltung(loadImage(dir), 'FALTUNG_FILE_NOT_FOUND', dir);
  });

  it('corrupt, truncated and non-image files name the file', async () => {
    const png = await encoder(rgb).png().toBuffer();
    const jpeg = await encoder(makeRaw(64, 64, 3)).jpeg().toBuffer();
    const cases: [string, Uint8Array][] = [
      ['text.png', Buffer.from('this is not an image at all')],
      ['cut.png', png.subarray(0, png.length >> 1)],
      ['cut.jpg', jpeg.subarray(0, jpeg.length >> 1)],
      ['empty.png', Buffer.alloc(0)],
    ];
    for (const [name, bytes] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      await expectFaltung(loadImage(file), 'FALTUNG_BAD_IMAGE', `Bad image ${file}:`);
    }
    await expectFaltung(loadImage(Buffer.from('garbage!')), 'FALTUNG_BAD_IMAGE', '(a 8-byte buffer)');
  });

  it('other formats are refused by name', async () => {
    const gif = path.join(dir, 'image.gif');
    writeFileSync(gif, await encoder(rgb).gif().toBuffer());
    await expectFaltung(loadImage(gif), 'FALTUNG_BAD_IMAGE', gif, "unsupported format 'gif'; expected PNG, JPEG or WebP");
    const tiff = path.join(dir, 'image.tiff');
    writeFileSync(tiff, await encoder(rgb).tiff().toBuffer());
    await expectFaltung(loadImage(tiff), 'FALTUNG_BAD_IMAGE', "unsupported format 'tiff'");
  });

  it('bad options and sources are TypeError/RangeError naming the parameter', async () => {
    const file = files.grayPng;
    const cases: [unknown, unknown, typeof TypeError | typeof RangeError, RegExp][] = [
      [42, {}, TypeError, /file path string or a Buffer\/Uint8Array of PNG, JPEG or WebP bytes for source/],
      ['', {}, RangeError, /for source/],
      [new Uint8Array(0), {}, RangeError, /non-empty buffer/],
      [new Float32Array(4), {}, TypeError, /for source/],
      [file, 'gray', TypeError, /options object for options/],
      [file, { channels: 2 }, RangeError, /1, 3 or 4 for options.channels but received 2/],
      [file, { channels: '1' }, TypeError, /options.channels/],
      [file, { width: 0 }, RangeError, /options.width/],
      [file, { width: 1.5 }, RangeError, /options.width/],
      [file, { height: 20_000 }, RangeError, /\[1, 16383\] for options.height/],
      [file, { height: NaN }, RangeError, /options.height/],
      [file, { fit: 'stretch' }, RangeError, /'fill', 'contain', 'cover' for options.fit/],
      [file, { invert: 1 }, TypeError, /boolean for options.invert/],
      [file, { chanels: 3 }, TypeError, /Unknown option options.chanels; expected only width, height, channels, fit, invert/],
    ];
    for (const [source, options, kind, message] of cases) {
      await expect(loadImage(source as never, options as never), String(message)).rejects.toThrow(kind);
      await expect(loadImage(source as never, options as never), String(message)).rejects.toThrow(message);
    }
    await expect(loadImages(file as never)).rejects.toThrow(/array of file paths or image buffers for sources/);
    await expect(loadImages([])).rejects.toThrow(/at least one image for sources/);
    await expect(loadImages([file, 7 as never])).rejects.toThrow(/for sources\[1\]/);
    await expect(loadImages([file], { channels: 5 as never })).rejects.toThrow(RangeError);
  });
});
