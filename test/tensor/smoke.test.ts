import { describe, it, expect } from 'vitest';
import * as torch from '../../src/tensor/index.js';

describe('smoke', () => {
  it('adds', () => {
    const a = torch.tensor([1, 2, 3]);
    const b = a.add(2).mul(a);
    expect(Array.from(b.toFloat32Array())).toEqual([3, 8, 15]);
    expect(b.shape).toEqual([3]);
    expect(torch.getNumThreads()).toBeGreaterThan(0);
  });
});
