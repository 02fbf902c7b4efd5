// Training progress for `faltung train`, as a fit() callback: on a terminal one line redrawn in
// place with \r (epoch, batch/total, bar, loss, accuracy, images/s, ETA), at most ~10 times a
// second; elsewhere (pipes, logs, CI) plain lines, one per epoch plus at most three in a long one.
import type { Callback, Logs } from '../callbacks';

/** Where progress goes: process.stdout, or anything with write (isTTY decides the mode). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** Epochs of the whole run (for "Epoch 2/3"). */
  epochs: number;
  batchesPerEpoch: number;
  /** Milliseconds clock (default performance.now); tests pass their own. */
  now?: () => number;
}

/** What one progress line shows. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number | undefined;
  imagesPerSecond: number;
  /** Seconds: left in the epoch while it runs, taken by the epoch once it ended. */
  seconds: number;
  done: boolean;
}

/** Minimum time between two redraws on a terminal. */
export const REDRAW_INTERVAL_MS = 100;
/** A non-terminal gets lines inside an epoch only once the epoch has run this long. */
export const QUIET_EPOCH_MS = 10_000;
/** The bar takes the width the numbers leave on the terminal line, within these bounds. */
const BAR_MIN = 10;
const BAR_MAX = 30;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

function bar(fraction: number, width: number): string {
  const filled = Math.min(width, Math.floor(fraction * width));
  if (filled === width) return `[${'='.repeat(width)}]`;
  return `[${'='.repeat(filled)}>${'.'.repeat(width - filled - 1)}]`;
}

/**
 * One progress line, e.g. "Epoch 1/3  234/469 [====>....]  loss 0.1234  acc 0.9612  5,123 img/s  ETA 4.2s";
 * the bar (barWidth characters inside the brackets) only when barWidth > 0.
 */
export function formatProgress(state: ProgressState, barWidth = 0): string {
  const width = String(state.batches).length;
  const parts = [
    `Epoch ${state.epoch}/${state.epochs}`,
    `${String(state.batch).padStart(width)}/${state.batches}${barWidth > 0 ? ` ${bar(state.batch / state.batches, barWidth)}` : ''}`,
    `loss ${state.loss.toFixed(4)}`,
    ...(state.accuracy === undefined ? [] : [`acc ${state.accuracy.toFixed(4)}`]),
    `${Math.round(state.imagesPerSecond).toLocaleString('en-US')} img/s`,
    state.done ? formatDuration(state.seconds) : `ETA ${formatDuration(state.seconds)}`,
  ];
  return parts.join('  ');
}

export class TrainingProgress implements Callback {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly epochs: number;
  private readonly batchesPerEpoch: number;
  private readonly now: () => number;
  private epoch = 0;
  private epochStart = 0;
  private lastDraw = -Infinity;
  private lossSum = 0;
  private correctSum = 0;
  private hasAccuracy = false;
  private seen = 0;
  private batchesDone = 0;
  private nextQuarter = 1;

  constructor(options: ProgressOptions) {
    this.stream = options.stream;
    this.tty = options.stream.isTTY === true;
    this.epochs = options.epochs;
    this.batchesPerEpoch = options.batchesPerEpoch;
    this.now = options.now ?? (() => performance.now());
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.epochStart = this.now();
    this.lastDraw = -Infinity;
    this.lossSum = 0;
    this.correctSum = 0;
    this.hasAccuracy = false;
    this.seen = 0;
    this.batchesDone = 0;
    this.nextQuarter = 1;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    const size = logs.size ?? 0;
    this.lossSum += logs.loss * size;
    if (logs.accuracy !== undefined) {
      this.hasAccuracy = true;
      this.correctSum += logs.accuracy * size;
    }
    this.seen += size;
    this.batchesDone = batch + 1;
    const now = this.now();
    const elapsed = now - this.epochStart;
    if (this.tty) {
      // The epoch's last batch is drawn by onEpochEnd with the final numbers.
      if (now - this.lastDraw >= REDRAW_INTERVAL_MS && this.batchesDone < this.batchesPerEpoch) {
        this.lastDraw = now;
        this.draw(this.state(elapsed, false));
      }
      return;
    }
    const quarter = Math.floor((4 * this.batchesDone) / this.batchesPerEpoch);
    if (quarter >= this.nextQuarter && quarter < 4) {
      this.nextQuarter = quarter + 1;
      if (elapsed >= QUIET_EPOCH_MS) this.stream.write(`${formatProgress(this.state(elapsed, false))}\n`);
    }
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    const elapsed = this.now() - this.epochStart;
    const state = this.state(elapsed, true);
    state.loss = logs.loss ?? state.loss;
    state.accuracy = logs.accuracy ?? state.accuracy;
    if (this.tty) {
      this.draw(state);
      this.stream.write('\n');
    } else {
      this.stream.write(`${formatProgress(state)}\n`);
    }
  }

  private state(elapsedMs: number, done: boolean): ProgressState {
    const seconds = elapsedMs / 1000;
    const perBatch = this.batchesDone > 0 ? seconds / this.batchesDone : NaN;
    return {
      epoch: this.epoch + 1,
      epochs: this.epochs,
      batch: this.batchesDone,
      batches: this.batchesPerEpoch,
      loss: this.seen > 0 ? this.lossSum / this.seen : NaN,
      accuracy: this.hasAccuracy && this.seen > 0 ? this.correctSum / this.seen : undefined,
      imagesPerSecond: seconds > 0 ? this.seen / seconds : 0,
      seconds: done ? seconds : perBatch * (this.batchesPerEpoch - this.batchesDone),
      done,
    };
  }

  private draw(state: ProgressState): void {
    // Terminals without a size (some CI emulators, `script`) report 0 columns.
    const columns = this.stream.columns !== undefined && this.stream.columns > 0 ? this.stream.columns : 80;
    // Room for the bar: the line without it, plus a space and two brackets, must fit in columns - 1.
    const room = columns - 1 - formatProgress(state).length - 3;
    const barWidth = room >= BAR_MIN ? Math.min(room, BAR_MAX) : 0;
    const line = formatProgress(state, barWidth).slice(0, Math.max(columns - 1, 20));
    // \r back to the start, then the line, then erase what a longer previous line left.
    this.stream.write(`\r${line}\x1b[K`);
  }
}
