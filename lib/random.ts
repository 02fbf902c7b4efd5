// Seeded pseudo-random numbers (xoshiro128**, seeded through splitmix32) and the one global
// generator that weight initialization, shuffling and native dropout seeds draw from.
// Not cryptographic, and deliberately never Math.random: every draw reproduces from fg.setSeed(n).
import { randomBytes } from 'node:crypto';
import { checkInteger, invalidRange, invalidType } from './validate';

const TWO_POW_32 = 4294967296;

/** splitmix32 step: a bijective mix of `state + k * golden`, used only to spread a seed over the state. */
function splitmix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function checkSeed(name: string, seed: unknown): number {
  if (typeof seed !== 'number') throw invalidType(name, 'a safe integer', seed);
  if (!Number.isSafeInteger(seed)) throw invalidRange(name, 'a safe integer', seed);
  return seed;
}

/** A generator's complete state, for checkpoints: restore it with setState to continue the sequence. */
export interface RandomState {
  /** xoshiro128** words s0..s3 as unsigned 32-bit integers (not all zero). */
  readonly words: readonly [number, number, number, number];
  /** The cached second normal() value, or null. */
  readonly spare: number | null;
  /** The seed the sequence started from (informational). */
  readonly seed: number;
}

/**
 * A seeded generator. Same seed, same sequence: the integer stream is exact 32-bit arithmetic
 * (Math.imul, shifts) everywhere; normal() adds Math.log and Math.sqrt, which V8 computes with its own
 * portable code, so it matches across machines running the same Node version.
 */
export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare = 0;
  private hasSpare = false;
  private seedValue = 0;

  /** `seed`: any safe integer (negative ones included); all 53 bits matter. */
  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Restarts the sequence from `seed`, in place (holders of this object see the new sequence). */
  reseed(seed: number): void {
    checkSeed('seed', seed);
    const low = seed >>> 0;
    const high = Math.floor(seed / TWO_POW_32) >>> 0;
    const golden = 0x9e3779b9;
    // Two words from each half of the seed: splitmix32 is a bijection for a fixed counter, so
    // distinct seeds give distinct states.
    this.s0 = splitmix32(low + golden);
    this.s1 = splitmix32(low + 2 * golden);
    this.s2 = splitmix32(high + 3 * golden);
    this.s3 = splitmix32(high + 4 * golden);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the one state xoshiro cannot leave
    this.hasSpare = false;
    this.seedValue = seed;
    for (let i = 0; i < 8; ++i) this.nextUint32(); // let the first outputs of nearby seeds decorrelate
  }

  /** The seed this generator was last (re)started from. */
  get seed(): number {
    return this.seedValue;
  }

  getState(): RandomState {
    return {
      words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
      spare: this.hasSpare ? this.spare : null,
      seed: this.seedValue,
    };
  }

  setState(state: RandomState): void {
    if (typeof state !== 'object' || state === null || !Array.isArray(state.words) || state.words.length !== 4) {
      throw invalidType('state', 'a RandomState { words: [4 uint32], spare, seed }', state);
    }
    const words = state.words.map((word, index) => checkInteger(`state.words[${index}]`, word, 0, TWO_POW_32 - 1));
    if (words.every((word) => word === 0)) throw invalidRange('state.words', 'not all zero', 0);
    if (state.spare !== null && !(typeof state.spare === 'number' && Number.isFinite(state.spare))) {
      throw invalidType('state.spare', 'a finite number or null', state.spare);
    }
    const seed = checkSeed('state.seed', state.seed);
    [this.s0, this.s1, this.s2, this.s3] = words;
    this.hasSpare = state.spare !== null;
    this.spare = state.spare ?? 0;
    this.seedValue = seed;
  }

  /** Uniform 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [low, high) with 32 bits of resolution; [0, 1) by default. */
  uniform(low = 0, high = 1): number {
    const u = this.nextUint32() / TWO_POW_32;
    return low === 0 && high === 1 ? u : low + (high - low) * u;
  }

  /** Normal(mean, std) by Marsaglia's polar method; the second value of each pair is cached. */
  normal(mean = 0, std = 1): number {
    let z: number;
    if (this.hasSpare) {
      this.hasSpare = false;
      z = this.spare;
    } else {
      let u: number;
      let v: number;
      let s: number;
      do {
        u = 2 * this.uniform() - 1;
        v = 2 * this.uniform() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const factor = Math.sqrt((-2 * Math.log(s)) / s);
      this.spare = v * factor;
      this.hasSpare = true;
      z = u * factor;
    }
    return mean + std * z;
  }

  /** Uniform integer in [0, n), unbiased (rejection), for 1 <= n <= 2^32. */
  int(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n <= TWO_POW_32)) checkInteger('n', n, 1, TWO_POW_32);
    // Largest multiple of n that fits in 2^32: draws at or above it would favour small results.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let draw = this.nextUint32();
    while (draw >= limit) draw = this.nextUint32();
    return draw % n;
  }

  /**
   * A fresh 32-bit seed drawn from this sequence: for a child generator or a native kernel
   * (dropout masks) that needs its own reproducible stream.
   */
  nextSeed(): number {
    return this.nextUint32();
  }

  /** A child generator seeded from this one (advances this sequence by one draw). */
  fork(): Random {
    return new Random(this.nextSeed());
  }
}

function rotl(value: number, shift: number): number {
  return (value << shift) | (value >>> (32 - shift));
}

/** Seeded from the OS until setSeed is called, so unseeded runs differ as users expect. */
const globalGenerator = new Random(randomBytes(4).readUInt32LE(0));

/** How many times setSeed has run: a model's private stream is redrawn when this changes. */
let seedGenerationValue = 0;

/** fg.setSeed(n): makes initialization, shuffling and dropout reproducible from here on. */
export function setSeed(seed: number): void {
  globalGenerator.reseed(checkSeed('seed', seed));
  seedGenerationValue += 1;
}

/** Counts setSeed calls (models compare it to know whether their stream predates the last one). */
export function seedGeneration(): number {
  return seedGenerationValue;
}

/** The seed of the global generator: the last setSeed value, or the OS-drawn one. */
export function getSeed(): number {
  return globalGenerator.seed;
}

/** The global generator. The same object for the life of the process: setSeed reseeds it in place. */
export function globalRandom(): Random {
  return globalGenerator;
}

/** A 32-bit child seed from the global generator (for native dropout and other private streams). */
export function nextSeed(): number {
  return globalGenerator.nextSeed();
}

/** Checks that `value` can serve as a random source (has int()), for functions that accept one. */
export function checkRandom(name: string, value: unknown): Pick<Random, 'int'> {
  if (typeof value !== 'object' || value === null || typeof (value as { int?: unknown }).int !== 'function') {
    throw invalidType(name, 'a Random (an object with int(n))', value);
  }
  return value as Pick<Random, 'int'>;
}
