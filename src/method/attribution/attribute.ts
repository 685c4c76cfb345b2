// Hide-and-Seek Attribution (SPEC §5), batched: the vertebrae of a group share every model call for their
// encodings, inversions and renders, and then all their candidates' composites share every call of the
// harmonisation. Each image keeps its own z, so batching changes nothing but speed.
import * as torch from '../../tensor/index.js';
import type { Device, Tensor } from '../../tensor/index.js';
import { healthyEdit } from '../classifier/healthy-edit.js';
import type { LatentClassifier } from '../classifier/latent-classifier.js';
import type { Mask2D } from '../regions/mask.js';
import { type Candidate, findCandidates, LESION_TYPES, lesionLabel, type LesionType } from './candidates.js';
import { composite } from './composite.js';
import type { LatentDiffusion } from './engine.js';
import { NUM_TIMESTEPS } from '../../model/diffusion.js';
import { type AttributionOptions, resolveOptions } from './options.js';

/** One vertebra: its SPEC §2 normalised slice and body mask on the same rows × cols grid. */
export interface VertebraSlice {
  image: Float32Array;
  mask: Mask2D;
}

export interface ScoredCandidate extends Candidate {
  /** P(malignant) of the harmonised composite that reveals only this candidate; null when not scored (keepAll, or the vertebra is below minPMalignant). */
  pCandidate: number | null;
  /** Δ = (p_k − p_low) / (p_high − p_low + 1e-8) between the vertebra's reference pair (deltaReference); null when not scored. */
  delta: number | null;
  kept: boolean;
}

export interface VertebraAttribution {
  rows: number;
  cols: number;
  /** P(malignant | z) of the input. */
  pMalignant: number;
  /** P(malignant | z_healthy) of the edited latent. */
  pHealthy: number;
  /**
   * deltaReference 'harmonised': the harmonised readings of the reconstruction (high) and of the composite with
   * every candidate healed (low) that Δ is measured between; null otherwise or when no candidate was scored.
   */
  measuredReference: { high: number; low: number } | null;
  /** typeShare: P(malignant) of the harmonised composite revealing every candidate of the type (null: none of it, or not scored); null when off. */
  typeReadings: Record<LesionType, number | null> | null;
  recon: Float32Array;
  edit: Float32Array;
  lyticMap: Float32Array;
  blasticMap: Float32Array;
  candidates: ScoredCandidate[];
  /** The segmentation: 0 background, 1 lytic, 2 blastic. */
  labels: Uint8Array;
}

/** SPEC §5: the share of the vertebra's malignancy that candidate k restores, between p_low (0) and p_high (1). */
export function attributionScore(pCandidate: number, pHigh: number, pLow: number): number {
  return (pCandidate - pLow) / (pHigh - pLow + 1e-8);
}

/**
 * typeShare: the reading a candidate's Δ is measured up to. A type whose candidates together restore more than
 * `share` of the malignant reading (pType, revealed alone) is its own reference; otherwise the vertebra's high.
 */
export function typeHigh(pType: number | null, high: number, low: number, share: number | null): number {
  return share !== null && pType !== null && attributionScore(pType, high, low) > share ? pType : high;
}

/**
 * Which candidates are kept: those scoring above the threshold; with keepBest and none of them, the one with the
 * highest finite score (the first on ties). A null score is not eligible (not scored, or filtered out).
 */
export function keptCandidates(scores: readonly (number | null)[], threshold: number, keepBest: boolean): boolean[] {
  const kept = scores.map((s) => s !== null && s > threshold);
  if (keepBest && !kept.includes(true)) {
    let best = -1;
    scores.forEach((s, j) => {
      if (s !== null && Number.isFinite(s) && (best < 0 || s > scores[best]!)) best = j;
    });
    if (best >= 0) kept[best] = true;
  }
  return kept;
}

/** fn over dim-0 chunks of at most `size` images, outputs concatenated. */
function chunked(n: number, size: number, fn: (start: number, length: number) => Tensor): Tensor {
  if (n <= size) return fn(0, n);
  const parts: Tensor[] = [];
  for (let s = 0; s < n; s += size) parts.push(torch.tidy(() => fn(s, Math.min(size, n - s))));
  return torch.tidy(() => torch.cat(parts, 0));
}

function rowsOf(t: Tensor): Float32Array[] {
  const n = t.size(0);
  const flat = t.toFloat32Array();
  const len = flat.length / n;
  return Array.from({ length: n }, (_, i) => flat.slice(i * len, (i + 1) * len));
}

