// The house comparison: |actual - expected| <= max(atol, rtol * |expected|) element-wise; a failure
// names the first mismatching indices, the sizes and a context string (shape, ISA, threads).
import { expect } from 'vitest';

export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  context: string,
  atol = 1e-5,
  rtol = 1e-4,
): void {
  expect(actual.length, `${context}: length`).toBe(expected.length);
  const mismatches: string[] = [];
  let count = 0;
  for (let i = 0; i < expected.length; ++i) {
    const tolerance = Math.max(atol, rtol * Math.abs(expected[i]));
    const error = Math.abs(actual[i] - expected[i]);
    if (!(error <= tolerance)) {
      count += 1;
      if (mismatches.length < 5) mismatches.push(`[${i}] got ${actual[i]}, expected ${expected[i]} (tol ${tolerance.toExponential(2)})`);
    }
  }
  if (count > 0) {
    throw new Error(`${context}: ${count} of ${expected.length} values differ:\n  ${mismatches.join('\n  ')}`);
  }
}

/** Runs `body` once per ISA path the machine supports, restoring the best one afterwards. */
export function forEachIsa(fg: { backendInfo(): { supportedIsas: string[]; bestIsa: string }; setIsa(isa: never): void }, body: (isa: string) => void): void {
  const info = fg.backendInfo();
  try {
    for (const isa of info.supportedIsas) {
      fg.setIsa(isa as never);
      body(isa);
    }
  } finally {
    fg.setIsa(info.bestIsa as never);
  }
}
