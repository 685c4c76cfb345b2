// The Gaussian diffusion of the reference (diffusion/base.py, diffusion/diffusion.py): linear β in float64,
// q_sample, the ε-prediction loss, DDIM step spacing, and the deterministic DDIM render / inversion.
// Schedule arithmetic is float64 (numpy in the reference); each coefficient is cast to float32 where the
// reference extracts it into a tensor, and the float32 tensor arithmetic follows the reference's order.
import * as torch from '../tensor/index.js';
import type { Generator, Tensor } from '../tensor/index.js';

export const NUM_TIMESTEPS = 1000;

/** np.linspace(scale·1e-4, scale·0.02, T) in float64, scale = 1000 / T (get_named_beta_schedule('linear')). */
export function linearBetas(T = NUM_TIMESTEPS): Float64Array {
  const scale = 1000 / T;
  const start = scale * 0.0001;
  const stop = scale * 0.02;
  const step = (stop - start) / (T - 1);
  const betas = Float64Array.from({ length: T }, (_, i) => i * step + start);
  betas[T - 1] = stop;
  return betas;
}

/** Stride s with len(range(0, T, s)) == n (space_timesteps(T, 'ddimN')): the n original step indices, ascending. */
export function ddimTimesteps(n: number, T = NUM_TIMESTEPS): number[] {
  for (let s = 1; s < T; s++) {
    if (Math.ceil(T / s) === n) return Array.from({ length: n }, (_, i) => i * s);
  }
  throw new Error(`cannot create exactly ${n} steps with an integer stride`);
}

/** β, ᾱ and the derived coefficients of a (possibly respaced) diffusion process, all float64. */
export class DiffusionSchedule {
  readonly alphasCumprod: Float64Array;
  readonly alphasCumprodPrev: Float64Array;
  readonly alphasCumprodNext: Float64Array;
  readonly sqrtAlphasCumprod: Float64Array;
  readonly sqrtOneMinusAlphasCumprod: Float64Array;
  readonly sqrtRecipAlphasCumprod: Float64Array;
  readonly sqrtRecipm1AlphasCumprod: Float64Array;

  /** timesteps: the original step index of each step (the model is called with these). */
  constructor(
    readonly betas: Float64Array,
    readonly timesteps: readonly number[] = Array.from(betas, (_, i) => i),
  ) {
    const T = betas.length;
    if (timesteps.length !== T) throw new Error('one original timestep per β is required');
    const ac = new Float64Array(T);
    let prod = 1;
    for (let i = 0; i < T; i++) ac[i] = prod *= 1.0 - betas[i]!;
    this.alphasCumprod = ac;
    this.alphasCumprodPrev = Float64Array.from({ length: T }, (_, i) => (i === 0 ? 1.0 : ac[i - 1]!));
    this.alphasCumprodNext = Float64Array.from({ length: T }, (_, i) => (i === T - 1 ? 0.0 : ac[i + 1]!));
    this.sqrtAlphasCumprod = ac.map(Math.sqrt);
    this.sqrtOneMinusAlphasCumprod = ac.map((a) => Math.sqrt(1.0 - a));
    this.sqrtRecipAlphasCumprod = ac.map((a) => Math.sqrt(1.0 / a));
    this.sqrtRecipm1AlphasCumprod = ac.map((a) => Math.sqrt(1.0 / a - 1));
  }

  static linear(T = NUM_TIMESTEPS): DiffusionSchedule {
    return new DiffusionSchedule(linearBetas(T));
  }

  get numTimesteps(): number {
    return this.betas.length;
  }

  /** The process restricted to the given original steps, with β recomputed from ᾱ (SpacedDiffusionBeatGans). */
  respaced(useTimesteps: readonly number[]): DiffusionSchedule {
    const use = new Set(useTimesteps);
    const betas: number[] = [];
    const map: number[] = [];
    let last = 1.0;
    this.alphasCumprod.forEach((ac, i) => {
      if (!use.has(i)) return;
      betas.push(1 - ac / last);
      last = ac;
      map.push(this.timesteps[i]!);
    });
    return new DiffusionSchedule(Float64Array.from(betas), map);
  }

