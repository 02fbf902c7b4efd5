// The example prediction server (examples/server) as a user runs it: a child process on an
// ephemeral loopback port, 1,000 POST /predict requests (8 in flight) fired while it trains, every
// answer checked, latency percentiles printed (the speed target lives in bench/server.bench.js,
// no time is asserted here), then the error answers and a clean SIGTERM exit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = require('../examples/server/load.js') as {
  startServer(args: string[]): Promise<{ port: number; child: import('node:child_process').ChildProcess; output(): string }>;
  stopServer(child: import('node:child_process').ChildProcess): Promise<number | null>;
  request(agent: unknown, port: number, method: string, route: string, payload?: unknown): Promise<Response>;
  waitForStatus(port: number, ready: (status: Status) => boolean): Promise<Status>;
  fireRequests(port: number, options: { total: number; concurrency: number; payload: (i: number) => unknown }): Promise<Response[]>;
  percentile(values: number[], p: number): number;
};

interface Response { status: number; body: any; ms: number }  // eslint-disable-line @typescript-eslint/no-explicit-any
interface Status {
  training: { state: string; epoch: number; batch: number; weightsVersion: number };
  serving: { weightsVersion: number; requests: number; images: number; batches: number; largestBatch: number };
  latency: { predictMs: { count: number; p50: number; p99: number; max: number }; eventLoopDelayMs: { p99: number; max: number } | null };
}

const REQUESTS = 1000;
const IN_FLIGHT = 8;
const WARMUP = 300;
const BATCH_EVERY = 50;  // every 50th request sends a batch of 4 images instead of one

let server: Awaited<ReturnType<typeof load.startServer>> | null = null;
let images: fg.Tensor;
afterAll(async () => {
  if (server !== null && server.child.exitCode === null) server.child.kill('SIGKILL');
});

beforeAll(async () => {
  images = (await fg.datasets.mnist({ limit: { train: 1, test: 100 } })).test.images;
  // Long enough (20 epochs of 4,096 images) that training is still running when the load ends.
  server = await load.startServer(['--epochs', '20', '--train-limit', '4096', '--publish-every', '8']);
});

function pixels(i: number): number[] {
  const n = i % images.shape[0];
  return Array.from(images.data.subarray(n * 784, (n + 1) * 784));
}

function expectProbabilities(answer: { label: number; probabilities: number[] }, where: string): void {
  expect(answer.probabilities, where).toHaveLength(10);
  expect(answer.probabilities.every((p) => Number.isFinite(p) && p >= 0 && p <= 1), where).toBe(true);
  const sum = answer.probabilities.reduce((a, b) => a + b, 0);
  expect(Math.abs(sum - 1), `${where}: probabilities sum to ${sum}`).toBeLessThan(1e-4);
  expect(answer.label, where).toBe(answer.probabilities.indexOf(Math.max(...answer.probabilities)));
}

describe('examples/server', () => {
  it(`answers ${REQUESTS} prediction requests while it trains`, async () => {
    const { port } = server!;
    expect((await load.request(undefined, port, 'GET', '/health')).body).toEqual({ status: 'ok' });
    await load.waitForStatus(port, (s) => s.training.state === 'training' && s.training.batch >= 2);
    const bodies = Array.from({ length: 100 }, (_, i) => JSON.stringify(i % BATCH_EVERY === BATCH_EVERY - 1 ? [0, 1, 2, 3].map((k) => pixels(i + k)) : pixels(i)));
    // A short warm-up (JIT, young-generation sizing) so the figures printed describe the steady state.
    await load.fireRequests(port, { total: WARMUP, concurrency: IN_FLIGHT, payload: (i) => bodies[i % bodies.length] });
    await load.request(undefined, port, 'GET', '/status?reset=1');
    const started = performance.now();
    const responses = await load.fireRequests(port, { total: REQUESTS, concurrency: IN_FLIGHT, payload: (i) => bodies[i % bodies.length] });
    const seconds = (performance.now() - started) / 1000;
    const after = await load.waitForStatus(port, () => true);

    responses.forEach((response, i) => {
      expect(response.status, `request ${i}: ${JSON.stringify(response.body)}`).toBe(200);
      const batch = (i % bodies.length) % BATCH_EVERY === BATCH_EVERY - 1;
      if (batch) {
        expect(response.body.predictions, `request ${i}`).toHaveLength(4);
        response.body.predictions.forEach((answer: never, k: number) => expectProbabilities(answer, `request ${i}, image ${k}`));
      } else {
        expectProbabilities(response.body, `request ${i}`);
      }
      expect(Number.isInteger(response.body.weightsVersion)).toBe(true);
    });
    // Training ran the whole time; every answer names published weights.
    expect(after.training.state).toBe('training');
    const versions = responses.map((r) => r.body.weightsVersion as number);
    expect(Math.max(...versions)).toBeLessThanOrEqual(after.training.weightsVersion);
    expect(after.serving.images).toBeGreaterThanOrEqual(REQUESTS);

    const ms = responses.map((r) => r.ms);
    const { predictMs, eventLoopDelayMs } = after.latency;
    console.log(`server: ${REQUESTS} requests (${IN_FLIGHT} in flight) in ${seconds.toFixed(2)} s during training ` +
      `(epoch ${after.training.epoch}, weights v${Math.min(...versions)}-v${Math.max(...versions)}): ` +
      `client latency p50 ${load.percentile(ms, 50).toFixed(2)} ms, p99 ${load.percentile(ms, 99).toFixed(2)} ms, max ${Math.max(...ms).toFixed(2)} ms; ` +
      `inside the server p50 ${predictMs.p50} ms, p99 ${predictMs.p99} ms; event-loop delay p99 ${eventLoopDelayMs?.p99} ms, max ${eventLoopDelayMs?.max} ms; ` +
      `${after.serving.batches} prediction batches, largest ${after.serving.largestBatch} images`);
  });

  it('answers bad requests with 400, 404 and 405', async () => {
    const { port } = server!;
    const bad = async (method: string, route: string, payload: unknown, status: number, message: RegExp): Promise<void> => {
      const response = await load.request(undefined, port, method, route, payload);
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect(response.body.error).toMatch(message);
    };
    await bad('POST', '/predict', '{not json', 400, /not JSON/);
    await bad('POST', '/predict', [1, 2, 3], 400, /784 pixels/);
    await bad('POST', '/predict', [], 400, /784 pixels/);
    await bad('POST', '/predict', { pixels: [] }, 400, /784 pixels/);
    await bad('POST', '/predict', [...pixels(0).slice(1), 'x'], 400, /784 pixels|finite number/);
    await bad('POST', '/predict', [pixels(0), [1]], 400, /image 1/);
    await bad('GET', '/predict', undefined, 405, /not allowed/);
    await bad('GET', '/nowhere', undefined, 404, /no route/);
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await load.stopServer(server!.child)).toBe(0);
    expect(server!.output()).toMatch(/training stopped/);
  });
});
