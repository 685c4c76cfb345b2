import { describe, expect, it } from 'vitest';
import * as torch from '../../src/tensor/index.js';
import { augmentBatch, drawSliceIndices, SPEC_AUGMENT, type AugmentOptions } from '../../src/data/augment.js';

const only = (k: keyof AugmentOptions['p'], extra: Partial<AugmentOptions> = {}): AugmentOptions => ({
  ...SPEC_AUGMENT, p: { rotate: 0, flip: 0, zoom: 0, noise: 0, [k]: 1 }, ...extra,
});

function image(f: (r: number, c: number) => number, n = 1, h = 64, w = 64): torch.Tensor {
  const d = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) d[(i * h + r) * w + c] = f(r, c);
  return torch.tensor(d, [n, 1, h, w]);
}

describe('augmentBatch', () => {
  it('is reproducible from the seed and differs across seeds', () => {
    const x = image((r, c) => Math.sin(r / 5) + c / 64, 8);
    const a = augmentBatch(x, new torch.Generator(7)).toFloat32Array();
    const b = augmentBatch(x, new torch.Generator(7)).toFloat32Array();
    const c = augmentBatch(x, new torch.Generator(8)).toFloat32Array();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('with every probability 0 is the identity', () => {
    const x = image((r, c) => r * 64 + c);
    const p0 = { ...SPEC_AUGMENT, p: { rotate: 0, flip: 0, zoom: 0, noise: 0 } };
    const y = augmentBatch(x, new torch.Generator(1), p0).toFloat32Array();
    const x0 = x.toFloat32Array();
    expect(Math.max(...y.map((v, i) => Math.abs(v - x0[i]!)))).toBeLessThan(1e-3); // float rounding of 0..4095
  });

  it('flips columns exactly', () => {
    const x = image((r, c) => r * 64 + c);
    const y = augmentBatch(x, new torch.Generator(1), only('flip')).toFloat32Array();
    expect(y[5 * 64 + 0]).toBe(5 * 64 + 63);
    expect(y[5 * 64 + 63]).toBe(5 * 64 + 0);
  });

  it('zooms rows about the centre, keeping size and columns', () => {
    // Output row r samples input row 31.5 + (r − 31.5) / f; with f = 2, row 0 reads row 15.75.
    const x = image((r) => r);
    const y = augmentBatch(x, new torch.Generator(1), only('zoom', { zoom: [2, 2] })).toFloat32Array();
    expect(y[0]).toBeCloseTo(15.75, 4);
    expect(y[63 * 64 + 10]).toBeCloseTo(47.25, 4);
    // f = 0.5 shrinks: rows beyond the border repeat the edge (border padding).
    const z = augmentBatch(x, new torch.Generator(1), only('zoom', { zoom: [0.5, 0.5] })).toFloat32Array();
    expect(z[0]).toBe(0);
    expect(z[20 * 64]).toBeCloseTo(31.5 + (20 - 31.5) * 2, 4);
  });

  it('rotates +90° counter-clockwise as displayed, exactly on a square grid', () => {
    // A bright pixel right of centre (row 31, col 50) must end up above centre: row 31-(50-31.5)-0.5… = 13, col 31.
    const x = image((r, c) => (r === 31 && c === 50 ? 1 : 0));
    const y = augmentBatch(x, new torch.Generator(1), only('rotate', { rotationDeg: [90, 90] })).toFloat32Array();
    const at = y.findIndex((v) => v > 0.99);
    expect([Math.floor(at / 64), at % 64]).toEqual([13, 31]);
  });

  it('adds Gaussian noise of σ = 0.015', () => {
    const x = image(() => 0.5, 16);
    const y = augmentBatch(x, new torch.Generator(3), only('noise')).toFloat64Array();
    let s = 0, s2 = 0;
    for (const v of y) { s += v - 0.5; s2 += (v - 0.5) ** 2; }
    const sd = Math.sqrt(s2 / y.length - (s / y.length) ** 2);
    expect(sd).toBeGreaterThan(0.0145);
    expect(sd).toBeLessThan(0.0155);
  });

  it('applies each transform to about half of the samples', () => {
    const x = image((r, c) => r * 64 + c, 400);
    const y = augmentBatch(x, new torch.Generator(5), { ...SPEC_AUGMENT, p: { ...SPEC_AUGMENT.p, rotate: 0, zoom: 0, noise: 0 } }).toFloat32Array();
    let flipped = 0;
    for (let i = 0; i < 400; i++) if (y[i * 4096] === 63) flipped++;
    expect(flipped).toBeGreaterThan(160);
    expect(flipped).toBeLessThan(240);
  });
});

it('draws slices uniformly from the 5 central ones', () => {
  const idx = drawSliceIndices(5000, 64, new torch.Generator(2));
  const counts = [30, 31, 32, 33, 34].map((k) => idx.filter((i) => i === k).length);
  expect(counts.reduce((a, b) => a + b)).toBe(5000);
  for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  expect(() => drawSliceIndices(1, 3, new torch.Generator(1))).toThrow(RangeError);
});
