// Small shared benchmark helpers: timing with a warm-up and a time budget, medians, GFLOP/s,
// aligned tables and a JSON results file. Deliberately no statistics beyond the median (and the
// spread, so a noisy run is visible); timings are wall-clock from process.hrtime.bigint().
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** Median of a non-empty array of numbers. */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Times `fn` (synchronous): `warmup` untimed calls, then at least `minRepeats` and at most
 * `maxRepeats` timed calls, stopping early once `budgetSeconds` of timed calls have run.
 * Returns { seconds: number[] (one per call), median, min, max }.
 */
function timeCalls(fn, { warmup = 1, minRepeats = 3, maxRepeats = 30, budgetSeconds = 1 } = {}) {
  for (let i = 0; i < warmup; ++i) fn();
  const seconds = [];
  let total = 0;
  while (seconds.length < maxRepeats && (seconds.length < minRepeats || total < budgetSeconds)) {
    const start = process.hrtime.bigint();
    fn();
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    seconds.push(elapsed);
    total += elapsed;
  }
  return { seconds, median: median(seconds), min: Math.min(...seconds), max: Math.max(...seconds) };
}

function sleepSeconds(seconds) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
}

function cpuTicks() {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, idle: idleTime, irq } = cpu.times;
    idle += idleTime;
    total += user + nice + sys + idleTime + irq;
  }
  return { idle, total };
}

/**
 * On a shared machine: blocks until the CPUs were at least `threshold` idle over one second
 * (other processes quiet), or `maxSeconds` passed. Returns the seconds waited.
 */
function waitForIdle({ threshold = 0.9, maxSeconds = 60 } = {}) {
  const start = Date.now();
  while ((Date.now() - start) / 1000 < maxSeconds) {
    const before = cpuTicks();
    sleepSeconds(1);
    const after = cpuTicks();
    const idle = (after.idle - before.idle) / Math.max(1, after.total - before.total);
    if (idle >= threshold) break;
  }
  return (Date.now() - start) / 1000;
}

/** GFLOP/s for `flops` floating-point operations done in `seconds`. */
function gflops(flops, seconds) {
  return flops / seconds / 1e9;
}

/** Prints rows (arrays of cells) under a header, columns padded to their widest cell. */
function printTable(header, rows, out = console.log) {
  const all = [header, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column].length)));
  const line = (row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  out(line(all[0]));
  out(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of all.slice(1)) out(line(row));
}

/** Formats a number with `digits` decimals, or '-' when it is missing. */
function fixed(value, digits = 1) {
  return value === undefined || value === null || Number.isNaN(value) ? '-' : value.toFixed(digits);
}

/** Writes `data` as bench/results/<name>.json (the last run; the folder is created if needed). */
function writeResults(name, data) {
  const folder = path.join(__dirname, '..', 'results');
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}

/** Seeded uniform values in [-1, 1) (mulberry32), so every run multiplies the same numbers. */
function randomFloats(count, seed = 1) {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; ++i) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

module.exports = { median, timeCalls, gflops, printTable, fixed, writeResults, randomFloats, waitForIdle };
