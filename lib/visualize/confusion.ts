// Confusion matrices: counts of (true class, predicted class) pairs from label and score tensors.
// Pure counting; the HTML report draws them. Rows are true classes, columns predicted ones (Keras' and
// scikit-learn's convention).
import { Tensor, checkTensor } from '../tensor';
import { invalidRange } from '../validate';

/** Index of the largest value in each row of [n, k] scores (the first on ties). */
export function argmaxRows(scores: Tensor): Int32Array {
  checkTensor('scores', scores, 2);
  const [count, classes] = scores.shape;
  const result = new Int32Array(count);
  for (let i = 0; i < count; ++i) {
    let best = 0;
    for (let k = 1; k < classes; ++k) if (scores.data[i * classes + k] > scores.data[i * classes + best]) best = k;
    result[i] = best;
  }
  return result;
}

/** Class indices from labels: one-hot rows [n, k] (argmax) or class values [n]. */
export function labelIndices(labels: Tensor, classes: number): Int32Array {
  checkTensor('y', labels);
  if (labels.rank === 2 && labels.shape[1] === classes) return argmaxRows(labels);
  if (labels.rank === 1) {
    return Int32Array.from(labels.data, (v, i) => {
      if (!Number.isInteger(v) || v < 0 || v >= classes) throw invalidRange(`y[${i}]`, `a class index in [0, ${classes - 1}]`, v);
      return v;
    });
  }
  throw invalidRange('y', `labels [n, ${classes}] (one-hot) or [n] (class indices)`, `shape [${labels.shape.join(', ')}]`);
}

/** counts[actual][predicted] over all examples. */
export function confusionMatrix(actual: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  if (actual.length !== predicted.length) throw invalidRange('predicted', `${actual.length} predictions (one per label)`, predicted.length);
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < actual.length; ++i) counts[actual[i]][predicted[i]] += 1;
  return counts;
}
