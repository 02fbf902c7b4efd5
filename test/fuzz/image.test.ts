// Fuzzes fg.data.loadImage / loadImages (test/fuzz/image-child.js, in a child process: sharp is
// native code): corrupted and truncated PNG/JPEG/WebP, other formats, random bytes, and headers
// claiming up to 2^32-1 pixels a side, with random options. Clean refusals only, nothing decoded
// from an absurd header, and accepted images in [0, 1] with the asked-for shape.
import { describe, expect, it } from 'vitest';
import { expectCleanFuzzRun, fuzzMultiplier } from './run-child';

const TIMEOUT_MS = 120_000 * Math.max(1, fuzzMultiplier);

describe('fuzzing image loading', () => {
  it('refuses corrupt, unsupported and absurdly sized images cleanly', async () => {
    const report = await expectCleanFuzzRun('image-child.js', TIMEOUT_MS);
    expect(report.cases['huge header']?.accepted ?? 0).toBe(0);
    expect(report.cases.valid?.accepted ?? 0).toBeGreaterThan(0);
  }, TIMEOUT_MS + 10_000);
});
