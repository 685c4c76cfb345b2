// The plane that is evaluated: a lesion label map is compared on the SPEC §2 slice (floor(D/2) of the third
// axis), the only one the method segments; a 2-D NIfTI (D = 1) is its own slice.
import type { Volume } from '../../data/nifti.js';
import { extractSlice } from '../../data/slice.js';
import type { Mask2D } from '../regions/mask.js';

/** The evaluated slice as 0/1/2 labels; any other value is an error naming `source`. */
export function evaluatedSlice(vol: Volume, source: string): Mask2D {
  const s = extractSlice(vol);
  const data = new Uint8Array(s.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = s.data[i]!;
    if (v !== 0 && v !== 1 && v !== 2) throw new Error(`${source}: lesion label map holds ${v}; expected 0 (background), 1 (lytic) or 2 (blastic)`);
    data[i] = v;
  }
  return { rows: s.rows, cols: s.cols, data };
}
