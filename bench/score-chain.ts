// npm run bench:score-chain -- --model DIR [--classifier F] [--count 32] [--split val] [--t-max 400] [--centre] [--target-p 1e-5] [--harmonise 25,10]
// Whether Hide-and-Seek's candidate scores carry lesion information (issue 13). For each vertebra: recon and the
// healthy edit as `segment` makes them, the candidates, and then, for every candidate, four scores: the SPEC's
// "reveal k" composite (everything healed but k) and the "hide k" composite (only k healed), each read by the
// classifier with and without the harmonisation. A candidate is "true" when most of its pixels are a true lesion
// of its class. Printed: the classifier's reading of the reference images (recon, the all-healed composite) —
// if the all-healed composite does not read healthy, no reveal score can separate candidates — and the ROC-AUC
// of each score for true against false candidates, pooled and averaged within vertebrae.
import { parseArgs } from 'node:util';
import { readManifest } from '../src/data/manifest.js';
import { readNifti } from '../src/data/nifti.js';
import * as torch from '../src/tensor/index.js';
import type { Tensor } from '../src/tensor/index.js';
import { loadDiffAE } from '../src/model/checkpoint.js';
import { ddimInvert, ddimRender } from '../src/model/diffusion.js';
import { loadVertebra } from '../src/method/attribution/inputs.js';
import { findCandidates, lesionLabel } from '../src/method/attribution/candidates.js';
import { composite } from '../src/method/attribution/composite.js';
import { LatentClassifier } from '../src/method/classifier/latent-classifier.js';
import { rocAuc } from '../src/method/classifier/metrics.js';
import { evaluatedSlice } from '../src/method/evaluation/label-slice.js';
import { healthyEdits, imagesOf } from '../src/method/diagnostics/check-model.js';
import type { Mask2D } from '../src/method/regions/mask.js';
import { resolveModelFiles } from '../src/cli/commands/segment.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'models' },
    classifier: { type: 'string' },
    manifest: { type: 'string', default: 'data/bench/manifest.csv' },
    split: { type: 'string', default: 'val' },
    count: { type: 'string', default: '32' },
    'target-p': { type: 'string', default: '1e-5' },
    steps: { type: 'string', default: '200,40' },
    harmonise: { type: 'string', default: '25,10' },
    't-max': { type: 'string', default: '400' },
    centre: { type: 'boolean', default: false },
    batch: { type: 'string', default: '16' },
  },
});

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

interface Scored { truth: number; vertebra: number; scores: Record<string, number> }

interface Reference { label: number; zLogit: number; recon: number; reconH: number; healed: number; healedH: number }

function report(refs: Reference[], scored: Scored[], targetP: number): void {
  for (const label of [1, 0]) {
    const r = refs.filter((x) => x.label === label);
    console.log(`label ${label} (${r.length}): mean logit z ${f(mean(r.map((x) => x.zLogit)))} | recon ${f(mean(r.map((x) => x.recon)))} harmonised ${f(mean(r.map((x) => x.reconH)))} | all healed ${f(mean(r.map((x) => x.healed)))} harmonised ${f(mean(r.map((x) => x.healedH)))} | target ${f(Math.log(targetP / (1 - targetP)))}`);
  }
  console.log(`${scored.length} candidates on malignant vertebrae, ${scored.filter((x) => x.truth).length} true`);
  for (const name of Object.keys(scored[0]?.scores ?? {})) {
    const within = [...new Set(scored.map((x) => x.vertebra))].map((v) => {
      const c = scored.filter((x) => x.vertebra === v);
      return c.some((x) => x.truth) && c.some((x) => !x.truth) ? rocAuc(c.map((x) => x.truth), c.map((x) => x.scores[name]!)) : NaN;
    }).filter(Number.isFinite);
    console.log(`${name}: pooled AUC ${f(rocAuc(scored.map((x) => x.truth), scored.map((x) => x.scores[name]!)))} | within-vertebra AUC ${f(mean(within))} (${within.length} vertebrae)`);
  }
}

/** Per vertebra: [recon, all healed, reveal k…, hide k…], and where each vertebra's images start. */
function compositesOf(cases: readonly { mask: Mask2D }[], recons: Float32Array[], edits: Float32Array[], hw: number) {
  const images: Float32Array[] = [];
  const layout = cases.map((c, i) => {
    const found = findCandidates(recons[i]!, edits[i]!, c.mask, 5, 0.5, args.centre);
    const edit = edits[i]!.map((v) => v - found.offset);
    const start = images.length;
    images.push(recons[i]!, composite(recons[i]!, edit, found.all, new Int32Array(0)));
    for (const k of found.candidates) images.push(composite(recons[i]!, edit, found.all, k.pixelIndices));
    for (const k of found.candidates) {
      const only = new Uint8Array(hw);
      for (const p of k.pixelIndices) only[p] = 1;
      images.push(composite(recons[i]!, edit, only, new Int32Array(0)));
    }
    return { start, found };
  });
  return { images, layout };
}

