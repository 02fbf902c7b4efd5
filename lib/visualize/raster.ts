// An RGB pixel buffer and the few drawing operations the pictures need (rectangles and blocks of
// colour). Pure: no files, no sharp, no text (labels are overlaid when the PNG is written).
import { checkInteger } from '../validate';

/** Red, green, blue, each an integer 0..255. */
export type Rgb = readonly [number, number, number];

/** width x height pixels, 3 bytes each (R, G, B), row by row from the top left. */
export interface Raster {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/** sharp's limit on each side of an image. */
export const MAX_SIDE = 16383;

export function createRaster(width: number, height: number, background: Rgb): Raster {
  checkInteger('width', width, 1, MAX_SIDE);
  checkInteger('height', height, 1, MAX_SIDE);
  const raster = { width, height, pixels: new Uint8Array(width * height * 3) };
  fillRect(raster, 0, 0, width, height, background);
  return raster;
}

/** Fills the rectangle [x, x+w) x [y, y+h), clipped to the raster. */
export function fillRect(raster: Raster, x: number, y: number, w: number, h: number, color: Rgb): void {
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(raster.width, x + w);
  const y1 = Math.min(raster.height, y + h);
  for (let row = y0; row < y1; ++row) {
    for (let col = x0; col < x1; ++col) {
      const offset = (row * raster.width + col) * 3;
      raster.pixels[offset] = color[0];
      raster.pixels[offset + 1] = color[1];
      raster.pixels[offset + 2] = color[2];
    }
  }
}

/**
 * Draws a rows x cols tile whose cell (r, c) is a `pixelScale` x `pixelScale` block of
 * colorAt(r, c), with its top left corner at (left, top).
 */
export function drawTile(raster: Raster, left: number, top: number, rows: number, cols: number, pixelScale: number,
  colorAt: (row: number, col: number) => Rgb): void {
  for (let r = 0; r < rows; ++r) {
    for (let c = 0; c < cols; ++c) {
      fillRect(raster, left + c * pixelScale, top + r * pixelScale, pixelScale, pixelScale, colorAt(r, c));
    }
  }
}

/** The colour at (x, y). */
export function pixelAt(raster: Raster, x: number, y: number): Rgb {
  const offset = (y * raster.width + x) * 3;
  return [raster.pixels[offset], raster.pixels[offset + 1], raster.pixels[offset + 2]];
}
