// Lesion-wise detection: connected components of one class in prediction and truth, matched one-to-one
// greedily by IoU, highest first (panoptica's naive threshold matching).
import { connectedComponents } from '../regions/components.js';
import type { Mask2D } from '../regions/mask.js';

export interface DetectionCounts {
  tp: number;
  fp: number;
  fn: number;
}

/** Components are 4-connected with no size filter (a true lesion of any size must be found). */
function classComponents(map: Mask2D, cls: number) {
  return connectedComponents({ rows: map.rows, cols: map.cols, data: map.data.map((v) => (v === cls ? 1 : 0)) }, 1);
}

/**
 * A pair may match when it overlaps and IoU ≥ minIoU (0.5: panoptica's default; 0: any overlap).
 * Ties in IoU go to the lower predicted, then true, component number (raster order), so results are deterministic.
 */
export function matchLesions(pred: Mask2D, truth: Mask2D, cls: number, minIoU: number): DetectionCounts {
  if (pred.rows !== truth.rows || pred.cols !== truth.cols) throw new Error(`matchLesions: ${pred.rows}×${pred.cols} prediction vs ${truth.rows}×${truth.cols} truth`);
  const p = classComponents(pred, cls);
  const t = classComponents(truth, cls);
  const predSize = new Float64Array(p.count + 1);
  const truthSize = new Float64Array(t.count + 1);
  const inter = new Map<number, number>();
  for (let i = 0; i < p.labels.length; i++) {
    const a = p.labels[i]!;
    const b = t.labels[i]!;
    predSize[a]++;
    truthSize[b]++;
    if (a > 0 && b > 0) inter.set(a * (t.count + 1) + b, (inter.get(a * (t.count + 1) + b) ?? 0) + 1);
  }
  const pairs: { a: number; b: number; iou: number }[] = [];
  for (const [key, n] of inter) {
    const a = Math.floor(key / (t.count + 1));
    const b = key % (t.count + 1);
    const union = predSize[a]! + truthSize[b]! - n;
    // n ≥ minIoU·union rather than n/union ≥ minIoU: exact at IoU = 0.5.
    if (n >= minIoU * union) pairs.push({ a, b, iou: n / union });
  }
  pairs.sort((x, y) => y.iou - x.iou || x.a - y.a || x.b - y.b);
  const usedP = new Set<number>();
  const usedT = new Set<number>();
  for (const { a, b } of pairs) {
    if (usedP.has(a) || usedT.has(b)) continue;
    usedP.add(a);
    usedT.add(b);
  }
  return { tp: usedP.size, fp: p.count - usedP.size, fn: t.count - usedT.size };
}
