// Server-side latency figures for GET /status: how long /predict requests took inside the server
// (first byte read to response written) and how late the event loop ran its timers. Comparing
// them with what a client measures tells server work from scheduling noise on a busy machine.
// Percentiles over the requests since the last reset; no time series, no histogram library.
'use strict';
const { monitorEventLoopDelay } = require('node:perf_hooks');

class ServerMetrics {
  constructor() {
    this.loopDelay = monitorEventLoopDelay({ resolution: 1 });
    this.loopDelay.enable();
    this.reset();
  }

  reset() {
    this.loopDelay.reset();
    this.predictMs = [];
    this.since = new Date().toISOString();
    this.cpuAtReset = process.cpuUsage();
  }

  /** Records one /predict request that started at `started` (process.hrtime.bigint()). */
  recordPredict(started) {
    if (this.predictMs.length < 1_000_000) this.predictMs.push(Number(process.hrtime.bigint() - started) / 1e6);
  }

  summary() {
    const sorted = [...this.predictMs].sort((a, b) => a - b);
    const at = (p) => (sorted.length === 0 ? null : round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]));
    const loop = (value) => round(value / 1e6);
    const cpu = process.cpuUsage(this.cpuAtReset);
    return {
      since: this.since,
      // CPU time of the whole process (event loop, training and prediction threads) since then.
      cpuSeconds: round((cpu.user + cpu.system) / 1e6),
      predictMs: { count: sorted.length, p50: at(50), p99: at(99), max: at(100) },
      eventLoopDelayMs: this.loopDelay.count === 0 ? null
        : { p50: loop(this.loopDelay.percentile(50)), p99: loop(this.loopDelay.percentile(99)), max: loop(this.loopDelay.max) },
    };
  }
}

function round(value) {
  return Math.round(value * 1000) / 1000;
}

module.exports = { ServerMetrics };
