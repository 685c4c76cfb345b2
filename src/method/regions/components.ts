// SPEC §5 step 3, second half: 4-connected components of a binary mask, those under a minimum size dropped;
// and 3-D components, to count the lesions of a mask stacked from several slices.
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

/**
 * Labels the components of the non-zero entries of data, neighbours(p, visit) calling visit on each neighbour of
 * p, by an explicit-stack flood fill; components under minSize are dropped (label 0).
 */
function floodComponents(data: ArrayLike<number>, minSize: number, neighbours: (p: number, visit: (q: number) => void) => void): { labels: Int32Array; count: number } {
  const n = data.length;
  const labels = new Int32Array(n);
  const stack = new Int32Array(n);
  const members = new Int32Array(n);
  let count = 0;
  let top = 0;
  const visit = (q: number) => {
    if (data[q] !== 0 && labels[q] === 0) {
      labels[q] = -1;
      stack[top++] = q;
    }
  };
  for (let seed = 0; seed < n; seed++) {
    if (data[seed] === 0 || labels[seed] !== 0) continue;
    // Flood with a provisional label -1 so that a too-small component can be cleared again.
    let size = 0;
    visit(seed);
    while (top > 0) {
      const p = stack[--top]!;
      members[size++] = p;
      neighbours(p, visit);
    }
    // Dropped pixels keep -1 until the end so they are not flooded again from a later seed.
    const label = size >= minSize ? ++count : -1;
    for (let i = 0; i < size; i++) labels[members[i]!] = label;
  }
  for (let i = 0; i < n; i++) if (labels[i]! < 0) labels[i] = 0;
  return { labels, count };
}

/** Calls visit on each 4-neighbour of pixel p of a row-major rows × cols grid. */
export function forEachNeighbour4(p: number, rows: number, cols: number, visit: (q: number) => void): void {
  const r = (p / cols) | 0;
  const c = p - r * cols;
  if (r > 0) visit(p - cols);
  if (r < rows - 1) visit(p + cols);
  if (c > 0) visit(p - 1);
  if (c < cols - 1) visit(p + 1);
}

/** Labels the 4-connected components of mask (any non-zero pixel is foreground). */
export function connectedComponents(mask: Mask2D, minSize: number = MIN_COMPONENT_SIZE): Components {
  const { rows, cols, data } = mask;
  const { labels, count } = floodComponents(data, minSize, (p, visit) => forEachNeighbour4(p, rows, cols, visit));
  return { rows, cols, labels, count };
}

/** The number of 6-connected components of the non-zero voxels of a dims[0] × dims[1] × dims[2] volume (first axis fastest). */
export function countComponents3d(data: ArrayLike<number>, dims: readonly [number, number, number]): number {
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  return floodComponents(data, 1, (p, visit) => {
    const k = Math.floor(p / plane);
    const j = Math.floor((p - k * plane) / nx);
    const i = p - k * plane - j * nx;
    if (i > 0) visit(p - 1);
    if (i < nx - 1) visit(p + 1);
    if (j > 0) visit(p - nx);
    if (j < ny - 1) visit(p + nx);
    if (k > 0) visit(p - plane);
    if (k < nz - 1) visit(p + plane);
  }).count;
}

/** The pixels of the kept components as a 0/1 mask. */
export function componentMask(comp: Components): Mask2D {
  return { rows: comp.rows, cols: comp.cols, data: Uint8Array.from(comp.labels, (l) => (l > 0 ? 1 : 0)) };
}
