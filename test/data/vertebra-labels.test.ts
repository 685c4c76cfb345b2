import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axisAlignedGeometry, writeNifti, type LoadedVolume } from '../../src/data/nifti.js';
import { LEVELS, readVertebraMap } from '../../src/data/vertebra-labels.js';

const DIMS: [number, number, number] = [4, 3, 6];
const N = 4 * 3 * 6;
const GEOMETRY = axisAlignedGeometry([1, 1, 2], [3, -4, 5]);
const CT: LoadedVolume = { path: 'ct.nii.gz', dims: DIMS, data: new Float32Array(N), geometry: GEOMETRY, datatype: 'int16' };

/** A map with one value per slice k (slice k = values[k]). */
function slices(values: number[]): Float32Array {
  return Float32Array.from({ length: N }, (_, p) => values[Math.floor(p / 12)] ?? 0);
}

function write(dir: string, name: string, data: Float32Array, geometry = GEOMETRY): string {
  const path = join(dir, name);
  writeNifti(path, { dims: DIMS, data, geometry }, 'uint8');
  return path;
}

/** The level name at each slice of a map read back. */
const levelsBySlice = (data: Float32Array) => Array.from({ length: 6 }, (_, k) => (data[k * 12] ? LEVELS[data[k * 12]! - 1] : '-'));

describe('vertebra label schemes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hsa-labels-'));

  it('reads VerSe ids (T12 = 19, L1 = 20, L2 = 21) and detects them', () => {
    const path = write(dir, 'verse.nii.gz', slices([0, 19, 20, 21, 0, 0]));
    const map = readVertebraMap(path, CT);
    expect([map.scheme, map.levels]).toEqual(['verse', ['T12', 'L1', 'L2']]);
    expect(levelsBySlice(map.volume.data)).toEqual(['-', 'T12', 'L1', 'L2', '-', '-']);
  });

  it('reads TotalSegmentator v2 ids (L2 = 30, L1 = 31, T12 = 32; liver = 5 dropped) and detects them', () => {
    const path = write(dir, 'total.nii.gz', slices([5, 32, 31, 30, 26, 0]));
    const map = readVertebraMap(path, CT);
    expect([map.scheme, map.levels]).toEqual(['totalseg', ['T12', 'L1', 'L2', 'S1']]);
    expect(levelsBySlice(map.volume.data)).toEqual(['-', 'T12', 'L1', 'L2', 'S1', '-']);
  });

  it('asks for --label-scheme when the ids fit both, and follows it', () => {
    const path = write(dir, 'both.nii.gz', slices([0, 19, 28, 20, 0, 0]));
    expect(() => readVertebraMap(path, CT)).toThrow(`${path}: label 28 is T13 in VerSe and L4 in TotalSegmentator; give --label-scheme verse or totalseg`);
    expect(readVertebraMap(path, CT, 'verse').levels).toEqual(['T12', 'T13', 'L1']);
    expect(readVertebraMap(path, CT, 'totalseg').levels).toEqual(['L4']);
  });

  it('refuses a label far larger than a vertebra (organs of a TotalSegmentator map taken for VerSe)', () => {
    // 12 voxels of 50 × 50 × 20 mm = 600 cm³ per slice: a liver (TotalSegmentator 5, VerSe C5) and kidneys.
    const coarse = axisAlignedGeometry([50, 50, 20], [0, 0, 0]);
    const organs = write(dir, 'ts-organs.nii.gz', slices([5, 5, 2, 3, 0, 0]), coarse);
    expect(() => readVertebraMap(organs, { ...CT, geometry: coarse })).toThrow(`${organs}: C5 (ids read as VerSe) covers 1200 cm³, far more than a vertebra: not a vertebra label map, or another scheme (--label-scheme)`);
  });

  it('names the file and the problem: unknown ids, fractions, no vertebra, another grid', () => {
    const tsIds = write(dir, 'ts-as-verse.nii.gz', slices([31, 30]));
    expect(() => readVertebraMap(tsIds, CT, 'verse')).toThrow(`${tsIds}: labels 30, 31 unknown: VerSe vertebra ids are 1–25 and 28 (a TotalSegmentator map? --label-scheme totalseg)`);
    const big = write(dir, 'big.nii.gz', slices([31, 130]));
    expect(() => readVertebraMap(big, CT)).toThrow(`${big}: label 130 unknown: TotalSegmentator v2 "total" classes are 1–117`);
    const frac = join(dir, 'frac.nii.gz');
    writeNifti(frac, { dims: DIMS, data: slices([0, 0, 2.5]), geometry: GEOMETRY }, 'float32');
    expect(() => readVertebraMap(frac, CT)).toThrow(`${frac}: value 2.5 at voxel (0, 0, 2) is not a label id`);
    const zeros = write(dir, 'zeros.nii.gz', slices([]));
    expect(() => readVertebraMap(zeros, CT)).toThrow(`${zeros}: no vertebra labelled (the map is all 0)`);
    const organs = write(dir, 'organs.nii.gz', slices([0, 52, 5]));
    expect(() => readVertebraMap(organs, CT)).toThrow(`${organs}: no vertebra labelled (labels 5, 52 read as TotalSegmentator)`);
    const shifted = write(dir, 'shifted.nii.gz', slices([0, 20]), axisAlignedGeometry([1, 1, 2], [3, -4, 6]));
    expect(() => readVertebraMap(shifted, CT)).toThrow(`${shifted} does not lie on the grid of ct.nii.gz: affines differ at [2,3]`);
  });

  it('reads a TotalSegmentator folder of vertebrae_<level> masks, ignoring other structures and empty masks', () => {
    const folder = join(dir, 'ts');
    mkdirSync(folder);
    write(folder, 'vertebrae_L1.nii.gz', slices([0, 0, 1]));
    write(folder, 'vertebrae_T12.nii.gz', slices([0, 1]));
    write(folder, 'vertebrae_L5.nii.gz', slices([]));
    write(folder, 'liver.nii.gz', slices([1, 1, 1, 1, 1, 1]));
    const map = readVertebraMap(folder, CT);
    expect([map.scheme, map.levels]).toEqual(['totalseg', ['T12', 'L1']]);
    expect(levelsBySlice(map.volume.data)).toEqual(['-', 'T12', 'L1', '-', '-', '-']);
    expect(() => readVertebraMap(folder, CT, 'verse')).toThrow(`${folder}: a folder; a VerSe label map is one NIfTI file`);
  });

  it('names the mask that overlaps another, lies on another grid, or a folder without vertebrae', () => {
    const overlap = join(dir, 'overlap');
    mkdirSync(overlap);
    write(overlap, 'vertebrae_L1.nii.gz', slices([0, 1, 1]));
    write(overlap, 'vertebrae_L2.nii.gz', slices([0, 0, 1]));
    expect(() => readVertebraMap(overlap, CT)).toThrow(`${join(overlap, 'vertebrae_L2.nii.gz')}: overlaps ${join(overlap, 'vertebrae_L1.nii.gz')} at voxel (0, 0, 2)`);
    const offGrid = join(dir, 'off');
    mkdirSync(offGrid);
    const bad = write(offGrid, 'vertebrae_L3.nii.gz', slices([1]), axisAlignedGeometry([1, 1, 2.5], [3, -4, 5]));
    expect(() => readVertebraMap(offGrid, CT)).toThrow(`${bad} does not lie on the grid of ct.nii.gz`);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    write(empty, 'liver.nii.gz', slices([1]));
    expect(() => readVertebraMap(empty, CT)).toThrow(`${empty}: no vertebrae_<level>.nii.gz files`);
  });
});
