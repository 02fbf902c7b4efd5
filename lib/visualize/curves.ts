// fg.visualize.trainingCurves and fg.visualize.batchRecorder: a fit's history drawn as loss and
// accuracy panels (train and validation per epoch, plus the per-batch values smoothed by a
// bias-corrected exponential moving average when a batch recorder was passed to fit).
// SVG for a .svg path, PNG (rendered by sharp) for .png. Nothing here trains or reads files.
import type { Callback, Logs } from '../callbacks';
import { checkOptions } from '../data/options';
import { checkNumber, invalidRange, invalidType } from '../validate';
import { type ChartPanel, type ChartSeries, chartSvg } from './chart_svg';
import { writeChart } from './line_chart';

/** One recorded batch: the epoch it belongs to and fit's batch logs. */
export interface BatchLog {
  epoch: number;
  batch: number;
  size: number;
  loss: number;
  accuracy?: number;
}

/** A fit callback that keeps every batch's logs (onBatchEnd), for per-batch curves. */
export class BatchRecorder implements Callback {
  readonly batches: BatchLog[] = [];
  private epoch = 0;

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    const entry: BatchLog = { epoch: this.epoch, batch, size: logs.size ?? 0, loss: logs.loss };
    if (logs.accuracy !== undefined) entry.accuracy = logs.accuracy;
    this.batches.push(entry);
  }
}

/** fg.visualize.batchRecorder(): pass it to fit({callbacks}) and then to trainingCurves({batchLogs}). */
export function batchRecorder(): BatchRecorder {
  return new BatchRecorder();
}

/**
 * Exponential moving average with bias correction (as Adam's moments and TensorBoard's smoothing):
 * a_i = smoothing * a_(i-1) + (1 - smoothing) * v_i with a_(-1) = 0, and out_i = a_i / (1 - smoothing^(i+1)).
 * So out_0 = v_0, and a constant series stays constant. NaN values are carried through as NaN and skipped.
 */
export function emaSmooth(values: readonly number[], smoothing: number): number[] {
  checkNumber('smoothing', smoothing, 0, 0.999999);
  let average = 0;
  let count = 0;
  return values.map((value) => {
    if (!Number.isFinite(value)) return NaN;
    count += 1;
    average = smoothing * average + (1 - smoothing) * value;
    return average / (1 - smoothing ** count);
  });
}

/** What trainingCurves accepts as a history: fit's History, its `.history` record, or {epoch, history}. */
export type HistoryLike = { history: Record<string, number[]>; epoch?: number[] } | Record<string, number[]>;

function historyRecord(history: unknown): { metrics: Record<string, number[]>; epochs: number[] } {
  if (history === null || typeof history !== 'object') throw invalidType('history', "fit's History (or its .history record)", history);
  const h = history as { history?: unknown; epoch?: unknown };
  const metrics = (h.history !== undefined ? h.history : history) as Record<string, unknown>;
  if (metrics === null || typeof metrics !== 'object') throw invalidType('history.history', 'a record of metric arrays', metrics);
  let length = -1;
  for (const [key, values] of Object.entries(metrics)) {
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'number')) throw invalidType(`history.${key}`, 'an array of numbers', values);
    if (length >= 0 && values.length !== length) throw invalidRange(`history.${key}`, `${length} values (one per epoch, as the other metrics)`, `${values.length} values`);
    length = values.length;
  }
  if (length <= 0 && metrics.loss === undefined) throw invalidRange('history', 'a history with a loss per epoch', 'no loss');
  const epochs = Array.isArray(h.epoch) && h.epoch.length === length ? (h.epoch as number[]) : Array.from({ length }, (_, i) => i);
  return { metrics: metrics as Record<string, number[]>, epochs };
}

function checkBatchLogs(value: unknown): BatchLog[] {
  const batches = value instanceof BatchRecorder ? value.batches : value;
  if (!Array.isArray(batches)) throw invalidType('options.batchLogs', 'a BatchRecorder or an array of {epoch, batch, loss}', value);
  batches.forEach((b, i) => {
    if (b === null || typeof b !== 'object' || typeof b.epoch !== 'number' || typeof b.batch !== 'number' || typeof b.loss !== 'number') {
      throw invalidType(`options.batchLogs[${i}]`, '{epoch, batch, loss}', b);
    }
  });
  return batches as BatchLog[];
}

/** x of each batch in epochs: epoch + (batch + 1) / (batches in that epoch), so an epoch's last batch sits at epoch + 1. */
export function batchPositions(batches: readonly BatchLog[]): number[] {
  const perEpoch = new Map<number, number>();
  for (const b of batches) perEpoch.set(b.epoch, Math.max(perEpoch.get(b.epoch) ?? 0, b.batch + 1));
  return batches.map((b) => b.epoch + (b.batch + 1) / perEpoch.get(b.epoch)!);
}

export interface TrainingCurvesOptions {
  /** Per-batch logs (a batchRecorder() passed to fit): adds smoothed per-batch curves. */
  batchLogs?: BatchRecorder | BatchLog[];
  /** EMA smoothing of the batch curves, in [0, 1) (default 0.9). */
  smoothing?: number;
  title?: string;
}

export const TRAIN_COLOR = '#1f77b4';
export const VALIDATION_COLOR = '#ff7f0e';

/** The SVG of the training curves (pure). Per-epoch points sit at x = epoch + 1 (the end of the epoch). */
export function trainingCurvesSvg(history: HistoryLike, options: TrainingCurvesOptions = {}): string {
  const checked = checkOptions<TrainingCurvesOptions>('options', options, ['batchLogs', 'smoothing', 'title']);
  const { metrics, epochs } = historyRecord(history);
  const smoothing = checkNumber('options.smoothing', checked.smoothing ?? 0.9, 0, 0.999999);
  if (checked.title !== undefined && typeof checked.title !== 'string') throw invalidType('options.title', 'a string', checked.title);
  const batches = checked.batchLogs === undefined ? [] : checkBatchLogs(checked.batchLogs);
  const x = epochs.map((e) => e + 1);
  const batchX = batchPositions(batches);
  const panel = (metric: 'loss' | 'accuracy', title: string): ChartPanel | null => {
    const series: ChartSeries[] = [];
    const batchValues = batches.map((b) => (metric === 'loss' ? b.loss : b.accuracy ?? NaN));
    if (batchValues.some(Number.isFinite)) {
      series.push({ name: `batch ${metric} (EMA ${smoothing})`, x: batchX, y: emaSmooth(batchValues, smoothing), color: TRAIN_COLOR, width: 1, opacity: 0.45 });
    }
    if (metrics[metric]) series.push({ name: `train ${metric}`, x, y: metrics[metric], color: TRAIN_COLOR, markers: true });
    if (metrics[`val_${metric}`]) series.push({ name: `validation ${metric}`, x, y: metrics[`val_${metric}`], color: VALIDATION_COLOR, dashed: true, markers: true });
    return series.length === 0 ? null : { title, xLabel: 'epoch', yLabel: metric, series };
  };
  const panels = [panel('loss', 'loss'), panel('accuracy', 'accuracy')].filter((p): p is ChartPanel => p !== null);
  return chartSvg({ title: checked.title ?? 'training curves', panels });
}

/** Writes the training curves of `history` to `path` (.svg or .png); returns the SVG text. */
export async function trainingCurves(history: HistoryLike, path: string, options: TrainingCurvesOptions = {}): Promise<string> {
  const svg = trainingCurvesSvg(history, options);
  await writeChart(svg, path);
  return svg;
}
