// Colour maps of the pictures: the diverging map (negative blue, zero white, positive red) used for
// weights and feature maps, with the exact formula documented so tests and readers can invert it.
// Deliberately linear and without gamma: the picture says which values are large, not how they look.
import type { Rgb } from './raster';

/** Shown for NaN (which a trained network should never hold): black, distinct from every map colour. */
export const NAN_COLOR: Rgb = [0, 0, 0];

/**
 * Colour of `value` on a symmetric scale [-scale, scale]:
 * t = clamp(value / scale, -1, 1), level = round(255 * (1 - |t|));
 * t >= 0 gives (255, level, level) (white to red), t < 0 gives (level, level, 255) (white to blue).
 * A scale of 0 (all values zero) maps everything to white.
 */
export function divergingColor(value: number, scale: number): Rgb {
  if (Number.isNaN(value)) return NAN_COLOR;
  const t = scale > 0 ? Math.max(-1, Math.min(1, value / scale)) : 0;
  const level = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? [255, level, level] : [level, level, 255];
}

/** The symmetric scale of a set of values: the largest |value| (NaN ignored), 0 when empty. */
export function symmetricScale(values: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < values.length; ++i) {
    const magnitude = Math.abs(values[i]);
    if (magnitude > scale) scale = magnitude;
  }
  return scale;
}

/**
 * An RGB filter shown as a colour image (3 input channels): each channel value is
 * round(127.5 + 127.5 * clamp(w / scale, -1, 1)), so zero is mid grey.
 */
export function centeredChannel(value: number, scale: number): number {
  if (Number.isNaN(value)) return 0;
  const t = scale > 0 ? Math.max(-1, Math.min(1, value / scale)) : 0;
  return Math.round(127.5 + 127.5 * t);
}