/** The images as one (N, 1, rows, cols) batch on device: one host-to-device transfer. */
function imagesTensor(images: readonly Float32Array[], rows: number, cols: number, device: Device): Tensor {
  const flat = new Float32Array(images.length * rows * cols);
  images.forEach((im, i) => flat.set(im, i * rows * cols));
  return torch.tensor(flat, [images.length, 1, rows, cols], 'float32', device);
}

/** Runs the method group by group (vertebraeBatch vertebrae at a time), yielding each group's results in input order. */
export function* attributeGroups(
  engine: LatentDiffusion,
  classifier: LatentClassifier,
  vertebrae: readonly VertebraSlice[],
  options: Partial<AttributionOptions> = {},
): Generator<VertebraAttribution[]> {
  const o = resolveOptions(options);
  for (let g = 0; g < vertebrae.length; g += o.vertebraeBatch) yield attributeGroup(engine, classifier, vertebrae.slice(g, g + o.vertebraeBatch), o);
}

/** Runs the method on every vertebra; results in input order. */
export function attribute(
  engine: LatentDiffusion,
  classifier: LatentClassifier,
  vertebrae: readonly VertebraSlice[],
  options: Partial<AttributionOptions> = {},
): VertebraAttribution[] {
  return [...attributeGroups(engine, classifier, vertebrae, options)].flat();
}

/** One group's model calls, each in batches of at most o.maxBatch images, with the device and t-max they use. */
function modelCalls(engine: LatentDiffusion, classifier: LatentClassifier, o: AttributionOptions, rows: number, cols: number) {
  const { maxBatch } = o;
  const device = engine.device ?? 'cpu';
  const encode = (x: Tensor) => chunked(x.size(0), maxBatch, (s, l) => engine.encode(x.narrow(0, s, l)));
  // tMax: the vertebra's own encoding stops at editTMax, the harmonisation's cycle at harmoniseTMax (SPEC: T both).
  const invert = (x: Tensor, z: Tensor, steps: number, tMax?: number) => chunked(x.size(0), maxBatch, (s, l) => engine.invert(x.narrow(0, s, l), z.narrow(0, s, l), steps, undefined, tMax));
  const render = (xT: Tensor, z: Tensor, steps: number, tMax?: number) => chunked(xT.size(0), maxBatch, (s, l) => engine.render(xT.narrow(0, s, l), z.narrow(0, s, l), steps, undefined, tMax));
  const editTMax = o.editTMax < NUM_TIMESTEPS ? o.editTMax : undefined;
  const harmoniseTMax = o.harmoniseTMax < NUM_TIMESTEPS ? o.harmoniseTMax : undefined;
  /** P(malignant | Enc(img)) of every image; harmonised first (z' = Enc(img), r = render(invert(img, z'), z')) when asked. */
  const probabilities = (images: readonly Float32Array[], harmonise: boolean): number[] =>
    torch
      .tidy(() => {
        let x = imagesTensor(images, rows, cols, device);
        if (harmonise) {
          const z = encode(x);
          x = render(invert(x, z, o.harmoniseInversionSteps, harmoniseTMax), z, o.harmoniseRenderSteps, harmoniseTMax);
        }
        return rowsOf(encode(x));
      })
      .map((z) => classifier.probability(z));
  return { device, encode, invert, render, editTMax, probabilities };
}

