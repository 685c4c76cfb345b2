// The lesion mask at a Δ threshold, re-derived from the saved candidate map: the same rule as the
// segmentation (a candidate is kept when Δ > threshold; an unscored one keeps its saved decision: kept in the
// keep-all ablation, not kept on a vertebra below the P(malignant) gate). The viewer
// ships this function's source to the browser, so it must stay self-contained (no imports, no closures).

/**
 * candidates: candidate k+1 at its pixels, 0 elsewhere; types[k]: 1 lytic, 2 blastic; deltas[k]: Δ or null;
 * kept[k]: the saved decision (used for unscored candidates). Returns 0/1/2 labels.
 */
export function deriveLabels(
  candidates: Int32Array, types: readonly number[], deltas: readonly (number | null)[], kept: readonly boolean[], threshold: number,
): Uint8Array {
  const keep = deltas.map((d, k) => ((d === null ? kept[k] : d > threshold) ? types[k]! : 0));
  const out = new Uint8Array(candidates.length);
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    if (c > 0) out[i] = keep[c - 1] ?? 0;
  }
  return out;
}
