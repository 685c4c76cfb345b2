// Whether a DAE + latent classifier deserve a benchmark run: the quantities Hide-and-Seek depends on, measured
// on held-out vertebrae (issue "the method works"). Lesion masks are read only to say where the edit lands.
import * as torch from '../../tensor/index.js';
import type { DiffAE } from '../../model/diffae.js';
import { DiffusionSchedule, ddimInvert, ddimRender } from '../../model/diffusion.js';
import type { LatentClassifier } from '../classifier/latent-classifier.js';
import { HEALTHY_TARGET_P, healthyEdit } from '../classifier/healthy-edit.js';
import { rocAuc } from '../classifier/metrics.js';
import type { Mask2D } from '../regions/mask.js';
import { LESION_GROUPS, lesionGroup } from '../evaluation/lesion-group.js';

export interface CheckVertebra {
  image: Float32Array;
  body: Uint8Array;
  label: 0 | 1;
  /** 0 background, 1 lytic, 2 blastic on the same slice; absent when the manifest has no lesion masks. */
  lesions?: Mask2D;
}

export interface CheckModelOptions {
  inversionSteps: number;
  renderSteps: number;
  /** Steps of the harmonisation cycle (SPEC §5 step 4), as in the fast schedule. */
  harmoniseInversionSteps: number;
  harmoniseRenderSteps: number;
  batchSize: number;
  onProgress?: (done: number, total: number) => void;
}

export interface CheckModelResult {
  vertebrae: number;
  malignant: number;
  /** Mean |recon − x| inside the body and over the whole image (intensities normalised to [0, 1]). */
  reconstruction: { body: number; image: number };
  /** Mean |render(x_T, another vertebra's z) − recon| inside the body, and its ratio to the recon error. */
  zSwap: { body: number; ratioToReconError: number };
  healthyEdit: {
    /** Mean |edit − recon| inside the body. */
    body: number;
    /** Malignant vertebrae with lesion pixels in the body: share of Σ|edit − recon| on lesion pixels. */
    lesionShare: number | null;
    /** The lesions' share of the body area (what lesionShare would be if the edit ignored lesions). */
    lesionAreaShare: number | null;
    /** Share of the change on lesion pixels that has the right sign (lytic brighter, blastic darker). */
    rightSign: number | null;
  };
  cycle: {
    /** Mean |P(Enc(recon)) − p_m|. */
    reconVsPm: number;
    /** Mean P(Enc(edit)) and mean p_h (what the edit aimed for). */
    pEdit: number;
    pHealthy: number;
    /** Malignant vertebrae: mean (p_m − P(Enc(edit))) / (p_m − p_h); 1 = the encoder sees the edit as healthy. */
    editDrop: number | null;
    /** The same after the harmonisation cycle of both images: what Δ relies on (0 = the cycle erases the edit). */
    harmonisedDrop: number | null;
  };
  /** ROC-AUC of p_m against the vertebra labels on these vertebrae. */
  classifierAuc: number | null;
  /** The same per lesion group: its malignant vertebrae against all healthy ones (null without lesion masks). */
  classifierAucByGroup: AucByGroup | null;
  /**
   * Per timestep t: the denoiser's ε-MSE given another vertebra's z over its ε-MSE given the vertebra's own z
   * (same x_t, seeded noise). 1 = the decoder ignores z at that noise level; the training signal z gets.
   */
  zReliance: { t: number; ratio: number }[];
}

export type AucByGroup = Record<(typeof LESION_GROUPS)[number], { vertebrae: number; rocAuc: number | null }>;

export const Z_RELIANCE_STEPS = [100, 300, 500, 700] as const;

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const meanOrNull = (v: readonly number[]): number | null => (v.length ? mean(v) : null);

/** P(malignant) of every row of z (N, D). */
function probabilities(z: torch.Tensor, classifier: LatentClassifier): number[] {
  const d = z.size(1);
  const flat = z.toFloat32Array();
  return Array.from({ length: z.size(0) }, (_, i) => classifier.probability(flat.subarray(i * d, (i + 1) * d)));
}