function attributeGroup(
  engine: LatentDiffusion,
  classifier: LatentClassifier,
  group: readonly VertebraSlice[],
  o: AttributionOptions,
): VertebraAttribution[] {
  const { rows, cols } = group[0]!.mask;
  for (const v of group) {
    if (v.mask.rows !== rows || v.mask.cols !== cols || v.image.length !== rows * cols) {
      throw new Error(`attribution: every slice must be ${rows}×${cols} with a mask on the same grid`);
    }
  }
  const { device, encode, invert, render, editTMax, probabilities } = modelCalls(engine, classifier, o, rows, cols);

  return torch.noGrad(() => {
    // Step 1: z, x_T, then the reconstruction and the healthy edit rendered from the same x_T in one batch.
    const { zs, zHealthy, recons, edits } = torch.tidy(() => {
      const x = imagesTensor(group.map((v) => v.image), rows, cols, device);
      const z = encode(x);
      const xT = invert(x, z, o.inversionSteps, editTMax);
      const zs = rowsOf(z);
      const zHealthy = zs.map((zi) => healthyEdit(zi, classifier, o.targetP));
      const zh = torch.tensor(Float32Array.from(zHealthy.flatMap((a) => Array.from(a))), z.shape, 'float32', device);
      const both = rowsOf(render(torch.cat([xT, xT], 0), torch.cat([z, zh], 0), o.renderSteps, editTMax));
      return { zs, zHealthy, recons: both.slice(0, group.length), edits: both.slice(group.length) };
    });
    const partial = group.map((v, i) => {
      const found = findCandidates(recons[i]!, edits[i]!, v.mask, o.minSize, { lytic: o.lyticQuantile, blastic: o.candidateQuantile }, o.centreMaps, o.lyticSplitQuantile === null ? {} : { lytic: o.lyticSplitQuantile });
      // With centred maps the healthy appearance pasted into the composites is centred too: the body-wide
      // brightness change is no more a candidate's healing than it is lesion evidence.
      const healed = found.offset === 0 ? edits[i]! : edits[i]!.map((e) => e - found.offset);
      return { ...found, healed, pMalignant: classifier.probability(zs[i]!), pHealthy: classifier.probability(zHealthy[i]!) };
    });

    // Step 4: one composite per candidate of every vertebra, harmonised and scored together.
    // A vertebra the classifier does not call malignant has nothing to explain (minPMalignant).
    // deltaReference 'harmonised': the reveal-all (the base itself) and reveal-none composites go first; then,
    // with typeShare, one revealing every candidate of each type present.
    const scored = (p: { pMalignant: number; candidates: readonly unknown[] }) => !o.keepAll && p.pMalignant > o.minPMalignant && p.candidates.length > 0;
    const measured = o.deltaReference === 'harmonised';
    const typesOf = (cs: readonly Candidate[]) => (o.typeShare === null ? [] : LESION_TYPES.filter((t) => cs.some((c) => c.type === t)));
    const composites = partial.flatMap((p, i) => {
      if (!scored(p)) return [];
      const base = o.revealFrom === 'original' ? group[i]!.image : recons[i]!;
      const references = measured ? [base, composite(base, p.healed, p.all, new Int32Array(0))] : [];
      const types = typesOf(p.candidates).map((t) => composite(base, p.healed, p.all, Int32Array.from(p.candidates.flatMap((c) => (c.type === t ? [...c.pixelIndices] : [])))));
      return [...references, ...types, ...p.candidates.map((c) => composite(base, p.healed, p.all, c.pixelIndices))];
    });
    const scores = composites.length === 0 ? [] : probabilities(composites, o.harmonise);

    let next = 0;
    return partial.map((p, i) => {
      const reference = scored(p) && measured ? { high: scores[next++]!, low: scores[next++]! } : null;
      const [high, low] = reference ? [reference.high, reference.low] : [p.pMalignant, p.pHealthy];
      let typeReadings: VertebraAttribution['typeReadings'] = null;
      if (scored(p) && o.typeShare !== null) {
        const present = typesOf(p.candidates);
        typeReadings = { lytic: null, blastic: null };
        for (const t of present) typeReadings[t] = scores[next++]!;
      }
      let candidates: ScoredCandidate[];
      if (!scored(p)) {
        candidates = p.candidates.map((c) => ({ ...c, pCandidate: null, delta: null, kept: o.keepAll && p.pMalignant > o.minPMalignant }));
      } else {
        const pks = p.candidates.map(() => scores[next++]!);
        const deltas = pks.map((pk, j) => attributionScore(pk, typeHigh(typeReadings?.[p.candidates[j]!.type] ?? null, high, low, o.typeShare), low));
        const kept = keptCandidates(deltas, o.deltaThreshold, o.keepBest);
        candidates = p.candidates.map((c, j) => ({ ...c, pCandidate: pks[j]!, delta: deltas[j]!, kept: kept[j]! }));
      }
      const labels = new Uint8Array(rows * cols);
      for (const c of candidates) if (c.kept) for (const k of c.pixelIndices) labels[k] = lesionLabel(c.type);
      return { rows, cols, pMalignant: p.pMalignant, pHealthy: p.pHealthy, measuredReference: reference, typeReadings, recon: recons[i]!, edit: edits[i]!, lyticMap: p.lyticMap, blasticMap: p.blasticMap, candidates, labels };
    });
  });
}
