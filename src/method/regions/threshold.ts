// SPEC §5 step 3, first half: a non-negative difference map is cut at the median of its strictly positive
// values and only values strictly above it are kept.
import type { Image2D } from '../../data/slice.js';
import type { Mask2D } from './mask.js';

/** numpy.median of the values > 0 (mean of the two middle ones for an even count); undefined if none. */
export function medianOfPositive(values: ArrayLike<number>): number | undefined {
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i]! > 0) kept.push(values[i]!);
  const pos = Float64Array.from(kept).sort();
  const n = pos.length;
  if (n === 0) return undefined;
  return n % 2 === 1 ? pos[(n - 1) / 2]! : (pos[n / 2 - 1]! + pos[n / 2]!) / 2;
}

/** numpy.quantile (linear) of the values > 0; q = 0.5 is medianOfPositive. undefined if none. */
export function quantileOfPositive(values: ArrayLike<number>, q: number): number | undefined {
  if (q === 0.5) return medianOfPositive(values);
  const pos = Float64Array.from(Array.from(values).filter((v) => v > 0)).sort();
  if (pos.length === 0) return undefined;
  const h = (pos.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < pos.length ? pos[lo]! + (h - lo) * (pos[lo + 1]! - pos[lo]!) : pos[lo]!;
}

/** 1 where map > the q-quantile (default: the median, SPEC §5) of its positive values; all 0 without any. */
export function thresholdAtPositiveMedian(map: Image2D, q = 0.5): Mask2D {
  const out = new Uint8Array(map.data.length);
  const t = quantileOfPositive(map.data, q);
  if (t !== undefined) for (let i = 0; i < out.length; i++) out[i] = map.data[i]! > t ? 1 : 0;
  return { rows: map.rows, cols: map.cols, data: out };
}
