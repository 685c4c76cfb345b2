import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import type { VertebraAttribution } from '../../../src/method/attribution/attribute.js';
import { BLASTIC_COLOUR, figureLayout, LYTIC_COLOUR, renderAttributionFigure, viridis } from '../../../src/method/figures/attribution-figure.js';
import { Canvas, type RGB } from '../../../src/method/figures/canvas.js';
import { glyphPixel, textWidth } from '../../../src/method/figures/font.js';

const at = (png: { width: number; data: Uint8Array | Buffer }, x: number, y: number): number[] => {
  const o = (y * png.width + x) * 4;
  return [png.data[o]!, png.data[o + 1]!, png.data[o + 2]!];
};

describe('font', () => {
  it('draws A as a 3×5 letter, lower case as upper case, unknown characters blank', () => {
    const rows = (ch: string) => [0, 1, 2, 3, 4].map((y) => [0, 1, 2].map((x) => (glyphPixel(ch, x, y) ? '#' : '.')).join(''));
    expect(rows('A')).toEqual(['.#.', '#.#', '###', '#.#', '#.#']);
    expect(rows('a')).toEqual(rows('A'));
    expect(rows('§')).toEqual(['...', '...', '...', '...', '...']);
    expect(textWidth('AB', 2)).toBe(14);
  });
});

describe('canvas', () => {
  it('draws a region contour on the edges between inside and outside pixels', () => {
    const cv = new Canvas(8, 4, [0, 0, 0]);
    // Pixels 0 and 1 of a 1×2 image (both inside), scale 4: the outline of an 8×4 rectangle.
    cv.contour(0, 0, 1, 2, 4, () => true, [255, 0, 0]);
    const png = PNG.sync.read(cv.toPng());
    const red = (x: number, y: number) => at(png, x, y)[0] === 255;
    for (let x = 0; x < 8; x++) expect([red(x, 0), red(x, 3)]).toEqual([true, true]);
    for (let y = 0; y < 4; y++) expect([red(0, y), red(7, y)]).toEqual([true, true]);
    expect([red(3, 1), red(4, 2)]).toEqual([false, false]);
  });
});

describe('attribution figure', () => {
  // 8×8: a kept lytic candidate (rows 1-2, cols 1-3) and a dropped blastic one (rows 5-6, cols 4-6).
  const idx = (r0: number, r1: number, c0: number, c1: number) => {
    const out: number[] = [];
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) out.push(r * 8 + c);
    return Int32Array.from(out);
  };
  const lytic = idx(1, 2, 1, 3);
  const blastic = idx(5, 6, 4, 6);
  const labels = new Uint8Array(64);
  lytic.forEach((i) => (labels[i] = 1));
  const result: VertebraAttribution = {
    rows: 8, cols: 8, pMalignant: 0.9, pHealthy: 1e-5, measuredReference: null, typeReadings: null,
    recon: new Float32Array(64).fill(0.5), edit: new Float32Array(64).fill(0.5),
    lyticMap: new Float32Array(64), blasticMap: new Float32Array(64),
    candidates: [
      { type: 'lytic', pixelIndices: lytic, pixels: 6, centroid: { row: 1.5, col: 2 }, meanDifference: 0.2, pCandidate: 0.8, delta: 0.8, kept: true },
      { type: 'blastic', pixelIndices: blastic, pixels: 6, centroid: { row: 5.5, col: 5 }, meanDifference: 0.1, pCandidate: 0.1, delta: 0.1, kept: false },
    ],
    labels,
  };
  const slice = { image: new Float32Array(64).fill(0.5), mask: { rows: 8, cols: 8, data: new Uint8Array(64).fill(1) } };
  const png = PNG.sync.read(renderAttributionFigure({ title: 'case', slice, result, deltaThreshold: 0.5 }));
  const { scale, panel } = figureLayout(8, 8);
  const inPanel = (col: number, row: number, colour: RGB) => {
    const { x, y } = panel(col, row);
    for (let py = y; py < y + 8 * scale; py++) for (let px = x; px < x + 8 * scale; px++) if (at(png, px, py).every((v, k) => v === colour[k])) return true;
    return false;
  };

  it('colours each candidate by its Δ, outlined in its type colour', () => {
    const { x, y } = panel(1, 1);
    // Pixel (row 2, col 1) of the lytic candidate, away from its outline and its number label.
    expect(at(png, x + 1 * scale + scale / 2, y + 2 * scale + scale / 2)).toEqual([...viridis(0.8)]);
    expect(at(png, x + 6 * scale + scale / 2, y + 6 * scale + scale / 2)).toEqual([...viridis(0.1)]);
    expect(inPanel(1, 1, LYTIC_COLOUR)).toBe(true);
    expect(inPanel(1, 1, BLASTIC_COLOUR)).toBe(true);
  });

  it('draws only the kept candidates in the result panel', () => {
    expect(inPanel(2, 1, LYTIC_COLOUR)).toBe(true);
    expect(inPanel(2, 1, BLASTIC_COLOUR)).toBe(false);
  });

  it('viridis runs from dark purple to yellow and clamps', () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(7)).toEqual(viridis(1));
    expect(viridis(-1)).toEqual(viridis(0));
  });
});
