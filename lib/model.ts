// Sequential models: Keras' / TF.js' API (add, compile, fit, evaluate, predict, trainOnBatch,
// getWeights/setWeights, summary) over the native Network, so one training step (forward, loss,
// backward, update of the whole network) is one native call off the event loop. Batches are
// gathered into reused buffers; the data set is never copied per epoch.
import { withCallSite } from './async';
import { Callback, History, Logs, callHook } from './callbacks';
import { gatherRows, shuffledIndices } from './data/batching';
import { FaltungError } from './errors';
// model_io imports Sequential back; both sides use each other only inside functions, so the
// CommonJS cycle resolves.
import { saveModel } from './io/model_io';
import { Embedding } from './layers/embedding';
import { InputLayer } from './layers/shape_layers';
import { Layer } from './layers/layer';
import { LossName, checkLoss } from './losses';
import { NonFiniteLossPolicy, checkNonFiniteLossPolicy, resolveNonFiniteLoss } from './non_finite_loss';
import { BuiltNetwork, createNetwork } from './network';
import { Optimizer, OptimizerName, getOptimizer, sgd } from './optimizers';
import { Random, globalRandom, seedGeneration } from './random';
import { Tensor, checkTensor } from './tensor';
import { WeightsLock } from './weights_lock';
import { checkBoolean, checkInteger, checkNumber, invalidRange, invalidType, checkKnownKeys } from './validate';

export interface CompileArgs {
  optimizer: Optimizer | OptimizerName;
  loss: LossName | string;
  /** Only 'accuracy' (alias 'acc') is supported. */
  metrics?: string[];
}

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** Fraction of the data (taken from the end, before shuffling, as Keras) held out for validation. */
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  callbacks?: Callback | Callback[];
  /** 0 silent, 1 or 2: one line per epoch on the console. */
  verbose?: number;
  /** Epoch to start counting from (for resumed training). */
  initialEpoch?: number;
  /**
   * When a batch's loss is NaN or infinite (its update is never applied): 'throw' (default) ends fit
   * with a FaltungError naming the epoch and batch, 'stop' ends it normally, 'skip' drops the batch,
   * or a function of { epoch, batch, loss } returns one of those.
   */
  onNonFiniteLoss?: NonFiniteLossPolicy;
  /**
   * Restarts the model's own generator (batch order, dropout masks) from this seed. Without it the
   * model keeps its stream, which is drawn from the global generator at the first fit after each
   * fg.setSeed (docs/determinism.md).
   */
  seed?: number;
}

export interface EvaluateResult {
  loss: number;
  accuracy: number;
}

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'verbose', 'initialEpoch', 'onNonFiniteLoss', 'seed'];

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function firstNaN(data: Float32Array): number {
  for (let i = 0; i < data.length; ++i) if (Number.isNaN(data[i])) return i;
  return -1;
}

export class Sequential {
  readonly name: string;
  readonly layers: Layer[] = [];
  /** Set by a callback (e.g. early stopping) to end fit after the current epoch. */
  stopTraining = false;
  optimizer: Optimizer | null = null;
  loss: LossName | null = null;
  metrics: string[] = [];
  private inputShapeValue: number[] | null = null;
  private trainer: BuiltNetwork | null = null;
  private predictor: BuiltNetwork | null = null;
  private asyncPredictor: BuiltNetwork | null = null;
  private asyncQueue: Promise<unknown> = Promise.resolve();
  private training = false;
  // Training steps update the weight arrays that every native network of this model shares.
  private readonly weightsLock = new WeightsLock();
  // The model's own generator for batch order and dropout seeds, and the setSeed count it was
  // drawn under. Private so that models training at the same time never share a stream.
  private random: Random | null = null;
  private randomGeneration = -1;

  constructor(args: { layers?: Layer[]; name?: string } | Layer[] = {}) {
    const options = Array.isArray(args) ? { layers: args } : args;
    if (options === null || typeof options !== 'object') throw invalidType('args', 'an object or an array of layers', args);
    this.name = options.name ?? 'sequential';
    for (const layer of options.layers ?? []) this.add(layer);
  }

