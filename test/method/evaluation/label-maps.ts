import type { Volume } from '../../../src/data/nifti.js';
import { axisAlignedGeometry } from '../../../src/data/nifti.js';
import type { Mask2D } from '../../../src/method/regions/mask.js';

/** A label map from rows of digits. */
export function labels(...lines: string[]): Mask2D {
  return { rows: lines.length, cols: lines[0]!.length, data: Uint8Array.from(lines.join(''), Number) };
}

/** A rows×cols×depth volume whose slice k (default floor(depth/2)) holds map, every other slice `fill`. */
export function volumeWith(map: Mask2D, depth: number, fill = 0, k = Math.floor(depth / 2), sp: [number, number, number] = [1, 1, 1]): Volume {
  const { rows, cols } = map;
  const data = new Float32Array(rows * cols * depth).fill(fill);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r + rows * c + rows * cols * k] = map.data[r * cols + c]!;
  return { dims: [rows, cols, depth], data, geometry: axisAlignedGeometry(sp) };
}
