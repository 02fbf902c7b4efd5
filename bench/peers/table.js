// Turns the per-trial results of bench/peers.bench.js into the summary (median, spread, marks per
// workload and library) and the one table it prints: rows = workloads, columns = libraries, each
// cell the median, its spread and faltung's advantage. Text and Markdown renderings; no I/O here.
'use strict';
const { median } = require('../lib/timing');
const { CONV_SHAPES } = require('../baseline/conv-shapes');

/** Rows of the table, in order. `better`: which way is good, for the ratio to faltung. */
const ROWS = [
  { key: 'train', label: 'MNIST convnet training, img/s (batch 128, Adam)', better: 'higher' },
  { key: 'train.stall', label: '  longest event-loop stall while training, ms', better: 'lower', spread: false },
  { key: 'train.rss', label: '  peak RSS of the training run, MB', better: 'lower' },
  { key: 'infer', label: 'MNIST convnet inference, img/s (batch 1000)', better: 'higher' },
  { key: 'latency', label: 'MNIST convnet batch-1 latency, ms', better: 'lower' },
  ...CONV_SHAPES.flatMap((shape, index) => [
    { key: `conv${index}.fwd`, label: `conv ${shape.name}: forward, ms`, better: 'lower' },
    { key: `conv${index}.fwdbwd`, label: `conv ${shape.name}: fwd+bwd, ms`, better: 'lower' },
  ]),
  { key: 'vgg16', label: 'VGG16 forward, batch 1, 224x224x3, ms', better: 'lower' },
  { key: 'vgg16.rss', label: '  peak RSS of the VGG16 run, MB', better: 'lower' },
];

const MARKS = {
  subset: '*', // measured on part of the batch and scaled to the whole batch
  cold: '†', // one call only, no warm-up (a single call took most of the budget)
  stopped: '>', // the trial was stopped at the time limit: a lower bound
};

/**
 * summary[key][library] = { median, min, max, n, values, marks: string[], kernelMs? } from trials
 * ({ library, task, figures, stallMs, peakRssMb, stoppedAfterSeconds?, error? }).
 */
function summarize(trials) {
  const cells = {};
  const kernels = {};
  const add = (key, library, value, marks = []) => {
    const cell = ((cells[key] ??= {})[library] ??= { values: [], marks: new Set() });
    cell.values.push(value);
    for (const mark of marks) cell.marks.add(mark);
  };
  for (const trial of trials) {
    const { library, task } = trial;
    if (trial.stoppedAfterSeconds !== undefined) {
      const key = { train: 'train', infer: 'infer', vgg16: 'vgg16' }[task];
      if (key === 'vgg16') add(key, library, trial.stoppedAfterSeconds * 1e3, [MARKS.stopped]);
      continue;
    }
    if (trial.error || !trial.figures) continue;
    for (const [key, figure] of Object.entries(trial.figures)) {
      const marks = [];
      if (figure.images !== undefined && figure.images < figure.batch) marks.push(MARKS.subset);
      if (figure.coldOnly) marks.push(MARKS.cold);
      add(key, library, figure.value, marks);
      if (figure.kernelMs !== undefined) ((kernels[key] ??= {})[library] ??= []).push(figure.kernelMs);
    }
    if (task === 'train' && trial.stallMs !== undefined) add('train.stall', library, trial.stallMs);
    if (task === 'train' || task === 'vgg16' || task === 'infer') add(`${task}.rss`, library, trial.peakRssMb);
  }
  const summary = {};
  for (const [key, libraries] of Object.entries(cells)) {
    summary[key] = {};
    for (const [library, cell] of Object.entries(libraries)) {
      summary[key][library] = { median: median(cell.values), min: Math.min(...cell.values), max: Math.max(...cell.values),
        n: cell.values.length, values: cell.values, marks: [...cell.marks] };
      const kernel = kernels[key]?.[library];
      if (kernel) summary[key][library].kernelMs = median(kernel);
    }
  }
  return summary;
}

/** 13,402 / 48.3 / 2.21 / 0.052: about three significant digits, thousands separated. */
function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

function formatRatio(ratio) {
  if (ratio >= 100) return `${Math.round(ratio).toLocaleString('en-US')}x`;
  if (ratio >= 10) return `${ratio.toFixed(0)}x`;
  if (ratio >= 0.1) return `${ratio.toFixed(1)}x`;
  return `${ratio.toPrecision(1)}x`;
}

/** faltung's advantage on a row: > 1 when faltung is faster, leaner or stalls less. */
function ratioToFaltung(row, ours, theirs) {
  if (!ours || !theirs || ours.median <= 0 || theirs.median <= 0) return null;
  return row.better === 'higher' ? ours.median / theirs.median : theirs.median / ours.median;
}

/**
 * { header, rows (arrays of cells), notes } for `libraries` ([{ name, label, notMeasured? }]).
 * A cell: median, marks, spread (half the min-max range, % of the median) when there were
 * several trials, and faltung's advantage in parentheses.
 */
function buildTable(summary, libraries) {
  const header = ['workload', ...libraries.map((library) => library.label)];
  const rows = [];
  for (const row of ROWS) {
    if (!summary[row.key]) continue;
    const ours = summary[row.key].faltung;
    rows.push([row.label, ...libraries.map((library) => {
      if (library.notMeasured) return 'not measured';
      const cell = summary[row.key][library.name];
      if (!cell) return '-';
      const stopped = cell.marks.includes(MARKS.stopped);
      let text = `${stopped ? '>' : ''}${formatNumber(cell.median)}${cell.marks.filter((m) => m !== MARKS.stopped).join('')}`;
      if (cell.n > 1 && cell.median > 0 && row.spread !== false) text += ` ±${Math.round(((cell.max - cell.min) / 2 / cell.median) * 100)}%`;
      if (cell.kernelMs !== undefined) text += ` [kernel ${formatNumber(cell.kernelMs)}]`;
      const ratio = library.name === 'faltung' ? null : ratioToFaltung(row, ours, cell);
      if (ratio !== null) text += ` (${stopped ? '>' : ''}${formatRatio(ratio)})`;
      return text;
    })]);
  }
  const notes = [
    '(Nx): faltung is N times better on that row (faster, less memory, shorter stall); ±: half the min-max spread over trials.',
    '[kernel]: faltung\'s conv kernels alone, into preallocated outputs; the figure before it is the public op, which allocates its outputs per call.',
    `${MARKS.subset} measured on part of the batch and scaled to the whole batch; ${MARKS.cold} one call, no warm-up (one call took most of the budget); > stopped at the time limit (a lower bound).`,
  ];
  return { header, rows, notes };
}

/** Aligned plain-text lines (first column left, others right). */
function renderText({ header, rows }) {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => [...row[column]].length)));
  const line = (row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)];
}

function renderMarkdown({ header, rows }) {
  const escape = (cell) => cell.trim().replace(/\|/g, '\\|').replace(/\*/g, '\\*');
  return [`| ${header.map(escape).join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`)];
}

module.exports = { ROWS, MARKS, summarize, buildTable, renderText, renderMarkdown, formatNumber, formatRatio, ratioToFaltung };
