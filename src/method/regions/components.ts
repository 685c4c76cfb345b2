// SPEC §5 step 3, second half: 4-connected components of a binary mask, those under a minimum size dropped.
import type { Mask2D } from './mask.js';

/** SPEC §5: candidates under 5 pixels are dropped. */
export const MIN_COMPONENT_SIZE = 5;

export interface Components {
  rows: number;
  cols: number;
  /** 0 = not in a kept component, k = component k (1-based), numbered in raster order of first pixel. */
  labels: Int32Array;
  count: number;
}

/** Labels the 4-connected components of mask (any non-zero pixel is foreground) by an explicit-stack flood fill. */
export function connectedComponents(mask: Mask2D, minSize: number = MIN_COMPONENT_SIZE): Components {
  const { rows, cols, data } = mask;
  const labels = new Int32Array(rows * cols);
  const stack = new Int32Array(rows * cols);
  const members = new Int32Array(rows * cols);
  let count = 0;
  for (let seed = 0; seed < data.length; seed++) {
    if (data[seed] === 0 || labels[seed] !== 0) continue;
    // Flood with a provisional label -1 so that a too-small component can be cleared again.
    let top = 0;
    let size = 0;
    stack[top++] = seed;
    labels[seed] = -1;
    while (top > 0) {
      const p = stack[--top]!;
      members[size++] = p;
      const r = (p / cols) | 0;
      const c = p - r * cols;
      for (const q of [r > 0 ? p - cols : -1, r < rows - 1 ? p + cols : -1, c > 0 ? p - 1 : -1, c < cols - 1 ? p + 1 : -1]) {
        if (q >= 0 && data[q] !== 0 && labels[q] === 0) {
          labels[q] = -1;
          stack[top++] = q;
        }
      }
    }
    // Dropped pixels keep -1 until the end so they are not flooded again from a later seed.
    const label = size >= minSize ? ++count : -1;
    for (let i = 0; i < size; i++) labels[members[i]!] = label;
  }
  for (let i = 0; i < labels.length; i++) if (labels[i]! < 0) labels[i] = 0;
  return { rows, cols, labels, count };
}

/** The pixels of the kept components as a 0/1 mask. */
export function componentMask(comp: Components): Mask2D {
  return { rows: comp.rows, cols: comp.cols, data: Uint8Array.from(comp.labels, (l) => (l > 0 ? 1 : 0)) };
}
