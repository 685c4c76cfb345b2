// What `hsa segment` writes for one vertebra, in <out>/<case-id>/: the lesion label map on the input's grid
// (lesions.nii.gz, where `evaluate` looks for it), the 2-D maps (maps.safetensors), figure.png and
// result.json; and the run's summary.csv row.
import { toCsv } from '../../io/csv.js';
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { writeNifti } from '../../data/nifti.js';
import { writeFileAtomic } from '../../data/files.js';
import { writeSafetensors } from '../../io/safetensors.js';
import type { TensorRecord } from '../../io/tensor-record.js';
import { predictionPath } from '../evaluation/prediction-path.js';
import { renderAttributionFigure } from '../figures/attribution-figure.js';
import { countComponents3d } from '../regions/components.js';
import { BLASTIC, LYTIC } from '../regions/mask.js';
import type { VertebraAttribution } from './attribute.js';
import type { VertebraInput, VertebraPlane } from './inputs.js';
import type { AttributionOptions } from './options.js';

export const MAPS_FILE = 'maps.safetensors';
export const FIGURE_FILE = 'figure.png';
export const RESULT_FILE = 'result.json';
export const SUMMARY_FILE = 'summary.csv';

export interface SummaryRow {
  caseId: string;
  image: string;
  label?: 0 | 1;
  pMalignant: number;
  pHealthy: number;
  candidates: number;
  kept: { lytic: number; blastic: number };
  pixels: { lytic: number; blastic: number };
  areaMm2: { lytic: number; blastic: number };
  /** With several slices: the stacked 3-D mask's slices, volumes (mm³) and lesions (3-D components). */
  volume?: VolumeSummary;
}

export interface VolumeSummary {
  slices: number;
  lytic: ClassVolume;
  blastic: ClassVolume;
}

interface ClassVolume {
  voxels: number;
  volumeMm3: number;
  lesions: number;
}

/** 2-D label maps placed in their slices of a volume on the input's grid; other slices 0. */
export function labelVolume(input: Pick<VertebraInput, 'dims'>, planes: readonly { sliceIndex: number; labels: Uint8Array }[]): Float32Array {
  const [nx, ny, nz] = input.dims;
  const out = new Float32Array(nx * ny * nz);
  for (const { sliceIndex, labels } of planes) {
    const base = nx * ny * sliceIndex;
    // Slice pixel (r, c) is voxel (r, c, k): rows run along the first axis (SPEC §2).
    for (let r = 0; r < nx; r++) for (let c = 0; c < ny; c++) out[base + r + nx * c] = labels[r * ny + c]!;
  }
  return out;
}

function volumeSummary(input: VertebraInput, stacked: Float32Array): VolumeSummary {
  const cls = (value: number): ClassVolume => {
    const mask = Uint8Array.from(stacked, (v) => (v === value ? 1 : 0));
    const voxels = count(mask, 1);
    return { voxels, volumeMm3: voxels * input.voxelMm3, lesions: countComponents3d(mask, input.dims) };
  };
  return { slices: input.planes.length, lytic: cls(LYTIC), blastic: cls(BLASTIC) };
}

function count(labels: Uint8Array, value: number): number {
  let n = 0;
  for (const v of labels) if (v === value) n++;
  return n;
}

/** Kept candidates per lesion type (of a result, or of its result.json). */
export function keptByType(candidates: readonly { type: string; kept: boolean }[]): { lytic: number; blastic: number } {
  const kept = (type: string) => candidates.filter((c) => c.kept && c.type === type).length;
  return { lytic: kept('lytic'), blastic: kept('blastic') };
}

function summarise(input: VertebraInput, result: VertebraAttribution, volume: VolumeSummary | undefined): SummaryRow {
  const pixels = { lytic: count(result.labels, LYTIC), blastic: count(result.labels, BLASTIC) };
  return {
    caseId: input.caseId,
    image: input.image,
    ...(input.label !== undefined ? { label: input.label } : {}),
    pMalignant: result.pMalignant,
    pHealthy: result.pHealthy,
    candidates: result.candidates.length,
    kept: keptByType(result.candidates),
    pixels,
    areaMm2: { lytic: pixels.lytic * input.pixelAreaMm2, blastic: pixels.blastic * input.pixelAreaMm2 },
    ...(volume ? { volume } : {}),
  };
}

/** What result.json records of each slice when a vertebra was segmented on several. */
function sliceRecord(input: VertebraInput, plane: VertebraPlane, r: VertebraAttribution) {
  const px = (v: number) => count(r.labels, v);
  return {
    sliceIndex: plane.sliceIndex, normalisation: plane.normalisation, pMalignant: r.pMalignant, pHealthy: r.pHealthy,
    candidates: r.candidates.length, kept: keptByType(r.candidates),
    lesions: { lytic: { pixels: px(LYTIC), areaMm2: px(LYTIC) * input.pixelAreaMm2 }, blastic: { pixels: px(BLASTIC), areaMm2: px(BLASTIC) * input.pixelAreaMm2 } },
  };
}

function f32(data: Float32Array, rows: number, cols: number): TensorRecord {
  return { dtype: 'F32', shape: [rows, cols], data };
}

