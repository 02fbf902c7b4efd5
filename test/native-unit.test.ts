// Builds and runs the C++ unit tests of the kernels (native/tests/, every ISA this CPU runs) as
// part of the suite, through scripts/run-native-tests.js (plain CMake, separate build folder).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('native unit tests', () => {
  it('build with CMake and pass on every ISA path', () => {
    const result = spawnSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'run-native-tests.js')], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    const summary = output.match(/(\d+) passed, (\d+) failed/);
    if (result.status !== 0 || !summary) console.error(output.slice(-4000));
    expect(summary, 'closing line of the native test runner').not.toBeNull();
    expect(Number(summary![2])).toBe(0);
    expect(Number(summary![1])).toBeGreaterThan(0);
    expect(result.status).toBe(0);
  }, 600_000);
});
