// The seeded generator: xoshiro128** known answers (from the reference C code), reproducibility,
// distribution sanity of uniform/normal/int at 5-sigma tolerances, global seeding, bad inputs.
import { describe, expect, it } from 'vitest';
import { Random, getSeed, globalRandom, nextSeed, setSeed } from '../lib/random';

const DRAWS = 100_000;

function state(words: [number, number, number, number]) {
  return { words, spare: null, seed: 0 };
}

describe('Random: the xoshiro128** stream', () => {
  it('matches the reference implementation from state {1, 2, 3, 4}', () => {
    const random = new Random(0);
    random.setState(state([1, 2, 3, 4]));
    const expected = [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804, 337829053, 2142557243];
    expect(Array.from({ length: expected.length }, () => random.nextUint32())).toEqual(expected);
  });

  it('matches the reference after 1000 draws from high-bit words', () => {
    const random = new Random(0);
    random.setState(state([0x9e3779b9, 0xdeadbeef, 0x01234567, 0xfedcba98]));
    for (let i = 0; i < 1000; ++i) random.nextUint32();
    expect([random.nextUint32(), random.nextUint32()]).toEqual([568656337, 2414004550]);
  });
});

describe('Random: reproducibility', () => {
  const drawMixed = (random: Random): number[] => {
    const out: number[] = [];
    for (let i = 0; i < 300; ++i) out.push(random.uniform(), random.normal(), random.int(1000), random.normal(2, 3));
    return out;
  };

  it('same seed, same sequence; different seeds differ', () => {
    expect(drawMixed(new Random(42))).toEqual(drawMixed(new Random(42)));
    expect(drawMixed(new Random(42))).not.toEqual(drawMixed(new Random(43)));
    // All 53 bits of the seed matter, and negative seeds are distinct from positive ones.
    const high = 2 ** 40 + 5;
    expect(drawMixed(new Random(high))).not.toEqual(drawMixed(new Random(5)));
    expect(drawMixed(new Random(-5))).not.toEqual(drawMixed(new Random(5)));
    expect(drawMixed(new Random(Number.MAX_SAFE_INTEGER))).toEqual(drawMixed(new Random(Number.MAX_SAFE_INTEGER)));
  });

  it('reseed restarts in place, getState/setState resume mid-sequence (spare normal included)', () => {
    const random = new Random(7);
    const first = drawMixed(random);
    random.reseed(7);
    expect(drawMixed(random)).toEqual(first);
    expect(random.seed).toBe(7);

    random.normal(); // leaves a cached spare
    const saved = random.getState();
    expect(saved.spare).not.toBeNull();
    const continued = drawMixed(random);
    const restored = new Random(999);
    restored.setState(saved);
    expect(drawMixed(restored)).toEqual(continued);
  });

  it('fork and nextSeed derive reproducible child streams', () => {
    const a = new Random(3);
    const b = new Random(3);
    expect(a.nextSeed()).toBe(b.nextSeed());
    const childA = a.fork();
    const childB = b.fork();
    expect(drawMixed(childA)).toEqual(drawMixed(childB));
    expect(drawMixed(a.fork())).not.toEqual(drawMixed(a.fork()));
  });

  it('setSeed makes the global generator reproducible and keeps its identity', () => {
    const global = globalRandom();
    setSeed(1234);
    expect(getSeed()).toBe(1234);
    const first = [global.uniform(), global.normal(), nextSeed(), globalRandom().int(50)];
    setSeed(1234);
    expect(globalRandom()).toBe(global);
    expect([global.uniform(), global.normal(), nextSeed(), globalRandom().int(50)]).toEqual(first);
    setSeed(1235);
    expect(global.uniform()).not.toBe(first[0]);
  });
});