  /** Appends a layer (its input shape is the previous output, or its own inputShape if first). */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) throw invalidType('layer', 'a Layer (from fg.layers)', layer);
    if (this.layers.some((l) => l.name === layer.name)) {
      throw invalidRange('layer.name', 'a name unique in the model', layer.name);
    }
    if (this.layers.length === 0 && this.inputShapeValue === null) {
      if (layer.declaredInputShape === null) {
        throw invalidRange('layer', 'a first layer with inputShape (or fg.layers.input({shape}))', layer.name);
      }
      this.inputShapeValue = [...layer.declaredInputShape];
      if (layer instanceof InputLayer) return;  // the input shape is all it carries
    }
    const inputShape = this.layers.length === 0 ? this.inputShapeValue! : this.layers[this.layers.length - 1].outputShape!;
    layer.build(inputShape);
    this.layers.push(layer);
    this.invalidate();
  }

  /** Shape of one input example. */
  get inputShape(): number[] {
    if (this.inputShapeValue === null) throw new FaltungError('The model has no layers yet', 'FALTUNG_NOT_BUILT');
    return [...this.inputShapeValue];
  }

  /** Shape of one output example. */
  get outputShape(): number[] {
    return this.layers.length === 0 ? this.inputShape : [...this.layers[this.layers.length - 1].outputShape!];
  }

  compile(args: CompileArgs): void {
    checkKnownKeys('compile args', args, ['optimizer', 'loss', 'metrics']);
    const metrics = args.metrics ?? [];
    if (!Array.isArray(metrics)) throw invalidType('metrics', "an array such as ['accuracy']", metrics);
    for (const metric of metrics) {
      if (metric !== 'accuracy' && metric !== 'acc') throw invalidRange('metrics', "['accuracy']", metric);
    }
    this.optimizer = getOptimizer(args.optimizer);
    this.loss = checkLoss(args.loss);
    this.metrics = metrics.length > 0 ? ['accuracy'] : [];
    this.trainer = null;
  }

  /**
   * The generator for a fit or train step starting now: restarted from `seed` if given; else the
   * model's stream, drawn anew from the global generator if fg.setSeed ran since it was drawn.
   * Called synchronously when training is requested, before any await, so concurrent fits cannot
   * change which numbers a model draws.
   */
  private trainingRandom(seed?: number): Random {
    if (seed !== undefined) {
      this.random = new Random(seed);
    } else if (this.random === null || this.randomGeneration !== seedGeneration()) {
      this.random = globalRandom().fork();
    }
    this.randomGeneration = seedGeneration();
    return this.random;
  }

  private invalidate(): void {
    this.trainer = null;
    this.predictor = null;
    this.asyncPredictor = null;
  }

  /**
   * Synchronous reads and writes of the weights cannot wait for a training step running on another
   * thread (an awaited fit or trainOnBatch); rather than see half-updated weights they refuse.
   */
  private checkNoStepInFlight(method: string): void {
    if (this.weightsLock.writeInProgress) {
      throw new FaltungError(`${method}: a training step is updating the weights right now; ` +
        'use predictAsync / evaluate (which wait for it), or call from a fit callback', 'FALTUNG_BUSY');
    }
  }

  private requireCompiled(): { optimizer: Optimizer; loss: LossName } {
    if (this.optimizer === null || this.loss === null) {
      throw new FaltungError('The model must be compiled before training or evaluation: call model.compile({optimizer, loss})', 'FALTUNG_NOT_COMPILED');
    }
    return { optimizer: this.optimizer, loss: this.loss };
  }

  private getTrainer(): BuiltNetwork {
    const { optimizer, loss } = this.requireCompiled();
    this.trainer ??= createNetwork(this.layers, this.inputShape, loss, optimizer.nativeConfig());
    return this.trainer;
  }

  private inferenceNetwork(): BuiltNetwork {
    // A separate native network (own buffers, same weight arrays) so predict works while fit runs.
    this.predictor ??= createNetwork(this.layers, this.inputShape, this.loss ?? 'meanSquaredError', sgd().nativeConfig());
    return this.predictor;
  }

  private labelSize(): number {
    const output = this.outputShape;
    return this.loss === 'sparseCategoricalCrossentropy' ? product(output.slice(0, -1)) : product(output);
  }

  /** Checks x against the input shape; returns the example count. */
  private checkInputs(name: string, x: unknown): number {
    const tensor = checkTensor(name, x);
    const expected = this.inputShape;
    const ok = tensor.rank === expected.length + 1 && expected.every((d, i) => tensor.shape[i + 1] === d);
    if (!ok) {
      throw invalidRange(name, `shape [n, ${expected.join(', ')}] (the model's input)`, `shape [${tensor.shape.join(', ')}]`);
    }
    const bad = firstNaN(tensor.data);
    if (bad >= 0) {
      throw invalidRange(name, 'finite values', `NaN at example ${Math.floor(bad / product(expected))} (flat index ${bad})`);
    }
    const first = this.layers[0];
    if (first instanceof Embedding) {
      const ids = tensor.data;
      for (let i = 0; i < ids.length; ++i) {
        const id = ids[i];
        if (!Number.isInteger(id) || id < 0 || id >= first.inputDim) {
          const row = product(expected);
          throw new RangeError(`Expected token ids that are integers in [0, ${first.inputDim}) (the embedding's inputDim) ` +
            `for ${name} but received ${id} at example ${Math.floor(i / row)}, position ${i % row}`);
        }
      }
    }
    return tensor.shape[0];
  }

  private checkLabels(name: string, y: unknown, count: number): void {
    const tensor = checkTensor(name, y);
    if (tensor.shape[0] !== count) {
      throw invalidRange(name, `${count} examples (as many as x)`, `${tensor.shape[0]} (shape [${tensor.shape.join(', ')}])`);
    }
    const perExample = product(tensor.shape.slice(1));
    const expected = this.labelSize();
    if (perExample !== expected) {
      const what = this.loss === 'sparseCategoricalCrossentropy'
        ? `integer class labels, shape [n] (${expected} per example)`
        : `shape [n, ${this.outputShape.join(', ')}] (the model's output${this.loss === 'categoricalCrossentropy' ? ', one-hot' : ''})`;
      throw invalidRange(name, what, `shape [${tensor.shape.join(', ')}]`);
    }
    const bad = firstNaN(tensor.data);
    if (bad >= 0) throw invalidRange(name, 'labels without NaN', `NaN at flat index ${bad}`);
  }

  async fit(x: Tensor, y: Tensor, args: FitArgs = {}): Promise<History> {
    const { optimizer } = this.requireCompiled();
    checkKnownKeys('fit args', args, FIT_KEYS);
    const count = this.checkInputs('x', x);
    this.checkLabels('y', y, count);
    const epochs = checkInteger('epochs', args.epochs ?? 1, 0);
    const initialEpoch = checkInteger('initialEpoch', args.initialEpoch ?? 0, 0);
    const batchSize = checkInteger('batchSize', args.batchSize ?? 32, 1, 1 << 20);
    const shuffle = args.shuffle === undefined ? true : checkBoolean('shuffle', args.shuffle);
    const verbose = checkInteger('verbose', args.verbose ?? 1, 0, 2);
    const split = checkNumber('validationSplit', args.validationSplit ?? 0, 0, 0.999);
    const onNonFiniteLoss = checkNonFiniteLossPolicy(args.onNonFiniteLoss ?? 'throw');
    const seed = args.seed === undefined ? undefined : checkInteger('seed', args.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    const callbacks = args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks];
    callbacks.forEach((c, i) => { if (c === null || typeof c !== 'object') throw invalidType(`callbacks[${i}]`, 'a callback object', c); });

    let trainCount = count;
    let validation: [Tensor, Tensor] | null = null;
    if (args.validationData !== undefined) {
      if (!Array.isArray(args.validationData) || args.validationData.length !== 2) {
        throw invalidType('validationData', '[xVal, yVal]', args.validationData);
      }
      const valCount = this.checkInputs('validationData[0]', args.validationData[0]);
      this.checkLabels('validationData[1]', args.validationData[1], valCount);
      validation = args.validationData;
    } else if (split > 0) {
      trainCount = Math.floor(count * (1 - split));
      if (trainCount < 1 || trainCount === count) throw invalidRange('validationSplit', `a fraction leaving examples on both sides of ${count}`, split);
      const xRow = product(this.inputShape);
      const yRow = product(y.shape.slice(1));
      validation = [
        new Tensor(x.data.subarray(trainCount * xRow), [count - trainCount, ...x.shape.slice(1)]),
        new Tensor(y.data.subarray(trainCount * yRow), [count - trainCount, ...y.shape.slice(1)]),
      ];
    }
    if (this.training) throw new FaltungError('fit is already running on this model; await it first', 'FALTUNG_BUSY');
    this.training = true;
    const random = this.trainingRandom(seed);
    try {
      return await this.runFit(x, y, trainCount, { epochs, initialEpoch, batchSize, shuffle, verbose, callbacks, validation, optimizer, onNonFiniteLoss, random });
    } finally {
      this.training = false;
    }
  }

  private async runFit(x: Tensor, y: Tensor, trainCount: number, options: {
    epochs: number; initialEpoch: number; batchSize: number; shuffle: boolean; verbose: number;
    callbacks: Callback[]; validation: [Tensor, Tensor] | null; optimizer: Optimizer; onNonFiniteLoss: NonFiniteLossPolicy; random: Random;
  }): Promise<History> {
    const { network } = this.getTrainer();
    const xRow = product(this.inputShape);
    const yRow = this.labelSize();
    const history = new History();
    const xBatch = new Float32Array(options.batchSize * xRow);
    const yBatch = new Float32Array(options.batchSize * yRow);
    const result = new Float64Array(3);
    const batches = Math.ceil(trainCount / options.batchSize);
    const callSite = new Error();
    this.stopTraining = false;
    for (const callback of options.callbacks) callback.setModel?.(this);
    await callHook(options.callbacks, 'onTrainBegin', {});
    for (let epoch = options.initialEpoch; epoch < options.initialEpoch + options.epochs && !this.stopTraining; ++epoch) {
      await callHook(options.callbacks, 'onEpochBegin', epoch, {});
      const started = Date.now();
      const order = options.shuffle ? shuffledIndices(trainCount, options.random) : null;
      let lossSum = 0;
      let correct = 0;
      let rows = 0;
      let seen = 0;
      for (let batch = 0; batch < batches; ++batch) {
        const start = batch * options.batchSize;
        const size = Math.min(options.batchSize, trainCount - start);
        await callHook(options.callbacks, 'onBatchBegin', batch, { batch, size });
        let xs: Float32Array;
        let ys: Float32Array;
        if (order) {
          gatherRows(x.data, xRow, order, start, size, xBatch);
          gatherRows(y.data, yRow, order, start, size, yBatch);
          xs = xBatch.subarray(0, size * xRow);
          ys = yBatch.subarray(0, size * yRow);
        } else {
          xs = x.data.subarray(start * xRow, (start + size) * xRow);
          ys = y.data.subarray(start * yRow, (start + size) * yRow);
        }
        const seed = options.random.nextSeed();
        await withCallSite(this.weightsLock.write(() => network.trainStep(result, xs, ys, size, options.optimizer.learningRate, seed, true) as Promise<void>), callSite);
        const [loss, batchCorrect, batchRows] = result;
        if (!Number.isFinite(loss)) {
          if (await resolveNonFiniteLoss(options.onNonFiniteLoss, { epoch, batch, loss }) === 'skip') continue;
          this.stopTraining = true;
          break;
        }
        lossSum += loss * size;
        correct += batchCorrect;
        rows += batchRows;
        seen += size;
        const batchLogs: Logs = { batch, size, loss };
        if (this.metrics.length > 0) batchLogs.accuracy = batchRows > 0 ? batchCorrect / batchRows : 0;
        await callHook(options.callbacks, 'onBatchEnd', batch, batchLogs);
      }
      // No batch counted (all skipped, or stopped at the first): the epoch has no loss to report.
      const logs: Logs = { loss: seen > 0 ? lossSum / seen : NaN };
      if (this.metrics.length > 0) logs.accuracy = rows > 0 ? correct / rows : 0;
      if (options.validation) {
        const evaluation = await this.evaluate(options.validation[0], options.validation[1], { batchSize: Math.max(options.batchSize, 256) });
        logs.val_loss = evaluation.loss;
        if (this.metrics.length > 0) logs.val_accuracy = evaluation.accuracy;
      }
      history.record(epoch, logs);
      if (options.verbose > 0) {
        const parts = Object.entries(logs).map(([k, v]) => `${k}=${v.toFixed(4)}`);
        console.log(`Epoch ${epoch + 1} / ${options.initialEpoch + options.epochs}  ${((Date.now() - started) / 1000).toFixed(1)}s  ${parts.join(' ')}`);
      }
      await callHook(options.callbacks, 'onEpochEnd', epoch, logs);
    }
    await callHook(options.callbacks, 'onTrainEnd', {});
    return history;
  }

  /** Loss and accuracy over (x, y) in inference mode. */
  async evaluate(x: Tensor, y: Tensor, args: { batchSize?: number } = {}): Promise<EvaluateResult> {
    this.requireCompiled();
    const count = this.checkInputs('x', x);
    this.checkLabels('y', y, count);
    const batchSize = checkInteger('batchSize', args.batchSize ?? 32, 1, 1 << 20);
    const result = new Float64Array(3);
    // Evaluation reads the trainer's network: its loss head is the compiled one. Serialized with
    // training by the native busy flag (fit awaits evaluate between epochs).
    const { network } = this.getTrainer();
    await withCallSite(this.weightsLock.read(() => network.evaluate(result, x.data, y.data, count, batchSize, true) as Promise<void>), new Error());
    return { loss: result[0], accuracy: result[2] > 0 ? result[1] / result[2] : 0 };
  }

  /** One optimizer step on one batch; returns the batch loss (before the update). */
  async trainOnBatch(x: Tensor, y: Tensor): Promise<number> {
    const { optimizer } = this.requireCompiled();
    const count = this.checkInputs('x', x);
    this.checkLabels('y', y, count);
    const result = new Float64Array(3);
    const seed = this.trainingRandom().nextSeed();
    const { network } = this.getTrainer();
    await withCallSite(this.weightsLock.write(() => network.trainStep(result, x.data, y.data, count, optimizer.learningRate, seed, true) as Promise<void>), new Error());
    return result[0];
  }

  /** Outputs for x (synchronous: for small inputs; use predictAsync for large ones). */
  predict(x: Tensor, args: { batchSize?: number } = {}): Tensor {
    const count = this.checkInputs('x', x);
    const batchSize = checkInteger('batchSize', args.batchSize ?? 32, 1, 1 << 20);
    this.checkNoStepInFlight('predict');
    const out = new Float32Array(count * product(this.outputShape));
    this.inferenceNetwork().network.predict(out, x.data, count, batchSize, false);
    return new Tensor(out, [count, ...this.outputShape]);
  }

  /** Outputs for x computed off the event loop; concurrent calls queue up. */
  async predictAsync(x: Tensor, args: { batchSize?: number } = {}): Promise<Tensor> {
    const count = this.checkInputs('x', x);
    const batchSize = checkInteger('batchSize', args.batchSize ?? 32, 1, 1 << 20);
    const out = new Float32Array(count * product(this.outputShape));
    this.asyncPredictor ??= createNetwork(this.layers, this.inputShape, this.loss ?? 'meanSquaredError', sgd().nativeConfig());
    const network = this.asyncPredictor.network;
    const callSite = new Error();
    const run = this.asyncQueue.then(() => withCallSite(this.weightsLock.read(() => network.predict(out, x.data, count, batchSize, true) as Promise<void>), callSite));
    this.asyncQueue = run.catch(() => undefined);
    await run;
    return new Tensor(out, [count, ...this.outputShape]);
  }

  /** Every layer's output for x (inference), in layer order: what the pictures of fg.visualize show. */
  activations(x: Tensor): { layer: Layer; output: Tensor }[] {
    const count = this.checkInputs('x', x);
    this.checkNoStepInFlight('activations');
    const { network, opSizes, opLayer } = this.inferenceNetwork();
    const outputs = opSizes.map((size) => new Float32Array(count * size));
    network.activations(outputs, x.data, count);
    // A layer compiled to several ops (conv then softmax) reports its last op's output; layers
    // with no op (flatten, reshape) report their input reshaped.
    let current = new Tensor(x.data, x.shape);
    return this.layers.map((layer, index) => {
      const last = opLayer.lastIndexOf(index);
      const data = last >= 0 ? outputs[last] : current.data;
      current = new Tensor(data, [count, ...layer.outputShape!]);
      return { layer, output: current };
    });
  }

  /** Weights in Keras order, as copies. */
  getWeights(): Tensor[] {
    this.checkNoStepInFlight('getWeights');
    return this.layers.flatMap((layer) => layer.weights.map((w) => new Tensor(Float32Array.from(w.data), [...w.shape])));
  }

  /** Copies `weights` (Keras order and shapes) into the model. */
  setWeights(weights: Tensor[]): void {
    this.checkNoStepInFlight('setWeights');
    const variables = this.layers.flatMap((layer) => layer.weights);
    if (!Array.isArray(weights) || weights.length !== variables.length) {
      throw invalidRange('weights', `an array of ${variables.length} tensors`, weights);
    }
    weights.forEach((tensor, index) => {
      const variable = variables[index];
      checkTensor(`weights[${index}]`, tensor);
      if (tensor.shape.length !== variable.shape.length || tensor.shape.some((d, i) => d !== variable.shape[i])) {
        throw invalidRange(`weights[${index}] (${variable.name})`, `shape [${variable.shape.join(', ')}]`, `shape [${tensor.shape.join(', ')}]`);
      }
    });
    weights.forEach((tensor, index) => variables[index].data.set(tensor.data));
  }

  countParams(): number {
    return this.layers.reduce((sum, layer) => sum + layer.countParams(), 0);
  }

  /** Prints (or returns through printFn) the Keras-style table of layers, shapes and parameters. */
  summary(lineLength = 65, printFn: (line: string) => void = console.log): void {
    const columns = [Math.floor(lineLength * 0.45), Math.floor(lineLength * 0.85), lineLength];
    const row = (fields: string[]): string => {
      let line = '';
      fields.forEach((field, i) => {
        line += field;
        line = line.slice(0, columns[i]);
        line += ' '.repeat(Math.max(columns[i] - line.length, 1));
      });
      return line.trimEnd();
    };
    printFn(`Model: "${this.name}"`);
    printFn('_'.repeat(lineLength));
    printFn(row(['Layer (type)', 'Output shape', 'Param #']));
    printFn('='.repeat(lineLength));
    this.layers.forEach((layer, index) => {
      printFn(row([`${layer.name} (${layer.getClassName()})`, `[null,${layer.outputShape!.join(',')}]`, `${layer.countParams()}`]));
      printFn((index === this.layers.length - 1 ? '=' : '_').repeat(lineLength));
    });
    const trainable = this.layers.reduce((s, l) => s + l.trainableWeights.reduce((a, w) => a + w.size, 0), 0);
    const total = this.countParams();
    printFn(`Total params: ${total.toLocaleString('en-US')}`);
    printFn(`Trainable params: ${trainable.toLocaleString('en-US')}`);
    printFn(`Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`);
    printFn('_'.repeat(lineLength));
  }

  /**
   * Saves the topology (JSON), the training configuration and the weights (binary) to `dir`,
   * atomically: a crash during the save leaves the previous model loadable.
   */
  async save(dir: string): Promise<void> {
    await saveModel(this, dir);
  }

  /** Steps the optimizer has taken (Keras' optimizer.iterations). */
  get steps(): number {
    return this.trainer ? this.trainer.network.getSteps() : 0;
  }

  /** Gradients of the compiled loss w.r.t. every trainable weight on (x, y), without updating. */
  computeGradients(x: Tensor, y: Tensor, options: { training?: boolean; seed?: number } = {}): { loss: number; gradients: (Tensor | null)[] } {
    this.requireCompiled();
    const count = this.checkInputs('x', x);
    this.checkLabels('y', y, count);
    this.checkNoStepInFlight('computeGradients');
    const result = new Float64Array(3);
    const raw = this.getTrainer().network.computeGradients(result, x.data, y.data, count, options.training ?? false, options.seed ?? 0);
    const variables = this.layers.flatMap((layer) => layer.weights);
    return {
      loss: result[0],
      gradients: raw.map((g, i) => (g === null ? null : new Tensor(g, [...variables[i].shape]))),
    };
  }
}

export function sequential(args: { layers?: Layer[]; name?: string } | Layer[] = {}): Sequential {
  return new Sequential(args);
}
