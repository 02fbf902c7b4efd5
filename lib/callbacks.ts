// Training callbacks: the hook interface fit() calls (Keras / TF.js names, async allowed) and the
// History every fit returns. Ready-made callbacks (early stopping, checkpoints, learning-rate
// schedules) live in lib/callbacks/.

export type Logs = Record<string, number>;

/** Any object with some of these methods can be passed to fit({callbacks}). */
export interface Callback {
  /** Called once before training with the model being trained. */
  setModel?(model: unknown): void;
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
}

/** Per-epoch metrics of a fit: history.loss, history.accuracy, history.val_loss, history.val_accuracy. */
export class History {
  readonly epoch: number[] = [];
  /** Every metric by name (as TF.js' History.history). */
  readonly history: Record<string, number[]> = {};

  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) {
      (this.history[key] ??= []).push(value);
    }
  }

  get loss(): number[] {
    return this.history.loss ?? [];
  }

  get accuracy(): number[] {
    return this.history.accuracy ?? [];
  }

  // eslint-disable-next-line @typescript-eslint/naming-convention
  get val_loss(): number[] {
    return this.history.val_loss ?? [];
  }

  // eslint-disable-next-line @typescript-eslint/naming-convention
  get val_accuracy(): number[] {
    return this.history.val_accuracy ?? [];
  }
}

/** Calls one hook on every callback in order, awaiting each. */
export async function callHook<K extends keyof Callback>(callbacks: Callback[], hook: K, ...args: Parameters<NonNullable<Callback[K]>>): Promise<void> {
  for (const callback of callbacks) {
    const method = callback[hook] as ((...a: unknown[]) => unknown) | undefined;
    if (typeof method === 'function') await method.apply(callback, args);
  }
}
