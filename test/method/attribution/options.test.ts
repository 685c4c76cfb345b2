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
});
