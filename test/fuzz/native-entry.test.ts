// Fuzzes every function the addon exports and the Network class (test/fuzz/native-child.js) in a
// child process: it must exit by itself, and every refusal must be a TypeError, RangeError or
// FaltungError with a message. FALTUNG_FUZZ_BUDGET multiplies the input counts, FALTUNG_FUZZ_SEED
// changes the seed.
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native';
import { expectCleanFuzzRun, fuzzMultiplier } from './run-child';

const TIMEOUT_MS = 120_000 * Math.max(1, fuzzMultiplier);

describe('fuzzing the native boundary', () => {
  it('survives seeded valid, edge, mutated and random calls of every export with only clean refusals', async () => {
    const report = await expectCleanFuzzRun('native-child.js', TIMEOUT_MS);
    // Every export was reached, and each ended both ways at least once.
    expect(report.exported).toEqual(Object.keys(native));
    for (const name of Object.keys(native)) {
      const outcomes = report.cases[name] ?? {};
      expect(Object.keys(outcomes).length, `${name}: ${JSON.stringify(outcomes)}`).toBeGreaterThan(0);
      if (!name.startsWith('set')) expect(outcomes.accepted ?? 0, `${name} never accepted an input`).toBeGreaterThan(0);
    }
    // Async jobs whose arrays were detached or shrunk meanwhile were exercised (and survived).
    expect(Object.keys(report.cases).filter((c) => c.startsWith('hostile.')).length).toBeGreaterThan(5);
  }, TIMEOUT_MS + 10_000);
});
