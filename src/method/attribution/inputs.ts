// Loading and checking the vertebrae to segment, all before any model work, so that a bad input fails the
// run at once with the file named and nothing written.
import { assertSameGrid, type NiftiGeometry, readNifti, spacing } from '../../data/nifti.js';
import { binarize, centerIndex, extractSlice, normalizeSlice } from '../../data/slice.js';
import { caseId } from '../evaluation/prediction-path.js';
import type { VertebraSlice } from './attribute.js';

export interface VertebraInput {
  caseId: string;
  image: string;
  mask: string;
  /** The manifest's vertebra label, when known. */
  label?: 0 | 1;
  slice: VertebraSlice;
  /** Index of the segmented slice along the third axis. */
  sliceIndex: number;
  dims: [number, number, number];
  geometry: NiftiGeometry;
  /** Area of one pixel of the slice in mm² (first × second axis spacing). */
  pixelAreaMm2: number;
  /** The intensities mapped to 0 and 1 (SPEC §2). */
  normalisation: { lo: number; hi: number };
}

/** The SPEC §2 centre slice of image and mask; `size` is the side the model takes. */
export function loadVertebra(image: string, mask: string, size: number, label?: 0 | 1): VertebraInput {
  const vol = readNifti(image);
  const seg = readNifti(mask);
  assertSameGrid(vol, seg);
  const k = centerIndex(vol);
  const norm = normalizeSlice(extractSlice(vol, k));
  if (norm.rows !== size || norm.cols !== size) throw new Error(`${image}: slice is ${norm.rows}×${norm.cols}; the model takes ${size}×${size}`);
  const m = binarize(extractSlice(seg, k));
  const maskData = Uint8Array.from(m.data);
  if (!maskData.some((v) => v !== 0)) throw new Error(`${mask}: the body mask is empty on slice ${k} (the segmented centre slice)`);
  const [sx, sy] = spacing(vol.geometry);
  return {
    caseId: caseId(image),
    image,
    mask,
    ...(label !== undefined ? { label } : {}),
    slice: { image: norm.data, mask: { rows: m.rows, cols: m.cols, data: maskData } },
    sliceIndex: k,
    dims: vol.dims,
    geometry: vol.geometry,
    pixelAreaMm2: sx * sy,
    normalisation: { lo: norm.lo, hi: norm.hi },
  };
}

/** Every vertebra loaded and checked; case ids must be unique because they name the output folders. */
export function loadVertebrae(items: readonly { image: string; mask: string; label?: 0 | 1 }[], size: number): VertebraInput[] {
  const seen = new Map<string, string>();
  return items.map(({ image, mask, label }) => {
    const v = loadVertebra(image, mask, size, label);
    const other = seen.get(v.caseId);
    if (other !== undefined) throw new Error(`${image}: case id '${v.caseId}' is also the case id of ${other}; output folders would collide`);
    seen.set(v.caseId, image);
    return v;
  });
}
