// Where the ops' output arrays come from: large ones from the native output pool (memory reused, its
// pages already touched, so no page faults per call), small ones from V8 (glibc serves those from
// its heap anyway). Deliberately the one place that decides; no op calls `new Float32Array` itself.
import { native } from '../native';

/**
 * Outputs of fewer bytes skip the pool: glibc gives allocations below its mmap threshold (128 KiB
 * by default, adaptive above) heap memory that is already touched, and a native call would cost more
 * than it saves.
 */
const MIN_POOLED_BYTES = 64 * 1024;
/** FALTUNG_OUTPUT_POOL=0 turns the pool off (read once, when faltung loads). */
const poolEnabled = process.env.FALTUNG_OUTPUT_POOL !== '0';

let minPooledElements = MIN_POOLED_BYTES / Float32Array.BYTES_PER_ELEMENT;

/** An output of `count` floats whose contents are unspecified: only for kernels that write every element. */
export function outputArray(count: number): Float32Array {
  return poolEnabled && count >= minPooledElements ? native.allocateOutput(count, false) : new Float32Array(count);
}

// No op needs a zeroed output today (the poison sweep in test/output-pool.test.ts shows every kernel
// writes all of its output); allocateOutput(count, true) gives one when an op does.

/**
 * Tests only (not exported from the package): with `on`, every output of any size goes through the
 * pool and those from outputArray are NaN-filled, so an op that leaves an element unwritten shows.
 */
export function setOutputPoisonForTests(on: boolean): void {
  native.setOutputPoolPoison(on);
  minPooledElements = on ? 0 : MIN_POOLED_BYTES / Float32Array.BYTES_PER_ELEMENT;
}

/** Whether FALTUNG_OUTPUT_POOL left the pool on. */
export function outputPoolEnabled(): boolean {
  return poolEnabled;
}