/** Mean |a − b| over the pixels where sel is set, per image of (N, 1, H, W) tensors. */
function maskedMae(a: Float32Array, b: Float32Array, sel: (i: number, p: number) => boolean, n: number, hw: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    let s = 0;
    let c = 0;
    for (let p = 0; p < hw; p++) {
      if (!sel(i, p)) continue;
      s += Math.abs(a[i * hw + p]! - b[i * hw + p]!);
      c++;
    }
    return c ? s / c : 0;
  });
}

/** Running sums of the denoiser's ε-MSE with own z and with another vertebra's z, per step of Z_RELIANCE_STEPS. */
interface ZSums {
  own: number[];
  other: number[];
  gen: torch.Generator;
}
const zSums = (): ZSums => ({ own: Z_RELIANCE_STEPS.map(() => 0), other: Z_RELIANCE_STEPS.map(() => 0), gen: new torch.Generator(0) });

/** Each row's z replaced by the next row's (the last by the first's): another vertebra's z. */
const nextZ = (z: torch.Tensor): torch.Tensor => torch.cat([z.slice(0, 1, z.size(0)), z.slice(0, 0, 1)], 0);

/** Adds the batch's ε-MSE (seeded x_t) with z and with zOther to sums. */
function addZReliance(sums: ZSums, model: DiffAE, x: torch.Tensor, z: torch.Tensor, zOther: torch.Tensor): void {
  const s = DiffusionSchedule.linear();
  Z_RELIANCE_STEPS.forEach((tv, k) =>
    torch.tidy(() => {
      const t = torch.full([x.size(0)], tv, 'int64', x.device);
      const noise = torch.randn(x.shape, sums.gen, 'float32', x.device);
      const xt = s.qSampleAt(x, Array.from({ length: x.size(0) }, () => tv), noise);
      sums.own[k]! += model.forward(xt, t, z).sub(noise).square().mean().item();
      sums.other[k]! += model.forward(xt, t, zOther).sub(noise).square().mean().item();
    }),
  );
}

const zRelianceOf = (sums: ZSums): CheckModelResult['zReliance'] =>
  sums.own[0] === 0 ? [] : sums.own.map((own, k) => ({ t: Z_RELIANCE_STEPS[k]!, ratio: sums.other[k]! / own }));

interface Acc {
  recBody: number[]; recImage: number[]; swap: number[]; edit: number[]; lesionShare: number[]; lesionArea: number[]; rightSign: number[];
  reconVsPm: number[]; pEdit: number[]; pH: number[]; pM: number[]; labels: number[]; editDrop: number[]; harmDrop: number[];
  z: ZSums;
}

/** Where the edit's change falls on one malignant vertebra's lesions (null without lesion pixels in the body). */
export function lesionStats(v: CheckVertebra, recon: Float32Array, edit: Float32Array, off: number): { share: number; area: number; sign: number } | null {
  if (!v.lesions) return null;
  let all = 0;
  let onLesion = 0;
  let right = 0;
  let bodyPx = 0;
  let lesionPx = 0;
  for (let p = 0; p < v.body.length; p++) {
    if (!v.body[p]) continue;
    const d = edit[off + p]! - recon[off + p]!;
    const cls = v.lesions.data[p]!;
    all += Math.abs(d);
    bodyPx++;
    if (cls === 0) continue;
    lesionPx++;
    onLesion += Math.abs(d);
    if ((cls === 1 && d > 0) || (cls === 2 && d < 0)) right += Math.abs(d);
  }
  if (lesionPx === 0 || all === 0) return null;
  return { share: onLesion / all, area: lesionPx / bodyPx, sign: onLesion ? right / onLesion : 0 };
}

