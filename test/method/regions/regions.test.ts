import { describe, expect, it } from 'vitest';
import { componentMask, connectedComponents } from '../../../src/method/regions/components.js';
import type { Mask2D } from '../../../src/method/regions/mask.js';
import { regionProperties } from '../../../src/method/regions/properties.js';
import { quantileOfPositive, medianOfPositive, thresholdAtPositiveMedian } from '../../../src/method/regions/threshold.js';

/** A mask from rows of '#' (1) and '.' (0). */
function mask(...lines: string[]): Mask2D {
  return { rows: lines.length, cols: lines[0]!.length, data: Uint8Array.from(lines.join(''), (ch) => (ch === '#' ? 1 : 0)) };
}

describe('median threshold', () => {
  it('uses numpy median semantics on the strictly positive values', () => {
    // positives {3, 1, 2} → 2; {4, 1, 3, 2} → (2 + 3) / 2 = 2.5; zeros and negatives ignored
    expect(medianOfPositive([0, 3, 0, 1, 2, -5])).toBe(2);
    expect(medianOfPositive([4, 0, 1, 3, 2])).toBe(2.5);
    expect(medianOfPositive([0, 0, -1])).toBeUndefined();
  });

  it('keeps values strictly above the median', () => {
    const m = thresholdAtPositiveMedian({ rows: 2, cols: 3, data: Float32Array.from([0, 1, 2, 3, 4, 2]) });
    // positives 1, 2, 2, 3, 4 → median 2; only 3 and 4 are above it
    expect(Array.from(m.data)).toEqual([0, 0, 0, 1, 1, 0]);
    expect([m.rows, m.cols]).toEqual([2, 3]);
    expect(Array.from(thresholdAtPositiveMedian({ rows: 1, cols: 2, data: new Float32Array(2) }).data)).toEqual([0, 0]);
  });
});

describe('4-connected components', () => {
  const m = mask(
    '##..#', //
    '#...#',
    '..#..',
    '.###.',
    '..#..',
  );

  it('does not join diagonal neighbours and numbers components in raster order', () => {
    const cc = connectedComponents(m, 1);
    expect(cc.count).toBe(3);
    // prettier-ignore
    expect(Array.from(cc.labels)).toEqual([
      1, 1, 0, 0, 2,
      1, 0, 0, 0, 2,
      0, 0, 3, 0, 0,
      0, 3, 3, 3, 0,
      0, 0, 3, 0, 0,
    ]);
  });

  it('drops components under the minimum size (default 5) and renumbers the rest', () => {
    const cc = connectedComponents(m);
    expect(cc.count).toBe(1);
    expect(Array.from(cc.labels).filter((l) => l === 1).length).toBe(5);
    expect(cc.labels[0]).toBe(0);
    expect(connectedComponents(m, 6).count).toBe(0);
    expect(connectedComponents(m, 3).count).toBe(2); // the 3-pixel L and the cross
    expect(Array.from(componentMask(connectedComponents(m, 3)).data).reduce((a, b) => a + b, 0)).toBe(8);
  });

  it('handles a component spanning a whole 256×256 image without recursion', () => {
    const big: Mask2D = { rows: 256, cols: 256, data: new Uint8Array(256 * 256).fill(1) };
    const cc = connectedComponents(big);
    expect(cc.count).toBe(1);
    expect(cc.labels.every((l) => l === 1)).toBe(true);
  });

  it('follows a snake with a single-pixel path', () => {
    const s = mask('#####', '....#', '#####', '#....', '#####');
    expect(connectedComponents(s).count).toBe(1);
  });
});

describe('region properties', () => {
  it('counts pixels, centroid, bounding box and the mean of a map', () => {
    const cc = connectedComponents(mask('##..#', '#...#', '.....'), 1);
    const values = Float32Array.from([1, 2, 0, 0, 10, 3, 0, 0, 0, 20, 0, 0, 0, 0, 0]);
    const [a, b] = regionProperties(cc, values);
    // component 1: (0,0), (0,1), (1,0)
    expect(a).toEqual({ label: 1, pixels: 3, centroid: { row: 1 / 3, col: 1 / 3 }, bbox: { rowMin: 0, colMin: 0, rowMax: 1, colMax: 1 }, mean: 2 });
    // component 2: (0,4), (1,4)
    expect(b).toEqual({ label: 2, pixels: 2, centroid: { row: 0.5, col: 4 }, bbox: { rowMin: 0, colMin: 4, rowMax: 1, colMax: 4 }, mean: 15 });
    expect(regionProperties(cc)[0]!.mean).toBeUndefined();
    expect(() => regionProperties(cc, [1, 2])).toThrow(/3×5/);
  });
});

describe('quantileOfPositive (--candidate-quantile)', () => {
  it('is numpy.quantile (linear) of the positive values; 0.5 is the median', () => {
    const v = [0, 4, -1, 1, 3, 2];
    expect(quantileOfPositive(v, 0.25)).toBe(1.75); // numpy.quantile([1, 2, 3, 4], 0.25)
    expect(quantileOfPositive(v, 0.5)).toBe(2.5);
    expect(quantileOfPositive(v, 0)).toBe(1);
    expect(quantileOfPositive([0, -2], 0.3)).toBeUndefined();
    const cut = thresholdAtPositiveMedian({ rows: 1, cols: 6, data: Float32Array.from(v) }, 0.75); // 3.25
    expect(Array.from(cut.data)).toEqual([0, 1, 0, 0, 0, 0]);
  });
});
