// What `hsa segment --ct` writes on the whole CT from the per-vertebra results: lesions.nii.gz on the CT's grid
// and header, statistics.csv / statistics.json per vertebra, and lesions.seg.dcm when the CT was DICOM.
//
// Mapping back: a vertebra's segmented slice is a plane in the CT. A CT voxel of that vertebra (by the label map)
// is marked when the plane passes through it — its centre lies within half the voxel's extent along the plane's
// normal — with the label of the slice pixel nearest to its centre's projection on the plane. Every point of the
// plane lies in a voxel it passes through, so the mask has no holes whatever the two grids' spacings (sampling
// only the voxels within one crop voxel of the plane leaves gaps where CT voxels are thicker); it is one to two
// CT voxels thick. Voxels of other vertebrae are never marked, so neighbouring crops cannot overwrite each other.
import { join } from 'node:path';
import { readInputText, writeFileAtomic } from '../../data/files.js';
import type { CtVolume } from '../../data/ct.js';
import { writeDicomSeg } from '../../data/dicom-seg.js';
import { affine, readNifti, writeNifti, type NiftiGeometry, type Volume } from '../../data/nifti.js';
import { invertAffine } from '../../data/prepare.js';
import { extractSlice } from '../../data/slice.js';
import type { V3 } from '../../data/vec3.js';
import { levelId, structureName, type VertebraMap } from '../../data/vertebra-labels.js';
import { toCsv } from '../../io/csv.js';
import { BLASTIC_COLOUR, LYTIC_COLOUR } from '../figures/attribution-figure.js';
import { BLASTIC, LYTIC } from '../regions/mask.js';
import { LESIONS_FILE } from '../evaluation/prediction-path.js';
import { keptByType, RESULT_FILE } from './outputs.js';

export const CT_LESIONS_FILE = 'lesions.nii.gz';
export const CT_SEG_FILE = 'lesions.seg.dcm';
export const STATISTICS_CSV = 'statistics.csv';
/** Written last: its presence marks the whole-CT outputs complete. */
export const STATISTICS_JSON = 'statistics.json';
export const CT_OUTPUTS = [CT_LESIONS_FILE, CT_SEG_FILE, STATISTICS_CSV, STATISTICS_JSON];


/** A vertebra's segmented slices on its crop's grid: each rows × cols (crop axes 0 and 1) of 0, LYTIC, BLASTIC. */
export interface SegmentedSlices {
  dims: V3;
  geometry: NiftiGeometry;
  planes: { sliceIndex: number; labels: Uint8Array }[];
}

export interface VertebraResult {
  level: string;
  caseId: string;
  pMalignant: number;
  /** Kept candidates (lesions) by type. */
  count: { lytic: number; blastic: number };
  /** On the centre slice. */
  areaMm2: { lytic: number; blastic: number };
  /** With several slices: the 3-D mask's volumes (mm³, on the crop grid) and lesions (3-D components). */
  volume?: { slices: number; lytic: { volumeMm3: number; lesions: number }; blastic: { volumeMm3: number; lesions: number } };
  slices: SegmentedSlices;
}

/** A vertebra's result as segment wrote it in caseDir (result.json, lesions.nii.gz on the crop grid). */
export function readVertebraResult(caseDir: string, level: string, caseId: string): VertebraResult {
  const file = join(caseDir, RESULT_FILE);
  const r = JSON.parse(readInputText(file)) as Record<string, any>;
  if (!Number.isInteger(r.sliceIndex) || !Array.isArray(r.candidates)) throw new Error(`${file}: not a result.json of hsa segment`);
  const indices: unknown[] = Array.isArray(r.slices) ? r.slices.map((s: { sliceIndex: unknown }) => s?.sliceIndex) : [r.sliceIndex];
  if (!indices.every(Number.isInteger)) throw new Error(`${file}: invalid slices`);
  const vol = readNifti(join(caseDir, LESIONS_FILE));
  const planes = (indices as number[]).map((k) => ({ sliceIndex: k, labels: Uint8Array.from(extractSlice(vol, k).data) }));
  return {
    level, caseId, pMalignant: r.pMalignant,
    count: keptByType(r.candidates),
    areaMm2: { lytic: r.lesions.lytic.areaMm2, blastic: r.lesions.blastic.areaMm2 },
    ...(r.volume ? { volume: r.volume } : {}),
    slices: { dims: vol.dims, geometry: vol.geometry, planes },
  };
}

