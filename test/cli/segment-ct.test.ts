// `hsa segment --ct` on a synthetic spine written as DICOM with a TotalSegmentator-id label map, and the micro
// model: what it writes, how it continues an interrupted run, and what it refuses before writing anything.
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readDicomSeries } from '../../src/data/dicom.js';
import { writeDicomSeries } from '../../src/data/dicom-write.js';
import { affine, axisAlignedGeometry, readNifti, writeNifti } from '../../src/data/nifti.js';
import { syntheticSpine } from '../../src/data/phantom/spine.js';
import { openWholeCt, type WholeCtInputs } from '../../src/method/attribution/whole-ct.js';
import { hsa, writeMicroModel } from '../helpers/cli.js';

const FAST = ['--inversion-steps', '3', '--render-steps', '2', '--harmonise-inversion-steps', '3', '--harmonise-render-steps', '2', '--min-size', '2'];
// VerSe → TotalSegmentator v2 ids of the spine's vertebrae: T11 33, T12 32, L1 31, L2 30, L3 29.
const TOTALSEG: Record<number, number> = { 18: 33, 19: 32, 20: 31, 21: 30, 22: 29 };
const spine = syntheticSpine(4);
let tmp: string;
let ctDir: string;
let seg: string;
let modelDir: string;
let inputs: WholeCtInputs;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-segct-'));
  ctDir = join(tmp, 'ct');
  writeDicomSeries(ctDir, spine.ct, { seed: 'segct' });
  seg = join(tmp, 'total.nii.gz');
  const data = spine.labels.data.map((v) => TOTALSEG[v] ?? 0);
  data[0] = 5; // liver, ignored
  writeNifti(seg, { ...spine.labels, data }, 'uint8');
  modelDir = join(tmp, 'model');
  writeMicroModel(modelDir);
  inputs = { ct: ctDir, vertebrae: seg, labelScheme: 'auto', levels: ['L1', 'L2'], spacing: 0.8, size: 64 };
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterAll(() => vi.restoreAllMocks());

const segment = (...args: string[]) => hsa('segment', '--ct', ctDir, '--vertebrae', seg, '--model', modelDir, ...FAST, ...args);

