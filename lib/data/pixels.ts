// Byte pixels to float32 in [0, 1] through a 256-entry table: exactly byte / 255 rounded once, and
// one typed-array loop with no per-pixel calls. No gamma or colour handling: that is sharp's job.

/** UNIT[b] = b / 255 (rounded to float32 once); UNIT_INVERTED[b] = (255 - b) / 255. */
const UNIT = new Float32Array(256);
const UNIT_INVERTED = new Float32Array(256);
for (let b = 0; b < 256; ++b) {
  UNIT[b] = b / 255;
  UNIT_INVERTED[b] = (255 - b) / 255;
}

/** Writes bytes[i] / 255 (or 1 - that, when `invert`) to target[offset + i]. */
export function bytesToUnit(bytes: Uint8Array, target: Float32Array, offset = 0, invert = false): void {
  const table = invert ? UNIT_INVERTED : UNIT;
  const count = bytes.length;
  for (let i = 0; i < count; ++i) target[offset + i] = table[bytes[i]];
}
