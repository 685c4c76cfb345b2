import { describe, expect, it } from 'vitest';
import { bodyMedianDifference, findCandidates } from '../../../src/method/attribution/candidates.js';

// A 4×4 grid whose body is columns 1–3 (12 pixels). The edit darkens the whole body by 0.1 and brightens a
// 5-pixel region by 0.2 (a filled-in lytic lesion on top of a global darkening).
const mask = { rows: 4, cols: 4, data: Uint8Array.from({ length: 16 }, (_, i) => (i % 4 === 0 ? 0 : 1)) };
const LESION = [1, 2, 5, 6, 9];
const recon = new Float32Array(16).fill(0.5);
const edit = Float32Array.from(recon, (v, i) => (i % 4 === 0 ? v + 0.7 : LESION.includes(i) ? v + 0.2 : v - 0.1));

describe('findCandidates', () => {
  it('SPEC: the global darkening fills the blastic map and the lesion stays in the lytic map', () => {
    const c = findCandidates(recon, edit, mask, 1);
    expect(c.offset).toBe(0);
    expect(Array.from(c.lyticMap.keys()).filter((i) => c.lyticMap[i]! > 0)).toEqual(LESION);
    expect(Array.from(c.blasticMap.keys()).filter((i) => c.blasticMap[i]! > 0)).toEqual([3, 7, 10, 11, 13, 14, 15]);
    c.blasticMap.forEach((v) => v > 0 && expect(v).toBeCloseTo(0.1, 6));
  });

  it('centred: the body median (−0.1, outside the body ignored) is taken off, so only the lesion is left', () => {
    expect(bodyMedianDifference(recon, edit, mask)).toBeCloseTo(-0.1, 6);
    const c = findCandidates(recon, edit, mask, 1, 0.5, true);
    expect(c.offset).toBeCloseTo(-0.1, 6);
    expect(Array.from(c.lyticMap.keys()).filter((i) => c.lyticMap[i]! > 0)).toEqual(LESION);
    c.lyticMap.forEach((v) => v > 0 && expect(v).toBeCloseTo(0.3, 6));
    expect(c.blasticMap.every((v) => v === 0)).toBe(true);
  });

  it('a per-type cut: a lower lytic quantile keeps more of a graded lytic region, the blastic cut stays the median', () => {
    // Lytic map 0.1..0.4 on pixels 1, 2, 3, 5 (row-connected via 1–2–3 and 1–5); blastic map 0.1..0.4 on 10, 11, 14, 15.
    const r = new Float32Array(16).fill(0.5);
    const e = Float32Array.from(r);
    [[1, 0.4], [2, 0.3], [3, 0.2], [5, 0.1]].forEach(([i, d]) => (e[i!] = 0.5 + d!));
    [[10, 0.4], [11, 0.3], [14, 0.2], [15, 0.1]].forEach(([i, d]) => (e[i!] = 0.5 - d!));
    const pixelsOf = (c: ReturnType<typeof findCandidates>, type: string) => c.candidates.filter((k) => k.type === type).flatMap((k) => Array.from(k.pixelIndices)).sort((a, b) => a - b);
    const median = findCandidates(r, e, mask, 1, 0.5);
    expect(pixelsOf(median, 'lytic')).toEqual([1, 2]);
    expect(pixelsOf(median, 'blastic')).toEqual([10, 11]);
    const low = findCandidates(r, e, mask, 1, { lytic: 0.1, blastic: 0.5 });
    expect(pixelsOf(low, 'lytic')).toEqual([1, 2, 3]);
    expect(pixelsOf(low, 'blastic')).toEqual([10, 11]);
    expect(Array.from(low.all.keys()).filter((i) => low.all[i])).toEqual([1, 2, 3, 10, 11]);
  });

  it('a lytic split divides a candidate with two cores and leaves the union and the blastic candidates as they were', () => {
    // Whole grid as body. Lytic map: row 0 (pixels 0–3) 0.4, 0.1, 0.05, 0.3, row 1 (4–7) 0.05 each, pixel 15 0.01;
    // cut at its lowest positive value it is one component of pixels 0–7. Its 0.8 quantile is 0.18 (between 0.1 and
    // 0.3), so the cores are pixels 0 and 3. Blastic map: 10, 11 (0.4, 0.3) and 14 (0.01, below the cut).
    const body = { rows: 4, cols: 4, data: new Uint8Array(16).fill(1) };
    const r = new Float32Array(16).fill(0.5);
    const e = Float32Array.from(r);
    [[0, 0.4], [1, 0.1], [2, 0.05], [3, 0.3], [4, 0.05], [5, 0.05], [6, 0.05], [7, 0.05], [15, 0.01]].forEach(([i, d]) => (e[i!] = 0.5 + d!));
    [[10, 0.4], [11, 0.3], [14, 0.01]].forEach(([i, d]) => (e[i!] = 0.5 - d!));
    const ofType = (c: ReturnType<typeof findCandidates>, type: string) => c.candidates.filter((k) => k.type === type).map((k) => Array.from(k.pixelIndices));
    const whole = findCandidates(r, e, body, 1, 0);
    expect(ofType(whole, 'lytic')).toEqual([[0, 1, 2, 3, 4, 5, 6, 7]]);
    const split = findCandidates(r, e, body, 1, 0, false, { lytic: 0.8 });
    // Rings: from pixel 0, 1 and 4; from 3, 2 and 7; then 5 (beside 1 and 4) and 6 (beside 2 and 7).
    expect(ofType(split, 'lytic')).toEqual([[0, 1, 4, 5], [2, 3, 6, 7]]);
    expect(ofType(split, 'blastic')).toEqual([[10, 11]]);
    expect(ofType(whole, 'blastic')).toEqual([[10, 11]]);
    expect(Array.from(split.all)).toEqual(Array.from(whole.all));
    expect(split.candidates[0]!.meanDifference).toBeCloseTo(0.15, 6);
  });

  it('the median of an even count is the mean of the middle two; an empty body has 0', () => {
    const two = { rows: 1, cols: 2, data: Uint8Array.from([1, 1]) };
    expect(bodyMedianDifference(Float32Array.from([0, 0]), Float32Array.from([0.1, 0.3]), two)).toBeCloseTo(0.2, 6);
    expect(bodyMedianDifference(Float32Array.from([0, 0]), Float32Array.from([0.1, 0.3]), { ...two, data: new Uint8Array(2) })).toBe(0);
  });
});
