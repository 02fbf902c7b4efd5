// Checks shared by the pictures that look at a model: the model itself and one input example
// (accepted as [h, w, c] or [1, h, w, c]). Nothing here draws.
import { Sequential } from '../model';
import { Tensor, checkTensor } from '../tensor';
import { invalidRange, invalidType } from '../validate';

export function checkModel(model: unknown): Sequential {
  if (!(model instanceof Sequential)) throw invalidType('model', 'a Sequential model (fg.sequential)', model);
  if (model.layers.length === 0) throw invalidRange('model', 'a model with layers', 'a model without layers');
  return model;
}

/** One example as a batch of one: [1, ...inputShape]. */
export function oneExample(model: Sequential, x: unknown, name = 'x'): Tensor {
  const tensor = checkTensor(name, x);
  const expected = model.inputShape;
  const sameShape = (shape: readonly number[]): boolean => shape.length === expected.length && shape.every((d, i) => d === expected[i]);
  if (sameShape(tensor.shape)) return new Tensor(tensor.data, [1, ...expected]);
  if (tensor.shape[0] === 1 && sameShape(tensor.shape.slice(1))) return tensor;
  throw invalidRange(name, `one example: shape [${expected.join(', ')}] or [1, ${expected.join(', ')}]`, `shape [${tensor.shape.join(', ')}]`);
}
