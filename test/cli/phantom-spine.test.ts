// `hsa phantom --spine`: the synthetic whole spine written as a user has one (DICOM CT, label map, labels).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readDicomSeries } from '../../src/data/dicom.js';
import { affine, readNifti } from '../../src/data/nifti.js';
import { syntheticSpine } from '../../src/data/phantom/spine.js';
import { hsa } from '../helpers/cli.js';

// toEqual on volumes this size takes seconds.
const maxDiff = (a: Float32Array, b: Float32Array) => (a.length === b.length ? a.reduce((m, v, p) => Math.max(m, Math.abs(v - b[p]!)), 0) : Infinity);

describe('hsa phantom --spine', () => {
  it('writes the CT as a DICOM series, the VerSe label map, the label table and the true lesions', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hsa-spine-')), 'spine');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await hsa('phantom', '--spine', '--seed', '4', '--out', out);
    vi.restoreAllMocks();
    const spine = syntheticSpine(4);
    const ct = readDicomSeries(join(out, 'ct'));
    expect(ct.dims).toEqual(spine.ct.dims);
    expect(maxDiff(ct.data, spine.ct.data.map(Math.round))).toBe(0);
    const [a, b] = [affine(ct.geometry), affine(spine.ct.geometry)];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) expect(Math.abs(a[r]![c]! - b[r]![c]!)).toBeLessThan(1e-3);
    expect(maxDiff(readNifti(join(out, 'vertebrae.nii.gz')).data, spine.labels.data)).toBe(0);
    // VerSe 18–22 are T11–L3; the middle one carries the lesions.
    expect(readFileSync(join(out, 'labels.csv'), 'utf8')).toBe('vertebra,label\nT11,0\nT12,0\nL1,1\nL2,0\nL3,0\n');
    const lesions = readNifti(join(out, 'lesions.nii.gz')).data;
    const where = new Set(spine.labels.data.filter((_, p) => lesions[p]! > 0));
    expect([...where]).toEqual([20]);
  });

  it('takes --seed only', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hsa-spine-')), 'spine');
    await expect(hsa('phantom', '--spine', '--count', '5', '--out', out)).rejects.toThrow('--spine takes --seed only, not --count');
  });
});
