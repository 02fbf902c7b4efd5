// Line charts as SVG text: panels side by side, each with linear or log axes, tick labels, a legend,
// dashed or solid series, and vertical marks. Pure string building with the axis arithmetic exposed
// (data-* attributes carry each panel's domain and plot box) so tests can check every point.
// No interactivity, no fonts of our own, no dependency: sharp renders the text when a PNG is wanted.
import { escapeXml, FONT_FAMILY } from './picture';

export type AxisScale = 'linear' | 'log';

export interface ChartSeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
  /** CSS colour. */
  color: string;
  dashed?: boolean;
  /** Stroke width in pixels (default 2). */
  width?: number;
  /** Draw a dot at every point (default false). */
  markers?: boolean;
  /** Stroke opacity 0..1 (default 1). */
  opacity?: number;
}

export interface ChartPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  xScale?: AxisScale;
  yScale?: AxisScale;
  series: ChartSeries[];
  /** Vertical lines at x, labelled. */
  marks?: { x: number; label: string; color?: string }[];
  /** Fixed y domain; points outside are clipped. Default: the data's range rounded out to ticks. */
  yRange?: [number, number];
}

export interface ChartSpec {
  title?: string;
  panels: ChartPanel[];
  /** Pixels per panel (default 460 x 320). */
  panelWidth?: number;
  panelHeight?: number;
}

/** Inside a panel: space for the panel title, the y tick labels, the x ticks and label. */
export const PLOT_INSETS = Object.freeze({ left: 64, right: 16, top: 30, bottom: 46 });
export const TITLE_HEIGHT = 28;

