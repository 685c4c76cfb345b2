// Pixel overlap of one lesion class between a predicted and a true label map.
import type { Mask2D } from '../regions/mask.js';

export interface Overlap {
  pred: number;
  truth: number;
  both: number;
}

export function classOverlap(pred: Mask2D, truth: Mask2D, cls: number): Overlap {
  const o: Overlap = { pred: 0, truth: 0, both: 0 };
  for (let i = 0; i < pred.data.length; i++) {
    const p = pred.data[i] === cls;
    const t = truth.data[i] === cls;
    if (p) o.pred++;
    if (t) o.truth++;
    if (p && t) o.both++;
  }
  return o;
}

/** 2|P∩T| / (|P| + |T|); null when the class is absent from both (it then does not enter a mean). */
export function dice(o: Overlap): number | null {
  return o.pred + o.truth === 0 ? null : (2 * o.both) / (o.pred + o.truth);
}
