import { describe, expect, it } from 'vitest';
import { camLabels, healthyMedian } from '../../../src/method/baselines/cam-labels.js';

// 10×10, body = rows 1..8 × cols 1..8 at 0.5. A dark patch (0.25) at rows 2..3 × cols 2..4 and a bright patch
// (0.875) at rows 6..7 × cols 5..7.
const R = 10;
function vertebra() {
  const image = new Float32Array(R * R);
  const mask = new Uint8Array(R * R);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < R; c++) {
      const i = r * R + c;
      mask[i] = r >= 1 && r <= 8 && c >= 1 && c <= 8 ? 1 : 0;
      image[i] = mask[i] ? 0.5 : 0;
      if (r >= 2 && r <= 3 && c >= 2 && c <= 4) image[i] = 0.25;
      if (r >= 6 && r <= 7 && c >= 5 && c <= 7) image[i] = 0.875;
    }
  }
  return { image, mask: { rows: R, cols: R, data: mask } };
}

/** CAM 1 on the listed rectangles (inclusive), value v elsewhere given, 0 otherwise. */
function cam(rects: [number, number, number, number, number][]): Float32Array {
  const m = new Float32Array(R * R);
  for (const [r0, r1, c0, c1, v] of rects) for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) m[r * R + c] = v;
  return m;
}

describe('camLabels', () => {
  const v = vertebra();
  // Hot region 1: rows 2..3 × cols 1..4 (8 px, mean (6·0.25 + 2·0.5)/8 = 0.3125 < 0.5 → lytic).
  // Hot region 2: rows 6..7 × cols 5..9 (10 px, col 9 outside the body → 8 px at mean (6·0.875 + 2·0.5)/8 = 0.78125 → blastic).
  // Region 3: rows 0..1 × cols 7..8 (row 0 is outside the body: 2 px remain, under 5 px, dropped).
  // Region 4: exactly 0.5 (not above the threshold).
  const map = cam([[2, 3, 1, 4, 0.9], [6, 7, 5, 9, 1], [0, 1, 7, 8, 0.8], [5, 5, 1, 8, 0.5]]);

  it('thresholds at > 0.5 inside the body, drops small components and types each by its mean vs the healthy median', () => {
    const r = camLabels(map, v, 0.9, 0.5);
    const want = new Uint8Array(R * R);
    for (let r0 = 2; r0 <= 3; r0++) for (let c = 1; c <= 4; c++) want[r0 * R + c] = 1;
    for (let r0 = 6; r0 <= 7; r0++) for (let c = 5; c <= 8; c++) want[r0 * R + c] = 2;
    expect(Array.from(r.labels)).toEqual(Array.from(want));
    expect(r.regions).toEqual([
      { type: 'lytic', pixels: 8, centroid: { row: 2.5, col: 2.5 }, meanIntensity: 0.3125 },
      { type: 'blastic', pixels: 8, centroid: { row: 6.5, col: 6.5 }, meanIntensity: 0.78125 },
    ]);
  });

  it('the healthy median decides the type: above it blastic, at or below it lytic', () => {
    expect(camLabels(map, v, 0.9, 0.2).regions.map((x) => x.type)).toEqual(['blastic', 'blastic']);
    expect(camLabels(map, v, 0.9, 0.78125).regions.map((x) => x.type)).toEqual(['lytic', 'lytic']);
  });

  it('labels nothing for a vertebra the CNN calls healthy (P ≤ 0.5)', () => {
    const r = camLabels(map, v, 0.5, 0.5);
    expect(r.regions).toEqual([]);
    expect(r.labels.every((x) => x === 0)).toBe(true);
  });

  it('checks the grids', () => {
    expect(() => camLabels(new Float32Array(4), v, 0.9, 0.5)).toThrow(/CAM of 4 and image of 100 pixels for a 10×10 mask/);
  });
});

describe('healthyMedian', () => {
  it('is the median of every body-mask pixel of all vertebrae (numpy interpolation)', () => {
    const mask = { rows: 1, cols: 4, data: Uint8Array.from([1, 1, 0, 1]) };
    // Inside: 0.1, 0.3, 0.9 and 0.2, 0.4, 0.6 → sorted 0.1 0.2 0.3 0.4 0.6 0.9 → (0.3 + 0.4) / 2.
    expect(healthyMedian([{ image: Float32Array.from([0.1, 0.3, 5, 0.9]), mask }, { image: Float32Array.from([0.2, 0.4, -5, 0.6]), mask }])).toBeCloseTo(0.35, 6);
    expect(() => healthyMedian([{ image: new Float32Array(4), mask: { ...mask, data: new Uint8Array(4) } }])).toThrow(/no pixel/);
  });
});
