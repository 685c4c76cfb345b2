// Per-component measurements the segmentation reports for every candidate (SPEC §5; issue 5's JSON).
import type { Components } from './components.js';

export interface RegionProperties {
  /** The component's label in Components.labels. */
  label: number;
  pixels: number;
  /** Mean row and column of the component's pixels. */
  centroid: { row: number; col: number };
  /** Inclusive pixel bounds. */
  bbox: { rowMin: number; colMin: number; rowMax: number; colMax: number };
  /** Mean of the given map over the component; undefined when no map was given. */
  mean?: number;
}

/** Properties of components 1..count, in label order; values (same grid) gives each component's mean. */
export function regionProperties(comp: Components, values?: ArrayLike<number>): RegionProperties[] {
  const { rows, cols, labels, count } = comp;
  if (values !== undefined && values.length !== rows * cols) throw new Error(`regionProperties: map has ${values.length} values for a ${rows}×${cols} grid`);
  const n = new Float64Array(count + 1);
  const sumR = new Float64Array(count + 1);
  const sumC = new Float64Array(count + 1);
  const sumV = new Float64Array(count + 1);
  const rMin = new Int32Array(count + 1).fill(rows);
  const cMin = new Int32Array(count + 1).fill(cols);
  const rMax = new Int32Array(count + 1).fill(-1);
  const cMax = new Int32Array(count + 1).fill(-1);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const l = labels[r * cols + c]!;
      if (l === 0) continue;
      n[l]++;
      sumR[l] += r;
      sumC[l] += c;
      if (values !== undefined) sumV[l] += values[r * cols + c]!;
      rMin[l] = Math.min(rMin[l]!, r);
      cMin[l] = Math.min(cMin[l]!, c);
      rMax[l] = Math.max(rMax[l]!, r);
      cMax[l] = Math.max(cMax[l]!, c);
    }
  }
  const out: RegionProperties[] = [];
  for (let l = 1; l <= count; l++) {
    out.push({
      label: l,
      pixels: n[l]!,
      centroid: { row: sumR[l]! / n[l]!, col: sumC[l]! / n[l]! },
      bbox: { rowMin: rMin[l]!, colMin: cMin[l]!, rowMax: rMax[l]!, colMax: cMax[l]! },
      ...(values !== undefined ? { mean: sumV[l]! / n[l]! } : {}),
    });
  }
  return out;
}
