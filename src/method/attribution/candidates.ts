// SPEC §5 steps 2–3: signed difference maps between the healthy edit and the reconstruction inside the body
// mask, each cut at the median (or another quantile) of its positive values, and their 4-connected components as candidates.
import { connectedComponents } from '../regions/components.js';
import { BLASTIC, LYTIC, type Mask2D } from '../regions/mask.js';
import { regionProperties } from '../regions/properties.js';
import { splitAtCores } from '../regions/split.js';
import { quantileOfPositive, thresholdAtPositiveMedian } from '../regions/threshold.js';

export type LesionType = 'lytic' | 'blastic';
export const LESION_TYPES: readonly LesionType[] = ['lytic', 'blastic'];
/** The label-map value of a lesion type. */
export const lesionLabel = (t: LesionType) => (t === 'lytic' ? LYTIC : BLASTIC);

export interface Candidate {
  type: LesionType;
  /** Row-major indices of the candidate's pixels, ascending. */
  pixelIndices: Int32Array;
  pixels: number;
  centroid: { row: number; col: number };
  /** Mean of its difference map over the candidate. */
  meanDifference: number;
}

export interface CandidateSet {
  /** max(edit − recon, 0) · mask: where the healthy version is brighter (bone was destroyed). */
  lyticMap: Float32Array;
  /** max(recon − edit, 0) · mask: where the healthy version is darker (sclerosis). */
  blasticMap: Float32Array;
  /** Union of both thresholded maps (before the size filter), as 0/1. */
  all: Uint8Array;
  /** What was taken off edit − recon before the split: its body median when centred, else 0. */
  offset: number;
  /** Lytic components first, then blastic, each in raster order of their first pixel. */
  candidates: Candidate[];
}

/** The median of edit − recon over the body (0 for an empty body). */
export function bodyMedianDifference(recon: Float32Array, edit: Float32Array, mask: Mask2D): number {
  const d: number[] = [];
  mask.data.forEach((m, i) => m && d.push(edit[i]! - recon[i]!));
  if (d.length === 0) return 0;
  d.sort((a, b) => a - b);
  const h = d.length >> 1;
  return d.length % 2 ? d[h]! : (d[h - 1]! + d[h]!) / 2;
}

/** Where each map is cut: one quantile of its positive values for both, or one per type. */
export type MapQuantiles = number | Readonly<Record<LesionType, number>>;

/**
 * centre: the difference is taken less its median over the body (AttributionOptions.centreMaps). split: per type, the
 * quantile of the map's positive values whose cores divide a candidate holding several (AttributionOptions.lyticSplitQuantile).
 */
export function findCandidates(recon: Float32Array, edit: Float32Array, mask: Mask2D, minSize: number, quantile: MapQuantiles = 0.5, centre = false, split: Partial<Record<LesionType, number>> = {}): CandidateSet {
  const { rows, cols } = mask;
  const n = rows * cols;
  if (recon.length !== n || edit.length !== n) throw new Error(`candidates: images of ${recon.length} and ${edit.length} pixels for a ${rows}×${cols} mask`);
  const lyticMap = new Float32Array(n);
  const blasticMap = new Float32Array(n);
  const offset = centre ? bodyMedianDifference(recon, edit, mask) : 0;
  for (let i = 0; i < n; i++) {
    if (mask.data[i] === 0) continue;
    const d = edit[i]! - recon[i]! - offset;
    if (d > 0) lyticMap[i] = d;
    else if (d < 0) blasticMap[i] = -d;
  }
  const all = new Uint8Array(n);
  const candidates: Candidate[] = [];
  for (const [type, map] of [['lytic', lyticMap], ['blastic', blasticMap]] as const) {
    const thresholded = thresholdAtPositiveMedian({ rows, cols, data: map }, typeof quantile === 'number' ? quantile : quantile[type]);
    for (let i = 0; i < n; i++) all[i] ||= thresholded.data[i]!;
    const whole = connectedComponents(thresholded, minSize);
    const coreCut = split[type] === undefined ? undefined : quantileOfPositive(map, split[type]);
    const comp = coreCut === undefined ? whole : splitAtCores(whole, map, coreCut, minSize);
    const members: number[][] = Array.from({ length: comp.count }, () => []);
    comp.labels.forEach((l, i) => l > 0 && members[l - 1]!.push(i));
    for (const p of regionProperties(comp, map)) {
      candidates.push({ type, pixelIndices: Int32Array.from(members[p.label - 1]!), pixels: p.pixels, centroid: p.centroid, meanDifference: p.mean! });
    }
  }
  return { lyticMap, blasticMap, all, offset, candidates };
}
