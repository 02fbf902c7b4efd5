// The HTML report opened in a real browser: headless Chromium (Debian's `chromium`, installed with
// apt-get when missing and we are root; otherwise the test is skipped with a visible message) dumps
// the rendered DOM, which must hold every part, and takes a screenshot, which must show the
// inlined images (decoded with sharp: not blank, filter reds and confusion blues present).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { batchRecorder, htmlReport } from '../lib/visualize/index';

const L = fg.layers;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-report-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function which(command: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

/** A Chromium binary, installing Debian's package first if we can (root with apt-get). */
function findChromium(): { binary: string | null; why: string } {
  const names = ['chromium', 'chromium-browser', 'google-chrome'];
  for (const name of names) {
    const binary = which(name);
    if (binary) return { binary, why: '' };
  }
  if (process.getuid?.() !== 0 || !which('apt-get')) return { binary: null, why: 'no chromium on PATH and not root with apt-get to install it' };
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    encoding: 'utf8', timeout: 240_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const binary = which('chromium');
  return binary ? { binary, why: '' } : { binary: null, why: `apt-get install chromium failed: ${(install.stderr || install.error?.message || '').slice(-300)}` };
}

function runChromium(binary: string, args: string[]): { stdout: string; status: number | null; stderr: string } {
  const profile = fs.mkdtempSync(path.join(dir, 'profile-'));
  const result = spawnSync(binary, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run',
    `--user-data-dir=${profile}`, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  return { stdout: result.stdout, status: result.status, stderr: result.stderr };
}

let chromium: { binary: string | null; why: string };
let reportPath: string;
let report: Awaited<ReturnType<typeof htmlReport>>;
let model: fg.Sequential;
const EXAMPLES = 3;
const TEST_COUNT = 200;

beforeAll(async () => {
  chromium = findChromium();
  if (!chromium.binary) console.warn(`\n*** report.test.ts: SKIPPING the browser checks: ${chromium.why} ***\n`);
  fg.setSeed(2);
  const { train, test } = await fg.datasets.mnist({ limit: { train: 1200, test: TEST_COUNT } });
  model = fg.sequential([
    L.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, activation: 'relu' }),
    L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
    L.maxPooling2d({ poolSize: 2 }),
    L.flatten(),
    L.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: fg.optimizers.adam({ learningRate: 3e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const recorder = batchRecorder();
  const history = await model.fit(train.images, train.labels, { epochs: 2, batchSize: 32, validationSplit: 0.2, verbose: 0, callbacks: [recorder] });
  reportPath = path.join(dir, 'report.html');
  report = await htmlReport(model, {
    path: reportPath, x: test.images, y: test.labels, history, batchLogs: recorder, examples: EXAMPLES,
    classNames: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
  });
}, 300_000);

describe('htmlReport', () => {
  it('writes one self-contained file: every image a data URI, nothing external', () => {
    const html = fs.readFileSync(reportPath, 'utf8');
    const sources = [...html.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1]);
    expect(sources.length).toBe(1 + 2 + 2 * EXAMPLES);  // curves, 2 filter grids, maps + votes per example
    expect(sources.every((s) => s.startsWith('data:image/png;base64,'))).toBe(true);
    expect(html).not.toMatch(/<script|<link|https?:\/\/|url\(/i);
    expect(html).toContain("default-src 'none'");
    expect(report.accuracy).toBeGreaterThan(0.5);
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(TEST_COUNT);
  });

  it('renders in headless Chromium with all its parts', (context) => {
    if (!chromium.binary) return context.skip(`no browser: ${chromium.why}`);
    const dump = runChromium(chromium.binary, ['--dump-dom', `file://${reportPath}`]);
    expect(dump.status, dump.stderr.slice(-500)).toBe(0);
    const dom = dump.stdout;
    const summary = /<table class="summary">([\s\S]*?)<\/table>/.exec(dom)![1];
    expect([...summary.matchAll(/<tr>/g)].length).toBe(1 + model.layers.length);
    expect(summary).toContain('Conv2D');
    expect(dom).toMatch(/<li>Total params: [\d,]+<\/li>/);
    expect([...dom.matchAll(/<img class="curves"/g)].length).toBe(1);
    expect([...dom.matchAll(/<img class="filters"/g)].length).toBe(2);
    expect([...dom.matchAll(/<img class="feature-maps"/g)].length).toBe(EXAMPLES);
    expect([...dom.matchAll(/<img class="votes"/g)].length).toBe(EXAMPLES);
    const confusion = /<table class="confusion">([\s\S]*?)<\/table>/.exec(dom)![1];
    const rows = [...confusion.matchAll(/<tr><th>([^<]*)<\/th>((?:<td[^>]*>\d+<\/td>)+)<\/tr>/g)];
    expect(rows.map((r) => r[1])).toEqual(['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']);
    const counts = rows.map((r) => [...r[2].matchAll(/>(\d+)</g)].map((m) => Number(m[1])));
    expect(counts).toEqual(report.confusion);
  });

  it('screenshots as a page with the pictures drawn, not a blank or broken one', async (context) => {
    if (!chromium.binary) return context.skip(`no browser: ${chromium.why}`);
    const shot = path.join(dir, 'report.png');
    const run = runChromium(chromium.binary, [`--screenshot=${shot}`, '--window-size=1280,2400', `file://${reportPath}`]);
    expect(run.status, run.stderr.slice(-500)).toBe(0);
    const { data, info } = await sharp(shot).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([1280, 2400]);
    let nonWhite = 0;
    let filterRed = 0;
    let curveBlue = 0;
    for (let i = 0; i < data.length; i += 3) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (r < 245 || g < 245 || b < 245) nonWhite += 1;
      if (r > 240 && g < 40 && b < 40) filterRed += 1;      // saturated weights / map values
      if (Math.abs(r - 0x1f) < 12 && Math.abs(g - 0x77) < 12 && Math.abs(b - 0xb4) < 12) curveBlue += 1;  // train curve
    }
    const pixels = info.width * info.height;
    expect(nonWhite / pixels).toBeGreaterThan(0.05);
    expect(filterRed).toBeGreaterThan(50);
    expect(curveBlue).toBeGreaterThan(50);
  });
});
