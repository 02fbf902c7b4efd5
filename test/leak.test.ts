// A leak check with a bound: 10,000 predict calls (sync and predictAsync, batch 1 and 32, a fresh
// input array each time, as a server would pass) in a child process run with --expose-gc, memory
// read after a warm-up and at the end, each after a full GC. Measured growth is printed; the
// bounds are far above noise and far below what leaking one input or output per call would add.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');

// Runs in the child: prints one JSON line with the memory figures.
const CHILD = `
const fg = require(${JSON.stringify(path.join(root, 'dist', 'index.js'))});
const L = fg.layers;
fg.setSeed(3);
const model = fg.sequential([
  L.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
  L.maxPooling2d({ poolSize: 2 }),
  L.flatten(),
  L.dense({ units: 10, activation: 'softmax' }),
]);
let state = 1;
function input(batch) {
  const data = new Float32Array(batch * 784);
  for (let i = 0; i < data.length; i += 97) { state = (state * 1103515245 + 12345) >>> 0; data[i] = state / 4294967296; }
  return fg.tensor(data, [batch, 28, 28, 1]);
}
// 10 calls in every 100: 70 sync batch 1, 8 sync batch 32, 17 async batch 1, 5 async batch 32.
async function calls(count) {
  let checksum = 0;
  for (let i = 0; i < count; ++i) {
    const k = i % 100;
    const out = k < 70 ? model.predict(input(1))
      : k < 78 ? model.predict(input(32), { batchSize: 32 })
      : k < 95 ? await model.predictAsync(input(1))
      : await model.predictAsync(input(32), { batchSize: 32 });
    checksum += out.data[0];
  }
  return checksum;
}
function memory() {
  for (let i = 0; i < 3; ++i) global.gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, external: m.external };
}
(async () => {
  await calls(1000);  // warm-up: JIT, scratch buffers, allocator arenas
  const before = memory();
  const started = Date.now();
  const checksum = await calls(10000);
  const after = memory();
  console.log(JSON.stringify({ before, after, seconds: (Date.now() - started) / 1000, finite: Number.isFinite(checksum) }));
})();
`;

describe('predict does not leak', () => {
  it('keeps memory flat over 10,000 calls', () => {
    const result = spawnSync(process.execPath, ['--expose-gc', '-e', CHILD], { encoding: 'utf8', cwd: root, timeout: 60_000 });
    if (result.status !== 0) console.error(result.stdout, result.stderr);
    expect(result.status).toBe(0);
    const { before, after, seconds, finite } = JSON.parse(result.stdout.trim().split('\n').pop()!);
    const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(2);
    const growth = {
      rss: after.rss - before.rss,
      heapUsed: after.heapUsed - before.heapUsed,
      arrayBuffers: after.arrayBuffers - before.arrayBuffers,
    };
    console.log(`leak check: 10,000 predict calls in ${seconds.toFixed(1)} s; growth after GC: RSS ${mb(growth.rss)} MB ` +
      `(${mb(before.rss)} -> ${mb(after.rss)}), JS heap ${mb(growth.heapUsed)} MB, ArrayBuffers ${mb(growth.arrayBuffers)} MB`);
    expect(finite).toBe(true);
    // Leaking each call's input would add 26 MB (batch 1) plus 200 MB (batch 32) of ArrayBuffers.
    expect(growth.arrayBuffers).toBeLessThan(1 * 2 ** 20);
    expect(growth.heapUsed).toBeLessThan(4 * 2 ** 20);
    // Under npm run test:asan, freed memory waits in ASan's quarantine (of a size it reports).
    const quarantine = Number(process.env.FALTUNG_ASAN_QUARANTINE_MB ?? 0) * 2 ** 20;
    expect(growth.rss).toBeLessThan(20 * 2 ** 20 + quarantine);
  });
});
