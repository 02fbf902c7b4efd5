// A readers-writer lock over a model's weight arrays: a training step (the writer) updates them on
// a native thread while predictions (readers) read them on others. Waiters are served in arrival
// order, so a stream of predictions cannot starve fit, nor fit the predictions: a prediction waits
// at most for the step in flight. Deliberately promise-only: JS code never blocks on it.

type Waiter = { writer: boolean; start: () => void };

export class WeightsLock {
  private readers = 0;
  private writing = false;
  private readonly waiting: Waiter[] = [];

  /** True while a write holds the lock (synchronous readers must not touch the weights). */
  get writeInProgress(): boolean {
    return this.writing;
  }

  read<T>(body: () => Promise<T>): Promise<T> {
    return this.run(false, body);
  }

  write<T>(body: () => Promise<T>): Promise<T> {
    return this.run(true, body);
  }

  private run<T>(writer: boolean, body: () => Promise<T>): Promise<T> {
    return new Promise<void>((start) => {
      this.waiting.push({ writer, start });
      this.admit();
    }).then(async () => {
      try {
        return await body();
      } finally {
        if (writer) this.writing = false;
        else this.readers -= 1;
        this.admit();
      }
    });
  }

  /** Starts waiters from the front: one writer alone, or every reader up to the next writer. */
  private admit(): void {
    while (this.waiting.length > 0 && !this.writing) {
      const next = this.waiting[0];
      if (next.writer && this.readers > 0) return;
      this.waiting.shift();
      if (next.writer) this.writing = true;
      else this.readers += 1;
      next.start();
    }
  }
}
