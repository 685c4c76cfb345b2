import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../../src/method/attribution/options.js';

describe('resolveOptions: the candidate cuts', () => {
  it('the lytic map is cut like the blastic one unless lyticQuantile is given', () => {
    expect(resolveOptions()).toMatchObject({ candidateQuantile: 0.5, lyticQuantile: 0.5 });
    expect(resolveOptions({ candidateQuantile: 0.4 })).toMatchObject({ candidateQuantile: 0.4, lyticQuantile: 0.4 });
    expect(resolveOptions({ candidateQuantile: 0.4, lyticQuantile: 0.3 })).toMatchObject({ candidateQuantile: 0.4, lyticQuantile: 0.3 });
    expect(resolveOptions({ lyticQuantile: undefined })).toMatchObject({ lyticQuantile: 0.5 });
  });

  it('either quantile outside [0, 1) is refused by name', () => {
    expect(() => resolveOptions({ lyticQuantile: 1 })).toThrow(/lyticQuantile must be in \[0, 1\), got 1/);
    expect(() => resolveOptions({ lyticQuantile: Number.NaN })).toThrow(/lyticQuantile/);
    expect(() => resolveOptions({ candidateQuantile: -0.1 })).toThrow(/candidateQuantile must be in \[0, 1\)/);
  });

  it('the lytic split is off unless given, and must lie above the lytic cut and below 1', () => {
    expect(resolveOptions()).toMatchObject({ lyticSplitQuantile: null });
    expect(resolveOptions({ lyticQuantile: 0.3, lyticSplitQuantile: 0.6 })).toMatchObject({ lyticQuantile: 0.3, lyticSplitQuantile: 0.6 });
    expect(() => resolveOptions({ lyticQuantile: 0.3, lyticSplitQuantile: 0.3 })).toThrow(/lyticSplitQuantile must be above lyticQuantile \(0.3\) and below 1, got 0.3/);
    expect(() => resolveOptions({ lyticSplitQuantile: 1 })).toThrow(/lyticSplitQuantile/);
    expect(() => resolveOptions({ lyticSplitQuantile: Number.NaN })).toThrow(/lyticSplitQuantile/);
  });

  it('the per-type reference is off unless given, and its share must lie in [0, 1)', () => {
    expect(resolveOptions()).toMatchObject({ typeShare: null });
    expect(resolveOptions({ typeShare: 0 })).toMatchObject({ typeShare: 0 });
    expect(() => resolveOptions({ typeShare: -0.1 })).toThrow(/typeShare must be in \[0, 1\) or null, got -0.1/);
    expect(() => resolveOptions({ typeShare: Number.NaN })).toThrow(/typeShare/);
  });
});
