// A small segment output folder written by the project's own writers (no model): per vertebra a 32×32
// slice with two square candidates, one lytic (Δ 0.8, kept) and one blastic (Δ 0.3, dropped at 0.5).
import { join } from 'node:path';
import { geometryFromAffine } from '../../src/data/nifti.js';
import type { VertebraAttribution } from '../../src/method/attribution/attribute.js';
import type { VertebraInput } from '../../src/method/attribution/inputs.js';
import { resolveOptions } from '../../src/method/attribution/options.js';
import { SUMMARY_FILE, writeCaseOutputs, writeSummaryCsv } from '../../src/method/attribution/outputs.js';

export const SIZE = 32;
export const SQUARE = 6;

function square(r0: number, c0: number): Int32Array {
  const out: number[] = [];
  for (let r = r0; r < r0 + SQUARE; r++) for (let c = c0; c < c0 + SQUARE; c++) out.push(r * SIZE + c);
  return Int32Array.from(out);
}

function vertebra(id: string, seed: number): { input: VertebraInput; result: VertebraAttribution } {
  const n = SIZE * SIZE;
  const image = Float32Array.from({ length: n }, (_, i) => 0.3 + 0.4 * (((i * 7919 + seed * 104729) % 97) / 97));
  const mask = Uint8Array.from({ length: n }, (_, i) => (Math.abs((i % SIZE) - 16) < 12 && Math.abs(Math.floor(i / SIZE) - 16) < 12 ? 1 : 0));
  const lytic = square(6, 6);
  const blastic = square(18, 18);
  const edit = Float32Array.from(image);
  const lyticMap = new Float32Array(n);
  const blasticMap = new Float32Array(n);
  for (const i of lytic) lyticMap[i] = 0.3;
  for (const i of blastic) blasticMap[i] = 0.2;
  const labels = new Uint8Array(n);
  for (const i of lytic) labels[i] = 1;
  const candidate = (type: 'lytic' | 'blastic', pixelIndices: Int32Array, delta: number, r: number) => ({
    type, pixelIndices, pixels: pixelIndices.length, centroid: { row: r + 2.5, col: r + 2.5 }, meanDifference: 0.25, pCandidate: 0.5, delta, kept: delta > 0.5,
  });
  return {
    input: {
      caseId: id, image: `/data/${id}.nii.gz`, mask: `/data/${id}_seg.nii.gz`, label: 1,
      slice: { image, mask: { rows: SIZE, cols: SIZE, data: mask } },
      sliceIndex: 0, dims: [SIZE, SIZE, 1], geometry: geometryFromAffine([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]),
      pixelAreaMm2: 0.5, normalisation: { lo: -1000, hi: 1500 },
      planes: [{ sliceIndex: 0, slice: { image, mask: { rows: SIZE, cols: SIZE, data: mask } }, normalisation: { lo: -1000, hi: 1500 } }], voxelMm3: 0.5,
    },
    result: {
      rows: SIZE, cols: SIZE, pMalignant: 0.9 - seed * 0.1, pHealthy: 0.05, measuredReference: null, typeReadings: null, recon: image, edit, lyticMap, blasticMap,
      candidates: [candidate('lytic', lytic, 0.8, 6), candidate('blastic', blastic, 0.3, 18)], labels,
    },
  };
}

/** Writes vertebrae `ids` into dir (which must exist) as `hsa segment` would. */
export function writeSegmentFixture(dir: string, ids: readonly string[] = ['case-a', 'case-b']): void {
  const rows = ids.map((id, k) => {
    const { input, result } = vertebra(id, k);
    return writeCaseOutputs(dir, input, [result], resolveOptions());
  });
  writeSummaryCsv(join(dir, SUMMARY_FILE), rows);
}
