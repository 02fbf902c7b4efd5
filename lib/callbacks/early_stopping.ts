// fg.callbacks.earlyStopping: Keras 3's EarlyStopping (monitor, minDelta, patience, mode, baseline,
// restoreBestWeights) via model.stopTraining, plus the monitor helpers model_checkpoint.ts shares.
// Deliberately no verbose printing and no startFromEpoch.
import type { Callback, Logs } from '../callbacks';
import { Sequential } from '../model';
import type { Tensor } from '../tensor';
import { checkBoolean, checkInteger, checkNumber, checkOneOf, invalidRange, invalidType, checkKnownKeys } from '../validate';

export type MonitorMode = 'auto' | 'min' | 'max';

export interface EarlyStoppingArgs {
  /** The logged quantity to watch (default 'val_loss'; 'loss', 'accuracy', 'val_accuracy'). */
  monitor?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement after which training stops (default 0). */
  patience?: number;
  /** 'min', 'max', or 'auto' (default): 'min' for loss and val_loss, 'max' for accuracy and val_accuracy. */
  mode?: MonitorMode;
  /** Training stops unless the monitored value gets better than this within `patience` epochs. */
  baseline?: number;
  /** When training ends, put back the weights of the best epoch (default false; Keras 3 semantics). */
  restoreBestWeights?: boolean;
}

/** Rejects option keys outside `allowed` (a typo would otherwise be silently ignored). */
export function checkCallbackArgs(name: string, args: unknown, allowed: readonly string[]): Record<string, unknown> {
  return checkKnownKeys(`${name} args`, args as Record<string, unknown>, allowed);
}

export function checkMonitor(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidType('monitor', "a metric name such as 'val_loss'", value);
  return value;
}

/**
 * Whether larger values of `monitor` are better. 'auto' follows Keras 3: losses are minimized,
 * accuracies maximized, and any other name needs an explicit mode.
 */
export function resolveMaximize(monitor: string, mode: MonitorMode): boolean {
  if (mode !== 'auto') return mode === 'max';
  const metric = monitor.startsWith('val_') ? monitor.slice(4) : monitor;
  if (metric === 'loss') return false;
  if (metric === 'accuracy' || metric === 'acc') return true;
  throw invalidRange('mode', `'min' or 'max' for monitor '${monitor}' (auto knows only loss and accuracy)`, mode);
}

/** The monitored value from the epoch's logs; a name fit does not log is an error, not a silent no-op. */
export function monitoredValue(monitor: string, logs: Logs): number {
  const value = logs[monitor];
  if (typeof value !== 'number') {
    const hint = monitor.startsWith('val_') ? " (val_ metrics need fit's validationData or validationSplit)" : '';
    throw invalidRange('monitor', `one of the metrics fit logs (${Object.keys(logs).join(', ')})${hint}`, monitor);
  }
  return value;
}

export function checkModel(model: unknown): Sequential {
  if (!(model instanceof Sequential)) throw invalidType('model', 'a Sequential model', model);
  return model;
}

export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: MonitorMode;
  readonly baseline: number | undefined;
  readonly restoreBestWeights: boolean;
  private readonly maximize: boolean;
  /** Epoch (0-based) at which training was stopped, or 0 if it was not. */
  stoppedEpoch = 0;
  /** Epoch (0-based) of the best monitored value so far. */
  bestEpoch = 0;
  /** Best monitored value so far (null before the first epoch ends). */
  best: number | null = null;
  private wait = 0;
  private bestWeights: Tensor[] | null = null;
  private model: Sequential | null = null;

  constructor(args: EarlyStoppingArgs = {}) {
    const options = checkCallbackArgs('earlyStopping', args, ['monitor', 'minDelta', 'patience', 'mode', 'baseline', 'restoreBestWeights']);
    this.monitor = checkMonitor(options.monitor ?? 'val_loss');
    this.minDelta = Math.abs(checkNumber('minDelta', options.minDelta ?? 0));
    this.patience = checkInteger('patience', options.patience ?? 0, 0);
    this.mode = checkOneOf('mode', options.mode ?? 'auto', ['auto', 'min', 'max'] as const);
    this.baseline = options.baseline === undefined ? undefined : checkNumber('baseline', options.baseline);
    this.restoreBestWeights = checkBoolean('restoreBestWeights', options.restoreBestWeights ?? false);
    this.maximize = resolveMaximize(this.monitor, this.mode);
  }

  setModel(model: unknown): void {
    this.model = checkModel(model);
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestEpoch = 0;
    this.best = null;
    this.bestWeights = null;
  }

  /** Keras' _is_improvement: better than `reference` by more than minDelta. */
  private improves(value: number, reference: number | null): boolean {
    if (reference === null) return true;
    return this.maximize ? value - this.minDelta > reference : value + this.minDelta < reference;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const model = this.model;
    if (model === null) throw new RangeError('earlyStopping was not given a model: pass it in fit({callbacks})');
    const current = monitoredValue(this.monitor, logs);
    if (this.restoreBestWeights && this.bestWeights === null) {
      this.bestWeights = model.getWeights();  // never-improved weights count as the best so far
      this.bestEpoch = epoch;
    }
    this.wait += 1;
    if (this.improves(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = model.getWeights();
      // Only an improvement on the baseline too resets the wait (Keras).
      if (this.baseline === undefined || this.improves(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights !== null && this.model !== null) this.model.setWeights(this.bestWeights);
  }
}

export function earlyStopping(args: EarlyStoppingArgs = {}): EarlyStopping {
  return new EarlyStopping(args);
}
