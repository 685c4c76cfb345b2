// npm run bench:edit-figure -- --model M --classifier F --out edit.png [--t-max 1000,400] [--target-p 1e-5,1e-2] [--count 8]
// What the healthy edit does, to look at (issue 13; bench:edit-sweep gives the numbers): one row per malignant
// vertebra of the split — the image, its lesions (lytic red, blastic blue), then per t-max × target p the edit
// and edit − recon inside the body (red: the edit is brighter, as where a lytic lesion is filled in; blue:
// darker, as where a blastic one is removed; full scale ±0.3).
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { readManifest } from '../src/data/manifest.js';
import { readNifti } from '../src/data/nifti.js';
import * as torch from '../src/tensor/index.js';
import { loadDiffAE } from '../src/model/checkpoint.js';
import { ddimInvert, ddimRender } from '../src/model/diffusion.js';
import { loadVertebra } from '../src/method/attribution/inputs.js';
import { LatentClassifier } from '../src/method/classifier/latent-classifier.js';
import { evaluatedSlice } from '../src/method/evaluation/label-slice.js';
import { healthyEdits, imagesOf } from '../src/method/diagnostics/check-model.js';
import { BLASTIC_COLOUR, LYTIC_COLOUR } from '../src/method/figures/attribution-figure.js';
import { Canvas, type RGB } from '../src/method/figures/canvas.js';
import { BLASTIC, LYTIC } from '../src/method/regions/mask.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    classifier: { type: 'string' },
    out: { type: 'string' },
    manifest: { type: 'string', default: 'data/bench/manifest.csv' },
    split: { type: 'string', default: 'val' },
    count: { type: 'string', default: '8' },
    't-max': { type: 'string', default: '1000,400' },
    'target-p': { type: 'string', default: '1e-5,1e-2' },
    steps: { type: 'string', default: '200,40' },
  },
});

const SCALE = 2;
const grey = (v: number): RGB => {
  const g = Math.max(0, Math.min(255, Math.round(v * 220)));
  return [g, g, g];
};
const signed = (v: number): RGB => {
  const a = Math.max(-1, Math.min(1, v / 0.3));
  return a > 0 ? [Math.round(255 * a), 0, 0] : [0, 0, Math.round(-255 * a)];
};

async function main(): Promise<void> {
  if (!args.model || !args.classifier || !args.out) throw new Error('--model, --classifier and --out are required');
  const tMaxes = args['t-max']!.split(',').map(Number);
  const targets = args['target-p']!.split(',').map(Number);
  const [inv, ren] = args.steps!.split(',').map(Number) as [number, number];
  const rows = (await readManifest(args.manifest!, { checkFiles: true })).filter((r) => r.split === args.split && r.label === 1).slice(0, Number(args.count));
  const model = loadDiffAE(args.model);
  const cls = LatentClassifier.load(args.classifier);
  const cases = rows.map((r) => {
    const v = loadVertebra(r.image, r.segMsk, model.config.image_size, r.label);
    return { image: v.slice.image, mask: v.slice.mask, lesions: evaluatedSlice(readNifti(r.lesionMsk!), r.lesionMsk!) };
  });
  const side = model.config.image_size;
  const hw = side * side;
  const cell = side * SCALE + 4;
  const cv = new Canvas((2 + 2 * tMaxes.length * targets.length) * cell, cases.length * cell, [0, 0, 0]);
  cases.forEach((c, i) => {
    cv.image(0, i * cell, side, side, SCALE, (k) => grey(c.image[k]!));
    const lesion = (k: number): RGB => (c.lesions.data[k] === LYTIC ? LYTIC_COLOUR : c.lesions.data[k] === BLASTIC ? BLASTIC_COLOUR : c.mask.data[k] ? [60, 60, 60] : [0, 0, 0]);
    cv.image(cell, i * cell, side, side, SCALE, lesion);
  });
  torch.noGrad(() => torch.tidy(() => {
    const x = imagesOf(cases, model);
    const z = model.encode(x);
    let col = 2;
    for (const tMax of tMaxes) {
      const xT = ddimInvert(model, x, z, { steps: inv, tMax });
      for (const p of targets) {
        const zh = healthyEdits(z, cls, p);
        const r = ddimRender(model, torch.cat([xT, xT], 0), torch.cat([z, zh], 0), { steps: ren, tMax }).toFloat32Array();
        cases.forEach((c, i) => {
          const recon = r.subarray(i * hw, (i + 1) * hw);
          const edit = r.subarray((cases.length + i) * hw, (cases.length + i + 1) * hw);
          cv.image(col * cell, i * cell, side, side, SCALE, (k) => grey(edit[k]!));
          cv.image((col + 1) * cell, i * cell, side, side, SCALE, (k) => (c.mask.data[k] ? signed(edit[k]! - recon[k]!) : [0, 0, 0]));
        });
        console.log(`columns ${col + 1}–${col + 2}: t-max ${tMax}, target p ${p}`);
        col += 2;
      }
    }
  }));
  model.dispose();
  writeFileSync(args.out, cv.toPng());
  console.log(`wrote ${args.out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
