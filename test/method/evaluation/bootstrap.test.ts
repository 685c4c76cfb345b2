import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from '../../../src/method/evaluation/bootstrap.js';
import type { CaseResult, ClassCaseResult } from '../../../src/method/evaluation/evaluate.js';

const none = { tp: 0, fp: 0, fn: 0 };
/** A class result with this Dice (null: class in neither) and lesion counts. */
function cls(dice: number | null, lesions = none): ClassCaseResult {
  return { pred: dice === null ? 0 : 10, truth: dice === null ? 0 : 10, both: dice === null ? 0 : dice * 10, dice, lesions, lesionsAnyOverlap: lesions };
}
function vertebra(id: string, truthMalignant: boolean, predictedMalignant: boolean, lyticDice: number | null = null): CaseResult {
  return { id, truthMalignant, truthFrom: 'label', predictedMalignant, lytic: cls(lyticDice), blastic: cls(null) };
}

describe('pairedBootstrap', () => {
  it('gives a zero difference and a zero-width interval for a method against itself', () => {
    const a = Array.from({ length: 20 }, (_, i) => vertebra(`v${i}`, i % 2 === 0, i % 3 === 0, i % 2 === 0 ? (i % 5) / 4 : null));
    const r = pairedBootstrap(a, a, { resamples: 200, seed: 1, level: 0.95 });
    expect(r.diceLytic).toEqual({ difference: 0, low: 0, high: 0, resamples: 200 });
    expect(r.sensitivity).toEqual({ difference: 0, low: 0, high: 0, resamples: 200 });
  });

  it('gives [1, 1] where one method finds every malignant vertebra and the other none', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `v${i}`);
    const a = ids.map((id, i) => vertebra(id, i < 6, i < 6));
    const b = ids.map((id, i) => vertebra(id, i < 6, false));
    const r = pairedBootstrap(a, b, { resamples: 300, seed: 3, level: 0.95 });
    expect(r.sensitivity.difference).toBe(1);
    expect(r.sensitivity.low).toBe(1);
    expect(r.sensitivity.high).toBe(1);
    // Specificity is 1 for both whenever a healthy vertebra is drawn.
    expect(r.specificity).toMatchObject({ difference: 0, low: 0, high: 0 });
    // F1 has no lesions in either: n/a in every resample.
    expect(r.f1Lytic).toEqual({ difference: null, low: null, high: null, resamples: 0 });
  });

  it('brackets a difference carried by one vertebra of ten between 0 and the share of draws that hold it', () => {
    // Dice 1 everywhere for a; b misses one vertebra: 1 − 0.9 = 0.1 on the whole set. A resample's difference is
    // (times that vertebra is drawn) / 10, Binomial(10, 0.1): P(0) = 0.349, so the 2.5 % point is 0; the 97.5 %
    // point is 3 draws (P(≤ 2) = 0.930, P(≤ 3) = 0.987) → 0.3.
    const a = Array.from({ length: 10 }, (_, i) => vertebra(`v${i}`, true, true, 1));
    const b = a.map((v, i) => (i === 0 ? vertebra(v.id, true, true, 0) : v));
    const r = pairedBootstrap(a, b, { resamples: 4000, seed: 7, level: 0.95 });
    expect(r.diceLytic.difference).toBeCloseTo(0.1, 12);
    expect(r.diceLytic.low).toBe(0);
    expect(r.diceLytic.high).toBeCloseTo(0.3, 12);
  });

  it('is reproducible from its seed', () => {
    const a = Array.from({ length: 30 }, (_, i) => vertebra(`v${i}`, true, true, (i % 7) / 7));
    const b = a.map((v, i) => vertebra(v.id, true, true, ((i * 3) % 7) / 7));
    const s = { resamples: 100, seed: 5, level: 0.9 };
    expect(pairedBootstrap(a, b, s)).toEqual(pairedBootstrap(a, b, s));
    expect(pairedBootstrap(a, b, { ...s, seed: 6 }).diceLytic.low).not.toBe(pairedBootstrap(a, b, s).diceLytic.low);
  });

  it('refuses methods scored on different vertebrae and bad settings', () => {
    const a = [vertebra('v0', true, true), vertebra('v1', false, false)];
    expect(() => pairedBootstrap(a, [a[1]!, a[0]!])).toThrow(/not scored on the same vertebrae/);
    expect(() => pairedBootstrap(a, a.slice(1))).toThrow(/not scored on the same vertebrae/);
    expect(() => pairedBootstrap([], [])).toThrow(/no vertebrae/);
    expect(() => pairedBootstrap(a, a, { resamples: 0, seed: 0, level: 0.95 })).toThrow(/resamples must be a positive integer/);
    expect(() => pairedBootstrap(a, a, { resamples: 10, seed: 0, level: 1 })).toThrow(/level must be in/);
  });
});
