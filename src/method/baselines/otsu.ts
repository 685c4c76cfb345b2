// Otsu baseline (issue 6): global thresholds inside the vertebral body, no learning.
//
// Exact rule. Values = the normalised slice's pixels where the body mask is > 0. Histogram: 256 equal-width
// bins over [min, max] of those values, bin(v) = min(255, floor((v − min) / (max − min) · 256)); each bin keeps
// its pixel count and value sum. For every cut k = 0..254 (bins ≤ k dark, bins > k bright, both non-empty),
// between-class variance ω0·ω1·(μ0 − μ1)² with ω the pixel fractions and μ the exact means of the values;
// k* is the first maximiser. Bright side = bins > k* (threshold reported: the upper edge of bin k*).
// 1. Split the body's values: bright side → blastic.
// 2. Split the dark side's values again the same way (its own min/max and bins): its dark side → lytic.
// 3. Each class keeps only 4-connected components of ≥ 5 pixels (as SPEC §5 does for candidates).
// Without two distinct values there is no split and that step labels nothing.
import type { Image2D } from '../../data/slice.js';
import { componentMask, connectedComponents, MIN_COMPONENT_SIZE } from '../regions/components.js';
import { BLASTIC, LYTIC, type Mask2D } from '../regions/mask.js';

const BINS = 256;

export interface OtsuSplit {
  threshold: number;
  isBright: (v: number) => boolean;
}

/** Otsu's split of values by the rule above; undefined when they hold fewer than two distinct values. */
export function otsuSplit(values: ArrayLike<number>): OtsuSplit | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  if (!(hi > lo)) return undefined;
  const bin = (v: number) => Math.min(BINS - 1, Math.floor(((v - lo) / (hi - lo)) * BINS));
  const count = new Float64Array(BINS);
  const sum = new Float64Array(BINS);
  for (let i = 0; i < values.length; i++) {
    const b = bin(values[i]!);
    count[b]++;
    sum[b] += values[i]!;
  }
  const n = values.length;
  const total = sum.reduce((a, b) => a + b, 0);
  let n0 = 0;
  let s0 = 0;
  let best = -1;
  let kBest = -1;
  for (let k = 0; k < BINS - 1; k++) {
    n0 += count[k]!;
    s0 += sum[k]!;
    if (n0 === 0 || n0 === n) continue;
    const d = s0 / n0 - (total - s0) / (n - n0);
    const between = (n0 / n) * ((n - n0) / n) * d * d;
    if (between > best) {
      best = between;
      kBest = k;
    }
  }
  return { threshold: lo + ((kBest + 1) * (hi - lo)) / BINS, isBright: (v) => bin(v) > kBest };
}

export interface OtsuResult {
  /** 0 background, 1 lytic, 2 blastic. */
  labels: Mask2D;
  /** Thresholds of the two splits (normalised intensity); null where a split did not exist. */
  blasticThreshold: number | null;
  lyticThreshold: number | null;
}

function keepLarge(rows: number, cols: number, sel: Uint8Array, minSize: number): Uint8Array {
  return componentMask(connectedComponents({ rows, cols, data: sel }, minSize)).data;
}

/** The baseline on a SPEC §2 normalised slice and its body mask (> 0 inside). */
export function otsuBaseline(slice: Image2D, mask: { rows: number; cols: number; data: ArrayLike<number> }, minSize: number = MIN_COMPONENT_SIZE): OtsuResult {
  const { rows, cols } = slice;
  if (mask.rows !== rows || mask.cols !== cols) throw new Error(`otsuBaseline: mask is ${mask.rows}×${mask.cols}, slice ${rows}×${cols}`);
  const inside: number[] = [];
  for (let i = 0; i < rows * cols; i++) if (mask.data[i]! > 0) inside.push(i);
  const first = otsuSplit(inside.map((i) => slice.data[i]!));
  const blastic = new Uint8Array(rows * cols);
  const lytic = new Uint8Array(rows * cols);
  const dark = first ? inside.filter((i) => !first.isBright(slice.data[i]!)) : [];
  const second = otsuSplit(dark.map((i) => slice.data[i]!));
  if (first) for (const i of inside) if (first.isBright(slice.data[i]!)) blastic[i] = 1;
  if (second) for (const i of dark) if (!second.isBright(slice.data[i]!)) lytic[i] = 1;
  const keptBlastic = keepLarge(rows, cols, blastic, minSize);
  const keptLytic = keepLarge(rows, cols, lytic, minSize);
  const labels = new Uint8Array(rows * cols);
  for (let i = 0; i < labels.length; i++) labels[i] = keptBlastic[i] ? BLASTIC : keptLytic[i] ? LYTIC : 0;
  return { labels: { rows, cols, data: labels }, blasticThreshold: first?.threshold ?? null, lyticThreshold: second?.threshold ?? null };
}