/** Harmonisation cycle of SPEC §5 step 4: P(malignant | Enc(render(invert(img, Enc(img)), Enc(img)))). */
function harmonisedP(model: DiffAE, img: torch.Tensor, classifier: LatentClassifier, o: CheckModelOptions): number[] {
  return torch.tidy(() => {
    const z = model.encode(img);
    const r = ddimRender(model, ddimInvert(model, img, z, { steps: o.harmoniseInversionSteps }), z, { steps: o.harmoniseRenderSteps });
    return probabilities(model.encode(r), classifier);
  });
}

function checkBatch(model: DiffAE, classifier: LatentClassifier, batch: readonly CheckVertebra[], o: CheckModelOptions, acc: Acc): void {
  const n = batch.length;
  const hw = batch[0]!.image.length;
  torch.noGrad(() =>
    torch.tidy(() => {
      const x = imagesOf(batch, model);
      const z = model.encode(x);
      const xT = ddimInvert(model, x, z, { steps: o.inversionSteps });
      const zh = healthyEdits(z, classifier);
      // Another vertebra's z: the next one in the batch.
      const zOther = n > 1 ? nextZ(z) : z;
      if (n > 1) addZReliance(acc.z, model, x, z, zOther);
      const renders = ddimRender(model, torch.cat([xT, xT, xT], 0), torch.cat([z, zh, zOther], 0), { steps: o.renderSteps });
      const reconT = renders.slice(0, 0, n);
      const editT = renders.slice(0, n, 2 * n);
      const [xs, recon, edit, swapped] = [x, reconT, editT, renders.slice(0, 2 * n, 3 * n)].map((t) => t.toFloat32Array()) as [Float32Array, Float32Array, Float32Array, Float32Array];
      const inBody = (i: number, p: number) => batch[i]!.body[p] !== 0;
      acc.recBody.push(...maskedMae(recon, xs, inBody, n, hw));
      acc.recImage.push(...maskedMae(recon, xs, () => true, n, hw));
      if (n > 1) acc.swap.push(...maskedMae(swapped, recon, inBody, n, hw));
      acc.edit.push(...maskedMae(edit, recon, inBody, n, hw));
      const pM = probabilities(z, classifier);
      const pH = probabilities(zh, classifier);
      const pCycle = probabilities(model.encode(torch.cat([reconT, editT], 0)), classifier);
      const pHarm = harmonisedP(model, torch.cat([reconT, editT], 0), classifier, o);
      batch.forEach((v, i) => {
        acc.pM.push(pM[i]!);
        acc.pH.push(pH[i]!);
        acc.labels.push(v.label);
        acc.reconVsPm.push(Math.abs(pCycle[i]! - pM[i]!));
        acc.pEdit.push(pCycle[n + i]!);
        if (v.label !== 1) return;
        const span = pM[i]! - pH[i]! + 1e-8;
        acc.editDrop.push((pM[i]! - pCycle[n + i]!) / span);
        acc.harmDrop.push((pHarm[i]! - pHarm[n + i]!) / span);
        const l = lesionStats(v, recon, edit, i * hw);
        if (l) {
          acc.lesionShare.push(l.share);
          acc.lesionArea.push(l.area);
          acc.rightSign.push(l.sign);
        }
      });
    }),
  );
}

/** The z reliance alone (no sampling, no classifier): cheap enough to follow a training run's snapshots. */
export function measureZReliance(model: DiffAE, vertebrae: readonly CheckVertebra[], batchSize: number): CheckModelResult['zReliance'] {
  if (vertebrae.length < 2) throw new Error('check-model: z reliance needs at least 2 vertebrae');
  const sums = zSums();
  for (let s = 0; s < vertebrae.length; s += batchSize) {
    const batch = vertebrae.slice(s, s + batchSize);
    if (batch.length < 2) break;
    torch.noGrad(() =>
      torch.tidy(() => {
        const x = imagesOf(batch, model);
        const z = model.encode(x);
        addZReliance(sums, model, x, z, nextZ(z));
      }),
    );
  }
  return zRelianceOf(sums);
}

