// The acceptance test of the diffusion autoencoder: parity with the reference implementation's outputs.
import { describe, expect, it } from 'vitest';
import { checkGolden, compare, formatRow, percentile, TOLERANCES } from '../../src/model/golden.js';
import { GOLDEN_DAE as DIR } from '../helpers/fixtures.js';

describe('golden parity (dae-tiny64)', () => {
  it('matches z, ε, the DDIM schedule, x_T and the renders of the reference', () => {
    const rows = checkGolden(DIR);
    const report = rows.map(formatRow).join('\n');
    expect(rows.map((r) => r.name)).toEqual([
      'z', 'eps_0', 'eps_1', 'eps_250', 'eps_500', 'eps_999',
      'timesteps_T10', 'alphas_cumprod_T10', 'xT_T10', 'render_T10',
      'timesteps_T20', 'alphas_cumprod_T20', 'xT_T20', 'render_T20',
    ]);
    expect(rows.filter((r) => !r.ok), report).toEqual([]);
  }, 180_000);
});

describe('golden comparison', () => {
  const rec = (values: number[]) => ({ dtype: 'F32' as const, shape: [values.length], data: Float32Array.from(values) });
  it('fails beyond the max or p99 bound and on NaN', () => {
    expect(compare('a', [1, 2], rec([1, 2]), TOLERANCES.network).ok).toBe(true);
    expect(compare('a', [1, 2.001], rec([1, 2]), TOLERANCES.network).ok).toBe(false);
    expect(compare('a', [1, NaN], rec([1, 2]), TOLERANCES.network).ok).toBe(false);
    const many = Array.from({ length: 100 }, () => 0);
    expect(compare('b', many.map((v, i) => (i < 2 ? 0.01 : v)), rec(many), TOLERANCES.loop).ok).toBe(false);
    expect(compare('b', many.map((v, i) => (i < 1 ? 0.01 : v)), rec(many), TOLERANCES.loop).ok).toBe(true);
    expect(() => compare('c', [1], rec([1, 2]), TOLERANCES.exact)).toThrow(/1 values, golden has 2/);
  });
  it('computes percentiles like numpy (linear interpolation)', () => {
    expect(percentile(Float64Array.from([0, 1, 2, 3, 4]), 99)).toBeCloseTo(3.96, 12);
    expect(percentile(Float64Array.from([5]), 99)).toBe(5);
  });
});