interface Box {
  lo: V3;
  hi: V3;
}

/** The bounding box (voxel indices, inclusive) of every label of map. */
export function labelBoxes(map: Volume): Map<number, Box> {
  const [nx, ny, nz] = map.dims;
  const boxes = new Map<number, Box>();
  let p = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, p++) {
    const v = map.data[p]!;
    if (v === 0) continue;
    const b = boxes.get(v);
    if (!b) boxes.set(v, { lo: [i, j, k], hi: [i, j, k] });
    else [i, j, k].forEach((x, a) => ((b.lo[a] = Math.min(b.lo[a]!, x)), (b.hi[a] = Math.max(b.hi[a]!, x))));
  }
  return boxes;
}

const mul = (a: number[][], b: number[][]) => a.map((row) => [0, 1, 2, 3].map((c) => row.reduce((s, x, k) => s + x * b[k]![c]!, 0)));

/** Marks in out (the CT's grid) the voxels of vertebra id, within box, that the slices' planes pass through. */
export function slicesIntoCt(ct: Pick<Volume, 'dims' | 'geometry'>, map: Volume, id: number, box: Box, slices: SegmentedSlices, out: Uint8Array): void {
  // CT voxel index → crop voxel index; row 2 is the crop's third axis, across the slices.
  const M = mul(invertAffine(affine(slices.geometry)), affine(ct.geometry));
  for (const plane of slices.planes) planeIntoCt(ct, map, id, box, M, slices.dims, plane, out);
}

function planeIntoCt(ct: Pick<Volume, 'dims'>, map: Volume, id: number, box: Box, M: number[][], cropDims: V3, slice: { sliceIndex: number; labels: Uint8Array }, out: Uint8Array): void {
  const [nx, ny] = ct.dims;
  const [rows, cols] = cropDims;
  const [m0, m1, m2] = [M[0]!, M[1]!, M[2]!];
  const half = 0.5 * (Math.abs(m2[0]!) + Math.abs(m2[1]!) + Math.abs(m2[2]!));
  for (let k = box.lo[2]; k <= box.hi[2]; k++) for (let j = box.lo[1]; j <= box.hi[1]; j++) for (let i = box.lo[0]; i <= box.hi[0]; i++) {
    const p = i + nx * (j + ny * k);
    if (map.data[p] !== id) continue;
    if (Math.abs(m2[0]! * i + m2[1]! * j + m2[2]! * k + m2[3]! - slice.sliceIndex) > half) continue;
    const r = Math.round(m0[0]! * i + m0[1]! * j + m0[2]! * k + m0[3]!);
    const c = Math.round(m1[0]! * i + m1[1]! * j + m1[2]! * k + m1[3]!);
    if (r < 0 || c < 0 || r >= rows || c >= cols) continue;
    const v = slice.labels[r * cols + c]!;
    if (v !== 0) out[p] = v;
  }
}

export interface VertebraStatistics {
  level: string;
  structure: string;
  caseId: string;
  /** As TotalSegmentator --statistics: the structure's volume (mm³) and mean intensity (HU) in the CT. */
  volume: number;
  intensity: number;
  /** Sagittal slices of the crop segmented. */
  slices: number;
  pMalignant: number;
  lytic: ClassStatistics;
  blastic: ClassStatistics;
}

interface ClassStatistics {
  /** Kept candidates on the centre slice, or with several slices the 3-D mask's components. */
  lesions: number;
  /** On the centre slice. */
  areaMm2: number;
  /** With several slices: the 3-D mask's volume on the crop grid (null with one slice). */
  volumeMm3: number | null;
  /** CT voxels marked in lesions.nii.gz, and their mean HU (null without any). */
  voxels: number;
  meanHu: number | null;
}

