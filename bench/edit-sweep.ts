// npm run bench:edit-sweep -- --model DIR [--classifier F ...] [--target-p 1e-5,1e-3,0.1] [--t-max 1000,600] [--count N] [--split val]
// Whether a DAE + latent classifier's healthy edit carries lesion information, and at which target p (issue 13):
// each vertebra is inverted once; the edit is rendered for every classifier × target p. Printed per setting:
// the edit's size in the body; on malignant vertebrae the share of its change on lesion pixels against their
// area share and with the right sign; the pixel ROC-AUC (inside the body) of the lytic map max(edit − recon, 0)
// against lytic pixels and of the blastic map against blastic pixels; and the Dice of the "keep all" candidate
// union (SPEC §5 step 3) and of Otsu, per class, averaged over the vertebrae holding that class. The reference
// row "intensity" scores the pixels by darkness (lytic) and brightness (blastic) alone: a map that does not beat
// it cannot make Hide-and-Seek beat Otsu. --quantile: the candidate maps' cut (SPEC: the median). Each setting is also reported "centred" (edit − recon less its median in the body). --t-max: partial encodings (inversion to that noise level only).
import { parseArgs } from 'node:util';
import { readManifest } from '../src/data/manifest.js';
import { readNifti } from '../src/data/nifti.js';
import * as torch from '../src/tensor/index.js';
import { loadDiffAE } from '../src/model/checkpoint.js';
import { ddimInvert, ddimRender } from '../src/model/diffusion.js';
import { loadVertebra } from '../src/method/attribution/inputs.js';
import { bodyMedianDifference, findCandidates, lesionLabel } from '../src/method/attribution/candidates.js';
import { otsuBaseline } from '../src/method/baselines/otsu.js';
import { LatentClassifier } from '../src/method/classifier/latent-classifier.js';
import { rocAuc } from '../src/method/classifier/metrics.js';
import { classOverlap, dice } from '../src/method/evaluation/dice.js';
import { evaluatedSlice } from '../src/method/evaluation/label-slice.js';
import { healthyEdits, imagesOf, lesionStats } from '../src/method/diagnostics/check-model.js';
import { BLASTIC, LYTIC, type Mask2D } from '../src/method/regions/mask.js';
import { resolveModelFiles } from '../src/cli/commands/segment.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'models' },
    classifier: { type: 'string', multiple: true },
    manifest: { type: 'string', default: 'data/bench/manifest.csv' },
    split: { type: 'string', default: 'val' },
    count: { type: 'string', default: '48' },
    'target-p': { type: 'string', default: '1e-5,1e-3,0.05,0.3' },
    steps: { type: 'string', default: '100,40' },
    't-max': { type: 'string', default: '1000' },
    quantile: { type: 'string', default: '0.5' },
    batch: { type: 'string', default: '16' },
  },
});

interface Case { image: Float32Array; mask: Mask2D; label: 0 | 1; lesions: Mask2D }
interface Row { recon: Float32Array; edit: Float32Array }

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

/** Pixel scores inside the body of the vertebrae holding cls, pooled: ROC-AUC of score against the class. */
function pixelAuc(cases: Case[], score: (i: number, p: number) => number, cls: number): number {
  const y: number[] = [];
  const s: number[] = [];
  cases.forEach((c, i) => {
    if (!c.lesions.data.includes(cls)) return;
    for (let p = 0; p < c.mask.data.length; p++) {
      if (!c.mask.data[p]) continue;
      y.push(c.lesions.data[p] === cls ? 1 : 0);
      s.push(score(i, p));
    }
  });
  return y.includes(1) ? rocAuc(y, s) : NaN;
}

function classDice(cases: Case[], pred: (i: number) => Mask2D, cls: number): number {
  return mean(cases.flatMap((c, i) => {
    if (!c.lesions.data.includes(cls)) return [];
    const d = dice(classOverlap(pred(i), c.lesions, cls));
    return d === null ? [] : [d];
  }));
}

function keepAllMask(c: Case, r: Row, quantile: number): Mask2D {
  const cands = findCandidates(r.recon, r.edit, c.mask, 5, quantile);
  const data = new Uint8Array(c.mask.data.length);
  for (const k of cands.candidates) for (const p of k.pixelIndices) data[p] = lesionLabel(k.type);
  return { ...c.mask, data };
}

/** The edit shifted by the median of edit − recon over the body (segment --centre-maps). */
function centred(r: Row, mask: Mask2D): Row {
  const med = bodyMedianDifference(r.recon, r.edit, mask);
  return { recon: r.recon, edit: r.edit.map((v) => v - med) };
}