/** Nice tick step (1, 2 or 5 times a power of ten) for about `count` ticks over [min, max]. */
export function niceStep(min: number, max: number, count = 5): number {
  const raw = (max - min) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** 10^p for an integer p, exactly as the literal 1eP (10 ** -4 is 0.00009999999999999999). */
function powerOfTen(p: number): number {
  return Number(`1e${p}`);
}

/** The axis domain for data spanning [min, max]: rounded out to whole ticks (linear) or powers of ten (log). */
export function axisDomain(min: number, max: number, scale: AxisScale): [number, number] {
  if (scale === 'log') {
    const low = Math.log10(min);
    const high = Math.log10(max);
    if (high - low < 1e-12) return [10 ** (low - 0.5), 10 ** (high + 0.5)];
    return [powerOfTen(Math.floor(low + 1e-9)), powerOfTen(Math.ceil(high - 1e-9))];
  }
  if (max - min < 1e-12 * Math.max(1, Math.abs(max))) return [min - 0.5, max + 0.5];
  const step = niceStep(min, max);
  return [Math.floor(min / step + 1e-9) * step, Math.ceil(max / step - 1e-9) * step];
}

function ticks(domain: [number, number], scale: AxisScale): number[] {
  const [low, high] = domain;
  if (scale === 'log') {
    const first = Math.ceil(Math.log10(low) - 1e-9);
    const last = Math.floor(Math.log10(high) + 1e-9);
    const every = Math.max(1, Math.ceil((last - first) / 8));
    const result: number[] = [];
    for (let p = first; p <= last; p += every) result.push(powerOfTen(p));
    return result;
  }
  const step = niceStep(low, high);
  const result: number[] = [];
  for (let v = Math.ceil(low / step - 1e-9) * step; v <= high + step * 1e-9; v += step) result.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return result;
}

function formatTick(value: number, scale: AxisScale): string {
  if (scale === 'log') {
    const power = Math.round(Math.log10(value));
    return power >= -2 && power <= 3 ? `${powerOfTen(power)}` : `1e${power}`;
  }
  return Number(value.toPrecision(6)).toString();
}

/** Maps a data value to a pixel coordinate: position `from` at domain[0], `to` at domain[1]. */
export function axisMap(domain: [number, number], scale: AxisScale, from: number, to: number): (value: number) => number {
  const t = scale === 'log' ? Math.log10 : (v: number): number => v;
  const low = t(domain[0]);
  const span = t(domain[1]) - low;
  return (value: number) => from + ((t(value) - low) / span) * (to - from);
}

function usable(value: number, scale: AxisScale): boolean {
  return Number.isFinite(value) && (scale === 'linear' || value > 0);
}

function dataRange(values: number[]): [number, number] | null {
  if (values.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

function panelSvg(panel: ChartPanel, index: number, left: number, top: number, width: number, height: number): string {
  const xScale = panel.xScale ?? 'linear';
  const yScale = panel.yScale ?? 'linear';
  const xs: number[] = [];
  const ys: number[] = [];
  for (const series of panel.series) {
    series.x.forEach((x, i) => {
      if (usable(x, xScale) && usable(series.y[i], yScale)) {
        xs.push(x);
        ys.push(series.y[i]);
      }
    });
  }
  const xRange = dataRange(xs) ?? (xScale === 'log' ? [1, 10] : [0, 1]);
  const yRange = panel.yRange ?? dataRange(ys) ?? (yScale === 'log' ? [1, 10] : [0, 1]);
  const xDomain = axisDomain(xRange[0], xRange[1], xScale);
  const yDomain = panel.yRange ? [...panel.yRange] as [number, number] : axisDomain(yRange[0], yRange[1], yScale);
  const plot = { left: left + PLOT_INSETS.left, top: top + PLOT_INSETS.top, width: width - PLOT_INSETS.left - PLOT_INSETS.right, height: height - PLOT_INSETS.top - PLOT_INSETS.bottom };
  const px = axisMap(xDomain, xScale, plot.left, plot.left + plot.width);
  const py = axisMap(yDomain, yScale, plot.top + plot.height, plot.top);
  const clip = `plot-clip-${index}`;
  const parts: string[] = [];
  parts.push(`<g class="panel" data-title="${escapeXml(panel.title)}" data-x-scale="${xScale}" data-y-scale="${yScale}"` +
    ` data-x-domain="${xDomain.join(',')}" data-y-domain="${yDomain.join(',')}" data-plot="${plot.left},${plot.top},${plot.width},${plot.height}">`);
  parts.push(`<clipPath id="${clip}"><rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}"/></clipPath>`);
  parts.push(`<text x="${left + width / 2}" y="${top + 20}" font-size="14" font-weight="bold" text-anchor="middle">${escapeXml(panel.title)}</text>`);
  parts.push(`<rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}" fill="#fff" stroke="#888"/>`);
  for (const tick of ticks(xDomain, xScale)) {
    const x = round2(px(tick));
    parts.push(`<line x1="${x}" y1="${plot.top}" x2="${x}" y2="${plot.top + plot.height}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${x}" y="${plot.top + plot.height + 15}" font-size="11" text-anchor="middle">${formatTick(tick, xScale)}</text>`);
  }
  for (const tick of ticks(yDomain, yScale)) {
    const y = round2(py(tick));
    parts.push(`<line x1="${plot.left}" y1="${y}" x2="${plot.left + plot.width}" y2="${y}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${plot.left - 6}" y="${y + 4}" font-size="11" text-anchor="end">${formatTick(tick, yScale)}</text>`);
  }
  parts.push(`<text x="${plot.left + plot.width / 2}" y="${top + height - 8}" font-size="12" text-anchor="middle">${escapeXml(panel.xLabel)}</text>`);
  parts.push(`<text x="${left + 14}" y="${plot.top + plot.height / 2}" font-size="12" text-anchor="middle"` +
    ` transform="rotate(-90 ${left + 14} ${plot.top + plot.height / 2})">${escapeXml(panel.yLabel)}</text>`);
  (panel.marks ?? []).forEach((mark, markIndex) => {
    if (!usable(mark.x, xScale)) return;
    const x = round2(px(mark.x));
    const color = escapeXml(mark.color ?? '#555');
    parts.push(`<line class="mark" data-x="${mark.x}" x1="${x}" y1="${plot.top}" x2="${x}" y2="${plot.top + plot.height}" stroke="${color}" stroke-dasharray="2 3" clip-path="url(#${clip})"/>`);
    // Labels stack upwards from the bottom of the plot, so marks close together stay readable.
    parts.push(`<text x="${x + 4}" y="${plot.top + plot.height - 6 - markIndex * 14}" font-size="11" fill="${color}">${escapeXml(mark.label)}</text>`);
  });
  panel.series.forEach((series) => {
    // Unusable points (NaN, or <= 0 on a log axis) break the line into segments.
    const segments: string[][] = [[]];
    series.x.forEach((x, i) => {
      const y = series.y[i];
      if (usable(x, xScale) && usable(y, yScale)) segments[segments.length - 1].push(`${round2(px(x))},${round2(py(y))}`);
      else if (segments[segments.length - 1].length > 0) segments.push([]);
    });
    const style = `fill="none" stroke="${escapeXml(series.color)}" stroke-width="${series.width ?? 2}"` +
      `${series.dashed ? ' stroke-dasharray="6 4"' : ''}${series.opacity !== undefined ? ` stroke-opacity="${series.opacity}"` : ''}`;
    for (const points of segments.filter((s) => s.length > 0)) {
      parts.push(`<polyline data-series="${escapeXml(series.name)}" points="${points.join(' ')}" ${style} clip-path="url(#${clip})"/>`);
      if (series.markers) {
        for (const point of points) {
          const [x, y] = point.split(',');
          parts.push(`<circle cx="${x}" cy="${y}" r="3" fill="${escapeXml(series.color)}" clip-path="url(#${clip})"/>`);
        }
      }
    }
  });
  // Legend in the top right corner of the plot, on a translucent white box so curves stay visible.
  const legendWidth = Math.max(0, ...panel.series.map((s) => s.name.length)) * 6.5 + 40;
  const legendLeft = plot.left + plot.width - legendWidth - 6;
  if (panel.series.length > 0) {
    parts.push(`<rect x="${legendLeft}" y="${plot.top + 4}" width="${legendWidth}" height="${panel.series.length * 16 + 6}" fill="#fff" fill-opacity="0.8" stroke="#ccc"/>`);
  }
  panel.series.forEach((series, i) => {
    const y = plot.top + 18 + i * 16;
    const x = legendLeft + 6;
    parts.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${escapeXml(series.color)}" stroke-width="${series.width ?? 2}"` +
      `${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    parts.push(`<text x="${x + 28}" y="${y}" font-size="11">${escapeXml(series.name)}</text>`);
  });
  parts.push('</g>');
  return parts.join('\n');
}

/** The chart as a standalone SVG document. */
export function chartSvg(spec: ChartSpec): string {
  const width = spec.panelWidth ?? 460;
  const height = spec.panelHeight ?? 320;
  const top = spec.title ? TITLE_HEIGHT : 0;
  const total = { width: width * spec.panels.length, height: height + top };
  const body = spec.panels.map((panel, i) => panelSvg(panel, i, i * width, top, width, height));
  const title = spec.title ? `<text x="${total.width / 2}" y="20" font-size="16" font-weight="bold" text-anchor="middle">${escapeXml(spec.title)}</text>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${total.width}" height="${total.height}" viewBox="0 0 ${total.width} ${total.height}" font-family="${FONT_FAMILY}">\n` +
    `<rect width="100%" height="100%" fill="#fff"/>\n${title}\n${body.join('\n')}\n</svg>\n`;
}
