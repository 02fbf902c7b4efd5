// Weight initializers with Keras' names and formulas, drawing from the global seeded generator
// (fg.setSeed makes them reproducible). Fan-in/fan-out follow Keras: for a kernel of shape
// [...receptive field, in, out], fan_in = receptive * in and fan_out = receptive * out.
import { globalRandom } from './random';
import { checkOneOf } from './validate';

export const INITIALIZERS = ['glorotUniform', 'glorotNormal', 'heNormal', 'heUniform', 'zeros', 'ones', 'randomNormal', 'randomUniform'] as const;
export type InitializerName = (typeof INITIALIZERS)[number];

export function checkInitializer(name: string, value: unknown, fallback: InitializerName): InitializerName {
  return value === undefined ? fallback : checkOneOf(name, value, INITIALIZERS);
}

function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [receptive * shape[shape.length - 2], receptive * shape[shape.length - 1]];
}

/** Fills `target` (a weight of `shape`) in place. */
export function initialize(target: Float32Array, shape: readonly number[], initializer: InitializerName): void {
  const random = globalRandom();
  const [fanIn, fanOut] = fans(shape);
  switch (initializer) {
    case 'zeros':
      target.fill(0);
      return;
    case 'ones':
      target.fill(1);
      return;
    case 'glorotUniform': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < target.length; ++i) target[i] = random.uniform(-limit, limit);
      return;
    }
    case 'heUniform': {
      const limit = Math.sqrt(6 / fanIn);
      for (let i = 0; i < target.length; ++i) target[i] = random.uniform(-limit, limit);
      return;
    }
    case 'glorotNormal':
    case 'heNormal': {
      // Keras draws from a normal truncated at two standard deviations, whose std is then
      // 0.8796 of the untruncated one: hence the correction factor.
      const variance = initializer === 'heNormal' ? 2 / fanIn : 2 / (fanIn + fanOut);
      const std = Math.sqrt(variance) / 0.8796256610342398;
      for (let i = 0; i < target.length; ++i) {
        let value: number;
        do value = random.normal(0, 1); while (Math.abs(value) > 2);
        target[i] = value * std;
      }
      return;
    }
    case 'randomNormal':
      for (let i = 0; i < target.length; ++i) target[i] = random.normal(0, 0.05);
      return;
    case 'randomUniform':
      for (let i = 0; i < target.length; ++i) target[i] = random.uniform(-0.05, 0.05);
      return;
  }
}
