// Raw signatures of the native output-pool group (native/binding/output_pool.cc). Only
// lib/ops/output.ts allocates through it; the stats, limits and poison switch are internal (tests and
// benchmarks), not public API.

export interface OutputPoolStats {
  /** Bytes kept on the free lists for reuse. */
  freeBytes: number;
  /** Bytes of pooled arrays not yet collected and returned. */
  outstandingBytes: number;
  freeBlocks: number;
  /** Allocations served from a free list (pages already touched). */
  hits: number;
  /** Allocations that took a new block. */
  misses: number;
  /** Allocations the pool refused (outstanding cap, memory short): they got ordinary V8 memory. */
  refused: number;
  /** Bytes of new blocks since the last return: a stretch of synchronous code shows here. */
  growthSinceRelease: number;
  maxFreeBytes: number;
  maxOutstandingBytes: number;
  /** Past this much growth without a return, the pool refuses (one new block is always allowed). */
  maxGrowthBytes: number;
}

export interface OutputPoolBindings {
  /**
   * A Float32Array of `length` (an integer in [0, 2^31 - 1]) over pooled, 64-byte-aligned memory,
   * marked untransferable, or over ordinary V8 memory when the pool refuses. zeroed: all zeros;
   * otherwise contents unspecified (NaN with the poison switch on).
   */
  allocateOutput(length: number, zeroed: boolean): Float32Array;
  outputPoolStats(): OutputPoolStats;
  /** Caps in bytes, integers in [0, 2^53 - 1]; free blocks over the new free cap are freed now. */
  setOutputPoolLimits(maxFreeBytes: number, maxOutstandingBytes: number, maxGrowthBytes: number): void;
  /** Tests: fill every output not asked to be zeroed with NaN. */
  setOutputPoolPoison(on: boolean): void;
}