  /** The N-step DDIM sub-process of the full linear schedule. */
  static ddim(n: number, T = NUM_TIMESTEPS): DiffusionSchedule {
    return DiffusionSchedule.linear(T).respaced(ddimTimesteps(n, T));
  }

  /** x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·ε, t int64 (N) indices into this schedule. */
  qSample(x0: Tensor, t: Tensor, noise: Tensor): Tensor {
    return this.qSampleAt(x0, t.toNumbers(), noise);
  }

  /** qSample with the step indices on the host (no device-to-host read of t). */
  qSampleAt(x0: Tensor, idx: readonly number[], noise: Tensor): Tensor {
    return torch.tidy(() => this.extract(this.sqrtAlphasCumprod, idx, x0).mul(x0).add(this.extract(this.sqrtOneMinusAlphasCumprod, idx, x0).mul(noise)));
  }

  /** arr[t] as a float32 (N, 1, …, 1) tensor on like's device (_extract_into_tensor). */
  private extract(arr: Float64Array, idx: readonly number[], like: Tensor): Tensor {
    const shape = [idx.length, ...like.shape.slice(1).map(() => 1)];
    return torch.tensor(Float32Array.from(idx, (i) => arr[i]!), shape, 'float32', like.device);
  }
}

/** What the samplers need from the model: ε_θ(x_t, t, z) with t the ORIGINAL step indices (int64, (N)). */
export interface EpsModel {
  forward(xt: Tensor, t: Tensor, z: Tensor): Tensor;
}

/** What the loss needs: the noise predictor and the semantic encoder (trained jointly). */
export interface AutoencoderModel extends EpsModel {
  encode(x: Tensor): Tensor;
}

/**
 * How the ε-MSE of each timestep is weighted (prediction stays ε, so sampling and checkpoints are unchanged):
 * - `eps`: 1 (the reference; in x0 terms the weight is SNR, so high-noise steps, where the decoder must rely
 *   on z, carry almost no signal about the image);
 * - `min-snr`: min(SNR, γ) / SNR (Hang et al. 2023): low-noise steps down-weighted;
 * - `trunc-snr`: min(max(1, 1/SNR), γ) (Salimans & Ho's truncated-SNR weighting, capped): at least the x0-MSE
 *   up to the cap, so that high-noise steps make z carry the image.
 */
export type LossWeighting = 'eps' | 'min-snr' | 'trunc-snr';
export const LOSS_WEIGHTINGS: readonly LossWeighting[] = ['eps', 'min-snr', 'trunc-snr'];

/** Per-timestep weights of a weighting, normalised to mean 1 over the schedule (the loss keeps eps's scale). */
export function lossWeights(weighting: LossWeighting, gamma: number, schedule = DiffusionSchedule.linear()): Float64Array {
  if (!(gamma > 0)) throw new Error(`SNR gamma must be positive, got ${gamma}`);
  const w = schedule.alphasCumprod.map((ac) => {
    const snr = ac / (1 - ac);
    if (weighting === 'min-snr') return Math.min(snr, gamma) / snr;
    if (weighting === 'trunc-snr') return Math.min(Math.max(1, 1 / snr), gamma);
    return 1;
  });
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  return w.map((v) => v / mean);
}

/**
 * The training loss of one batch: t ~ U{0..T−1} and ε ~ N(0, I) from gen, z = Enc(x0),
 * MSE(ε, ε_θ(√ᾱ_t x0 + √(1−ᾱ_t) ε, t, z)) averaged over the batch, each image's MSE times weights[t] when
 * given (see lossWeights). `z`, when given, is Enc(x0) already computed (with its graph) by a caller that also
 * uses it. Returns a scalar tensor with a graph.
 */