/** p_m = P(malignant | Enc(x)) of every vertebra, in order: encoding only. */
function pMalignantOf(model: DiffAE, classifier: LatentClassifier, vertebrae: readonly CheckVertebra[], batchSize: number): number[] {
  const pM: number[] = [];
  for (let s = 0; s < vertebrae.length; s += batchSize) {
    const batch = vertebrae.slice(s, s + batchSize);
    pM.push(...torch.noGrad(() => torch.tidy(() => probabilities(model.encode(imagesOf(batch, model)), classifier))));
  }
  return pM;
}

/** ROC-AUC of p_m against the labels, overall and per lesion group (null without both classes): encoding only. */
export function classifierReading(model: DiffAE, classifier: LatentClassifier, vertebrae: readonly CheckVertebra[], batchSize: number): Pick<CheckModelResult, 'classifierAuc' | 'classifierAucByGroup'> {
  const pM = pMalignantOf(model, classifier, vertebrae, batchSize);
  return { classifierAuc: aucOrNull(vertebrae.map((v) => v.label), pM), classifierAucByGroup: aucByGroup(vertebrae, pM) };
}

/**
 * Per lesion group (what a malignant vertebra's slice holds): ROC-AUC of p_m, its malignant vertebrae against
 * every healthy one. Null when no vertebra has a lesion mask; malignant vertebrae without one are left out.
 */
export function aucByGroup(vertebrae: readonly Pick<CheckVertebra, 'label' | 'lesions'>[], pM: readonly number[]): AucByGroup | null {
  if (!vertebrae.some((v) => v.lesions)) return null;
  const healthy = pM.filter((_p, i) => vertebrae[i]!.label === 0);
  const groups = vertebrae.map((v) => (v.label === 1 && v.lesions ? lesionGroup(v.lesions.data) : null));
  const entry = (g: (typeof LESION_GROUPS)[number]) => {
    const members = pM.filter((_p, i) => groups[i] === g);
    return { vertebrae: members.length, rocAuc: aucOrNull([...healthy.map(() => 0), ...members.map(() => 1)], [...healthy, ...members]) };
  };
  return Object.fromEntries(LESION_GROUPS.map((g) => [g, entry(g)])) as AucByGroup;
}

/** The per-group ROC-AUCs as a list: 'lytic only 0.821 (54), …'. */
export function listAucByGroup(r: AucByGroup): string {
  return LESION_GROUPS.map((g) => `${g} ${r[g].rocAuc === null ? 'n/a' : r[g].rocAuc!.toFixed(3)} (${r[g].vertebrae})`).join(', ');
}

/** The per-group ROC-AUCs as the clause check-model prints after the overall AUC ('' without lesion masks). */
export function formatAucByGroup(r: AucByGroup | null): string {
  return r ? `; against the healthy ones, malignant holding ${listAucByGroup(r)}` : '';
}

/** ROC-AUC of the scores against 0/1 labels, or null when only one class is present. */
function aucOrNull(labels: readonly number[], scores: readonly number[]): number | null {
  return new Set(labels).size === 2 ? rocAuc(labels, scores) : null;
}

/** The batch's images as (N, 1, H, W) on the model's device. */
export function imagesOf(batch: readonly Pick<CheckVertebra, 'image'>[], model: DiffAE): torch.Tensor {
  const hw = batch[0]!.image.length;
  const side = Math.round(Math.sqrt(hw));
  const flat = new Float32Array(batch.length * hw);
  batch.forEach((v, i) => flat.set(v.image, i * hw));
  return torch.tensor(flat, [batch.length, 1, side, side], 'float32', model.device);
}

/** The healthy edit (SPEC §4) of every row of z (N, D), as a tensor like z. */
export function healthyEdits(z: torch.Tensor, classifier: LatentClassifier, targetP = HEALTHY_TARGET_P): torch.Tensor {
  const flat = z.toFloat32Array();
  const d = z.size(1);
  const out = new Float32Array(flat.length);
  for (let i = 0; i < z.size(0); i++) out.set(healthyEdit(flat.subarray(i * d, (i + 1) * d), classifier, targetP), i * d);
  return torch.tensor(out, z.shape, 'float32', z.device);
}

