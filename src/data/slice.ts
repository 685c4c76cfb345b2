// 2-D model input as SPEC §2 defines it: a slice across the third array axis, rows = first axis,
// columns = second axis, linearly mapped so that its 0th percentile is 0 and its 99.5th is 1 (no clipping).
import type { Volume } from './nifti.js';

/** A row-major 2-D image: data[r * cols + c]. */
export interface Image2D {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** The central slice index the reference uses: floor(D / 2) of the third axis. */
export function centerIndex(vol: Volume): number {
  return Math.floor(vol.dims[2] / 2);
}

/** The plane at index k of the third axis (nibabel's vol[:, :, k]). */
export function extractSlice(vol: Volume, k: number = centerIndex(vol)): Image2D {
  const [nx, ny, nz] = vol.dims;
  if (!Number.isInteger(k) || k < 0 || k >= nz) throw new RangeError(`slice ${k} outside 0..${nz - 1}`);
  const out = new Float32Array(nx * ny);
  const base = nx * ny * k;
  for (let r = 0; r < nx; r++) for (let c = 0; c < ny; c++) out[r * ny + c] = vol.data[base + r + nx * c]!;
  return { rows: nx, cols: ny, data: out };
}

/** numpy.percentile(values, q) with the default 'linear' method. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) throw new RangeError('percentile of an empty array');
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface Normalized extends Image2D {
  lo: number;
  hi: number;
}

/** Maps the 0th percentile to 0 and the 99.5th to 1; a constant image maps to 0. */
export function normalizeSlice(img: Image2D): Normalized {
  const lo = percentile(img.data, 0);
  const hi = percentile(img.data, 99.5);
  const range = hi - lo;
  const data = new Float32Array(img.data.length);
  if (range > 0) for (let i = 0; i < data.length; i++) data[i] = (img.data[i]! - lo) / range;
  return { rows: img.rows, cols: img.cols, data, lo, hi };
}

/** A mask slice as 0/1 (any positive value counts as inside). */
export function binarize(img: Image2D): Image2D {
  return { rows: img.rows, cols: img.cols, data: img.data.map((v) => (v > 0 ? 1 : 0)) };
}
