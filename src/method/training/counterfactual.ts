// The counterfactual term of train-dae (issue 13, docs/model.md): the label term makes z₀ the vertebra's
// malignancy logit, but the decoder never sees a malignant image with a healthy z₀, so the healthy edit renders
// whatever it extrapolates (measured: a global darkening; lytic lesions untouched). This term shows it that case:
// for the malignant images of a batch, z₀ is set to a healthy logit and the decoder's one-step x0 prediction must
// (a) look healthy to a judge — the EMA encoder's z₀, a lagging copy that this term does not train — and (b) stay
// close to the prediction with the image's own z (L1, so the change is sparse: local, not global). Weak labels
// only; lesion masks are never read.
import * as torch from '../../tensor/index.js';
import type { DiffAE } from '../../model/diffae.js';
import type { DiffusionSchedule } from '../../model/diffusion.js';

/** z₀ of the counterfactual: logit −4, P(malignant) 0.018. */
export const CF_HEALTHY_LOGIT = -4;
/** Weight of the L1 proximity against the judge's BCE (an image change of 0.1 everywhere costs as much as BCE 1). */
export const CF_PROXIMITY = 10;
/** Noise levels of the term: t uniform in [CF_T_MIN, CF_T_MAX), where a one-step x0 prediction is still sharp. */
export const CF_T_MIN = 50;
export const CF_T_MAX = 400;

export interface CounterfactualTerms {
  /** weight · (BCE(judge z₀, healthy) + CF_PROXIMITY · L1), over the batch's malignant images. */
  loss: torch.Tensor;
  bce: number;
  l1: number;
}

/** x0 predicted from x_t and ε at original steps idx, clamped to [-1, 1] as sampling does. */
function predictX0(schedule: DiffusionSchedule, xt: torch.Tensor, eps: torch.Tensor, idx: readonly number[]): torch.Tensor {
  const shape = [idx.length, 1, 1, 1];
  const a = torch.tensor(Float32Array.from(idx, (i) => schedule.sqrtRecipAlphasCumprod[i]!), shape, 'float32', xt.device);
  const b = torch.tensor(Float32Array.from(idx, (i) => schedule.sqrtRecipm1AlphasCumprod[i]!), shape, 'float32', xt.device);
  return xt.mul(a).sub(eps.mul(b)).clamp(-1, 1);
}

/**
 * The term for the rows of x labelled malignant (null when there are none). z is the batch's encoding (its
 * gradient is not taken here: the term trains the decoder, not what the encoder reads); judge is not trained.
 */
export function counterfactualLoss(
  model: DiffAE, judge: DiffAE, x: torch.Tensor, z: torch.Tensor, labels: Float32Array, gen: torch.Generator, schedule: DiffusionSchedule, weight: number,
): CounterfactualTerms | null {
  const rows = Array.from(labels.keys()).filter((i) => labels[i] === 1);
  if (rows.length === 0) return null;
  let bce = NaN;
  let l1 = NaN;
  const loss = torch.tidy(() => {
    const sel = torch.tensor(BigInt64Array.from(rows, BigInt), [rows.length], 'int64', x.device);
    const xm = torch.indexSelect(x, 0, sel);
    const zm = torch.indexSelect(torch.detach(z), 0, sel);
    const zh = torch.cat([torch.full([rows.length, 1], CF_HEALTHY_LOGIT, 'float32', x.device), torch.narrow(zm, 1, 1, zm.size(1) - 1)], 1);
    const tHost = torch.randint(CF_T_MIN, CF_T_MAX, [rows.length], gen);
    const idx = tHost.toNumbers();
    const t = tHost.toDevice(x.device);
    const xt = schedule.qSampleAt(xm, idx, torch.randn(xm.shape, gen, 'float32', x.device));
    const own = torch.noGrad(() => predictX0(schedule, xt, model.forward(xt, t, zm), idx));
    const healthy = predictX0(schedule, xt, model.forward(xt, t, zh), idx);
    const judged = torch.select(judge.encode(healthy), 1, 0);
    const b = torch.bceWithLogits(judged, torch.zeros([rows.length], 'float32', x.device));
    const d = healthy.sub(own).abs().mean();
    bce = b.item();
    l1 = d.item();
    return b.add(d.mul(CF_PROXIMITY)).mul(weight);
  });
  return { loss, bce, l1 };
}
