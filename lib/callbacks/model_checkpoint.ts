// fg.callbacks.modelCheckpoint: Keras' ModelCheckpoint over saveModel (atomic), each epoch or only on
// improvement of the monitored metric; `path` takes placeholders like {epoch} or {val_loss:.3f}.
// Deliberately no weights-only or per-batch saving and no verbose printing.
import type { Callback, Logs } from '../callbacks';
import { saveModel } from '../io/model_io';
import type { Sequential } from '../model';
import { checkBoolean, checkOneOf, invalidRange, invalidType } from '../validate';
import { MonitorMode, checkCallbackArgs, checkModel, checkMonitor, monitoredValue, resolveMaximize } from './early_stopping';

export interface ModelCheckpointArgs {
  /** Directory to save to; may contain {epoch} (1-based), {epoch:03d}, or a logged metric such as {val_loss:.4f}. */
  path: string;
  /** The logged quantity compared when saveBestOnly is set (default 'val_loss'). */
  monitor?: string;
  /** Save only when the monitored quantity improves on the best so far (default false: every epoch). */
  saveBestOnly?: boolean;
  /** 'min', 'max', or 'auto' (default): 'min' for losses, 'max' for accuracies. */
  mode?: MonitorMode;
}

/** {name}, {name:0Nd} / {name:Nd} / {name:d}, {name:.Nf} / {name:f}; {{ and }} are literal braces. */
const PLACEHOLDER = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)(?::(0?\d{0,3}d|(?:\.\d{1,2})?f))?\}|[{}]/g;

function formatValue(value: number, spec: string | undefined): string {
  if (spec === undefined) return String(value);
  if (spec.endsWith('d')) {
    const width = Number.parseInt(spec, 10) || 0;
    const integer = Math.trunc(value);
    const sign = integer < 0 ? '-' : '';
    const digits = String(Math.abs(integer));
    return spec.startsWith('0') ? sign + digits.padStart(width - sign.length, '0') : (sign + digits).padStart(width);
  }
  const digits = spec.startsWith('.') ? Number(spec.slice(1, -1)) : 6;
  return value.toFixed(digits);
}

/** Fills the placeholders of `pattern` from `values`; an unknown name or malformed brace is a RangeError. */
export function formatCheckpointPath(pattern: string, values: Record<string, number>): string {
  return pattern.replace(PLACEHOLDER, (match: string, name: string | undefined, spec: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (name === undefined) throw invalidRange('path', "placeholders like {epoch} or {val_loss:.4f} ('{{' and '}}' for literal braces)", pattern);
    const value = values[name];
    if (typeof value !== 'number') {
      throw invalidRange(`path placeholder {${name}}`, `one of ${Object.keys(values).join(', ')}`, name);
    }
    return formatValue(value, spec);
  });
}

function checkPlaceholderSyntax(pattern: string): void {
  for (const match of pattern.matchAll(PLACEHOLDER)) {
    if (match[0] === '{' || match[0] === '}') {
      throw invalidRange('path', "placeholders like {epoch} or {val_loss:.4f} ('{{' and '}}' for literal braces)", pattern);
    }
  }
}

export class ModelCheckpoint implements Callback {
  readonly path: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly mode: MonitorMode;
  /** Best monitored value saved so far (null before the first save). */
  best: number | null = null;
  /** Directories saved to, in order. */
  readonly savedPaths: string[] = [];
  private readonly maximize: boolean;
  private model: Sequential | null = null;

  constructor(args: ModelCheckpointArgs) {
    const options = checkCallbackArgs('modelCheckpoint', args, ['path', 'monitor', 'saveBestOnly', 'mode']);
    if (typeof options.path !== 'string' || options.path.length === 0) throw invalidType('path', 'a non-empty directory path string', options.path);
    checkPlaceholderSyntax(options.path);
    this.path = options.path;
    this.monitor = checkMonitor(options.monitor ?? 'val_loss');
    this.saveBestOnly = checkBoolean('saveBestOnly', options.saveBestOnly ?? false);
    this.mode = checkOneOf('mode', options.mode ?? 'auto', ['auto', 'min', 'max'] as const);
    this.maximize = resolveMaximize(this.monitor, this.mode);
  }

  setModel(model: unknown): void {
    this.model = checkModel(model);
  }

  private improves(value: number): boolean {
    if (this.best === null) return true;
    return this.maximize ? value > this.best : value < this.best;
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const model = this.model;
    if (model === null) throw new RangeError('modelCheckpoint was not given a model: pass it in fit({callbacks})');
    const dir = formatCheckpointPath(this.path, { ...logs, epoch: epoch + 1 });
    if (this.saveBestOnly) {
      const current = monitoredValue(this.monitor, logs);
      if (!this.improves(current)) return;
      this.best = current;
    }
    await saveModel(model, dir);
    this.savedPaths.push(dir);
  }
}

export function modelCheckpoint(args: ModelCheckpointArgs): ModelCheckpoint {
  return new ModelCheckpoint(args);
}
