import { describe, expect, it } from 'vitest';
import { otsuBaseline, otsuSplit } from '../../../src/method/baselines/otsu.js';

describe('otsuSplit', () => {
  it('picks the cut of largest between-class variance, first of equals', () => {
    // {0,0,0,0 | 0.5, 1}: ω0ω1Δ² = (4/6)(2/6)(0.75)² = 0.125 beats {0,0,0,0,0.5 | 1}: (5/6)(1/6)(0.9)² = 0.1125.
    // 0 is in bin 0 and no value lies in bins 1..127, so the first maximiser is k = 0: threshold 1/256.
    const a = otsuSplit([0, 0, 0, 0, 0.5, 1])!;
    expect(a.threshold).toBe(1 / 256);
    expect([0, 0.5, 1].map(a.isBright)).toEqual([false, true, true]);
    // Mirrored weights {0, 0.5 | 1,1,1,1}: 0.125 beats 0.1125 again; 0.5 is in bin 128 → threshold 129/256.
    const b = otsuSplit([0, 0.5, 1, 1, 1, 1])!;
    expect(b.threshold).toBe(129 / 256);
    expect([0, 0.5, 1].map(b.isBright)).toEqual([false, false, true]);
  });

  it('has no split without two distinct values', () => {
    expect(otsuSplit([])).toBeUndefined();
    expect(otsuSplit([0.3, 0.3])).toBeUndefined();
  });

  it('lands at the midpoint of two equal, equally wide Gaussian modes', () => {
    // Seeded LCG + Box-Muller; N(0.3, 0.05²) and N(0.7, 0.05²), 4000 each: theory puts the threshold at 0.5.
    let s = 12345;
    const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
    const gauss = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    const values = Array.from({ length: 8000 }, (_, i) => (i % 2 ? 0.7 : 0.3) + 0.05 * gauss());
    expect(Math.abs(otsuSplit(values)!.threshold - 0.5)).toBeLessThan(0.02);
  });
});

describe('otsuBaseline', () => {
  const R = 20;
  const C = 20;
  // Body = rows 2..17 × cols 2..17 (256 px) at 0.5; lytic block rows 4..8 × cols 4..9 (30 px) at 0.125;
  // blastic block rows 11..15 × cols 4..11 (40 px) at 0.875; a 3 px blastic speck (dropped, < 5 px).
  // Outside the body extreme values that must be ignored.
  function phantom(withLytic = true) {
    const img = new Float32Array(R * C);
    const mask = new Uint8Array(R * C);
    const truth = new Uint8Array(R * C);
    for (let r = 0; r < R; r++) {
      for (let c = 0; c < C; c++) {
        const i = r * C + c;
        const body = r >= 2 && r <= 17 && c >= 2 && c <= 17;
        mask[i] = body ? 1 : 0;
        img[i] = body ? 0.5 : r % 2 ? 5 : -3;
        if (withLytic && r >= 4 && r <= 8 && c >= 4 && c <= 9) [img[i], truth[i]] = [0.125, 1];
        if (r >= 11 && r <= 15 && c >= 4 && c <= 11) [img[i], truth[i]] = [0.875, 2];
        if (r === 15 && c >= 14 && c <= 16) img[i] = 0.875;
      }
    }
    return { slice: { rows: R, cols: C, data: img }, mask: { rows: R, cols: C, data: mask }, truth };
  }

  it('separates a trimodal body into lytic, healthy and blastic', () => {
    // Counts 30 / 183 / 43 (speck included). First split: {0.125, 0.5 | 0.875} has ω0ω1Δ² =
    // (213/256)(43/256)(0.427817)² = 0.02558, more than {0.125 | 0.5, 0.875}: (30/256)(226/256)(0.446350)² =
    // 0.02061. 0.5 sits in bin 128 of [0.125, 0.875]:
    // threshold 0.125 + 129·0.75/256. Second split of {0.125, 0.5}: bin 0 vs bin 255, threshold 0.125 + 0.375/256.
    const { slice, mask, truth } = phantom();
    const r = otsuBaseline(slice, mask);
    expect(r.blasticThreshold).toBeCloseTo(0.125 + (129 * 0.75) / 256, 12);
    expect(r.lyticThreshold).toBeCloseTo(0.125 + 0.375 / 256, 12);
    expect(Array.from(r.labels.data)).toEqual(Array.from(truth));
  });

  it('finds no lytic region when the dark side is uniform', () => {
    const { slice, mask, truth } = phantom(false);
    const r = otsuBaseline(slice, mask);
    expect(r.lyticThreshold).toBeNull();
    expect(Array.from(r.labels.data)).toEqual(Array.from(truth));
  });

  it('labels nothing in an empty or uniform body', () => {
    const { slice } = phantom();
    const none = otsuBaseline(slice, { rows: R, cols: C, data: new Uint8Array(R * C) });
    expect(none).toMatchObject({ blasticThreshold: null, lyticThreshold: null });
    expect(none.labels.data.every((v) => v === 0)).toBe(true);
    expect(otsuBaseline({ rows: 2, cols: 2, data: new Float32Array(4).fill(0.4) }, { rows: 2, cols: 2, data: [1, 1, 1, 1] }).blasticThreshold).toBeNull();
    expect(() => otsuBaseline(slice, { rows: 2, cols: 2, data: [1, 1, 1, 1] })).toThrow(/mask is 2×2, slice 20×20/);
  });
});
