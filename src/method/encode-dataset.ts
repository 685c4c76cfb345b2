// The latent classifier's training data (SPEC §4): every vertebra's SPEC §2 centre slice encoded to z by the
// DAE's semantic encoder, in batches. Only `image` is read: lesion masks never reach training.
import * as torch from '../tensor/index.js';
import { readNifti } from '../data/nifti.js';
import type { ManifestRow } from '../data/manifest.js';
import { extractSlice, normalizeSlice } from '../data/slice.js';
import type { DiffAE } from '../model/diffae.js';

export interface EncodedDataset {
  /** One z per row, in row order. */
  z: Float32Array[];
  labels: Uint8Array;
  images: string[];
}

export interface EncodeOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** The normalised centre slice of the row's image, checked against the model's input size. */
function centreSlice(row: Pick<ManifestRow, 'image'>, size: number): Float32Array {
  const s = normalizeSlice(extractSlice(readNifti(row.image)));
  if (s.rows !== size || s.cols !== size) throw new Error(`${row.image}: slice is ${s.rows}×${s.cols}; the model takes ${size}×${size}`);
  return s.data;
}

export function encodeDataset(model: DiffAE, rows: readonly Pick<ManifestRow, 'image' | 'label'>[], options: EncodeOptions = {}): EncodedDataset {
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`encode: batch size must be a positive integer, got ${batchSize}`);
  const size = model.config.image_size;
  const z: Float32Array[] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const pixels = new Float32Array(batch.length * size * size);
    batch.forEach((row, i) => pixels.set(centreSlice(row, size), i * size * size));
    const flat = torch.noGrad(() => torch.tidy(() => model.encode(torch.tensor(pixels, [batch.length, 1, size, size], 'float32', model.device)).toFloat32Array()));
    const d = flat.length / batch.length;
    for (let i = 0; i < batch.length; i++) z.push(flat.slice(i * d, (i + 1) * d));
    options.onProgress?.(z.length, rows.length);
  }
  return { z, labels: Uint8Array.from(rows, (r) => r.label), images: rows.map((r) => r.image) };
}
