// The whole-CT outputs of segment --ct from a known segmented slice: where its pixels land in the CT (world
// positions computed here from the two affines), no gaps, nothing outside the vertebra, the statistics, the SEG.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dcmjs from 'dcmjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CtVolume } from '../../../src/data/ct.js';
import { readDicomSeries } from '../../../src/data/dicom.js';
import { writeDicomSeries } from '../../../src/data/dicom-write.js';
import { affine, readNifti, writeNifti } from '../../../src/data/nifti.js';
import { syntheticSpine } from '../../../src/data/phantom/spine.js';
import { cropVertebrae } from '../../../src/data/prepare.js';
import { levelId, readVertebraMap, type VertebraMap } from '../../../src/data/vertebra-labels.js';
import { writeCtOutputs, type VertebraResult, type VertebraStatistics } from '../../../src/method/attribution/ct-outputs.js';

const spine = syntheticSpine(4);
const L1 = 20; // VerSe id of L1 in the spine's label map
let SLICE: number;
// Two discs on the segmented slice, inside L1's body: lytic (1) and blastic (2), centre row, column, radius (px).
const DISCS = [
  { label: 1, r: 27, c: 28, radius: 5 },
  { label: 2, r: 37, c: 37, radius: 4 },
];

let dir: string;
let ct: CtVolume;
let map: VertebraMap;
let result: VertebraResult;
let lesions: Float32Array;
let stats: VertebraStatistics[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hsa-ctout-'));
  writeDicomSeries(join(dir, 'ct'), spine.ct, { seed: 'ctout' });
  ct = readDicomSeries(join(dir, 'ct'));
  writeNifti(join(dir, 'seg.nii.gz'), spine.labels, 'uint8');
  map = readVertebraMap(join(dir, 'seg.nii.gz'), ct);
  const crop = cropVertebrae(ct, map.volume, [levelId('L1')!])[0]!;
  // The crop's slices are sagittal (x = const; spacing 0.8 mm) and so are the CT's voxel planes (0.9 mm): segment
  // the slice near the centre that lies farthest from CT voxel centres, where a plane thinner than a CT voxel
  // would miss every voxel.
  const [gx, cx] = [crop.geometry.srow[0]!, spine.ct.geometry.srow[0]!];
  expect(Math.abs(gx[2]!)).toBeCloseTo(0.8, 6);
  const offCentre = (k: number) => Math.abs(((((gx[2]! * k + gx[3]! - cx[3]!) / cx[0]!) % 1) + 1) % 1 - 0.5); // 0: midway between voxel centres
  SLICE = [28, 29, 30, 31, 32, 33, 34, 35, 36].reduce((best, k) => (offCentre(k) < offCentre(best) ? k : best));
  expect(offCentre(SLICE)).toBeLessThan(0.1);
  const labels = new Uint8Array(64 * 64);
  for (const d of DISCS) for (let r = 0; r < 64; r++) for (let c = 0; c < 64; c++) if ((r - d.r) ** 2 + (c - d.c) ** 2 <= d.radius ** 2) labels[r * 64 + c] = d.label;
  // The discs lie in the body (crop voxel (r, c, SLICE) is body[r + 64 c + 4096 SLICE]).
  labels.forEach((v, p) => v && expect(crop.body[Math.floor(p / 64) + 64 * (p % 64) + 4096 * SLICE]).toBe(1));
  result = { level: 'L1', caseId: 'ct_L1', pMalignant: 0.875, count: { lytic: 1, blastic: 1 }, areaMm2: { lytic: 51.2, blastic: 32.64 }, slices: { dims: [64, 64, 64], geometry: crop.geometry, planes: [{ sliceIndex: SLICE, labels }] } };
  stats = writeCtOutputs(dir, ct, map, [result]);
  lesions = readNifti(join(dir, 'lesions.nii.gz')).data;
});

/** Crop index (r, c, k) → world, from the crop's srow; world → the CT voxel holding it (axis-aligned CT). */
function cropToCtVoxel(r: number, c: number, k: number): number {
  const s = result.slices.geometry.srow;
  const w = s.map((row) => row[0]! * r + row[1]! * c + row[2]! * k + row[3]!);
  const g = spine.ct.geometry.srow;
  const [i, j, kk] = [0, 1, 2].map((a) => Math.round((w[a]! - g[a]![3]!) / g[a]![a]!));
  return i! + 80 * (j! + 90 * kk!);
}