describe('hsa segment --ct', () => {
  it('writes the lesions on the CT grid, statistics per vertebra and the per-vertebra results', async () => {
    const out = join(tmp, 'out');
    await segment('--levels', 'L2,l1', '--out', out);
    const files = readdirSync(out).sort();
    expect(files.filter((f) => f !== 'lesions.seg.dcm')).toEqual(['crops', 'lesions.nii.gz', 'statistics.csv', 'statistics.json', 'vertebrae']);
    const lesions = readNifti(join(out, 'lesions.nii.gz'));
    expect(lesions.dims).toEqual(spine.ct.dims);
    const [a, b] = [affine(lesions.geometry), affine(spine.ct.geometry)];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) expect(Math.abs(a[r]![c]! - b[r]![c]!)).toBeLessThan(1e-3);
    // A SEG exactly when there are lesions (the random micro model may find none).
    expect(files.includes('lesions.seg.dcm')).toBe(lesions.data.some((v) => v > 0));

    const rows = readFileSync(join(out, 'statistics.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.map((r) => r.slice(0, 3))).toEqual([['L1', 'vertebrae_L1', 'ct_L1'], ['L2', 'vertebrae_L2', 'ct_L2']]);
    for (const r of rows) {
      const result = JSON.parse(readFileSync(join(out, 'vertebrae', r[2]!, 'result.json'), 'utf8'));
      expect(Number(r[5])).toBeCloseTo(result.pMalignant, 10);
      expect(Number(r[8])).toBeCloseTo(result.lesions.lytic.areaMm2, 10);
    }
    expect(readdirSync(join(out, 'vertebrae')).sort()).toEqual(['ct_L1', 'ct_L2', 'run.json', 'summary.csv']);
    expect(readFileSync(join(out, 'crops', 'manifest.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[2])).toEqual(['', '']);
    await expect(segment('--levels', 'L1,L2', '--out', out, '--continue')).rejects.toThrow(`${out}: this run is already complete (statistics.json)`);
  });

  it('with --slices 3, maps all three slices onto the CT and reports their volumes', async () => {
    const out = join(tmp, 'three');
    await segment('--levels', 'L1', '--slices', '3', '--out', out);
    const result = JSON.parse(readFileSync(join(out, 'vertebrae', 'ct_L1', 'result.json'), 'utf8'));
    expect(result.slices.map((p: { sliceIndex: number }) => p.sliceIndex)).toEqual([31, 32, 33]);
    const csv = readFileSync(join(out, 'statistics.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const col = (name: string) => csv[1]![csv[0]!.indexOf(name)]!;
    expect(col('slices')).toBe('3');
    expect(Number(col('lytic_volume_mm3'))).toBeCloseTo(result.volume.lytic.volumeMm3, 6);
    expect(Number(col('lytic_lesions'))).toBe(result.volume.lytic.lesions);
    // Every marked CT voxel lies on one of the three planes: within half its extent (plus the crop's) of slices 31..33.
    const crop = affine(readNifti(join(out, 'crops', 'images', 'ct_L1.nii.gz')).geometry);
    const normal = [0, 1, 2].map((a) => crop[a]![2]! / 0.8);
    const centre = [0, 1, 2].map((a) => crop[a]![2]! * 32 + crop[a]![3]!);
    const g = spine.ct.geometry.srow;
    const lesions = readNifti(join(out, 'lesions.nii.gz')).data;
    const reach = 0.5 * (Math.abs(normal[0]!) * 0.9 + Math.abs(normal[1]!) * 0.9 + Math.abs(normal[2]!) * 1.5);
    lesions.forEach((v, p) => {
      if (v === 0) return;
      const x = [p % 80, Math.floor(p / 80) % 90, Math.floor(p / 7200)].map((q, a) => g[a]![a]! * q + g[a]![3]!);
      const across = x.reduce((s, xa, a) => s + (xa - centre[a]!) * normal[a]!, 0);
      expect(Math.abs(across)).toBeLessThanOrEqual(0.8 + reach + 1e-6);
    });
  });

  it('continues a run interrupted after cropping, segmenting the crops it wrote', async () => {
    const out = join(tmp, 'interrupted');
    const opened = await openWholeCt(out, inputs, false);
    expect(opened.vertebrae).toBe('new');
    const cropTime = statSync(opened.crops[0]!.image).mtimeMs;
    await expect(openWholeCt(out, { ...inputs, levels: ['L1'] }, true)).rejects.toThrow(/the run used another CT, label map, levels or spacing/);
    await expect(segment('--levels', 'L1,L2', '--out', out)).rejects.toThrow(`${out}: output folder exists and is not empty`);
    await segment('--levels', 'L1,L2', '--out', out, '--continue');
    expect(existsSync(join(out, 'statistics.json'))).toBe(true);
    expect(statSync(opened.crops[0]!.image).mtimeMs).toBe(cropTime);
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('continues a run killed while it wrote the crops: the staging folder goes, the crops are written again', async () => {
    const out = join(tmp, 'killed');
    await openWholeCt(out, inputs, false);
    renameSync(join(out, 'crops'), join(out, 'crops.partial-4242-dead00')); // as a SIGKILL mid-staging leaves it
    const resumed = await openWholeCt(out, inputs, true);
    expect(resumed.vertebrae).toBe('new');
    expect(readdirSync(out).sort()).toEqual(['.hsa-segment-ct.json', 'crops']);
    expect(existsSync(resumed.crops[1]!.image)).toBe(true);
  });

  it('refuses bad inputs with the file named, before writing anything', async () => {
    const out = join(tmp, 'refused');
    const shifted = join(tmp, 'shifted.nii.gz');
    writeNifti(shifted, { ...spine.labels, geometry: axisAlignedGeometry([0.9, 0.9, 1.5], [-36, -45, 0]) }, 'uint8');
    await expect(hsa('segment', '--ct', ctDir, '--vertebrae', shifted, '--model', modelDir, '--out', out)).rejects.toThrow(`${shifted} does not lie on the grid of ${ctDir}`);
    await expect(segment('--levels', 'L1,T3', '--out', out)).rejects.toThrow(`${seg}: no T3 labelled here (present: T11, T12, L1, L2, L3)`);
    await expect(segment('--levels', 'L1,X9', '--out', out)).rejects.toThrow(/'X9' is not a vertebra level/);
    await expect(hsa('segment', '--ct', ctDir, '--model', modelDir, '--out', out)).rejects.toThrow('--ct and --vertebrae go together');
    expect(existsSync(out)).toBe(false);
  });

  it('removes a new run again when a crop cannot be segmented', async () => {
    // L1 without its middle 6 mm: its crop's mid-sagittal slice holds no body.
    const cut = join(tmp, 'cut.nii.gz');
    const xMid = spine.labels.data.reduce((s, v, p) => (v === 20 ? s + (p % 80) : s), 0) / spine.labels.data.filter((v) => v === 20).length;
    writeNifti(cut, { ...spine.labels, data: spine.labels.data.map((v, p) => (v === 20 && Math.abs((p % 80) - xMid) * 0.9 < 3 ? 0 : v)) }, 'uint8');
    const out = join(tmp, 'cut-out');
    await expect(openWholeCt(out, { ...inputs, vertebrae: cut }, false)).rejects.toThrow(/ct_L1_seg\.nii\.gz: the body mask is empty on slice 32/);
    expect(existsSync(out)).toBe(false);
    expect(readDicomSeries(ctDir).dims).toEqual(spine.ct.dims); // the input is untouched
  });
});
