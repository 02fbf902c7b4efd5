// fg.visualize.htmlReport: one self-contained HTML file about a trained model: its summary, the
// training curves, the filters, feature maps and votes for a few examples, and a confusion matrix.
// Every image is inlined as a base64 data URI and a Content-Security-Policy forbids anything
// external, so the file opens anywhere offline. No scripts, no external CSS or fonts.
import { checkOptions } from '../data/options';
import { Tensor, checkTensor } from '../tensor';
import { checkInteger, invalidRange, invalidType } from '../validate';
import { argmaxRows, confusionMatrix, labelIndices } from './confusion';
import { type BatchLog, type BatchRecorder, type HistoryLike, trainingCurvesSvg } from './curves';
import { featureMapPicture, mapStacks } from './feature_maps';
import { conv2dLayers, filterPicture } from './filters';
import { renderSvgToPng } from './line_chart';
import { checkModel } from './model_input';
import { type Picture, checkOutputPath, encodePng, writeOutput } from './picture';
import { votesPicture } from './votes';
import type { Sequential } from '../model';

export interface HtmlReportOptions {
  /** Where to write the .html file. */
  path: string;
  /** Examples [n, ...inputShape] (usually the test set) for the confusion matrix and the example pictures. */
  x: Tensor;
  /** Their labels: one-hot [n, classes] or class indices [n]. */
  y: Tensor;
  /** fit's History, for the training curves (left out when absent). */
  history?: HistoryLike;
  /** A batchRecorder() passed to fit, for smoothed per-batch curves. */
  batchLogs?: BatchRecorder | BatchLog[];
  /** One name per class (default '0', '1', ...). */
  classNames?: string[];
  /** How many examples (the first of x) get feature maps and votes (default 4). */
  examples?: number;
  title?: string;
}

export interface HtmlReportResult {
  path: string;
  accuracy: number;
  confusion: number[][];
  bytes: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function dataUri(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}

async function pictureImg(picture: Picture, alt: string, className: string): Promise<string> {
  const { width, height } = picture.raster;
  return `<img class="${className}" alt="${escapeHtml(alt)}" width="${width}" height="${height}" src="${dataUri(await encodePng(picture))}">`;
}

function summarySection(model: Sequential): string {
  const lines: string[] = [];
  model.summary(65, (line) => lines.push(line));
  const rows = model.layers.map((layer) =>
    `<tr><td>${escapeHtml(layer.name)}</td><td>${escapeHtml(layer.getClassName())}</td><td>[${(layer.outputShape ?? []).join(', ')}]</td>` +
    `<td class="num">${layer.countParams().toLocaleString('en-US')}</td></tr>`);
  const totals = lines.filter((line) => /params:/.test(line)).map((line) => `<li>${escapeHtml(line)}</li>`);
  return `<section id="summary"><h2>Model summary</h2>
<table class="summary"><thead><tr><th>Layer</th><th>Type</th><th>Output shape</th><th>Params</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table><ul class="totals">${totals.join('')}</ul>
<details><summary>model.summary() text</summary><pre>${escapeHtml(lines.join('\n'))}</pre></details></section>`;
}

function confusionSection(counts: number[][], names: string[], accuracy: number, count: number): string {
  const header = names.map((n) => `<th>${escapeHtml(n)}</th>`).join('');
  const rows = counts.map((row, actual) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((value, predicted) => {
      const share = total > 0 ? value / total : 0;
      // Correct cells in blue, mistakes in red, stronger for a larger share of the row.
      const hue = actual === predicted ? '31, 119, 180' : '214, 39, 40';
      return `<td class="num${actual === predicted ? ' diagonal' : ''}" style="background: rgba(${hue}, ${(share * 0.85).toFixed(3)})">${value}</td>`;
    });
    return `<tr><th>${escapeHtml(names[actual])}</th>${cells.join('')}</tr>`;
  });
  return `<section id="confusion-matrix"><h2>Confusion matrix</h2>
<p>${count.toLocaleString('en-US')} examples, accuracy ${(accuracy * 100).toFixed(2)}%. Rows: true class; columns: predicted class.</p>
<table class="confusion"><thead><tr><th>true \\ predicted</th>${header}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table></section>`;
}

