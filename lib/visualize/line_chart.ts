// fg.visualize.lineChart and the one writer of every chart: the SVG text written as is for a .svg
// path, rendered by sharp (librsvg) for a .png path. Validates a user's chart spec; draws nothing
// itself (chart_svg.ts does).
import { invalidRange, invalidType } from '../validate';
import { type ChartPanel, type ChartSeries, type ChartSpec, chartSvg } from './chart_svg';
import { checkOutputPath, loadSharp, writeOutput } from './picture';

/** Writes `svg` to `path`: as SVG text for .svg, as a PNG rendering for .png. */
export async function writeChart(svg: string, path: string): Promise<void> {
  const file = checkOutputPath('path', path, ['.svg', '.png']);
  const lower = file.toLowerCase();
  if (lower.endsWith('.svg')) {
    await writeOutput(file, svg);
  } else if (lower.endsWith('.png')) {
    await writeOutput(file, await renderSvgToPng(svg));
  } else {
    throw invalidRange('path', 'a file name ending in .svg or .png', file);
  }
}

/** PNG bytes of an SVG document (white background, 8-bit RGB). */
export async function renderSvgToPng(svg: string): Promise<Buffer> {
  return loadSharp()(Buffer.from(svg)).flatten({ background: '#ffffff' }).png().toBuffer();
}

function checkNumbers(name: string, values: unknown): number[] {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) throw invalidType(name, 'an array of numbers', values);
  const array = Array.from(values as ArrayLike<unknown>);
  array.forEach((v, i) => { if (typeof v !== 'number') throw invalidType(`${name}[${i}]`, 'a number (NaN breaks the line)', v); });
  return array as number[];
}

function checkSeries(name: string, series: unknown): ChartSeries {
  if (series === null || typeof series !== 'object') throw invalidType(name, 'a series {name, x, y, color}', series);
  const s = series as ChartSeries;
  if (typeof s.name !== 'string') throw invalidType(`${name}.name`, 'a string', s.name);
  if (typeof s.color !== 'string') throw invalidType(`${name}.color`, "a CSS colour string such as '#1f77b4'", s.color);
  const x = checkNumbers(`${name}.x`, s.x);
  const y = checkNumbers(`${name}.y`, s.y);
  if (x.length !== y.length) throw invalidRange(`${name}.y`, `${x.length} values (as many as x)`, `${y.length} values`);
  return { ...s, x, y };
}

function checkPanel(name: string, panel: unknown): ChartPanel {
  if (panel === null || typeof panel !== 'object') throw invalidType(name, 'a panel {title, xLabel, yLabel, series}', panel);
  const p = panel as ChartPanel;
  for (const key of ['title', 'xLabel', 'yLabel'] as const) {
    if (typeof p[key] !== 'string') throw invalidType(`${name}.${key}`, 'a string', p[key]);
  }
  for (const key of ['xScale', 'yScale'] as const) {
    if (p[key] !== undefined && p[key] !== 'linear' && p[key] !== 'log') throw invalidRange(`${name}.${key}`, "'linear' or 'log'", p[key]);
  }
  if (!Array.isArray(p.series)) throw invalidType(`${name}.series`, 'an array of series', p.series);
  if (p.yRange !== undefined) {
    const range = checkNumbers(`${name}.yRange`, p.yRange);
    if (range.length !== 2 || !(range[0] < range[1])) throw invalidRange(`${name}.yRange`, '[min, max] with min < max', p.yRange);
  }
  return { ...p, series: p.series.map((s, i) => checkSeries(`${name}.series[${i}]`, s)) };
}

/** Writes a line chart (one or more panels side by side) to `path` (.svg or .png); returns the SVG. */
export async function lineChart(path: string, spec: ChartSpec): Promise<string> {
  checkOutputPath('path', path, ['.svg', '.png']);
  if (spec === null || typeof spec !== 'object') throw invalidType('spec', 'a chart spec {panels}', spec);
  if (!Array.isArray(spec.panels) || spec.panels.length === 0) throw invalidType('spec.panels', 'a non-empty array of panels', spec.panels);
  if (spec.title !== undefined && typeof spec.title !== 'string') throw invalidType('spec.title', 'a string', spec.title);
  const svg = chartSvg({ ...spec, panels: spec.panels.map((p, i) => checkPanel(`spec.panels[${i}]`, p)) });
  await writeChart(svg, path);
  return svg;
}
