import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { writeDicomSeries } from '../../src/data/dicom-write.js';
import { readManifest } from '../../src/data/manifest.js';
import { affine, axisAlignedGeometry, readNifti, writeNifti } from '../../src/data/nifti.js';
import { render } from '../../src/data/phantom/anatomy.js';
import { syntheticSpine } from '../../src/data/phantom/spine.js';
import { cropVertebrae, prepareDataset, readLabelTable } from '../../src/data/prepare.js';

const spine = syntheticSpine(4);
// The spine's VerSe ids (spine.ts: T11–L3 are 18–22).
const NAME: Record<number, string> = { 18: 'T11', 19: 'T12', 20: 'L1', 21: 'L2', 22: 'L3' };

describe('prepare on a synthetic whole-spine CT', () => {
  it('crops each vertebra so its body mask matches the true body on the same grid', () => {
    const crops = cropVertebrae(spine.ct, spine.labels, [19, 20, 21]);
    expect(crops.map((c) => c.id)).toEqual([19, 20, 21]);
    for (const c of crops) {
      // Ground truth: render the scene on the crop's grid (crop voxel → world → scene).
      const A = affine(c.geometry);
      const W = (r: number) => [A[r]![0]!, A[r]![1]!, A[r]![2]!, A[r]![3]!];
      const [x, y, z] = [W(0), W(1), W(2)];
      // scene = (−y, −z, x) in world terms (see spine.ts).
      const m = [...y.map((v) => -v), ...z.map((v) => -v), ...x];
      const truth = render(spine.scene, { dims: [64, 64, 64], m }).body.map((b) => (b === c.id ? 1 : 0));
      let inter = 0, a = 0, b = 0;
      for (let i = 0; i < truth.length; i++) { inter += truth[i]! & c.body[i]!; a += truth[i]!; b += c.body[i]!; }
      expect((2 * inter) / (a + b)).toBeGreaterThan(0.85);
      // The body centre lands on the crop centre, the mid-sagittal slice holds the body.
      const v = spine.scene.vertebrae.find((q) => q.id === c.id)!;
      const centreScene = [-c.centre[1], -c.centre[2], c.centre[0]];
      expect(Math.abs(centreScene[0]!)).toBeLessThan(3);
      expect(Math.abs(centreScene[1]! - v.s0)).toBeLessThan(2);
      expect(Math.abs(centreScene[2]!)).toBeLessThan(2);
      // Rows run anterior → posterior: the first row is in front of the body, HU of soft tissue or aorta.
      expect(c.ct[0 + 64 * 32 + 4096 * 32]!).toBeLessThan(c.ct[32 + 64 * 32 + 4096 * 32]! + 400);
    }
  });

  it('writes crops, masks and a manifest from files, with labels from the table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hsa-prep-'));
    writeNifti(join(dir, 'ct.nii.gz'), spine.ct, 'int16');
    writeNifti(join(dir, 'seg.nii.gz'), spine.labels, 'uint8');
    writeFileSync(join(dir, 'labels.csv'), `vertebra,label\n${[...spine.table].map(([id, l]) => `${NAME[id]},${l}`).join('\n')}\nT3,0\n`);
    const res = await prepareDataset(join(dir, 'ct.nii.gz'), join(dir, 'seg.nii.gz'), join(dir, 'labels.csv'), join(dir, 'out'));
    expect(res.rows.length).toBe(5);
    expect(res.notInMap).toEqual(['T3']);
    expect(res.rows.map((r) => r.level)).toEqual(['T11', 'T12', 'L1', 'L2', 'L3']);
    const rows = await readManifest(join(dir, 'out', 'manifest.csv'));
    expect(rows.map((r) => r.label)).toEqual([18, 19, 20, 21, 22].map((id) => spine.table.get(id)));
    expect(rows.filter((r) => r.label === 1).length).toBe(1);
    const img = readNifti(rows[2]!.image);
    expect(img.dims).toEqual([64, 64, 64]);
    expect(img.geometry.pixdim.slice(1, 4).map((s) => +s.toFixed(3))).toEqual([0.8, 0.8, 0.8]);
    expect(rows[2]!.image).toMatch(/ct_L1\.nii\.gz$/);
  });

  it('hsa prepare reads the CT from a DICOM folder, the series chosen with --series', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hsa-prep-'));
    const ctDir = join(dir, 'ct_dicom');
    const w = writeDicomSeries(join(ctDir, 'spine'), spine.ct, { seed: 'spine' });
    writeDicomSeries(join(ctDir, 'scout'), { dims: [4, 4, 2], data: new Float32Array(32), geometry: axisAlignedGeometry([1, 1, 1]) }, { seed: 'scout' });
    writeNifti(join(dir, 'seg.nii.gz'), spine.labels, 'uint8');
    writeFileSync(join(dir, 'labels.csv'), `vertebra,label\n${[...spine.table].map(([id, l]) => `${NAME[id]},${l}`).join('\n')}\n`);
    const args = ['node', 'hsa', 'prepare', '--ct', `${ctDir}/`, '--seg', join(dir, 'seg.nii.gz'), '--labels', join(dir, 'labels.csv'), '--out', join(dir, 'out')];
    await expect(buildProgram().parseAsync(args)).rejects.toThrow(`${ctDir}/: 2 CT series; choose one by SeriesInstanceUID`);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await buildProgram().parseAsync([...args, '--series', w.seriesUid]);
    stderr.mockRestore();
    const rows = await readManifest(join(dir, 'out', 'manifest.csv'));
    expect(rows.map((r) => r.image.replace(/^.*[\\/]/, ''))).toEqual(['T11', 'T12', 'L1', 'L2', 'L3'].map((v) => `ct_dicom_${v}.nii.gz`));
    // The same crop as from the CT in memory (HU rounded as DICOM stores them), within interpolation rounding.
    const ref = cropVertebrae({ ...spine.ct, data: spine.ct.data.map(Math.round) }, spine.labels, [20])[0]!.ct;
    const l1 = readNifti(rows[2]!.image).data;
    expect(l1.reduce((m, v, p) => Math.max(m, Math.abs(v - Math.round(ref[p]!))), 0)).toBeLessThanOrEqual(1);
  });

  it('names the levels of a TotalSegmentator map and, without a table, crops every vertebra with no label', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hsa-prep-'));
    // The same vertebrae in TotalSegmentator v2 ids (T11 33, T12 32, L1 31, L2 30, L3 29), and liver (5) in a corner.
    const TOTALSEG: Record<number, number> = { 18: 33, 19: 32, 20: 31, 21: 30, 22: 29 };
    const data = spine.labels.data.map((v) => TOTALSEG[v] ?? 0);
    data[0] = 5;
    writeNifti(join(dir, 'ct.nii.gz'), spine.ct, 'int16');
    writeNifti(join(dir, 'total.nii.gz'), { ...spine.labels, data }, 'uint8');
    const res = await prepareDataset(join(dir, 'ct.nii.gz'), join(dir, 'total.nii.gz'), undefined, join(dir, 'out'));
    expect(res.rows.map((r) => r.level)).toEqual(['T11', 'T12', 'L1', 'L2', 'L3']);
    expect([res.notInMap, res.notInTable]).toEqual([[], []]);
    const manifest = join(dir, 'out', 'manifest.csv');
    await expect(readManifest(manifest)).rejects.toThrow(/line 2: label "" is not 0 or 1/);
    const rows = await readManifest(manifest, { labels: 'optional' });
    expect(rows.map((r) => r.label)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    // L1 is the crop the VerSe map gives, within the rounding of the geometry stored as float32.
    const ref = cropVertebrae(spine.ct, spine.labels, [20])[0]!.ct;
    expect(readNifti(rows[2]!.image).data.reduce((m, v, p) => Math.max(m, Math.abs(v - ref[p]!)), 0)).toBeLessThanOrEqual(1);
  });

  it('rejects a bad table naming the file and every bad row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hsa-prep-'));
    writeFileSync(join(dir, 't.csv'), 'vertebra,label\nL1,2\nX9,1\nT12,malignant\n');
    expect(() => readLabelTable(join(dir, 't.csv'), 'verse')).toThrow(/t\.csv: 2 bad row\(s\):\n {2}row 2.*\n {2}row 3/);
  });
});
