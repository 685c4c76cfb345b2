// From a class activation map to a lesion label map (issue 6). A CAM says where the CNN looked, not what
// kind of lesion it saw, so the type comes from the image.
//
// Exact rule, for a vertebra the CNN calls malignant (P(malignant) > 0.5; for one it calls healthy the CAM
// explains no lesion and nothing is labelled):
// 1. cam = the CAM scaled to [0, 1] as pytorch-grad-cam does it (see ../cnn/cam.ts), on the slice's grid;
// 2. selected = cam > 0.5 (the fixed threshold; not Otsu, which on a smooth unimodal CAM splits at an
//    arbitrary level and always finds something) and inside the body mask;
// 3. 4-connected components of ≥ 5 pixels (as SPEC §5's candidates);
// 4. each component: mean normalised intensity over its pixels − the healthy trabecular median > 0 → blastic,
//    otherwise lytic. The median is that of every body-mask pixel of the healthy training vertebrae's centre
//    slices (SPEC §2 normalisation), fixed when the CNN is trained.
import { percentile } from '../../data/slice.js';
import type { VertebraSlice } from '../attribution/attribute.js';
import type { LesionType } from '../attribution/candidates.js';
import { connectedComponents, MIN_COMPONENT_SIZE } from '../regions/components.js';
import { BLASTIC, LYTIC } from '../regions/mask.js';
import { regionProperties } from '../regions/properties.js';

export const CAM_THRESHOLD = 0.5;
/** The CNN's decision threshold on P(malignant). */
export const MALIGNANT_P = 0.5;

/** Median normalised intensity inside the body masks of (healthy) vertebrae. */
export function healthyMedian(vertebrae: readonly VertebraSlice[]): number {
  const values: number[] = [];
  for (const v of vertebrae) v.mask.data.forEach((m, i) => m !== 0 && values.push(v.image[i]!));
  if (values.length === 0) throw new Error('healthy median: the body masks hold no pixel');
  return percentile(values, 50);
}

export interface CamRegion {
  type: LesionType;
  pixels: number;
  centroid: { row: number; col: number };
  meanIntensity: number;
}

export interface CamLabels {
  /** 0 background, 1 lytic, 2 blastic. */
  labels: Uint8Array;
  regions: CamRegion[];
}

/** The rule above; pMalignant is the CNN's probability for this vertebra. */
export function camLabels(cam: Float32Array, v: VertebraSlice, pMalignant: number, median: number, minSize: number = MIN_COMPONENT_SIZE): CamLabels {
  const { rows, cols } = v.mask;
  if (cam.length !== rows * cols || v.image.length !== rows * cols) throw new Error(`camLabels: CAM of ${cam.length} and image of ${v.image.length} pixels for a ${rows}×${cols} mask`);
  const labels = new Uint8Array(rows * cols);
  if (!(pMalignant > MALIGNANT_P)) return { labels, regions: [] };
  const selected = Uint8Array.from(cam, (c, i) => (c > CAM_THRESHOLD && v.mask.data[i] !== 0 ? 1 : 0));
  const comp = connectedComponents({ rows, cols, data: selected }, minSize);
  const regions = regionProperties(comp, v.image).map((p): CamRegion => ({
    type: p.mean! - median > 0 ? 'blastic' : 'lytic',
    pixels: p.pixels,
    centroid: p.centroid,
    meanIntensity: p.mean!,
  }));
  comp.labels.forEach((l, i) => l > 0 && (labels[i] = regions[l - 1]!.type === 'blastic' ? BLASTIC : LYTIC));
  return { labels, regions };
}
