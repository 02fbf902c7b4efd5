// Raw signatures of the native elementwise group (native/binding/elementwise.cc): activations,
// softmax and losses. Only lib/native.ts and the ops in lib/ops/{activation,loss}.ts use them;
// arguments are validated in TypeScript first. Async variants return a Promise, sync ones undefined.

export interface ElementwiseBindings {
  /** out = f(x); kind: the Activation enum of native/kernels/activation.h (0 linear .. 5 tanh); alpha >= 0 for leakyRelu / elu. out may be x. */
  activationForward(out: Float32Array, x: Float32Array, kind: number, alpha: number, async: boolean): Promise<void> | undefined;
  /** dx = dy * f'(from the forward output y). dx may be dy. */
  activationBackward(dx: Float32Array, dy: Float32Array, y: Float32Array, kind: number, alpha: number,
    async: boolean): Promise<void> | undefined;
  /** Softmax along the last axis of (rows, classes). */
  softmaxForward(out: Float32Array, logits: Float32Array, rows: number, classes: number, async: boolean): Promise<void> | undefined;
  /** dx = y * (dy - sum(dy * y)) per row. */
  softmaxBackward(dx: Float32Array, dy: Float32Array, y: Float32Array, rows: number, classes: number,
    async: boolean): Promise<void> | undefined;
  /** loss[0] = mean categorical cross-entropy of softmax(logits); dlogits its gradient. */
  softmaxCrossEntropy(loss: Float32Array, dlogits: Float32Array, labels: Float32Array, logits: Float32Array,
    rows: number, classes: number, async: boolean): Promise<void> | undefined;
  /** As softmaxCrossEntropy with class indices in [0, classes). */
  sparseSoftmaxCrossEntropy(loss: Float32Array, dlogits: Float32Array, labels: Int32Array, logits: Float32Array,
    rows: number, classes: number, async: boolean): Promise<void> | undefined;
  meanSquaredError(loss: Float32Array, dpredictions: Float32Array, labels: Float32Array, predictions: Float32Array,
    async: boolean): Promise<void> | undefined;
  /** Probabilities clipped to [epsilon, 1 - epsilon], epsilon in [0, 0.5). */
  binaryCrossentropy(loss: Float32Array, dpredictions: Float32Array, labels: Float32Array, predictions: Float32Array,
    epsilon: number, async: boolean): Promise<void> | undefined;
  sigmoidCrossEntropy(loss: Float32Array, dlogits: Float32Array, labels: Float32Array, logits: Float32Array,
    async: boolean): Promise<void> | undefined;
}
