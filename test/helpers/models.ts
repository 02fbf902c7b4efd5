// Small models and data for the model-API tests.
import * as fg from '../../lib/index';
import { TestRandom } from './random';

export function randomTensor(random: TestRandom, shape: number[], low = -1, high = 1): fg.Tensor {
  return fg.tensor(random.floats(shape.reduce((a, b) => a * b, 1), low, high), shape);
}

/** One-hot labels for `count` examples of `classes` classes. */
export function randomOneHot(random: TestRandom, count: number, classes: number): fg.Tensor {
  return fg.oneHot(Array.from({ length: count }, () => random.int(0, classes - 1)), classes);
}

/**
 * Checks d loss / d weight of a compiled model against central differences of its loss, for every
 * trainable weight (sampled positions). Returns gradCheck's result.
 */
export function checkModelGradients(model: fg.Sequential, x: fg.Tensor, y: fg.Tensor,
  options: { training?: boolean; seed?: number; epsilon?: number; atol?: number; rtol?: number } = {}): fg.GradCheckResult {
  const weights = model.getWeights();
  const { gradients } = model.computeGradients(x, y, { training: options.training, seed: options.seed });
  const trainable = weights.map((_, i) => gradients[i] !== null);
  const lossAt = (values: fg.Tensor[]): fg.Tensor => {
    model.setWeights(values);
    const { loss } = model.computeGradients(x, y, { training: options.training, seed: options.seed });
    return fg.tensor(new Float32Array([loss]), [1]);
  };
  try {
    return fg.gradCheck(
      lossAt,
      (values, dy) => {
        model.setWeights(values);
        const g = model.computeGradients(x, y, { training: options.training, seed: options.seed }).gradients;
        return g.map((t) => (t === null ? null : fg.tensor(t.data.map((v) => v * dy.data[0]), [...t.shape])));
      },
      weights,
      {
        inputsToCheck: weights.map((_, i) => i).filter((i) => trainable[i]),
        epsilon: options.epsilon ?? 1e-2,
        atol: options.atol ?? 2e-3,
        rtol: options.rtol ?? 3e-2,
        maxChecksPerInput: 12,
      },
    );
  } finally {
    model.setWeights(weights);
  }
}
