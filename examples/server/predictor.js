// Answers prediction requests from a serving model of its own: requests that arrive while one batch
// is computing are gathered into the next (one predictAsync per batch, off the event loop), and new
// weights are copied in between two batches. It never predicts with the training model, whose
// weights the optimizer rewrites in the middle of every step.
'use strict';

class BatchingPredictor {
  /**
   * @param fg the faltung module
   * @param model a built model with the trained model's architecture (only this class uses it)
   * @param maxBatch most images per predictAsync call
   */
  constructor(fg, model, { maxBatch = 64 } = {}) {
    this.fg = fg;
    this.model = model;
    this.maxBatch = maxBatch;
    this.inputShape = model.inputShape;
    this.inputSize = this.inputShape.reduce((a, b) => a * b, 1);
    this.outputSize = model.outputShape.reduce((a, b) => a * b, 1);
    this.queue = [];
    this.running = false;
    this.pendingWeights = null;
    this.version = 0;
    this.stats = { requests: 0, images: 0, batches: 0, largestBatch: 0 };
  }

  /** Resolves to { outputs (count x outputSize floats), version (of the weights used) }. */
  predict(pixels, count) {
    return new Promise((resolve, reject) => {
      this.queue.push({ pixels, count, resolve, reject });
      this.stats.requests += 1;
      if (!this.running) this.runBatches();
    });
  }

  /** New weights (getWeights() copies, Keras order); they serve from the next batch on. */
  publish(weights, version) {
    this.pendingWeights = { weights, version };
    if (!this.running) this.applyPendingWeights();
  }

  applyPendingWeights() {
    if (this.pendingWeights === null) return;
    // Safe: no predictAsync of this model is running, so nothing reads the arrays being written.
    this.model.setWeights(this.pendingWeights.weights);
    this.version = this.pendingWeights.version;
    this.pendingWeights = null;
  }

  async runBatches() {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        this.applyPendingWeights();
        const jobs = [this.queue.shift()];
        let images = jobs[0].count;
        while (this.queue.length > 0 && images + this.queue[0].count <= this.maxBatch) {
          const job = this.queue.shift();
          jobs.push(job);
          images += job.count;
        }
        await this.runBatch(jobs, images);
      }
    } finally {
      this.running = false;
      this.applyPendingWeights();
    }
  }

  async runBatch(jobs, images) {
    let input = jobs[0].pixels;
    if (jobs.length > 1) {
      input = new Float32Array(images * this.inputSize);
      let offset = 0;
      for (const job of jobs) {
        input.set(job.pixels, offset);
        offset += job.pixels.length;
      }
    }
    const version = this.version;
    try {
      const x = new this.fg.Tensor(input, [images, ...this.inputShape]);
      const out = await this.model.predictAsync(x, { batchSize: images });
      this.stats.batches += 1;
      this.stats.images += images;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, images);
      let row = 0;
      for (const job of jobs) {
        job.resolve({ outputs: out.data.subarray(row * this.outputSize, (row + job.count) * this.outputSize), version });
        row += job.count;
      }
    } catch (error) {
      for (const job of jobs) job.reject(error);
    }
  }
}

module.exports = { BatchingPredictor };
