// Runs one fuzz child process (test/fuzz/*-child.js, on the built dist/) and returns its JSON
// report, so a native crash or a hang kills only the child: the test then fails with the signal,
// the seed and the command that reproduces it. Deliberately no retries.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mutators = require('./mutators.js') as { baseSeed(): number; budgetMultiplier(): number };

export interface FuzzReport {
  target: string;
  seed: number;
  multiplier: number;
  tried: number;
  accepted: number;
  rejected: Record<string, number>;
  cases: Record<string, Record<string, number>>;
  checks: number;
  violations: { case: string; problem: string; input: string }[];
  violationsLeftOut?: number;
  exported?: string[];
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  report: FuzzReport | null;
  stderr: string;
  command: string;
}

const ROOT = path.join(__dirname, '..', '..');

/** The seed and budget multiplier every child gets (FALTUNG_FUZZ_SEED, FALTUNG_FUZZ_BUDGET). */
export const fuzzSeed = mutators.baseSeed();
export const fuzzMultiplier = mutators.budgetMultiplier();

/** Runs test/fuzz/<script> with the seed and multiplier; kills it after `timeoutMs` (a hang). */
export function runFuzzChild(script: string, timeoutMs: number, extraArgs: string[] = []): Promise<ChildResult> {
  const built = path.join(ROOT, 'dist', 'index.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run node scripts/ensure-built.js first`);
  const args = ['--expose-gc', path.join(__dirname, script), '--seed', String(fuzzSeed), '--multiplier', String(fuzzMultiplier), ...extraArgs];
  const command = `node ${args.map((a) => path.relative(ROOT, a) || a).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      let report: FuzzReport | null = null;
      try {
        report = JSON.parse(last) as FuzzReport;
      } catch {
        report = null;
      }
      resolve({ code, signal, report, stderr, command });
    });
  });
}

/** A failure message that says how to reproduce: the command, the exit, the stderr tail. */
export function describeFailure(result: ChildResult): string {
  const tail = result.stderr.trim().split('\n').slice(-12).join('\n');
  return `fuzz child ended with code ${result.code}, signal ${result.signal} (SIGKILL after the timeout means a hang).\n` +
    `Reproduce: ${result.command}\nstderr tail:\n${tail}`;
}

/** The violations as readable lines (each with the input that caused it). */
export function describeViolations(report: FuzzReport): string {
  const lines = report.violations.map((v) => `- [${v.case}] ${v.problem}\n    input: ${v.input}`);
  if (report.violationsLeftOut) lines.push(`(${report.violationsLeftOut} more left out)`);
  return `seed ${report.seed}, multiplier ${report.multiplier}:\n${lines.join('\n')}`;
}

/** One line for the test output: how many inputs this target tried and how they ended. */
export function summarize(report: FuzzReport): string {
  const rejected = Object.entries(report.rejected).map(([kind, n]) => `${kind} ${n}`).join(', ');
  return `fuzz ${report.target}: ${report.tried} inputs (seed ${report.seed}, x${report.multiplier}): ` +
    `${report.accepted} accepted, rejected: ${rejected || 'none'}; ${report.checks} result checks`;
}

/**
 * Runs a fuzz child and asserts what every target needs: it ended by itself with status 0, wrote a
 * report, found no violation and (when it reports one) stayed under 1 GiB. Returns the report.
 */
export async function expectCleanFuzzRun(script: string, timeoutMs: number): Promise<FuzzReport & { peakRssMiB?: number }> {
  const { expect } = await import('vitest');
  const result = await runFuzzChild(script, timeoutMs);
  expect(result.signal, describeFailure(result)).toBeNull();
  expect(result.code, describeFailure(result)).toBe(0);
  const report = result.report as (FuzzReport & { peakRssMiB?: number }) | null;
  expect(report, describeFailure(result)).not.toBeNull();
  const peak = report!.peakRssMiB;
  console.log(peak === undefined ? summarize(report!) : `${summarize(report!)}; peak RSS ${peak} MiB`);
  expect(report!.violations, describeViolations(report!)).toEqual([]);
  if (peak !== undefined) expect(peak).toBeLessThan(1024);
  return report!;
}
