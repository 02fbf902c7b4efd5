// fg.visualize.votes: the final layer's class scores for one example as a horizontal bar chart,
// the winning class in red. Bars are exact rectangles in the pixel buffer; class names and values
// are text labels. Deliberately no sorting: classes stay in output order so charts compare.
import { checkOptions } from '../data/options';
import type { Sequential } from '../model';
import type { Tensor } from '../tensor';
import { invalidRange, invalidType } from '../validate';
import { checkModel, oneExample } from './model_input';
import { type Picture, type TextLabel, checkOutputPath, writePicture } from './picture';
import { type Rgb, createRaster, fillRect } from './raster';

export interface VotesOptions {
  /** One name per class (default '0', '1', ...). */
  classNames?: string[];
  /** Title above the bars (default 'class scores'). */
  title?: string;
}

/** Geometry of the chart: every bar's rectangle follows from these. */
export const VOTES_LAYOUT = Object.freeze({
  margin: 4,
  titleHeight: 20,
  rowHeight: 20,
  barHeight: 14,
  labelWidth: 100,
  barWidth: 240,
  valueWidth: 70,
});
export const BAR_COLOR: Rgb = [31, 119, 180];
export const WINNER_COLOR: Rgb = [214, 39, 40];
export const AXIS_COLOR: Rgb = [0, 0, 0];

export interface VotesPicture {
  readonly picture: Picture;
  /** Class with the highest score (the first one on ties). */
  readonly winner: number;
  /**
   * Score that fills the whole bar width: 1 when every score is in [0, 1] (probabilities), else the
   * largest |score|. With negative scores the zero axis is in the middle and each side has half the width.
   */
  readonly fullScale: number;
  /** x of the zero axis. */
  readonly zeroX: number;
  /** Per class: the bar rectangle (width 0 for a zero score). */
  readonly bars: { x: number; y: number; width: number; height: number }[];
}

function checkClassNames(names: unknown, classes: number): string[] {
  if (names === undefined) return Array.from({ length: classes }, (_, i) => `${i}`);
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw invalidType('options.classNames', 'an array of strings', names);
  if (names.length !== classes) throw invalidRange('options.classNames', `${classes} names (one per class)`, `${names.length} names`);
  return names as string[];
}

/** Three decimals for ordinary scores (probabilities), three significant digits for very large ones. */
function formatScore(value: number): string {
  return Math.abs(value) < 1000 ? value.toFixed(3) : value.toPrecision(3);
}

/** The bar chart of `scores` (pure). */
export function votesPicture(scores: ArrayLike<number>, options: VotesOptions = {}): VotesPicture {
  const checked = checkOptions<VotesOptions>('options', options, ['classNames', 'title']);
  if (scores === null || typeof scores !== 'object' || typeof scores.length !== 'number' || scores.length === 0) {
    throw invalidType('scores', 'a non-empty array of numbers', scores);
  }
  const values = Array.from(scores, (v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidRange(`scores[${i}]`, 'a finite number', v);
    return v;
  });
  const names = checkClassNames(checked.classNames, values.length);
  const title = checked.title ?? 'class scores';
  if (typeof title !== 'string') throw invalidType('options.title', 'a string', title);
  const L = VOTES_LAYOUT;
  const hasNegative = values.some((v) => v < 0);
  const probabilities = values.every((v) => v >= 0 && v <= 1);
  const fullScale = probabilities ? 1 : Math.max(...values.map(Math.abs));
  const barLeft = L.margin + L.labelWidth;
  const halfWidth = hasNegative ? Math.floor(L.barWidth / 2) : L.barWidth;
  const zeroX = hasNegative ? barLeft + halfWidth : barLeft;
  let winner = 0;
  values.forEach((v, i) => { if (v > values[winner]) winner = i; });
  const width = L.margin * 2 + L.labelWidth + L.barWidth + L.valueWidth;
  const height = L.margin * 2 + L.titleHeight + values.length * L.rowHeight;
  const raster = createRaster(width, height, [255, 255, 255]);
  const labels: TextLabel[] = [{ x: L.margin, y: L.margin + 14, text: title, size: 13, bold: true }];
  // The zero axis first: a bar drawn over it keeps its own colour on every one of its pixels.
  fillRect(raster, zeroX, L.margin + L.titleHeight, 1, values.length * L.rowHeight, AXIS_COLOR);
  const bars = values.map((v, i) => {
    const length = fullScale > 0 ? Math.round((Math.abs(v) / fullScale) * halfWidth) : 0;
    const y = L.margin + L.titleHeight + i * L.rowHeight + Math.floor((L.rowHeight - L.barHeight) / 2);
    const bar = { x: v < 0 ? zeroX - length : zeroX, y, width: length, height: L.barHeight };
    fillRect(raster, bar.x, bar.y, bar.width, bar.height, i === winner ? WINNER_COLOR : BAR_COLOR);
    const baseline = y + L.barHeight - 3;
    labels.push({ x: barLeft - 6, y: baseline, text: names[i], anchor: 'end', bold: i === winner });
    labels.push({ x: barLeft + L.barWidth + 6, y: baseline, text: formatScore(v), bold: i === winner });
    return bar;
  });
  return { picture: { raster, labels }, winner, fullScale, zeroX, bars };
}

/** The final layer's scores for the example `x` (one row of model.predict). */
export function classScores(model: Sequential, x: Tensor): Float32Array {
  checkModel(model);
  const output = model.predict(oneExample(model, x));
  if (output.rank !== 2) {
    throw invalidRange('model', 'a model whose output is one score per class ([classes])', `output shape [${output.shape.slice(1).join(', ')}]`);
  }
  return output.data;
}

/** Writes the class scores of the example `x` as a bar chart PNG to `path`. */
export async function votes(model: Sequential, x: Tensor, path: string, options: VotesOptions = {}): Promise<VotesPicture> {
  const file = checkOutputPath('path', path, ['.png']);
  const result = votesPicture(classScores(model, x), options);
  await writePicture(result.picture, file);
  return result;
}
