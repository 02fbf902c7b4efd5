// Reference Philox4x32-10 (Salmon et al., SC'11; Random123's philox.h) in plain JavaScript integer
// arithmetic, and the dropout mask it implies (native/kernels/dropout.h), for lib/ops/dropout.ts.

/** [hi, lo] of the 64-bit product of two uint32, exact (16-bit limbs). */
function mulhilo32(a: number, b: number): [number, number] {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const loLo = aLo * bLo;
  const hiLo = aHi * bLo;
  const loHi = aLo * bHi;
  const middle = (loLo >>> 16) + (hiLo & 0xffff) + (loHi & 0xffff);
  const hi = (aHi * bHi + (hiLo >>> 16) + (loHi >>> 16) + Math.floor(middle / 65536)) >>> 0;
  return [hi, Math.imul(a, b) >>> 0];
}

export function philox4x32_10(counter: readonly number[], key: readonly number[]): number[] {
  let [c0, c1, c2, c3] = counter.map((v) => v >>> 0);
  let [k0, k1] = key.map((v) => v >>> 0);
  for (let round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 = (k0 + 0x9e3779b9) >>> 0;
      k1 = (k1 + 0xbb67ae85) >>> 0;
    }
    const [hi0, lo0] = mulhilo32(0xd2511f53, c0);
    const [hi1, lo1] = mulhilo32(0xcd9e8d57, c2);
    const next0 = (hi1 ^ c1 ^ k0) >>> 0;
    const next2 = (hi0 ^ c3 ^ k1) >>> 0;
    c1 = lo1;
    c3 = lo0;
    c0 = next0;
    c2 = next2;
  }
  return [c0, c1, c2, c3];
}

/** mask[i] = 1 / (1 - rate) (rounded to float32) if element i is kept, else 0. seed < 2^53. */
export function dropoutMask64(count: number, rate: number, seed: number): Float64Array {
  const threshold = Math.floor(rate * 4294967296);
  const scale = Math.fround(1 / (1 - rate));
  const key = [seed % 4294967296, Math.floor(seed / 4294967296)];
  const mask = new Float64Array(count);
  for (let block = 0; block * 4 < count; ++block) {
    const words = philox4x32_10([block % 4294967296, Math.floor(block / 4294967296), 0, 0], key);
    for (let lane = 0; lane < 4 && block * 4 + lane < count; ++lane) {
      mask[block * 4 + lane] = words[lane] >= threshold ? scale : 0;
    }
  }
  return mask;
}
