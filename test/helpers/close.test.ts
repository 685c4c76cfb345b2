import { describe, expect, it } from 'vitest';
import { expectClose, F32_KERNELS } from './close.js';

describe('expectClose (float32 results through different kernels)', () => {
  it('accepts kernel rounding and refuses a real change', () => {
    expectClose(0.6217572637323757, 0.6217578244335086); // seen on another CPU: 5.6e-7
    expectClose(1.0000005e-5, 1e-5);
    expect(() => expectClose(0.622, 0.621)).toThrow(/vertebra 0 p|0.622 vs 0.621/); // a probability off by 1e-3
    expect(() => expectClose(1.2e-5, 1e-5 + F32_KERNELS.atol + 2e-5)).toThrow();
    expect(() => expectClose(0.5 + 1e-4, 0.5, F32_KERNELS, 'p')).toThrow(/^p 0.5001 vs 0.5/);
  });
});
