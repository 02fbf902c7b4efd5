// Fuzzes fg.loadModel (test/fuzz/model-loader-child.js, in a child process): corrupted model.json
// (as JSON and as bytes), manifests claiming terabytes or naming other files, cut and flipped
// weights files. Every refusal must be a clean error, accepted models must predict, and nothing may
// allocate what the files only claim.
import { describe, expect, it } from 'vitest';
import { expectCleanFuzzRun, fuzzMultiplier } from './run-child';

const TIMEOUT_MS = 120_000 * Math.max(1, fuzzMultiplier);

describe('fuzzing the model loader', () => {
  it('refuses every corrupt saved model cleanly and loads the rest into working models', async () => {
    const report = await expectCleanFuzzRun('model-loader-child.js', TIMEOUT_MS);
    expect(report.cases.unchanged?.accepted ?? 0).toBeGreaterThan(0);
    expect(report.cases.manifest?.FaltungError ?? 0).toBeGreaterThan(0);
  }, TIMEOUT_MS + 10_000);
});
