import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { readCtVolume } from '../../src/data/ct.js';
import { listDicomSeries, readDicomSeries } from '../../src/data/dicom.js';
import { derivedUid, writeDicomSeries } from '../../src/data/dicom-write.js';
import { affine, axisAlignedGeometry, geometryFromAffine, writeNifti, type Volume } from '../../src/data/nifti.js';
import { syntheticSpine } from '../../src/data/phantom/spine.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hsa-dicom-'));

/** Integer HU from the voxel index, so every slice and pixel differs. */
function pattern(dims: [number, number, number]): Float32Array {
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let p = 0; p < data.length; p++) data[p] = ((p * 37 + (p % 7) * 101) % 4000) - 1024;
  return data;
}

/** A right-handed oblique affine: rotations about z, y, x (radians), spacing, origin (RAS mm). */
function obliqueAffine(angles: [number, number, number], sp: [number, number, number], origin: [number, number, number]): number[][] {
  const [a, b, c] = angles;
  const rz = [[Math.cos(a), -Math.sin(a), 0], [Math.sin(a), Math.cos(a), 0], [0, 0, 1]];
  const ry = [[Math.cos(b), 0, Math.sin(b)], [0, 1, 0], [-Math.sin(b), 0, Math.cos(b)]];
  const rx = [[1, 0, 0], [0, Math.cos(c), -Math.sin(c)], [0, Math.sin(c), Math.cos(c)]];
  const mul = (p: number[][], q: number[][]) => p.map((row) => [0, 1, 2].map((j) => row[0]! * q[0]![j]! + row[1]! * q[1]![j]! + row[2]! * q[2]![j]!));
  const r = mul(mul(rz, ry), rx);
  return r.map((row, i) => [row[0]! * sp[0], row[1]! * sp[1], row[2]! * sp[2], origin[i]!]);
}

const DIMS: [number, number, number] = [12, 10, 8];
const ANGLES: [number, number, number] = [0.3, -0.2, 0.15];
const SPACING: [number, number, number] = [0.8, 0.6, 1.25];
const ORIGIN: [number, number, number] = [-40.25, 17.5, -102.125];

function oblique(over: { dims?: [number, number, number]; angles?: [number, number, number]; origin?: [number, number, number] } = {}): Volume {
  const dims = over.dims ?? DIMS;
  return { dims, data: pattern(dims), geometry: geometryFromAffine(obliqueAffine(over.angles ?? ANGLES, SPACING, over.origin ?? ORIGIN)) };
}

function expectSameAffine(a: Volume, b: Volume): void {
  const [p, q] = [affine(a.geometry), affine(b.geometry)];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) expect(Math.abs(p[r]![c]! - q[r]![c]!)).toBeLessThan(1e-4);
}

function fileBytes(file: string): ArrayBuffer {
  const b = readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
}

/** Rewrites one DICOM file after edit changes its data set (tag → element). */
function rewrite(file: string, edit: (dict: dcmjs.DicomDataset) => void): void {
  const d = dcmjs.data.DicomMessage.readFile(fileBytes(file));
  edit(d.dict);
  writeFileSync(file, new Uint8Array(d.write()));
}

