// The DAE's training data: for every vertebra, its 5 central slices normalised as SPEC §2 (each slice on
// its own percentiles), held in memory; batches draw vertebra and slice from a seeded generator and are
// augmented on tensors. Only `image` is read: lesion masks never reach training.
import * as torch from '../../tensor/index.js';
import { readNifti } from '../../data/nifti.js';
import type { ManifestRow } from '../../data/manifest.js';
import { centerIndex, extractSlice, normalizeSlice } from '../../data/slice.js';
import { augmentBatch, drawSliceIndices, type AugmentOptions, SPEC_AUGMENT } from '../../data/augment.js';

export const CENTRAL_SLICES = 5;

export interface SliceSet {
  count: number;
  rows: number;
  cols: number;
  /** count × 5 × rows × cols, slice k of vertebra i at ((i * 5) + k) * rows * cols. */
  data: Float32Array;
  labels: Uint8Array;
  images: string[];
}

export function loadSliceSet(rows: readonly ManifestRow[], onProgress?: (done: number, total: number) => void): SliceSet {
  if (rows.length === 0) throw new Error('no training rows');
  let shape: [number, number] | undefined;
  const chunks: Float32Array[] = [];
  rows.forEach((row, i) => {
    const vol = readNifti(row.image);
    const c = centerIndex(vol);
    if (c - 2 < 0 || c + 2 >= vol.dims[2]) throw new Error(`${row.image}: needs at least 5 slices along the third axis`);
    for (let k = c - 2; k <= c + 2; k++) {
      const s = normalizeSlice(extractSlice(vol, k));
      shape ??= [s.rows, s.cols];
      if (s.rows !== shape[0] || s.cols !== shape[1]) {
        throw new Error(`${row.image}: slice is ${s.rows}×${s.cols}, the other images' are ${shape[0]}×${shape[1]}`);
      }
      chunks.push(s.data);
    }
    onProgress?.(i + 1, rows.length);
  });
  const [r, c] = shape!;
  const data = new Float32Array(chunks.length * r * c);
  chunks.forEach((ch, i) => data.set(ch, i * r * c));
  return { count: rows.length, rows: r, cols: c, data, labels: Uint8Array.from(rows, (x) => x.label), images: rows.map((x) => x.image) };
}

/** The normalised centre slice of vertebra i as (1, 1, H, W). */
export function centreSlice(set: SliceSet, i: number): torch.Tensor {
  const px = set.rows * set.cols;
  const start = (i * CENTRAL_SLICES + 2) * px;
  return torch.tensor(set.data.slice(start, start + px), [1, 1, set.rows, set.cols]);
}

/**
 * A training batch (N, 1, H, W): uniform vertebrae, uniform central slice, SPEC §2 augmentation; `labels`
 * receives the drawn vertebrae's labels when given (length N).
 */
export function sampleBatch(
  set: SliceSet, batchSize: number, gen: torch.Generator, augment: AugmentOptions = SPEC_AUGMENT, labels?: Float32Array,
): torch.Tensor {
  return torch.tidy(() => {
    const which = torch.randint(0, set.count, [batchSize], gen).toNumbers();
    if (labels) which.forEach((v, b) => (labels[b] = set.labels[v]!));
    // drawSliceIndices works on absolute indices of a volume; the set keeps slices c-2..c+2 as 0..4.
    const slices = drawSliceIndices(batchSize, CENTRAL_SLICES, gen);
    const px = set.rows * set.cols;
    const batch = new Float32Array(batchSize * px);
    which.forEach((v, b) => {
      const start = (v * CENTRAL_SLICES + slices[b]!) * px;
      batch.set(set.data.subarray(start, start + px), b * px);
    });
    return augmentBatch(torch.tensor(batch, [batchSize, 1, set.rows, set.cols]), gen, augment);
  });
}
