// Training curves: the EMA arithmetic, the batch recorder inside a real fit, and the SVG's points
// placed exactly where the documented axis mapping puts the history's values; the PNG rendering
// has the SVG's size and the series colours.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import * as fg from '../lib/index';
import { batchRecorder, emaSmooth, lineChart, trainingCurves, trainingCurvesSvg } from '../lib/visualize/index';
import { batchPositions } from '../lib/visualize/curves';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faltung-curves-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Panel { xDomain: number[]; yDomain: number[]; plot: number[]; xScale: string; body: string }

function panels(svg: string): Record<string, Panel> {
  const result: Record<string, Panel> = {};
  const re = /<g class="panel" data-title="([^"]*)" data-x-scale="(\w+)" data-y-scale="\w+" data-x-domain="([^"]*)" data-y-domain="([^"]*)" data-plot="([^"]*)">([\s\S]*?)<\/g>/g;
  for (const m of svg.matchAll(re)) {
    result[m[1]] = { xScale: m[2], xDomain: m[3].split(',').map(Number), yDomain: m[4].split(',').map(Number), plot: m[5].split(',').map(Number), body: m[6] };
  }
  return result;
}

function points(panel: Panel, series: string): number[][] {
  const lines = [...panel.body.matchAll(new RegExp(`<polyline data-series="${series.replace(/[()]/g, '\\$&')}" points="([^"]*)"`, 'g'))];
  return lines.flatMap((m) => m[1].split(' ').map((p) => p.split(',').map(Number)));
}

/** The documented mapping: x from plot.left (domain min) to plot.left + width; y from the bottom up. */
function expectedPoint(panel: Panel, x: number, y: number): number[] {
  const [left, top, width, height] = panel.plot;
  const t = panel.xScale === 'log' ? Math.log10 : (v: number): number => v;
  const px = left + ((t(x) - t(panel.xDomain[0])) / (t(panel.xDomain[1]) - t(panel.xDomain[0]))) * width;
  const py = top + height - ((y - panel.yDomain[0]) / (panel.yDomain[1] - panel.yDomain[0])) * height;
  return [px, py];
}

function expectPoints(got: number[][], expected: number[][]): void {
  expect(got.length).toBe(expected.length);
  got.forEach((p, i) => {
    expect(Math.abs(p[0] - expected[i][0])).toBeLessThanOrEqual(0.006);
    expect(Math.abs(p[1] - expected[i][1])).toBeLessThanOrEqual(0.006);
  });
}

describe('emaSmooth', () => {
  it('is the bias-corrected exponential moving average', () => {
    const out = emaSmooth([4, 2, 1], 0.5);
    // a = 2, 2, 1.5; corrections 0.5, 0.75, 0.875
    expect(out[0]).toBeCloseTo(4, 12);
    expect(out[1]).toBeCloseTo(2 / 0.75, 12);
    expect(out[2]).toBeCloseTo(1.5 / 0.875, 12);
    expect(emaSmooth([3, 3, 3, 3], 0.9).every((v) => Math.abs(v - 3) < 1e-12)).toBe(true);
    expect(emaSmooth([1, 2], 0)).toEqual([1, 2]);
    expect(() => emaSmooth([1], 1)).toThrow(RangeError);
  });
});

describe('trainingCurves', () => {
  it('records every batch of a real fit and draws epoch and smoothed batch curves where the data says', async () => {
    fg.setSeed(3);
    const x = fg.tensor(Float32Array.from({ length: 60 * 4 }, (_, i) => Math.sin(i * 1.7)), [60, 4]);
    const labels = Array.from({ length: 60 }, (_, i) => (x.data[i * 4] + x.data[i * 4 + 1] > 0 ? 1 : 0));
    const y = fg.oneHot(labels, 2);
    const model = fg.sequential([fg.layers.dense({ inputShape: [4], units: 2, activation: 'softmax' })]);
    model.compile({ optimizer: fg.optimizers.sgd({ learningRate: 0.5 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const recorder = batchRecorder();
    const history = await model.fit(x, y, { epochs: 3, batchSize: 16, validationSplit: 0.2, verbose: 0, callbacks: [recorder] });
    // 48 training examples in batches of 16: 3 batches per epoch.
    expect(recorder.batches.map((b) => [b.epoch, b.batch])).toEqual([0, 1, 2].flatMap((e) => [[e, 0], [e, 1], [e, 2]]));
    expect(batchPositions(recorder.batches).slice(0, 4)).toEqual([1 / 3, 2 / 3, 1, 1 + 1 / 3]);

    const svg = trainingCurvesSvg(history, { batchLogs: recorder, smoothing: 0.6 });
    const p = panels(svg);
    expect(Object.keys(p)).toEqual(['loss', 'accuracy']);
    expectPoints(points(p.loss, 'train loss'), history.loss.map((v, i) => expectedPoint(p.loss, i + 1, v)));
    expectPoints(points(p.loss, 'validation loss'), history.val_loss.map((v, i) => expectedPoint(p.loss, i + 1, v)));
    expectPoints(points(p.accuracy, 'train accuracy'), history.accuracy.map((v, i) => expectedPoint(p.accuracy, i + 1, v)));
    const smoothed = emaSmooth(recorder.batches.map((b) => b.loss), 0.6);
    const positions = batchPositions(recorder.batches);
    expectPoints(points(p.loss, 'batch loss (EMA 0.6)'), smoothed.map((v, i) => expectedPoint(p.loss, positions[i], v)));
    expect(p.loss.body).toMatch(/data-series="validation loss"[^>]*stroke-dasharray/);
    // The axes hold the data.
    const allLoss = [...history.loss, ...history.val_loss, ...smoothed];
    expect(p.loss.yDomain[0]).toBeLessThanOrEqual(Math.min(...allLoss));
    expect(p.loss.yDomain[1]).toBeGreaterThanOrEqual(Math.max(...allLoss));

    const png = path.join(dir, 'curves.png');
    const written = await trainingCurves(history, png, { batchLogs: recorder, smoothing: 0.6 });
    expect(written).toBe(svg);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const size = /width="(\d+)" height="(\d+)"/.exec(svg)!;
    expect([info.width, info.height]).toEqual([Number(size[1]), Number(size[2])]);
    // The train colour (#1f77b4) and the validation colour (#ff7f0e) are both drawn.
    const has = (r: number, g: number, b: number): boolean => {
      for (let i = 0; i < data.length; i += 3) if (Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8) return true;
      return false;
    };
    expect(has(0x1f, 0x77, 0xb4)).toBe(true);
    expect(has(0xff, 0x7f, 0x0e)).toBe(true);
    await trainingCurves(history, path.join(dir, 'curves.svg'));
    expect(fs.readFileSync(path.join(dir, 'curves.svg'), 'utf8')).toContain('<svg');
  });

  it('takes a plain history record, breaks lines at NaN and rejects bad input', () => {
    const svg = trainingCurvesSvg({ loss: [1, NaN, 0.5, 0.25] });
    const p = panels(svg);
    expect(Object.keys(p)).toEqual(['loss']);
    expect([...p.loss.body.matchAll(/data-series="train loss"/g)].length).toBe(2);
    expect(() => trainingCurvesSvg({ loss: [1, 2], accuracy: [1] })).toThrow(/2 values/);
    expect(() => trainingCurvesSvg(null as never)).toThrow(TypeError);
    expect(() => trainingCurvesSvg({ loss: [1] }, { smoothing: 2 })).toThrow(/options.smoothing/);
    expect(() => trainingCurvesSvg({ loss: [1] }, { batchLogs: [{ epoch: 0 }] as never })).toThrow(/batchLogs\[0\]/);
  });
});

describe('lineChart', () => {
  it('places points on a log x axis by their exponent', async () => {
    const file = path.join(dir, 'log.svg');
    const svg = await lineChart(file, { panels: [{ title: 'lr', xLabel: 'rate', yLabel: 'loss', xScale: 'log', series: [{ name: 's', x: [1e-4, 1e-2, 1], y: [3, 2, 1], color: '#000' }] }] });
    const p = panels(svg).lr;
    expect(p.xDomain).toEqual([1e-4, 1]);
    const got = points(p, 's');
    // Equal ratios are equal distances: 1e-4 -> 1e-2 -> 1 are evenly spaced.
    expect(got[1][0] - got[0][0]).toBeCloseTo(got[2][0] - got[1][0], 1);
    expectPoints(got, [[1e-4, 3], [1e-2, 2], [1, 1]].map(([x, y]) => expectedPoint(p, x, y)));
    await expect(lineChart(path.join(dir, 'x.gif'), { panels: [] } as never)).rejects.toThrow(/spec.panels/);
    await expect(lineChart(path.join(dir, 'x.gif'), { panels: [{ title: 't', xLabel: 'x', yLabel: 'y', series: [] }] })).rejects.toThrow(/\.svg or \.png/);
    await expect(lineChart(file, { panels: [{ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', x: [1, 2], y: [1], color: '#000' }] }] })).rejects.toThrow(/2 values/);
  });
});