export function checkModel(model: DiffAE, classifier: LatentClassifier, vertebrae: readonly CheckVertebra[], o: CheckModelOptions): CheckModelResult {
  if (vertebrae.length === 0) throw new Error('check-model: no vertebrae to check');
  const acc: Acc = { recBody: [], recImage: [], swap: [], edit: [], lesionShare: [], lesionArea: [], rightSign: [], reconVsPm: [], pEdit: [], pH: [], pM: [], labels: [], editDrop: [], harmDrop: [], z: zSums() };
  for (let s = 0; s < vertebrae.length; s += o.batchSize) {
    checkBatch(model, classifier, vertebrae.slice(s, s + o.batchSize), o, acc);
    o.onProgress?.(Math.min(s + o.batchSize, vertebrae.length), vertebrae.length);
  }
  const rec = mean(acc.recBody);
  const swap = meanOrNull(acc.swap) ?? 0;
  return {
    vertebrae: vertebrae.length,
    malignant: acc.labels.filter((l) => l === 1).length,
    reconstruction: { body: rec, image: mean(acc.recImage) },
    zSwap: { body: swap, ratioToReconError: rec > 0 ? swap / rec : 0 },
    healthyEdit: { body: mean(acc.edit), lesionShare: meanOrNull(acc.lesionShare), lesionAreaShare: meanOrNull(acc.lesionArea), rightSign: meanOrNull(acc.rightSign) },
    cycle: { reconVsPm: mean(acc.reconVsPm), pEdit: mean(acc.pEdit), pHealthy: mean(acc.pH), editDrop: meanOrNull(acc.editDrop), harmonisedDrop: meanOrNull(acc.harmDrop) },
    classifierAuc: aucOrNull(acc.labels, acc.pM),
    classifierAucByGroup: aucByGroup(vertebrae, acc.pM),
    zReliance: zRelianceOf(acc.z),
  };
}

export function formatZReliance(z: CheckModelResult['zReliance']): string {
  return `z reliance (ε-MSE with another vertebra's z / own z): ${z.map((s) => `t=${s.t} ${s.ratio.toFixed(3)}`).join(', ') || 'n/a'}`;
}

/** The result as the lines `hsa check-model` prints. */
export function formatCheck(r: CheckModelResult): string {
  const f = (v: number | null, d = 4) => (v === null ? 'n/a' : v.toFixed(d));
  return [
    `vertebrae ${r.vertebrae} (${r.malignant} malignant)`,
    `reconstruction error (mean |recon − x|): body ${f(r.reconstruction.body)}, image ${f(r.reconstruction.image)}`,
    `z swap (render with another vertebra's z, mean |Δ| in the body): ${f(r.zSwap.body)} = ${f(r.zSwap.ratioToReconError, 2)}× the recon error`,
    `healthy edit: mean |edit − recon| in the body ${f(r.healthyEdit.body)}; on malignant vertebrae ${f(r.healthyEdit.lesionShare, 3)} of the change falls on lesions covering ${f(r.healthyEdit.lesionAreaShare, 3)} of the body, ${f(r.healthyEdit.rightSign, 3)} of it with the right sign`,
    `cycle: |P(Enc(recon)) − p_m| ${f(r.cycle.reconVsPm)}; P(Enc(edit)) ${f(r.cycle.pEdit)} (p_h ${r.cycle.pHealthy.toExponential(1)}); malignancy removed by the edit: ${f(r.cycle.editDrop, 3)} encoded, ${f(r.cycle.harmonisedDrop, 3)} after harmonisation`,
    `latent classifier ROC-AUC on these vertebrae: ${f(r.classifierAuc, 3)}${formatAucByGroup(r.classifierAucByGroup)}`,
    formatZReliance(r.zReliance),
  ].join('\n');
}
