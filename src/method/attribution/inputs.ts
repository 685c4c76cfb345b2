// Loading and checking the vertebrae to segment, all before any model work, so that a bad input fails the
// run at once with the file named and nothing written.
import { assertSameGrid, type NiftiGeometry, readNifti, spacing, type Volume } from '../../data/nifti.js';
import { binarize, centerIndex, extractSlice, normalizeSlice } from '../../data/slice.js';
import { caseId } from '../evaluation/prediction-path.js';
import type { VertebraSlice } from './attribute.js';

/**
 * Which sagittal slices of a vertebra to segment: the SPEC §2 centre one (the paper), n slices around it, or every
 * slice through the body. Beyond the paper: the slices are segmented independently and stacked into a 3-D mask.
 */
export type SliceChoice = 'centre' | 'all' | number;

/** One segmented slice of a vertebra. */
export interface VertebraPlane {
  /** Index along the third axis. */
  sliceIndex: number;
  slice: VertebraSlice;
  /** The intensities mapped to 0 and 1 (SPEC §2, per slice). */
  normalisation: { lo: number; hi: number };
}

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
  /** Every slice to segment in index order, the centre one (slice, sliceIndex above) among them. */
  planes: VertebraPlane[];
  /** Volume of one voxel in mm³ (for the volumes of several slices). */
  voxelMm3: number;
}

const hasBody = (seg: Volume, k: number) => extractSlice(seg, k).data.some((v) => v > 0);

/** The slice indices of choice, in order; the centre one always among them (checked by the caller). */
export function sliceIndices(seg: Volume, choice: SliceChoice): number[] {
  const k = centerIndex(seg);
  const nz = seg.dims[2];
  if (choice === 'centre') return [k];
  if (choice === 'all') return Array.from({ length: nz }, (_, i) => i).filter((i) => i === k || hasBody(seg, i));
  if (!Number.isInteger(choice) || choice < 1) throw new Error(`slices must be 'centre', 'all' or a positive integer, got ${String(choice)}`);
  // n slices centred on k (one more caudal-side slice for even n), within the volume, where the body is.
  const first = Math.max(0, Math.min(nz - choice, k - Math.floor((choice - 1) / 2)));
  return Array.from({ length: Math.min(choice, nz) }, (_, i) => first + i).filter((i) => i === k || hasBody(seg, i));
}

/** Slice k of image and mask as the model takes it. */
function loadPlane(vol: Volume, seg: Volume, k: number, size: number, files: { image: string; mask: string }): VertebraPlane {
  const norm = normalizeSlice(extractSlice(vol, k));
  if (norm.rows !== size || norm.cols !== size) throw new Error(`${files.image}: slice is ${norm.rows}×${norm.cols}; the model takes ${size}×${size}`);
  const m = binarize(extractSlice(seg, k));
  const maskData = Uint8Array.from(m.data);
  if (!maskData.some((v) => v !== 0)) throw new Error(`${files.mask}: the body mask is empty on slice ${k} (the segmented centre slice)`);
  return { sliceIndex: k, slice: { image: norm.data, mask: { rows: m.rows, cols: m.cols, data: maskData } }, normalisation: { lo: norm.lo, hi: norm.hi } };
}

/** The slices of image and mask to segment (SPEC §2's centre slice by default); `size` is the side the model takes. */
export function loadVertebra(image: string, mask: string, size: number, label?: 0 | 1, slices: SliceChoice = 'centre'): VertebraInput {
  const vol = readNifti(image);
  const seg = readNifti(mask);
  assertSameGrid(vol, seg);
  const k = centerIndex(vol);
  const planes = sliceIndices(seg, slices).map((i) => loadPlane(vol, seg, i, size, { image, mask }));
  const centre = planes.find((p) => p.sliceIndex === k)!;
  const [sx, sy, sz] = spacing(vol.geometry);
  return {
    caseId: caseId(image),
    image,
    mask,
    ...(label !== undefined ? { label } : {}),
    slice: centre.slice,
    sliceIndex: k,
    dims: vol.dims,
    geometry: vol.geometry,
    pixelAreaMm2: sx * sy,
    normalisation: centre.normalisation,
    planes,
    voxelMm3: sx * sy * sz,
  };
}

/** Every vertebra loaded and checked; case ids must be unique because they name the output folders. */
export function loadVertebrae(items: readonly { image: string; mask: string; label?: 0 | 1 }[], size: number, slices: SliceChoice = 'centre'): VertebraInput[] {
  const seen = new Map<string, string>();
  return items.map(({ image, mask, label }) => {
    const v = loadVertebra(image, mask, size, label, slices);
    const other = seen.get(v.caseId);
    if (other !== undefined) throw new Error(`${image}: case id '${v.caseId}' is also the case id of ${other}; output folders would collide`);
    seen.set(v.caseId, image);
    return v;
  });
}