/**
 * Writes the vertebra's four files under outDir/<case-id>/ and returns its summary row. results are those of
 * input.planes; lesions.nii.gz holds them all, the maps, the figure and result.json's main fields show the
 * centre slice (the paper's), and with several slices result.json adds each slice's numbers and the 3-D volumes.
 */
export function writeCaseOutputs(outDir: string, input: VertebraInput, results: readonly VertebraAttribution[], options: AttributionOptions): SummaryRow {
  if (results.length !== input.planes.length) throw new Error(`${input.caseId}: ${results.length} results for ${input.planes.length} slices`);
  const lesionPath = predictionPath(outDir, input.image);
  const dir = dirname(lesionPath);
  mkdirSync(dir, { recursive: true });
  const result = results[input.planes.findIndex((p) => p.sliceIndex === input.sliceIndex)]!;
  const { rows, cols } = result;
  const stacked = labelVolume(input, input.planes.map((p, i) => ({ sliceIndex: p.sliceIndex, labels: results[i]!.labels })));
  writeNifti(lesionPath, { dims: input.dims, data: stacked, geometry: input.geometry }, 'uint8', {
    description: 'hsa lesions: 1 lytic, 2 blastic',
  });
  const volume = input.planes.length > 1 ? volumeSummary(input, stacked) : undefined;

  const candidateMap = new Int32Array(rows * cols);
  result.candidates.forEach((c, k) => c.pixelIndices.forEach((i) => (candidateMap[i] = k + 1)));
  const maps = new Map<string, TensorRecord>([
    ['image', f32(input.slice.image, rows, cols)],
    ['mask', { dtype: 'U8', shape: [rows, cols], data: input.slice.mask.data }],
    ['recon', f32(result.recon, rows, cols)],
    ['edit', f32(result.edit, rows, cols)],
    ['lytic_difference', f32(result.lyticMap, rows, cols)],
    ['blastic_difference', f32(result.blasticMap, rows, cols)],
    ['candidates', { dtype: 'I32', shape: [rows, cols], data: candidateMap }],
    ['labels', { dtype: 'U8', shape: [rows, cols], data: result.labels }],
  ]);
  writeSafetensors(join(dir, MAPS_FILE), maps, {
    candidates: 'candidate k+1 of result.json at its pixels, 0 elsewhere',
    labels: '0 background, 1 lytic, 2 blastic',
  });

  writeFileAtomic(join(dir, FIGURE_FILE), renderAttributionFigure({ title: input.caseId, slice: input.slice, result, deltaThreshold: options.deltaThreshold }));

  const summary = summarise(input, result, volume);
  const json = {
    caseId: input.caseId,
    image: input.image,
    mask: input.mask,
    ...(input.label !== undefined ? { label: input.label } : {}),
    sliceIndex: input.sliceIndex,
    normalisation: input.normalisation,
    pMalignant: result.pMalignant,
    pHealthy: result.pHealthy,
    ...(result.measuredReference ? { measuredReference: result.measuredReference } : {}),
    ...(result.typeReadings ? { typeReadings: result.typeReadings } : {}),
    pixelAreaMm2: input.pixelAreaMm2,
    lesions: {
      lytic: { pixels: summary.pixels.lytic, areaMm2: summary.areaMm2.lytic },
      blastic: { pixels: summary.pixels.blastic, areaMm2: summary.areaMm2.blastic },
    },
    candidates: result.candidates.map((c, k) => ({
      id: k + 1,
      type: c.type,
      pixels: c.pixels,
      areaMm2: c.pixels * input.pixelAreaMm2,
      centroid: c.centroid,
      meanDifference: c.meanDifference,
      pCandidate: c.pCandidate,
      delta: c.delta,
      kept: c.kept,
    })),
    ...(volume ? { slices: input.planes.map((p, i) => sliceRecord(input, p, results[i]!)), volume } : {}),
    options,
  };
  writeFileAtomic(join(dir, RESULT_FILE), `${JSON.stringify(json, null, 2)}\n`);
  return summary;
}

export function writeSummaryCsv(path: string, rows: readonly SummaryRow[]): void {
  // The centre slice's numbers, then (with several slices) the 3-D mask's.
  const header = [
    'case_id', 'image', 'label', 'p_malignant', 'p_healthy', 'candidates', 'kept_lytic', 'kept_blastic', 'lytic_px', 'blastic_px', 'lytic_mm2', 'blastic_mm2',
    'slices', 'lytic_mm3', 'blastic_mm3', 'lytic_lesions_3d', 'blastic_lesions_3d',
  ];
  writeFileAtomic(path, toCsv(header, rows.map((r) => [
    r.caseId, r.image, r.label, r.pMalignant, r.pHealthy, r.candidates, r.kept.lytic, r.kept.blastic, r.pixels.lytic, r.pixels.blastic, r.areaMm2.lytic, r.areaMm2.blastic,
    r.volume?.slices ?? 1, r.volume?.lytic.volumeMm3, r.volume?.blastic.volumeMm3, r.volume?.lytic.lesions, r.volume?.blastic.lesions,
  ])));
}