describe('lesions on the CT', () => {
  it('has the CT grid and geometry', () => {
    const back = readNifti(join(dir, 'lesions.nii.gz'));
    expect(back.dims).toEqual(ct.dims);
    expect(back.datatype).toBe('uint8');
    const [a, b] = [affine(back.geometry), affine(spine.ct.geometry)];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) expect(Math.abs(a[r]![c]! - b[r]![c]!)).toBeLessThan(1e-3);
  });

  it('puts every point of each disc, 2 px from its edge, on a voxel of that label (no gaps)', () => {
    let points = 0;
    for (const d of DISCS) {
      for (let r = d.r - d.radius; r <= d.r + d.radius; r += 0.25) for (let c = d.c - d.radius; c <= d.c + d.radius; c += 0.25) {
        if (Math.hypot(r - d.r, c - d.c) > d.radius - 2) continue;
        const v = cropToCtVoxel(r, c, SLICE);
        if (spine.labels.data[v] !== L1) continue; // the mask is confined to the vertebra
        expect(lesions[v]).toBe(d.label);
        points++;
      }
    }
    expect(points).toBeGreaterThan(400);
  });

  it('marks only voxels of the vertebra that the slice plane passes through', () => {
    const G = affine(result.slices.geometry);
    const n = [0, 1, 2].map((a) => G[a]![2]! / 0.8); // the crop's third axis: the plane normal
    const p0 = [0, 1, 2].map((a) => G[a]![2]! * SLICE + G[a]![3]!);
    const reach = 0.5 * (Math.abs(n[0]!) * 0.9 + Math.abs(n[1]!) * 0.9 + Math.abs(n[2]!) * 1.5);
    const g = spine.ct.geometry.srow;
    let marked = 0;
    lesions.forEach((v, p) => {
      if (v === 0) return;
      marked++;
      expect(spine.labels.data[p]).toBe(L1);
      const x = [p % 80, Math.floor(p / 80) % 90, Math.floor(p / 7200)].map((q, a) => g[a]![a]! * q + g[a]![3]!);
      expect(Math.abs(x.reduce((s, xa, a) => s + (xa - p0[a]!) * n[a]!, 0))).toBeLessThanOrEqual(reach + 1e-6);
    });
    expect(marked).toBeGreaterThan(60);
  });
});

describe('statistics', () => {
  it('gives the vertebra volume and mean HU, lesion counts and areas, and voxels and HU per class', () => {
    const mean = (ps: number[]) => ps.reduce((s, p) => s + ct.data[p]!, 0) / ps.length;
    const where = (f: (p: number) => boolean) => Array.from({ length: lesions.length }, (_, p) => p).filter(f);
    const vertebra = where((p) => spine.labels.data[p] === L1);
    const lytic = where((p) => lesions[p] === 1);
    const blastic = where((p) => lesions[p] === 2);
    expect(stats).toHaveLength(1);
    const s = stats[0]!;
    expect(s).toMatchObject({ level: 'L1', structure: 'vertebrae_L1', caseId: 'ct_L1', pMalignant: 0.875 });
    expect(s.volume).toBeCloseTo(vertebra.length * 0.9 * 0.9 * 1.5, 3);
    expect(s.intensity).toBeCloseTo(mean(vertebra), 6);
    expect(s.lytic).toEqual({ lesions: 1, areaMm2: 51.2, volumeMm3: null, voxels: lytic.length, meanHu: expect.closeTo(mean(lytic), 6) });
    expect(s.blastic).toEqual({ lesions: 1, areaMm2: 32.64, volumeMm3: null, voxels: blastic.length, meanHu: expect.closeTo(mean(blastic), 6) });
    const csv = readFileSync(join(dir, 'statistics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('level,structure,case_id,volume_mm3,intensity_hu,p_malignant,lytic_lesions,blastic_lesions,lytic_area_mm2,blastic_area_mm2,lytic_voxels,blastic_voxels,lytic_mean_hu,blastic_mean_hu,slices,lytic_volume_mm3,blastic_volume_mm3');
    expect(csv[1]!.split(',').slice(0, 3)).toEqual(['L1', 'vertebrae_L1', 'ct_L1']);
    expect(Number(csv[1]!.split(',')[10])).toBe(lytic.length);
    const json = JSON.parse(readFileSync(join(dir, 'statistics.json'), 'utf8'));
    expect(Object.keys(json)).toEqual(['vertebrae_L1']);
    expect(json.vertebrae_L1.volume).toBeCloseTo(s.volume, 6);
    expect(json.vertebrae_L1.intensity).toBeCloseTo(s.intensity, 6);
  });
});

describe('DICOM SEG', () => {
  it('holds each class on the CT slices where lesions.nii.gz has it, referencing the series', () => {
    const b = readFileSync(join(dir, 'lesions.seg.dcm'));
    const seg = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer).dict);
    const refs = (Array.isArray(seg.ReferencedSeriesSequence) ? seg.ReferencedSeriesSequence[0] : seg.ReferencedSeriesSequence);
    expect(refs.SeriesInstanceUID).toBe(ct.dicom!.seriesUid);
    const slicesWith = (label: number) => new Set(Array.from(lesions.keys()).filter((p) => lesions[p] === label).map((p) => Math.floor(p / 7200))).size;
    expect(seg.NumberOfFrames).toBe(slicesWith(1) + slicesWith(2));
    expect(seg.SegmentSequence.map((x: { SegmentLabel: string }) => x.SegmentLabel)).toEqual(['lytic', 'blastic']);
  });
});
