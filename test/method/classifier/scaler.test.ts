import { describe, expect, it } from 'vitest';
import { StandardScaler } from '../../../src/method/classifier/scaler.js';

describe('StandardScaler', () => {
  const X = [[1, 2, 10], [3, 2, 20], [5, 2, 60]];
  const sc = StandardScaler.fit(X);

  it('uses the mean and the population standard deviation; a constant feature gets scale 1', () => {
    expect(Array.from(sc.mean)).toEqual([3, 2, 30]);
    // Population variance of (1, 3, 5) is 8/3; of (10, 20, 60) it is 1400/3.
    expect(sc.scale[0]).toBeCloseTo(Math.sqrt(8 / 3), 14);
    expect(sc.scale[1]).toBe(1);
    expect(sc.scale[2]).toBeCloseTo(Math.sqrt(1400 / 3), 12);
  });

  it('transforms and inverts', () => {
    const t = sc.transform([5, 2, 30]);
    expect(t[0]).toBeCloseTo(2 / Math.sqrt(8 / 3), 14);
    expect(t[1]).toBe(0);
    expect(t[2]).toBe(0);
    Array.from(sc.inverseTransform(t)).forEach((v, j) => expect(v).toBeCloseTo([5, 2, 30][j]!, 12));
  });

  it('refuses bad input', () => {
    expect(() => sc.transform([1, 2])).toThrow(/expected 3 features/);
    expect(() => StandardScaler.fit([])).toThrow(/no samples/);
    expect(() => new StandardScaler(new Float64Array(1), new Float64Array(1))).toThrow(/positive/);
  });
});
