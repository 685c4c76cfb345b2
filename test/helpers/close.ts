// Comparisons of float32 results that reach the same value through different kernels.
import { expect } from 'vitest';

/**
 * Tolerance for one float32 computation run through different kernels (batch size, thread count, SIMD
 * width of the CPU): each op rounds at ε32 ≈ 6e-8 relative, and a network sums thousands of products in
 * kernel-dependent order, so outputs agree to ~1e-6 relative (5.6e-7 on a probability has been seen on
 * another CPU of the same kind). rtol 1e-4 / atol 1e-5 sits ~20× above that and ~100× below a real change
 * (a probability off by 1e-3, a changed pixel).
 */
export const F32_KERNELS = { rtol: 1e-4, atol: 1e-5 } as const;

/** |actual − expected| ≤ atol + rtol·|expected| (numpy.isclose), with the numbers in the message. */
export function expectClose(actual: number, expected: number, tol: { rtol: number; atol: number } = F32_KERNELS, label = ''): void {
  const bound = tol.atol + tol.rtol * Math.abs(expected);
  const diff = Math.abs(actual - expected);
  expect(diff <= bound, `${label} ${actual} vs ${expected}: |diff| ${diff.toExponential(2)} > ${bound.toExponential(2)}`.trim()).toBe(true);
}