async function main(): Promise<void> {
  const files = resolveModelFiles(args.model!, undefined);
  const classifier = LatentClassifier.load(args.classifier ?? files.classifier);
  const targetP = Number(args['target-p']);
  const [inv, ren] = args.steps!.split(',').map(Number) as [number, number];
  const [hInv, hRen] = args.harmonise!.split(',').map(Number) as [number, number];
  const tMax = Number(args['t-max']);
  const batch = Number(args.batch);
  const rows = (await readManifest(args.manifest!, { checkFiles: true })).filter((r) => r.split === args.split).slice(0, Number(args.count));
  const model = loadDiffAE(files.model);
  const logits = (x: Tensor): number[] => {
    const z = model.encode(x).toFloat32Array();
    const d = z.length / x.size(0);
    return Array.from({ length: x.size(0) }, (_, i) => classifier.logit(z.subarray(i * d, (i + 1) * d)));
  };
  const harmonised = (x: Tensor): Tensor => {
    const z = model.encode(x);
    return ddimRender(model, ddimInvert(model, x, z, { steps: hInv }), z, { steps: hRen });
  };
  /** Logits of the images as they are and harmonised, in chunks of `batch`. */
  const read = (images: Float32Array[], hw: number[]): { plain: number[]; harm: number[] } => {
    const plain: number[] = [];
    const harm: number[] = [];
    for (let s = 0; s < images.length; s += batch) {
      torch.tidy(() => {
        const part = images.slice(s, s + batch);
        const flat = new Float32Array(part.length * part[0]!.length);
        part.forEach((im, i) => flat.set(im, i * im.length));
        const x = torch.tensor(flat, [part.length, 1, hw[0]!, hw[1]!]);
        plain.push(...logits(x));
        harm.push(...logits(harmonised(x)));
      });
    }
    return { plain, harm };
  };
  const refs: Reference[] = [];
  const scored: Scored[] = [];
  const t0 = performance.now();
  for (let s = 0; s < rows.length; s += batch) {
    const part = rows.slice(s, s + batch);
    const cases = part.map((r) => {
      const v = loadVertebra(r.image, r.segMsk, model.config.image_size, r.label);
      return { image: v.slice.image, mask: v.slice.mask, label: r.label, lesions: evaluatedSlice(readNifti(r.lesionMsk!), r.lesionMsk!) };
    });
    const { rows: H, cols: W } = cases[0]!.mask;
    const hw = H * W;
    const { recons, edits, zLogits } = torch.noGrad(() => torch.tidy(() => {
      const x = imagesOf(cases, model);
      const z = model.encode(x);
      const xT = ddimInvert(model, x, z, { steps: inv, ...(tMax < 1000 ? { tMax } : {}) });
      const out = ddimRender(model, torch.cat([xT, xT], 0), torch.cat([z, healthyEdits(z, classifier, targetP)], 0), { steps: ren, ...(tMax < 1000 ? { tMax } : {}) }).toFloat32Array();
      const img = (j: number) => out.slice(j * hw, (j + 1) * hw);
      return { recons: cases.map((_, i) => img(i)), edits: cases.map((_, i) => img(cases.length + i)), zLogits: logits(x) };
    }));
    const { images, layout } = compositesOf(cases, recons, edits, hw);
    const { plain, harm } = torch.noGrad(() => read(images, [H, W]));
    cases.forEach((c, i) => {
      const { start, found } = layout[i]!;
      const n = found.candidates.length;
      refs.push({ label: c.label, zLogit: zLogits[i]!, recon: plain[start]!, reconH: harm[start]!, healed: plain[start + 1]!, healedH: harm[start + 1]! });
      if (c.label !== 1) return;
      found.candidates.forEach((k, j) => {
        const cls = lesionLabel(k.type);
        let inside = 0;
        for (const p of k.pixelIndices) if (c.lesions.data[p] === cls) inside++;
        const r = start + 2 + j;
        const h = start + 2 + n + j;
        scored.push({ truth: inside * 2 > k.pixels ? 1 : 0, vertebra: s + i, scores: {
          'reveal, harmonised': harm[r]!, 'reveal, plain': plain[r]!, 'hide (drop), harmonised': harm[start]! - harm[h]!, 'hide (drop), plain': plain[start]! - plain[h]!,
          'mean difference': k.meanDifference, 'size': k.pixels,
        } });
      });
    });
    console.log(`${Math.min(s + batch, rows.length)}/${rows.length} vertebrae, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  model.dispose();
  report(refs, scored, targetP);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