describe('Random: distributions', () => {
  it('uniform() is in [0, 1) with mean 1/2 and variance 1/12', () => {
    const random = new Random(11);
    let sum = 0;
    let sumSquares = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < DRAWS; ++i) {
      const u = random.uniform();
      sum += u;
      sumSquares += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    const mean = sum / DRAWS;
    const variance = sumSquares / DRAWS - mean * mean;
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / DRAWS));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
    const scaled = new Random(11).uniform(-3, 5);
    expect(scaled).toBeCloseTo(-3 + 8 * new Random(11).uniform(), 12);
  });

  it('normal() has the moments and the 1/2/3-sigma masses of N(0, 1)', () => {
    const random = new Random(12);
    const n = DRAWS;
    let sum = 0;
    let m2 = 0;
    let m3 = 0;
    let m4 = 0;
    const within = [0, 0, 0];
    const values = new Float64Array(n);
    for (let i = 0; i < n; ++i) values[i] = random.normal();
    for (const z of values) sum += z;
    const mean = sum / n;
    for (const z of values) {
      const d = z - mean;
      m2 += d * d;
      m3 += d * d * d;
      m4 += d * d * d * d;
      for (let k = 0; k < 3; ++k) if (Math.abs(z) < k + 1) within[k] += 1;
    }
    const variance = m2 / n;
    const skew = m3 / n / variance ** 1.5;
    const kurtosis = m4 / n / variance ** 2;
    // Standard errors at n = 1e5: mean 0.0032, variance 0.0045, skew 0.0077, kurtosis 0.015.
    expect(Math.abs(mean)).toBeLessThan(0.016);
    expect(Math.abs(variance - 1)).toBeLessThan(0.023);
    expect(Math.abs(skew)).toBeLessThan(0.04);
    expect(Math.abs(kurtosis - 3)).toBeLessThan(0.08);
    const masses = [0.682689, 0.954500, 0.997300];
    within.forEach((count, k) => {
      const p = masses[k];
      expect(Math.abs(count / n - p), `mass within ${k + 1} sigma`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    });
  });

  it('normal(mean, std) scales and shifts', () => {
    const random = new Random(13);
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < DRAWS; ++i) {
      const x = random.normal(10, 0.5);
      sum += x;
      sumSquares += x * x;
    }
    const mean = sum / DRAWS;
    expect(Math.abs(mean - 10)).toBeLessThan(5 * 0.5 / Math.sqrt(DRAWS));
    expect(Math.abs(Math.sqrt(sumSquares / DRAWS - mean * mean) - 0.5)).toBeLessThan(0.01);
  });

  it('int(n) is uniform over [0, n) (chi-square, 10 bins)', () => {
    const random = new Random(14);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < DRAWS; ++i) {
      const k = random.int(10);
      expect(Number.isInteger(k) && k >= 0 && k < 10).toBe(true);
      counts[k] += 1;
    }
    const expected = DRAWS / 10;
    const chiSquare = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(33.7); // 9 degrees of freedom: p = 1e-4
    expect(new Random(1).int(1)).toBe(0);
  });

  it('int(n) has no modulo bias for n near 2^32', () => {
    // n = 3 * 2^30: a plain `draw % n` returns values below 2^30 with probability 1/2, not 1/3.
    const n = 3 * 2 ** 30;
    const random = new Random(15);
    let low = 0;
    const draws = 30_000;
    for (let i = 0; i < draws; ++i) if (random.int(n) < 2 ** 30) low += 1;
    expect(Math.abs(low / draws - 1 / 3)).toBeLessThan(5 * Math.sqrt((1 / 3) * (2 / 3) / draws));
    const top = new Random(16).int(2 ** 32);
    expect(top >= 0 && top < 2 ** 32).toBe(true);
  });
});

describe('Random: bad inputs', () => {
  const badSeeds: [unknown, typeof TypeError | typeof RangeError][] = [
    ['1', TypeError], [null, TypeError], [undefined, TypeError], [1.5, RangeError], [NaN, RangeError],
    [Infinity, RangeError], [2 ** 53, RangeError], [-(2 ** 53), RangeError],
  ];
  for (const [seed, kind] of badSeeds) {
    it(`rejects seed ${String(seed)}`, () => {
      expect(() => new Random(seed as number)).toThrow(kind);
      expect(() => setSeed(seed as number)).toThrow(kind);
      expect(() => setSeed(seed as number)).toThrow(/seed/);
    });
  }

  it('rejects int(n) outside [1, 2^32] with a message naming n', () => {
    const random = new Random(1);
    for (const n of [0, -1, 1.5, NaN, 2 ** 32 + 1, Infinity]) expect(() => random.int(n)).toThrow(RangeError);
    expect(() => random.int('3' as unknown as number)).toThrow(TypeError);
    expect(() => random.int(0)).toThrow(/for n but received 0/);
  });

  it('rejects malformed states', () => {
    const random = new Random(1);
    expect(() => random.setState(null as never)).toThrow(TypeError);
    expect(() => random.setState({ words: [1, 2, 3], spare: null, seed: 0 } as never)).toThrow(TypeError);
    expect(() => random.setState(state([0, 0, 0, 0]))).toThrow(/not all zero/);
    expect(() => random.setState(state([1, 2, 3, 2 ** 32]))).toThrow(/state.words\[3\]/);
    expect(() => random.setState({ words: [1, 2, 3, 4], spare: NaN, seed: 0 })).toThrow(/state.spare/);
  });
});
