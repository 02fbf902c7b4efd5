// bench/peers/ (npm run bench:peers): the pure-JS baseline network's gradients against central
// differences, the filter-gradient kernel supplied to TF.js' WASM backend against TF.js' CPU
// backend, the table's arithmetic, and a --quick orchestrator run (faltung and plain JS only)
// that must leave the JSON, the text table and the PNG. Times are printed, never asserted.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const load = createRequire(__filename);
const root = path.join(__dirname, '..');
const { createJsNetwork } = load('../bench/baseline/js-network.js');
const { summarize, buildTable, renderText } = load('../bench/peers/table.js');

describe('the plain-JS baseline network', () => {
  it('has gradients that match central differences of its loss', () => {
    const model = {
      name: 'tiny', inputShape: [7, 6, 2], params: 0,
      layers: [
        { type: 'conv', filters: 3, kernel: 3, pad: 'same', activation: 'relu' },
        { type: 'maxpool' },
        { type: 'conv', filters: 4, kernel: 3, pad: 'valid', activation: 'relu' },
        { type: 'flatten' },
        { type: 'dense', units: 5, activation: 'relu' },
        { type: 'dense', units: 3, activation: 'softmax' },
      ],
    };
    const net = createJsNetwork(model, { seed: 3 });
    const n = 2;
    const x = new Float32Array(n * 7 * 6 * 2).map((_, i) => Math.sin(i * 1.7) * 2);
    const oneHot = new Float32Array([0, 1, 0, 0, 0, 1]);
    net.gradients(x, oneHot, n);
    const analytic = net.params.map((p: { grad: Float32Array }) => Float64Array.from(p.grad));
    let checked = 0;
    let worst = 0;
    net.params.forEach((p: { value: Float32Array }, index: number) => {
      for (let i = 0; i < p.value.length; i += 2) {
        const saved = p.value[i];
        const h = 1e-3; // small enough to stay clear of ReLU and max-pool kinks on this seeded input
        p.value[i] = saved + h;
        const plus = net.gradients(x, oneHot, n);
        p.value[i] = saved - h;
        const minus = net.gradients(x, oneHot, n);
        p.value[i] = saved;
        const numeric = (plus - minus) / (2 * h);
        const error = Math.abs(numeric - analytic[index][i]) / Math.max(5e-3, Math.abs(numeric));
        worst = Math.max(worst, error);
        checked += 1;
      }
    });
    expect(checked).toBeGreaterThan(100);
    expect(worst, `worst relative error over ${checked} weights`).toBeLessThan(0.05);
  });

  it('counts the parameters of the shared model specifications as Keras does', () => {
    const { MNIST_CONVNET, countParams } = load('../bench/peers/models.js');
    expect(countParams(MNIST_CONVNET)).toBe(34_826);
    expect(createJsNetwork(MNIST_CONVNET).countParams()).toBe(34_826);
  });
});

