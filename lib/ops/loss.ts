// Losses with their gradients in one native call, TensorFlow.js names, Keras semantics: each loss
// is the mean over the batch (or over all elements) and each gradient is that mean's gradient.
// Deliberately no sample weights, label smoothing or reductions other than the mean.
import { withCallSite } from '../async';
import { native } from '../native';
import { Tensor, checkTensor } from '../tensor';
import { outputArray } from './output';
import { checkNumber, invalidRange, invalidType } from '../validate';

export interface LogitsLoss {
  /** Mean loss. */
  loss: number;
  /** d(loss)/d(logits), the logits' shape. */
  dlogits: Tensor;
}

export interface PredictionsLoss {
  /** Mean loss. */
  loss: number;
  /** d(loss)/d(predictions), the predictions' shape. */
  dpredictions: Tensor;
}

function checkSameShape(name: string, value: Tensor, reference: Tensor, referenceName: string): void {
  if (value.shape.length !== reference.shape.length || value.shape.some((dim, i) => dim !== reference.shape[i])) {
    throw invalidRange(name, `a Tensor of ${referenceName}'s shape [${reference.shape.join(', ')}]`,
      `shape [${value.shape.join(', ')}]`);
  }
}

interface RowsPlan {
  rows: number;
  classes: number;
}

/** Logits of rank >= 1: rows = all axes but the last, classes = the last (at least 1). */
function planRows(logits: unknown): RowsPlan {
  const tensor = checkTensor('logits', logits);
  if (tensor.rank < 1) throw invalidRange('logits', 'a Tensor of rank >= 1 (..., classes)', 'a scalar');
  const classes = tensor.shape[tensor.rank - 1];
  const rows = tensor.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (classes < 1 && rows > 0) {
    throw invalidRange('logits', 'a Tensor with at least 1 class on its last axis', `shape [${tensor.shape.join(', ')}]`);
  }
  return { rows, classes };
}

function planDense(labels: unknown, logits: unknown): RowsPlan {
  const plan = planRows(logits);
  checkSameShape('labels', checkTensor('labels', labels), logits as Tensor, 'logits');
  return plan;
}

/**
 * Softmax + categorical cross-entropy from logits (tf.losses.softmaxCrossEntropy without weights),
 * stable for logits of any size. labels: probabilities per row (one-hot or smoothed), logits'
 * shape. dlogits = (softmax(logits) - labels) / rows for rows of labels that sum to 1.
 */
export function softmaxCrossEntropy(labels: Tensor, logits: Tensor): LogitsLoss {
  const { rows, classes } = planDense(labels, logits);
  const loss = outputArray(1);
  const dlogits = outputArray(logits.size);
  native.softmaxCrossEntropy(loss, dlogits, labels.data, logits.data, rows, classes, false);
  return { loss: loss[0], dlogits: new Tensor(dlogits, logits.shape) };
}

export async function softmaxCrossEntropyAsync(labels: Tensor, logits: Tensor): Promise<LogitsLoss> {
  const { rows, classes } = planDense(labels, logits);
  const loss = outputArray(1);
  const dlogits = outputArray(logits.size);
  await withCallSite(native.softmaxCrossEntropy(loss, dlogits, labels.data, logits.data, rows, classes, true), new Error());
  return { loss: loss[0], dlogits: new Tensor(dlogits, logits.shape) };
}

function checkClassIndices(labels: unknown, rows: number, classes: number): Int32Array {
  const isArray = Array.isArray(labels);
  if (!(labels instanceof Int32Array) && !isArray) {
    throw invalidType('labels', 'an Int32Array or an array of class indices', labels);
  }
  const values = labels as ArrayLike<unknown>;
  if (values.length !== rows) {
    throw invalidRange('labels', `${rows} class indices (one per row of logits)`, `${values.length} values`);
  }
  for (let i = 0; i < values.length; ++i) {
    const label = values[i];
    if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= classes) {
      throw invalidRange(`labels[${i}]`, `a class index in [0, ${classes - 1}]`, label);
    }
  }
  return labels instanceof Int32Array ? labels : Int32Array.from(values as number[]);
}

/**
 * Softmax cross-entropy with integer class labels (Keras' sparse_categorical_crossentropy with
 * from_logits): labels holds one index in [0, classes) per row of logits.
 */
export function sparseSoftmaxCrossEntropy(labels: Int32Array | readonly number[], logits: Tensor): LogitsLoss {
  const { rows, classes } = planRows(logits);
  const indices = checkClassIndices(labels, rows, classes);
  const loss = outputArray(1);
  const dlogits = outputArray(logits.size);
  native.sparseSoftmaxCrossEntropy(loss, dlogits, indices, logits.data, rows, classes, false);
  return { loss: loss[0], dlogits: new Tensor(dlogits, logits.shape) };
}

function planElementwise(labels: unknown, values: unknown, valuesName: string): void {
  const tensor = checkTensor(valuesName, values);
  checkSameShape('labels', checkTensor('labels', labels), tensor, valuesName);
}

/** mean((predictions - labels)^2) over all elements; dpredictions = 2 (predictions - labels) / size. */
export function meanSquaredError(labels: Tensor, predictions: Tensor): PredictionsLoss {
  planElementwise(labels, predictions, 'predictions');
  const loss = outputArray(1);
  const gradient = outputArray(predictions.size);
  native.meanSquaredError(loss, gradient, labels.data, predictions.data, false);
  return { loss: loss[0], dpredictions: new Tensor(gradient, predictions.shape) };
}

/**
 * Binary cross-entropy on probabilities, as Keras computes it: predictions clipped to
 * [epsilon, 1 - epsilon] (no gradient where clipped), mean over all elements.
 */
export function binaryCrossentropy(labels: Tensor, predictions: Tensor, epsilon = 1e-7): PredictionsLoss {
  planElementwise(labels, predictions, 'predictions');
  const eps = checkNumber('epsilon', epsilon, 0, 0.4999999);
  const loss = outputArray(1);
  const gradient = outputArray(predictions.size);
  native.binaryCrossentropy(loss, gradient, labels.data, predictions.data, eps, false);
  return { loss: loss[0], dpredictions: new Tensor(gradient, predictions.shape) };
}

/** Binary cross-entropy from logits (tf.losses.sigmoidCrossEntropy without weights), stable for any logits. */
export function sigmoidCrossEntropy(labels: Tensor, logits: Tensor): LogitsLoss {
  planElementwise(labels, logits, 'logits');
  const loss = outputArray(1);
  const gradient = outputArray(logits.size);
  native.sigmoidCrossEntropy(loss, gradient, labels.data, logits.data, false);
  return { loss: loss[0], dlogits: new Tensor(gradient, logits.shape) };
}
