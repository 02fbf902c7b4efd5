// A small loopback load generator for the example server, shared by test/server.test.ts and
// bench/server.bench.js: starts server.js as a child process, fires POST /predict requests with a
// fixed number in flight over keep-alive connections, and records each request's latency. It
// judges nothing: callers check the answers and decide what the numbers mean.
'use strict';
const { spawn } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');

const SERVER = path.join(__dirname, 'server.js');

/** Starts the server with `args`; resolves to { port, child, output() } once it listens. */
function startServer(args, { timeoutMs = 60_000 } = {}) {
  const child = spawn(process.execPath, [SERVER, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error(`server did not start in ${timeoutMs} ms:\n${output}`)); }, timeoutMs);
    const onData = () => {
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({ port: Number(match[1]), child, output: () => output });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code} before listening:\n${output}`)); });
  });
}

/** Stops the server with SIGTERM; resolves to its exit code. */
function stopServer(child) {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

/** One request; resolves to { status, body (parsed JSON or text), ms }. */
function request(agent, port, method, route, payload) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const body = payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload);
    const req = http.request({
      host: '127.0.0.1', port, method, path: route, agent,
      headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        try { parsed = JSON.parse(text); } catch { /* left as text */ }
        resolve({ status: res.statusCode, body: parsed, ms: Number(process.hrtime.bigint() - started) / 1e6 });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Waits until GET /status satisfies `ready(status)`; resolves to that status. */
async function waitForStatus(port, ready, { timeoutMs = 120_000, pollMs = 100 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const { body } = await request(agent, port, 'GET', '/status');
      if (ready(body)) return body;
      if (Date.now() > deadline) throw new Error(`status not reached in ${timeoutMs} ms: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  } finally {
    agent.destroy();
  }
}

/**
 * Sends `total` requests (POST /predict unless method and route say otherwise), `concurrency` in
 * flight; payload(i) gives request i's body. Resolves to the responses in request order, each
 * { status, body, ms }.
 */
async function fireRequests(port, { total, concurrency, payload = () => undefined, method = 'POST', route = '/predict' }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const results = new Array(total);
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const index = next++;
      results[index] = await request(agent, port, method, route, payload(index));
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    agent.destroy();
  }
  return results;
}

/** p-th percentile (0..100) of `values` by the nearest-rank method. */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

module.exports = { startServer, stopServer, request, waitForStatus, fireRequests, percentile };
