// The README's picture of a bench/peers.bench.js run: one panel per headline workload, a
// horizontal bar per library, speeds on a log scale (they span four orders of magnitude), drawn
// as SVG text here and rasterized to PNG with sharp. No chart library, no fonts beyond sans-serif.
'use strict';
const { formatNumber, formatRatio, ratioToFaltung, ROWS } = require('./table');

const PANELS = [
  { key: 'train', title: 'MNIST convnet training (batch 128, Adam), images/s', better: 'higher', words: ['faster', 'slower'], log: true },
  { key: 'infer', title: 'MNIST convnet inference (batch 1000), images/s', better: 'higher', words: ['faster', 'slower'], log: true },
  { key: 'vgg16', title: 'VGG16 forward, batch 1, ms', better: 'lower', words: ['faster', 'slower'], log: true },
  { key: 'train.rss', title: 'Peak RSS while training MNIST, MB', better: 'lower', words: ['less memory', 'more memory'], log: false },
];

const WIDTH = 960;
const LABEL = 190; // left column: library names
const RIGHT = 200; // right column: value and ratio
const BAR = 20;
const GAP = 6;
const COLORS = { faltung: '#d9480f', other: '#868e96' };

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** SVG source for `summary` (see table.js) and `libraries` ([{ name, label }]); `subtitle` under the title. */
function chartSvg(summary, libraries, { title, subtitle }) {
  const parts = [];
  let y = 58;
  const plotWidth = WIDTH - LABEL - RIGHT;
  for (const panel of PANELS) {
    const row = ROWS.find((r) => r.key === panel.key);
    const cells = libraries.map((library) => ({ library, cell: summary[panel.key]?.[library.name] })).filter(({ cell }) => cell);
    if (cells.length === 0) continue;
    const values = cells.map(({ cell }) => cell.median).filter((v) => v > 0);
    let scale;
    let ticks;
    if (panel.log) {
      const low = 10 ** Math.floor(Math.log10(Math.min(...values)));
      const high = 10 ** Math.ceil(Math.log10(Math.max(...values)));
      scale = (v) => ((Math.log10(Math.max(v, low)) - Math.log10(low)) / Math.max(Math.log10(high) - Math.log10(low), 1)) * plotWidth;
      ticks = [];
      for (let decade = low; decade <= high * 1.0001; decade *= 10) ticks.push(decade);
    } else {
      const step = 10 ** Math.floor(Math.log10(Math.max(...values)));
      const high = Math.ceil(Math.max(...values) / step) * step;
      scale = (v) => (v / high) * plotWidth;
      ticks = Array.from({ length: Math.round(high / step) + 1 }, (_, i) => i * step);
    }
    parts.push(`<text x="12" y="${y + 16}" font-size="15"><tspan font-weight="bold">${escape(panel.title)}</tspan>` +
      `<tspan fill="#555">   (${panel.better} is better${panel.log ? ', log scale' : ''})</tspan></text>`);
    y += 26;
    for (const tick of ticks) {
      const x = LABEL + scale(tick);
      parts.push(`<line x1="${x}" y1="${y}" x2="${x}" y2="${y + cells.length * (BAR + GAP)}" stroke="#dee2e6"/>`);
      parts.push(`<text x="${x}" y="${y + cells.length * (BAR + GAP) + 12}" font-size="10" fill="#868e96" text-anchor="middle">${tick.toLocaleString('en-US')}</text>`);
    }
    for (const { library, cell } of cells) {
      const width = Math.max(2, scale(cell.median));
      const ratio = library.name === 'faltung' ? null : ratioToFaltung(row, summary[panel.key].faltung, cell);
      const color = library.name === 'faltung' ? COLORS.faltung : COLORS.other;
      parts.push(`<text x="${LABEL - 8}" y="${y + BAR - 5}" font-size="13" text-anchor="end">${escape(library.label)}</text>`);
      parts.push(`<rect x="${LABEL}" y="${y}" width="${width.toFixed(1)}" height="${BAR}" fill="${color}"/>`);
      const stopped = cell.marks.includes('>') ? '>' : '';
      const comparison = ratio === null ? '' : ratio >= 1 ? `faltung ${formatRatio(ratio)} ${panel.words[0]}` : `faltung ${formatRatio(1 / ratio)} ${panel.words[1]}`;
      parts.push(`<text x="${LABEL + width + 6}" y="${y + BAR - 5}" font-size="12">${escape(`${stopped}${formatNumber(cell.median)}`)}` +
        `<tspan fill="#555">${escape(comparison ? `   ${comparison}` : '')}</tspan></text>`);
      y += BAR + GAP;
    }
    y += 30;
  }
  const height = y;
  return `<svg xmlns="http://www.w3.org/2000/svg" xml:space="preserve" width="${WIDTH}" height="${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">` +
    `<rect width="${WIDTH}" height="${height}" fill="white"/>` +
    `<text x="12" y="24" font-size="18" font-weight="bold">${escape(title)}</text>` +
    `<text x="12" y="44" font-size="12" fill="#555">${escape(subtitle)}</text>${parts.join('')}</svg>`;
}

/** Writes the PNG (and returns the SVG source). */
async function writeChart(file, summary, libraries, labels) {
  const sharp = require('sharp');
  const svg = chartSvg(summary, libraries, labels);
  await sharp(Buffer.from(svg), { density: 144 }).png().toFile(file);
  return svg;
}

module.exports = { chartSvg, writeChart, PANELS };