function statistics(ct: CtVolume, map: Volume, id: number, box: Box, out: Uint8Array, r: VertebraResult): VertebraStatistics {
  const [nx, ny] = ct.dims;
  const A = affine(ct.geometry);
  const voxelMm3 = Math.abs(A[0]![0]! * (A[1]![1]! * A[2]![2]! - A[1]![2]! * A[2]![1]!) - A[0]![1]! * (A[1]![0]! * A[2]![2]! - A[1]![2]! * A[2]![0]!) + A[0]![2]! * (A[1]![0]! * A[2]![1]! - A[1]![1]! * A[2]![0]!));
  const n = [0, 0, 0];
  const hu = [0, 0, 0];
  for (let k = box.lo[2]; k <= box.hi[2]; k++) for (let j = box.lo[1]; j <= box.hi[1]; j++) for (let i = box.lo[0]; i <= box.hi[0]; i++) {
    const p = i + nx * (j + ny * k);
    if (map.data[p] !== id) continue;
    n[0]!++;
    hu[0]! += ct.data[p]!;
    const c = out[p]!;
    if (c === 0) continue;
    n[c]!++;
    hu[c]! += ct.data[p]!;
  }
  const cls = (c: number, type: 'lytic' | 'blastic'): ClassStatistics => ({
    lesions: r.volume?.[type].lesions ?? r.count[type], areaMm2: r.areaMm2[type], volumeMm3: r.volume?.[type].volumeMm3 ?? null,
    voxels: n[c]!, meanHu: n[c]! > 0 ? hu[c]! / n[c]! : null,
  });
  return {
    level: r.level, structure: structureName(r.level), caseId: r.caseId, slices: r.slices.planes.length,
    volume: n[0]! * voxelMm3, intensity: hu[0]! / n[0]!, pMalignant: r.pMalignant,
    lytic: cls(LYTIC, 'lytic'), blastic: cls(BLASTIC, 'blastic'),
  };
}

const CSV_HEADER = [
  'level', 'structure', 'case_id', 'volume_mm3', 'intensity_hu', 'p_malignant',
  'lytic_lesions', 'blastic_lesions', 'lytic_area_mm2', 'blastic_area_mm2', 'lytic_voxels', 'blastic_voxels', 'lytic_mean_hu', 'blastic_mean_hu',
  'slices', 'lytic_volume_mm3', 'blastic_volume_mm3',
];

/**
 * Writes the whole-CT outputs into outDir (each file atomically, statistics.json last) and returns the statistics.
 * The lesions of every vertebra in results are mapped onto the CT; lesions.seg.dcm only for a DICOM CT with lesions.
 */
export function writeCtOutputs(outDir: string, ct: CtVolume, map: VertebraMap, results: readonly VertebraResult[]): VertebraStatistics[] {
  const boxes = labelBoxes(map.volume);
  const out = new Uint8Array(ct.data.length);
  const stats = results.map((r) => {
    const id = levelId(r.level)!;
    const box = boxes.get(id)!;
    slicesIntoCt(ct, map.volume, id, box, r.slices, out);
    return statistics(ct, map.volume, id, box, out, r);
  });
  writeNifti(join(outDir, CT_LESIONS_FILE), { dims: ct.dims, data: Float32Array.from(out), geometry: ct.geometry }, 'uint8', { description: 'hsa lesions: 1 lytic, 2 blastic' });
  if (ct.dicom) {
    writeDicomSeg(join(outDir, CT_SEG_FILE), ct.dicom, ct.dims, out, [
      { value: LYTIC, label: 'lytic', description: 'lytic lesion (Hide-and-Seek Attribution)', rgb: LYTIC_COLOUR },
      { value: BLASTIC, label: 'blastic', description: 'blastic lesion (Hide-and-Seek Attribution)', rgb: BLASTIC_COLOUR },
    ]);
  }
  writeFileAtomic(join(outDir, STATISTICS_CSV), toCsv(CSV_HEADER, stats.map((s) => [
    s.level, s.structure, s.caseId, s.volume, s.intensity, s.pMalignant, s.lytic.lesions, s.blastic.lesions,
    s.lytic.areaMm2, s.blastic.areaMm2, s.lytic.voxels, s.blastic.voxels, s.lytic.meanHu, s.blastic.meanHu,
    s.slices, s.lytic.volumeMm3, s.blastic.volumeMm3,
  ])));
  const json = Object.fromEntries(stats.map(({ structure, ...s }) => [structure, s]));
  writeFileAtomic(join(outDir, STATISTICS_JSON), `${JSON.stringify(json, null, 2)}\n`);
  return stats;
}