describe('DICOM CT series', () => {
  it('writes slices the DICOM way: LPS positions, row/column directions, row-major pixels', () => {
    const dir = tmp();
    const data = pattern([4, 3, 2]);
    const vol: Volume = { dims: [4, 3, 2], data, geometry: axisAlignedGeometry([0.5, 0.7, 2], [10, 20, 30]) };
    writeDicomSeries(dir, vol, { seed: 1 });
    const d = dcmjs.data.DicomMessage.readFile(fileBytes(join(dir, 'slice-0002.dcm'))).dict;
    expect(d['00200032']!.Value).toEqual([-10, -20, 32]);
    expect(d['00200037']!.Value).toEqual([-1, 0, 0, 0, -1, 0]);
    expect(d['00280030']!.Value).toEqual([0.7, 0.5]);
    expect([d['00280010']!.Value![0], d['00280011']!.Value![0]]).toEqual([3, 4]);
    expect(d['00080060']!.Value).toEqual(['CT']);
    const px = new Int16Array(d['7FE00010']!.Value![0] as ArrayBuffer);
    // Row r, column c of slice k=1 is voxel (i=c, j=r, k=1), stored as HU + 1024.
    expect(px[3 + 4 * 2]).toBe(data[3 + 4 * 2 + 12]! + 1024);
    expect(px[1]).toBe(data[1 + 12]! + 1024);
  });

  it('reads back an oblique volume: the same HU and affine, also with implicit VR', () => {
    const vol = oblique();
    for (const implicitVr of [false, true]) {
      const dir = tmp();
      const w = writeDicomSeries(dir, vol, { seed: 2, implicitVr, rescaleSlope: 0.5, rescaleIntercept: -1000 });
      const back = readDicomSeries(dir);
      expect(back.dims).toEqual(DIMS);
      expect(back.data).toEqual(vol.data);
      expectSameAffine(back, vol);
      expect(back.dicom.seriesUid).toBe(w.seriesUid);
      expect(back.dicom.files).toEqual(w.files);
    }
  });

  it('round-trips the synthetic spine through readCtVolume', () => {
    const spine = syntheticSpine(4);
    const dir = join(tmp(), 'spine');
    writeDicomSeries(dir, spine.ct, { seed: 'spine' });
    const back = readCtVolume(dir);
    expect(back.dims).toEqual(spine.ct.dims);
    const hu = spine.ct.data.map(Math.round);
    const differ = back.data.findIndex((v, p) => v !== hu[p]);
    expect(differ === -1 ? 'none' : `voxel ${differ}: ${back.data[differ]} vs ${hu[differ]}`).toBe('none');
    expectSameAffine(back, spine.ct);
  });

  it('sorts slices by position, not by file name, in subfolders, skipping other files', () => {
    const dir = tmp();
    const vol = oblique();
    const w = writeDicomSeries(dir, vol, { seed: 3 });
    mkdirSync(join(dir, 'sub'));
    const names = ['q', 'b', 'z', 'a', 'sub/m', 'c', 'sub/0', 'y'];
    w.files.forEach((f, k) => renameSync(f, join(dir, names[k]!)));
    writeFileSync(join(dir, 'README.txt'), 'not DICOM');
    const back = readDicomSeries(dir);
    expect(back.data).toEqual(vol.data);
    expectSameAffine(back, vol);
  });

  it('lists several CT series in the error and reads the one chosen by UID', () => {
    const dir = tmp();
    const a = writeDicomSeries(join(dir, 'a'), oblique(), { seed: 4, seriesDescription: 'bone' });
    const other = oblique({ dims: [6, 5, 4] });
    const b = writeDicomSeries(join(dir, 'b'), other, { seed: 5, seriesDescription: 'soft' });
    const [first, second] = [a, b].sort((x, y) => (x.seriesUid < y.seriesUid ? -1 : 1));
    expect(() => readCtVolume(dir)).toThrow(`${dir}: 2 CT series; choose one by SeriesInstanceUID (hsa: --series <uid>): ${first!.seriesUid} "${first === a ? 'bone' : 'soft'}" (CT, ${first === a ? 8 : 4} slices); ${second!.seriesUid}`);
    expect(listDicomSeries(dir).map((s) => [s.uid, s.slices])).toEqual([first, second].map((s) => [s!.seriesUid, s === a ? 8 : 4]));
    const back = readCtVolume(dir, { seriesUid: b.seriesUid });
    expect(back.dims).toEqual([6, 5, 4]);
    expect(back.data).toEqual(other.data);
    expect(() => readCtVolume(dir, { seriesUid: '1.2.3' })).toThrow(`${dir}: no series 1.2.3 here; CT series: ${first!.seriesUid}`);
  });

  it('names the folder and the files around a gap, an uneven step, a duplicate or an off-axis slice', () => {
    const gap = tmp();
    rmSync(writeDicomSeries(gap, oblique(), { seed: 6 }).files[3]!);
    expect(() => readDicomSeries(gap)).toThrow(new RegExp(`^${gap}: series [0-9.]+: gap of 2\\.5 mm between slice-0003\\.dcm and slice-0005\\.dcm where the slice step is 1\\.25 mm`));

    const uneven = tmp();
    writeDicomSeries(uneven, oblique(), { seed: 7 });
    // The same series shifted half a step along the slice normal (the affine's third column).
    const n = obliqueAffine(ANGLES, SPACING, ORIGIN).map((r) => r[2]! / 2);
    const half = writeDicomSeries(join(tmp(), 'h'), oblique({ origin: ORIGIN.map((o, r) => o + n[r]!) as typeof ORIGIN }), { seed: 7 });
    copyFileSync(half.files[7]!, join(uneven, 'extra.dcm'));
    expect(() => readDicomSeries(uneven)).toThrow(/: uneven slice steps: 0\.625 mm between slice-0008\.dcm and extra\.dcm, 1\.25 mm elsewhere/);

    const dup = tmp();
    const d = writeDicomSeries(dup, oblique(), { seed: 8 });
    copyFileSync(d.files[2]!, join(dup, 'copy.dcm'));
    expect(() => readDicomSeries(dup)).toThrow(/: (copy\.dcm and slice-0003\.dcm|slice-0003\.dcm and copy\.dcm) are at the same position/);

    const tilt = tmp();
    const t = writeDicomSeries(tilt, oblique(), { seed: 9 });
    // The same series moved 1 mm along the row direction (the affine's first column): in-plane only.
    const row = obliqueAffine(ANGLES, SPACING, ORIGIN).map((r) => r[0]! / SPACING[0]);
    const moved = writeDicomSeries(join(tmp(), 'm'), oblique({ origin: ORIGIN.map((o, r) => o + row[r]!) as typeof ORIGIN }), { seed: 9 });
    copyFileSync(moved.files[4]!, t.files[4]!);
    expect(() => readDicomSeries(tilt)).toThrow(/: slice-0005\.dcm lies 1 mm off the slice normal through the first slice \(gantry tilt\?\)/);
  });

  it('refuses mixed orientations, mixed image sizes, compressed pixel data and missing tags', () => {
    const mixed = tmp();
    writeDicomSeries(mixed, oblique(), { seed: 10 });
    const turned = writeDicomSeries(join(tmp(), 't'), oblique({ angles: [0.3, -0.2, 0.25] }), { seed: 10 });
    copyFileSync(turned.files[0]!, join(mixed, 'z-other.dcm'));
    expect(() => readDicomSeries(mixed)).toThrow(new RegExp(`^${mixed}: series [0-9.]+: mixed orientations: slice-0001\\.dcm has ImageOrientationPatient [-0-9.e\\\\]+, z-other\\.dcm has`));

    const sizes = tmp();
    writeDicomSeries(sizes, oblique(), { seed: 11 });
    copyFileSync(writeDicomSeries(join(tmp(), 's'), oblique({ dims: [12, 9, 8] }), { seed: 11 }).files[0]!, join(sizes, 'small.dcm'));
    expect(() => readDicomSeries(sizes)).toThrow(/: mixed image sizes: slice-0001\.dcm is 10×12, small\.dcm is 9×12 \(rows × columns\)/);

    const rle = tmp();
    const r = writeDicomSeries(rle, oblique(), { seed: 12 });
    const bytes = readFileSync(r.files[5]!);
    const at = bytes.indexOf('1.2.840.10008.1.2.1\0', 0, 'latin1');
    bytes.write('1.2.840.10008.1.2.5\0', at, 'latin1');
    writeFileSync(r.files[5]!, bytes);
    expect(() => readDicomSeries(rle)).toThrow(`${r.files[5]}: compressed or unsupported transfer syntax RLE Lossless (1.2.840.10008.1.2.5)`);

    const missing = tmp();
    const m = writeDicomSeries(missing, oblique(), { seed: 13 });
    rewrite(m.files[2]!, (d) => delete d['00280030']);
    expect(() => readDicomSeries(missing)).toThrow(`${m.files[2]}: missing or invalid PixelSpacing (0028,0030)`);
  });

  it('says what it found when there is no CT series, and refuses a lone DICOM file', () => {
    const empty = tmp();
    writeFileSync(join(empty, 'notes.txt'), 'nothing');
    expect(() => readCtVolume(empty)).toThrow(`${empty}: no DICOM image files in this folder or below`);
    const mr = tmp();
    const w = writeDicomSeries(mr, oblique({ dims: [4, 4, 2] }), { seed: 14 });
    for (const f of w.files) rewrite(f, (d) => (d['00080060']!.Value = ['MR']));
    expect(() => readCtVolume(mr)).toThrow(`${mr}: no CT series; found ${w.seriesUid} "synthetic CT" (MR, 2 slices)`);
    expect(() => readCtVolume(w.files[0]!)).toThrow(`${w.files[0]}: a single DICOM file; give the folder that holds the whole series`);
  });

  it('reads a NIfTI file as before, and refuses a series UID for it', () => {
    const dir = tmp();
    const vol = oblique({ dims: [3, 3, 3] });
    writeNifti(join(dir, 'ct.nii.gz'), vol, 'int16');
    const back = readCtVolume(join(dir, 'ct.nii.gz'));
    expect(back.data).toEqual(vol.data);
    expect(back.dicom).toBeUndefined();
    expect(() => readCtVolume(join(dir, 'ct.nii.gz'), { seriesUid: '1.2' })).toThrow('ct.nii.gz: a series UID picks a series in a DICOM folder; this is a file');
  });

  it('derives valid, distinct UIDs under 2.25 from the seed', () => {
    const u = derivedUid(1, 'series', 0);
    expect(u).toBe(derivedUid(1, 'series', 0));
    expect(u).not.toBe(derivedUid(2, 'series', 0));
    expect(u).toMatch(/^2\.25\.[1-9][0-9]*$/);
    expect(u.length).toBeLessThanOrEqual(64);
    // UUID version 8, RFC variant: hex digit 13 is 8, digit 17 is 8–b.
    expect(BigInt(u.slice(5)).toString(16).padStart(32, '0')).toMatch(/^.{12}8.{3}[89ab]/);
  });
});
