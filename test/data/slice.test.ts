import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNifti } from '../../src/data/nifti.js';
import { binarize, centerIndex, extractSlice, normalizeSlice, percentile } from '../../src/data/slice.js';
import { REFERENCE_SAMPLE } from '../helpers/fixtures.js';

describe('SPEC §2 on the reference sample', () => {
  const ct = readNifti(join(REFERENCE_SAMPLE, 'sample_ct.nii'));
  const img = normalizeSlice(extractSlice(ct));

  it('matches every number SPEC §2 gives', () => {
    expect(centerIndex(ct)).toBe(32);
    expect(img.rows).toBe(64);
    expect(img.cols).toBe(64);
    expect(img.lo).toBeCloseTo(0.294741, 6);
    expect(img.hi).toBeCloseTo(0.899944, 6);
    let sum = 0, max = -Infinity;
    for (const x of img.data) { sum += x; max = Math.max(max, x); }
    expect(sum / img.data.length).toBeCloseTo(0.578218, 5);
    expect(max).toBeCloseTo(1.207259, 5);
    expect(img.data[0]).toBeCloseTo(0.352303, 5);
    expect(img.data[32 * 64 + 32]).toBeCloseTo(0.816449, 5);
    expect(img.data[10 * 64 + 50]).toBeCloseTo(0.211478, 5);
  });

  it('mask slice has 1684 pixels', () => {
    const seg = readNifti(join(REFERENCE_SAMPLE, 'sample_seg.nii'));
    expect(binarize(extractSlice(seg)).data.reduce((a, b) => a + b, 0)).toBe(1684);
  });

  it('rows are the first axis and columns the second', () => {
    const s = extractSlice(ct, 5);
    expect(s.data[3 * 64 + 7]).toBe(ct.data[3 + 64 * 7 + 64 * 64 * 5]);
    expect(() => extractSlice(ct, 64)).toThrow(RangeError);
  });
});

it('percentile interpolates linearly like numpy', () => {
  // numpy.percentile([1, 2, 3, 4], 99.5) = 3.985; ([10, 0, 5], 25) = 2.5
  expect(percentile([1, 2, 3, 4], 99.5)).toBeCloseTo(3.985, 12);
  expect(percentile([10, 0, 5], 25)).toBe(2.5);
  expect(percentile([7], 50)).toBe(7);
});