describe('the Conv2DBackpropFilter kernel supplied to TF.js WASM', () => {
  it('matches the TF.js CPU backend on strided, padded and plain shapes', async () => {
    const { setupWasm } = load('../bench/peers/tfjs-wasm-setup.js');
    const { tf, suppliedKernels } = await setupWasm(1);
    expect(suppliedKernels).toEqual(['Conv2DBackpropFilter']);
    const cases: [number[], number[], number, string][] = [
      [[3, 9, 8, 5], [3, 3, 5, 7], 1, 'valid'], [[2, 10, 11, 4], [3, 2, 4, 6], 2, 'same'], [[2, 7, 7, 3], [5, 5, 3, 4], 1, 'same']];
    for (const [xShape, filterShape, strides, pad] of cases) {
      const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
      const xValues = Float32Array.from({ length: size(xShape) }, (_, i) => Math.sin(i));
      const outShape = tf.conv2d(tf.zeros(xShape), tf.zeros(filterShape), strides, pad).shape;
      const dyValues = Float32Array.from({ length: size(outShape) }, (_, i) => Math.cos(i * 0.7));
      const attrs = { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape };
      const run = () => tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(xValues, xShape), dy: tf.tensor(dyValues, outShape) }, attrs).dataSync();
      const wasm = Float32Array.from(run());
      await tf.setBackend('cpu');
      const cpu = Float32Array.from(run());
      await tf.setBackend('wasm');
      expect(wasm.length).toBe(cpu.length);
      for (let i = 0; i < cpu.length; ++i) expect(Math.abs(wasm[i] - cpu[i]), `${xShape} ${filterShape} index ${i}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(cpu[i])));
    }
  });
});

describe('the peers table', () => {
  it('takes medians, marks scaled and stopped cells and states faltung\'s advantage', () => {
    const trial = (library: string, repeat: number, train: number, rss: number, extra = {}) => ({
      library, task: 'train', repeat, stallMs: library === 'faltung' ? 2 : 900, peakRssMb: rss,
      figures: { train: { value: train, unit: 'img/s', ...extra } } });
    const trials = [
      trial('faltung', 0, 10_000, 100), trial('faltung', 1, 12_000, 110), trial('faltung', 2, 11_000, 105),
      trial('convnetjs', 0, 40, 300), trial('convnetjs', 1, 50, 320),
      { library: 'faltung', task: 'vgg16', peakRssMb: 700, stallMs: 1, figures: { vgg16: { value: 100, unit: 'ms', calls: 5 } } },
      { library: 'convnetjs', task: 'vgg16', stoppedAfterSeconds: 180 },
      { library: 'faltung', task: 'conv', stallMs: 1, peakRssMb: 1, figures: { 'conv2.fwd': { value: 10, unit: 'ms', images: 32, batch: 32 } } },
      { library: 'convnetjs', task: 'conv', stallMs: 1, peakRssMb: 1, figures: { 'conv2.fwd': { value: 5000, unit: 'ms', images: 1, batch: 32 } } },
    ];
    const summary = summarize(trials);
    expect(summary.train.faltung).toMatchObject({ median: 11_000, min: 10_000, max: 12_000, n: 3 });
    expect(summary.train.convnetjs.median).toBe(45);
    expect(summary['train.rss'].faltung.median).toBe(105);
    const table = buildTable(summary, [{ name: 'faltung', label: 'faltung' }, { name: 'convnetjs', label: 'ConvNetJS' },
      { name: 'tfjs-node', label: 'TF.js Node', notMeasured: true }]);
    const row = (start: string) => table.rows.find((r: string[]) => r[0].startsWith(start));
    expect(row('MNIST convnet training')).toEqual(['MNIST convnet training, img/s (batch 128, Adam)', '11,000 ±9%', '45.0 ±11% (244x)', 'not measured']);
    expect(row('  longest event-loop stall')[2]).toBe('900 (450x)');
    expect(row('VGG16')[2]).toBe('>180,000 (>1,800x)');
    expect(row('conv N=32 56x56x64')[2]).toBe('5,000* (500x)');
    expect(renderText(table)[0]).toMatch(/^workload +faltung +ConvNetJS +TF.js Node$/);
  });
});

describe('npm run bench:peers --quick', () => {
  it('runs faltung and plain JS in child processes and writes the JSON, table and PNG', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-peers-test-'));
    const started = Date.now();
    const stdout = execFileSync(process.execPath, [path.join(root, 'bench', 'peers.bench.js'), '--quick', '--only', 'faltung,plain-js',
      '--tasks', 'train,conv', '--shapes', '0', '--out-dir', out], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    console.log(`peers --quick: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(stdout).toMatch(/^workload +faltung +plain JS$/m);
    expect(stdout).toMatch(/^MNIST convnet training, img\/s \(batch 128, Adam\) +[\d,.]+ +[\d,.]+\*? \([\d,.]+x\)$/m);
    expect(stdout).toContain('Reproduce: npm run bench:peers');

    const json = JSON.parse(fs.readFileSync(path.join(out, 'peers.json'), 'utf8'));
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.libraries.map((l: { name: string }) => l.name)).toEqual(['faltung', 'plain-js']);
    expect(json.trials).toHaveLength(4);
    for (const trial of json.trials) {
      expect(trial.error, `${trial.library} ${trial.task}`).toBeUndefined();
      expect(trial.peakRssMb).toBeGreaterThan(10);
      expect(trial.stallMs).toBeGreaterThanOrEqual(0);
    }
    const train = json.trials.find((t: { library: string; task: string }) => t.library === 'faltung' && t.task === 'train');
    expect(train.figures.train).toMatchObject({ unit: 'img/s' });
    expect(train.figures.train.calls).toBeGreaterThan(0);
    expect(Number.isFinite(train.figures.train.firstLoss)).toBe(true);
    for (const key of ['train', 'train.stall', 'train.rss', 'conv0.fwd', 'conv0.fwdbwd']) {
      for (const library of ['faltung', 'plain-js']) expect(json.summary[key][library].median, `${key} ${library}`).toBeGreaterThan(0);
    }
    expect(json.table.header).toEqual(['workload', 'faltung', 'plain JS']);
    const day = json.date.slice(0, 10);
    expect(fs.readFileSync(path.join(out, `peers-${day}.txt`), 'utf8')).toContain(json.table.rows[0][0]);

    const png = fs.readFileSync(path.join(out, 'peers.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const sharp = load('sharp');
    const meta = await sharp(png).metadata();
    expect(meta.width).toBeGreaterThan(1000);
    fs.rmSync(out, { recursive: true, force: true });
  }, 120_000);
});