export function diffusionLoss(
  model: AutoencoderModel, x0: Tensor, gen: Generator, schedule = DiffusionSchedule.linear(), weights?: Float64Array, z?: Tensor,
): Tensor {
  return torch.tidy(() => {
    const n = x0.size(0);
    // t is drawn on the host (as randint does on every device) and read there, then moved once.
    const tHost = torch.randint(0, schedule.numTimesteps, [n], gen);
    const idx = tHost.toNumbers();
    const t = tHost.toDevice(x0.device);
    const noise = torch.randn(x0.shape, gen, 'float32', x0.device);
    const xt = schedule.qSampleAt(x0, idx, noise);
    const eps = model.forward(xt, t, z ?? model.encode(x0));
    if (!weights) return torch.mseLoss(eps, noise);
    const perImage = eps.sub(noise).square().mean(x0.shape.slice(1).map((_, i) => i + 1));
    const w = torch.tensor(Float32Array.from(idx, (i) => weights[i]!), [n], 'float32', x0.device);
    return perImage.mul(w).mean();
  });
}

export interface DdimOptions {
  /** Number of DDIM steps N (stride s with len(range(0, 1000, s)) == N). */
  steps: number;
  /**
   * Only the sub-sequence's steps with original timestep below tMax (default T: all): inversion stops, and
   * rendering starts, at noise level tMax instead of T — a partial encoding, whose edits keep more of x.
   */
  tMax?: number;
  /** Called after each step with the number of steps done. */
  onStep?: (done: number, total: number) => void;
}

const f32 = Math.fround;

/** One deterministic DDIM update from x at step i of the schedule towards ᾱ_target (η = 0, x0 clamped to [-1, 1]). */
function ddimStep(model: EpsModel, s: DiffusionSchedule, i: number, x: Tensor, z: Tensor, alphaBarTarget: number): Tensor {
  return torch.tidy(() => {
    const t = torch.full([x.size(0)], s.timesteps[i]!, 'int64', x.device);
    const eps = model.forward(x, t, z);
    const scaledX = x.mul(f32(s.sqrtRecipAlphasCumprod[i]!));
    const recipm1 = f32(s.sqrtRecipm1AlphasCumprod[i]!);
    const x0 = scaledX.sub(eps.mul(recipm1)).clamp(-1, 1);
    // ε re-derived from the clamped x0, as the reference does.
    const epsHat = scaledX.sub(x0).div(recipm1);
    const ab = f32(alphaBarTarget);
    return x0.mul(f32(Math.sqrt(ab))).add(epsHat.mul(f32(Math.sqrt(f32(1 - ab)))));
  });
}

function runLoop(x: Tensor, order: number[], step: (i: number, x: Tensor) => Tensor, onStep?: DdimOptions['onStep']): Tensor {
  return torch.noGrad(() => {
    let cur = x;
    order.forEach((i, k) => {
      const next = step(i, cur);
      if (cur !== x) cur.dispose();
      cur = next;
      onStep?.(k + 1, order.length);
    });
    return cur === x ? x.clone() : cur;
  });
}

/** How many steps of the N-step DDIM sub-sequence lie below tMax: the model calls of a (partial) inversion or render. */
export function ddimStepsBelow(n: number, tMax = NUM_TIMESTEPS): number {
  const steps = ddimTimesteps(n);
  const below = steps.filter((t) => t < tMax).length;
  if (!(tMax <= NUM_TIMESTEPS) || below === 0) throw new Error(`DDIM tMax must be in (${steps[0]}, ${NUM_TIMESTEPS}], got ${tMax}`);
  return below;
}

/** Deterministic DDIM render x_T → x_0 conditioned on z (each image its own z), one model call per step. */
export function ddimRender(model: EpsModel, xT: Tensor, z: Tensor, options: DdimOptions): Tensor {
  const s = DiffusionSchedule.ddim(options.steps);
  const n = ddimStepsBelow(options.steps, options.tMax);
  const order = Array.from({ length: n }, (_, k) => n - 1 - k);
  return runLoop(xT, order, (i, x) => ddimStep(model, s, i, x, z, s.alphasCumprodPrev[i]!), options.onStep);
}

/** DDIM inversion (stochastic encoding) x_0 → x_T conditioned on z, through the same sub-sequence. */
export function ddimInvert(model: EpsModel, x0: Tensor, z: Tensor, options: DdimOptions): Tensor {
  const s = DiffusionSchedule.ddim(options.steps);
  const order = Array.from({ length: ddimStepsBelow(options.steps, options.tMax) }, (_, k) => k);
  return runLoop(x0, order, (i, x) => ddimStep(model, s, i, x, z, s.alphasCumprodNext[i]!), options.onStep);
}