const STYLE = `body{font-family:${'DejaVu Sans, Arial, Helvetica, sans-serif'};margin:24px;color:#222;background:#fff}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px}td.num{text-align:right}
td.diagonal{font-weight:bold}.example{display:inline-block;vertical-align:top;margin:0 16px 16px 0}
img{display:block;margin:6px 0;image-rendering:pixelated}figcaption{font-size:13px}`;

/** Writes the HTML report to options.path; returns the accuracy and confusion matrix it shows. */
export async function htmlReport(model: Sequential, options: HtmlReportOptions): Promise<HtmlReportResult> {
  checkModel(model);
  const checked = checkOptions<HtmlReportOptions>('options', options, ['path', 'x', 'y', 'history', 'batchLogs', 'classNames', 'examples', 'title']);
  const file = checkOutputPath('options.path', checked.path, ['.html']);
  const x = checkTensor('options.x', checked.x);
  const y = checkTensor('options.y', checked.y);
  const exampleCount = checkInteger('options.examples', checked.examples ?? 4, 0, 64);
  const title = checked.title ?? `faltung report: ${model.name}`;
  if (typeof title !== 'string') throw invalidType('options.title', 'a string', title);
  const output = model.outputShape;
  if (output.length !== 1) throw invalidRange('model', 'a classifier whose output is [classes]', `output shape [${output.join(', ')}]`);
  const classes = output[0];
  const names = checked.classNames ?? Array.from({ length: classes }, (_, i) => `${i}`);
  if (!Array.isArray(names) || names.length !== classes || names.some((n) => typeof n !== 'string')) {
    throw invalidRange('options.classNames', `${classes} strings (one per class)`, names);
  }
  const actual = labelIndices(y, classes);
  if (actual.length !== x.shape[0]) throw invalidRange('options.y', `${x.shape[0]} labels (one per example of x)`, actual.length);
  const scores = await model.predictAsync(x, { batchSize: 256 });
  const predicted = argmaxRows(scores);
  const confusion = confusionMatrix(actual, predicted, classes);
  const correct = confusion.reduce((sum, row, i) => sum + row[i], 0);
  const accuracy = actual.length > 0 ? correct / actual.length : 0;

  const sections: string[] = [summarySection(model)];
  if (checked.history !== undefined) {
    const svg = trainingCurvesSvg(checked.history, checked.batchLogs === undefined ? {} : { batchLogs: checked.batchLogs });
    sections.push(`<section id="curves"><h2>Training curves</h2><img class="curves" alt="training curves" src="${dataUri(await renderSvgToPng(svg))}"></section>`);
  }
  const convs = conv2dLayers(model);
  if (convs.length > 0) {
    const images = await Promise.all(convs.map((layer) => pictureImg(filterPicture(layer).picture, `filters of ${layer.name}`, 'filters')));
    sections.push(`<section id="filters"><h2>Filters</h2><p>Kernel weights: blue negative, white zero, red positive (one scale per layer).</p>${images.join('\n')}</section>`);
  }
  const rowSize = model.inputShape.reduce((a, b) => a * b, 1);
  const shown = Math.min(exampleCount, x.shape[0]);
  const examples: string[] = [];
  for (let i = 0; i < shown; ++i) {
    const example = new Tensor(x.data.subarray(i * rowSize, (i + 1) * rowSize), [1, ...model.inputShape]);
    const verdict = `true ${names[actual[i]]}, predicted ${names[predicted[i]]}`;
    const maps = model.inputShape.length === 3 ? await pictureImg(featureMapPicture(mapStacks(model, example)).picture, `feature maps of example ${i}`, 'feature-maps') : '';
    const bars = await pictureImg(votesPicture(scores.data.subarray(i * classes, (i + 1) * classes), { classNames: names, title: verdict }).picture, `votes for example ${i}`, 'votes');
    examples.push(`<figure class="example" data-example="${i}"><figcaption>Example ${i}: ${escapeHtml(verdict)}</figcaption>${maps}${bars}</figure>`);
  }
  if (examples.length > 0) sections.push(`<section id="feature-maps"><h2>Feature maps and votes</h2>${examples.join('\n')}</section>`);
  sections.push(confusionSection(confusion, names, accuracy, actual.length));

  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${sections.join('\n')}
</body></html>
`;
  await writeOutput(file, html);
  return { path: file, accuracy, confusion, bytes: Buffer.byteLength(html) };
}
