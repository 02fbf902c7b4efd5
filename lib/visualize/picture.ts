// A picture is a pixel buffer plus text labels; this file turns one into PNG bytes with sharp,
// drawing the labels as an SVG overlay (libvips' librsvg, system fonts) so the pixels under the
// tiles stay exactly what the pure drawing code put there. No canvas, no font files of our own.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FaltungError } from '../errors';
import { invalidType } from '../validate';
import type { Raster } from './raster';

export interface TextLabel {
  /** Anchor point: x in pixels from the left. */
  x: number;
  /** Baseline in pixels from the top. */
  y: number;
  text: string;
  /** Font size in pixels (default 12). */
  size?: number;
  /** CSS colour (default '#000'). */
  color?: string;
  anchor?: 'start' | 'middle' | 'end';
  bold?: boolean;
}

export interface Picture {
  readonly raster: Raster;
  readonly labels: readonly TextLabel[];
}

export const FONT_FAMILY = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

/** Escapes the five XML special characters (labels hold layer names and user class names). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** The labels as one transparent SVG the size of the raster. */
export function labelsSvg(width: number, height: number, labels: readonly TextLabel[]): string {
  const texts = labels.map((label) =>
    `<text x="${label.x}" y="${label.y}" font-size="${label.size ?? 12}" fill="${escapeXml(label.color ?? '#000')}"` +
    ` text-anchor="${label.anchor ?? 'start'}"${label.bold ? ' font-weight="bold"' : ''}>${escapeXml(label.text)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${FONT_FAMILY}">${texts.join('')}</svg>`;
}

type Sharp = typeof import('sharp');
let sharpModule: Sharp | null = null;

/** sharp, loaded on first use (code that never draws never loads libvips). */
export function loadSharp(): Sharp {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  sharpModule ??= require('sharp') as Sharp;
  return sharpModule;
}

/** PNG bytes of the picture (RGB, 8 bits, lossless). */
export async function encodePng(picture: Picture): Promise<Buffer> {
  const { raster, labels } = picture;
  const sharp = loadSharp();
  let image = sharp(Buffer.from(raster.pixels.buffer, raster.pixels.byteOffset, raster.pixels.byteLength), {
    raw: { width: raster.width, height: raster.height, channels: 3 },
  });
  if (labels.length > 0) {
    image = image.composite([{ input: Buffer.from(labelsSvg(raster.width, raster.height, labels)), top: 0, left: 0 }]);
  }
  return image.removeAlpha().png().toBuffer();
}

/** The output path, checked: a non-empty string. */
export function checkOutputPath(name: string, file: unknown, extensions: readonly string[]): string {
  if (typeof file !== 'string' || file.length === 0) throw invalidType(name, `a non-empty file path ending in ${extensions.join(' or ')}`, file);
  return file;
}

/** Writes bytes to `file`, creating its folder; failures become FaltungError FALTUNG_WRITE_FAILED. */
export async function writeOutput(file: string, bytes: Buffer | string): Promise<void> {
  try {
    await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await fs.writeFile(file, bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FaltungError(`Could not write ${file}: ${reason}`, 'FALTUNG_WRITE_FAILED');
  }
}

/** Encodes and writes a picture as PNG. */
export async function writePicture(picture: Picture, file: string): Promise<void> {
  await writeOutput(file, await encodePng(picture));
}
