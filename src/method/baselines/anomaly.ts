// AD (anomaly detection) baseline (issue 6): the DAE architecture trained on healthy vertebrae only
// (`hsa train-dae --healthy-only`) is taken to reconstruct a vertebra as it would look healthy:
// recon = render(invert(x, Enc(x)), Enc(x)). The signed differences to the input are SPEC §5 steps 2–3 with
// recon in the role of the healthy edit and the input in the role of the reconstruction:
// lytic map = max(recon − x, 0) · mask, blastic map = max(x − recon, 0) · mask, each cut at the median of its
// positive values, 4-connected components ≥ minSize. Every candidate is kept (no attribution scoring).
import * as torch from '../../tensor/index.js';
import type { VertebraSlice } from '../attribution/attribute.js';
import { type CandidateSet, findCandidates, lesionLabel } from '../attribution/candidates.js';
import type { LatentDiffusion } from '../attribution/engine.js';

export interface AnomalyOptions {
  inversionSteps: number;
  renderSteps: number;
  minSize: number;
}

export interface AnomalyResult extends CandidateSet {
  recon: Float32Array;
  /** 0 background, 1 lytic, 2 blastic: every candidate. */
  labels: Uint8Array;
}

/** The baseline on vertebrae that share one grid; all of them go through the model in one batch. */
export function anomalyBaseline(engine: LatentDiffusion, vertebrae: readonly VertebraSlice[], o: AnomalyOptions): AnomalyResult[] {
  if (vertebrae.length === 0) return [];
  const { rows, cols } = vertebrae[0]!.mask;
  const px = rows * cols;
  const flat = new Float32Array(vertebrae.length * px);
  vertebrae.forEach((v, i) => {
    if (v.mask.rows !== rows || v.mask.cols !== cols || v.image.length !== px) throw new Error(`anomaly baseline: every slice must be ${rows}×${cols} with a mask on the same grid`);
    flat.set(v.image, i * px);
  });
  const recon = torch.noGrad(() =>
    torch.tidy(() => {
      const x = torch.tensor(flat, [vertebrae.length, 1, rows, cols], 'float32', engine.device ?? 'cpu');
      const z = engine.encode(x);
      return engine.render(engine.invert(x, z, o.inversionSteps), z, o.renderSteps).toFloat32Array();
    }),
  );
  return vertebrae.map((v, i) => {
    const r = recon.slice(i * px, (i + 1) * px);
    const found = findCandidates(v.image, r, v.mask, o.minSize);
    const labels = new Uint8Array(px);
    for (const c of found.candidates) for (const k of c.pixelIndices) labels[k] = lesionLabel(c.type);
    return { ...found, recon: r, labels };
  });
}
