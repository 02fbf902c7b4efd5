// Checks an options object of the data loaders: a plain object whose keys are all known, so a typo
// like `chanels` fails loudly instead of being ignored. Values are checked by each caller.
import { invalidType } from '../validate';

export function checkOptions<T extends object>(name: string, value: unknown, allowed: readonly (keyof T & string)[]): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw invalidType(name, 'an options object', value);
  }
  for (const key of Object.keys(value)) {
    if (!(allowed as readonly string[]).includes(key)) {
      throw new TypeError(`Unknown option ${name}.${key}; expected only ${allowed.join(', ')}`);
    }
  }
  return value as Partial<T>;
}