function report(name: string, cases: Case[], rows: Row[], quantiles: number[]): void {
  const stats = cases.flatMap((c, i) => (c.label === 1 ? [lesionStats({ image: c.image, body: c.mask.data, label: 1, lesions: c.lesions }, rows[i]!.recon, rows[i]!.edit, 0)] : [])).filter((s) => s !== null);
  const size = mean(cases.map((c, i) => {
    let s = 0;
    let n = 0;
    for (let p = 0; p < c.mask.data.length; p++) if (c.mask.data[p]) { s += Math.abs(rows[i]!.edit[p]! - rows[i]!.recon[p]!); n++; }
    return s / n;
  }));
  const d = (i: number, p: number) => rows[i]!.edit[p]! - rows[i]!.recon[p]!;
  const keepDice = quantiles.flatMap((q) => {
    const keep = cases.map((c, i) => keepAllMask(c, rows[i]!, q));
    return [f(classDice(cases, (i) => keep[i]!, LYTIC)), f(classDice(cases, (i) => keep[i]!, BLASTIC))];
  });
  console.log([name, f(size, 4), f(mean(stats.map((s) => s.share))), f(mean(stats.map((s) => s.area))), f(mean(stats.map((s) => s.sign))),
    f(pixelAuc(cases, (i, p) => Math.max(d(i, p), 0), LYTIC)), f(pixelAuc(cases, (i, p) => Math.max(-d(i, p), 0), BLASTIC)),
    ...keepDice].join(' | '));
}

async function main(): Promise<void> {
  const files = resolveModelFiles(args.model!, undefined);
  const classifiers = (args.classifier ?? [files.classifier]).map((p) => ({ path: p, c: LatentClassifier.load(p) }));
  const targets = args['target-p']!.split(',').map(Number);
  const [inv, ren] = args.steps!.split(',').map(Number) as [number, number];
  const batch = Number(args.batch);
  const rows = (await readManifest(args.manifest!, { checkFiles: true })).filter((r) => r.split === args.split).slice(0, Number(args.count));
  const model = loadDiffAE(files.model);
  const cases: Case[] = rows.map((r) => {
    const v = loadVertebra(r.image, r.segMsk, model.config.image_size, r.label);
    return { image: v.slice.image, mask: v.slice.mask, label: r.label, lesions: evaluatedSlice(readNifti(r.lesionMsk!), r.lesionMsk!) };
  });
  const tMaxes = args['t-max']!.split(',').map(Number);
  const settings = tMaxes.flatMap((tMax) => classifiers.flatMap((c) => targets.map((t) => ({ name: `${c.path} p=${t} tMax=${tMax}`, c: c.c, t, tMax }))));
  const out: Row[][] = settings.map(() => []);
  const t0 = performance.now();
  const hw = cases[0]!.image.length;
  for (let s = 0; s < cases.length; s += batch) {
    const b = cases.slice(s, s + batch);
    torch.noGrad(() => torch.tidy(() => {
      const x = imagesOf(b, model);
      const z = model.encode(x);
      for (const tMax of tMaxes) {
        const xT = ddimInvert(model, x, z, { steps: inv, tMax });
        const here = settings.flatMap((st, k) => (st.tMax === tMax ? [{ st, k }] : []));
        const zs = [z, ...here.map(({ st }) => healthyEdits(z, st.c, st.t))];
        const renders = ddimRender(model, torch.cat(zs.map(() => xT), 0), torch.cat(zs, 0), { steps: ren, tMax }).toFloat32Array();
        const img = (j: number, i: number) => renders.slice((j * b.length + i) * hw, (j * b.length + i + 1) * hw);
        here.forEach(({ k }, j) => b.forEach((__, i) => out[k]!.push({ recon: img(0, i), edit: img(j + 1, i) })));
      }
    }));
    console.log(`${Math.min(s + batch, cases.length)}/${cases.length} vertebrae, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  model.dispose();
  console.log(`${cases.length} ${args.split} vertebrae (${cases.filter((c) => c.label === 1).length} malignant); steps ${inv}/${ren}`);
  const quantiles = args.quantile!.split(',').map(Number);
  console.log(['setting | edit size | lesion share | area share | right sign | pixel AUC lytic | pixel AUC blastic', ...quantiles.map((q) => `keep-all Dice lytic / blastic, quantile ${q}`)].join(' | '));
  const otsu = cases.map((c) => otsuBaseline({ rows: c.mask.rows, cols: c.mask.cols, data: c.image }, c.mask).labels);
  console.log(['intensity / otsu', '', '', '', '', f(pixelAuc(cases, (i, p) => -cases[i]!.image[p]!, LYTIC)), f(pixelAuc(cases, (i, p) => cases[i]!.image[p]!, BLASTIC)),
    f(classDice(cases, (i) => otsu[i]!, LYTIC)), f(classDice(cases, (i) => otsu[i]!, BLASTIC))].join(' | '));
  settings.forEach((st, k) => {
    report(st.name, cases, out[k]!, quantiles);
    report(`${st.name} centred`, cases, out[k]!.map((r, i) => centred(r, cases[i]!.mask)), quantiles);
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
