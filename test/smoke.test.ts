import { describe, expect, it } from 'vitest';
import * as fg from '../lib/index';

describe('smoke', () => {
  it('loads the addon and multiplies', () => {
    const a = fg.tensor([[1, 2], [3, 4]]);
    const b = fg.tensor([[1, 0], [0, 1]]);
    expect(Array.from(fg.ops.matMul(a, b).data)).toEqual([1, 2, 3, 4]);
    expect(fg.backendInfo().threads).toBeGreaterThan(0);
  });
});
