// Fuzzes fg.loadModel (test/fuzz/model-loader-child.js, in a child process): corrupted model.json
// (as JSON and as bytes), manifests claiming terabytes or naming other files, cut and flipped
// weights files. Every refusal must be a clean error, accepted models must predict, and nothing may
// allocate what the files only claim.
import { describe, expect, it } from 'vitest';
import { describeFailure, describeViolations, fuzzMultiplier, runFuzzChild, summarize } from './run-child';

const TIMEOUT_MS = 120_000 * Math.max(1, fuzzMultiplier);

describe('fuzzing the model loader', () => {
  it('refuses every corrupt saved model cleanly and loads the rest into working models', async () => {
    const result = await runFuzzChild('model-loader-child.js', TIMEOUT_MS);
    expect(result.signal, describeFailure(result)).toBeNull();
    expect(result.code, describeFailure(result)).toBe(0);
    const report = result.report!;
    expect(report, describeFailure(result)).not.toBeNull();
    console.log(`${summarize(report)}; peak RSS ${(report as unknown as { peakRssMiB: number }).peakRssMiB} MiB`);
    expect(report.violations, describeViolations(report)).toEqual([]);
    // Manifests claiming terabytes and topologies larger than their weights were refused unread.
    expect((report as unknown as { peakRssMiB: number }).peakRssMiB).toBeLessThan(1024);
    expect(report.cases.unchanged?.accepted ?? 0).toBeGreaterThan(0);
    expect(report.cases.manifest?.FaltungError ?? 0).toBeGreaterThan(0);
  }, TIMEOUT_MS + 10_000);
});
