// npm run bench:slices [-- --model DIR --count N --seed S --slices all|N --schedule fast|preview|reference]
// What `segment --slices` costs and how its slices agree: held-out phantom vertebrae (their lesion masks are 3-D)
// segmented once on the centre slice and once on several slices, in one process on the same model. Prints
// seconds per vertebra and per slice, the cost ratio, the slices per vertebra; agreement: Dice of each pair of
// adjacent segmented slices (the 3-D mask's consistency, per class over the pairs where either slice has it),
// Dice against the true lesions on the centre slice (2-D) and over all segmented slices (3-D), and whether the
// centre slice of the several-slice run equals the centre-only run (batching must not change it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writePhantomDataset } from '../src/data/phantom/dataset.js';
import { readNifti, type Volume } from '../src/data/nifti.js';
import { extractSlice } from '../src/data/slice.js';
import { loadDiffAE } from '../src/model/checkpoint.js';
import { diffaeEngine } from '../src/method/attribution/engine.js';
import { loadVertebrae, type SliceChoice, type VertebraInput } from '../src/method/attribution/inputs.js';
import { type Schedule } from '../src/method/attribution/options.js';
import { runSegmentation } from '../src/method/attribution/segment.js';
import { LatentClassifier } from '../src/method/classifier/latent-classifier.js';
import { classOverlap, dice, type Overlap } from '../src/method/evaluation/dice.js';
import { predictionPath } from '../src/method/evaluation/prediction-path.js';
import { BLASTIC, LYTIC, type Mask2D } from '../src/method/regions/mask.js';
import { resolveModelFiles } from '../src/cli/commands/segment.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: resolve('models') },
    count: { type: 'string', default: '6' },
    seed: { type: 'string', default: '9191' },
    slices: { type: 'string', default: 'all' },
    schedule: { type: 'string', default: 'fast' },
  },
});
const slices: SliceChoice = args.slices === 'all' ? 'all' : Number(args.slices);
const files = resolveModelFiles(args.model!);
const model = loadDiffAE(files.model);
const classifier = LatentClassifier.load(files.classifier);
const tmp = mkdtempSync(join(tmpdir(), 'hsa-bench-slices-'));

const CLASSES = { lytic: LYTIC, blastic: BLASTIC } as const;
const sum = (os: Overlap[]): Overlap => os.reduce((a, o) => ({ pred: a.pred + o.pred, truth: a.truth + o.truth, both: a.both + o.both }), { pred: 0, truth: 0, both: 0 });
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const plane = (v: Volume, k: number): Mask2D => {
  const s = extractSlice(v, k);
  return { rows: s.rows, cols: s.cols, data: Uint8Array.from(s.data) };
};

async function run(inputs: VertebraInput[], name: string): Promise<{ seconds: number; preds: Volume[] }> {
  const outDir = join(tmp, name);
  const started = process.hrtime.bigint();
  await runSegmentation({ inputs, engine: diffaeEngine(model), classifier, options: { schedule: args.schedule as Schedule }, outDir });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, preds: inputs.map((v) => readNifti(predictionPath(outDir, v.image))) };
}

try {
  const rows = await writePhantomDataset(join(tmp, 'data'), { count: Number(args.count), seed: Number(args.seed), difficulty: 'default' });
  const items = rows.map((r) => ({ image: r.image, mask: r.segMsk, label: r.label }));
  const size = model.config.image_size;
  const centreInputs = loadVertebrae(items, size);
  const manyInputs = loadVertebrae(items, size, slices);
  const centre = await run(centreInputs, 'centre');
  const many = await run(manyInputs, 'many');
  const nSlices = manyInputs.reduce((a, v) => a + v.planes.length, 0);
  console.log(`vertebrae=${rows.length} schedule=${args.schedule} slices=${String(slices)} slices_per_vertebra=${(nSlices / rows.length).toFixed(1)}`);
  console.log(`centre: ${(centre.seconds / rows.length).toFixed(1)} s/vertebra | ${String(slices)}: ${(many.seconds / rows.length).toFixed(1)} s/vertebra, ${(many.seconds / nSlices).toFixed(2)} s/slice | cost ratio ${(many.seconds / centre.seconds).toFixed(1)}×`);

  const truths = rows.map((r) => readNifti(r.lesionMsk!));
  const sameCentre = manyInputs.every((v, i) => {
    const reference = plane(centre.preds[i]!, v.sliceIndex).data;
    return plane(many.preds[i]!, v.sliceIndex).data.every((x, p) => x === reference[p]);
  });
  for (const [name, cls] of Object.entries(CLASSES)) {
    const adjacent: number[] = [];
    const o2: Overlap[] = [];
    const o3: Overlap[] = [];
    manyInputs.forEach((v, i) => {
      const ks = v.planes.map((p) => p.sliceIndex);
      ks.slice(1).forEach((k, j) => {
        const d = dice(classOverlap(plane(many.preds[i]!, ks[j]!), plane(many.preds[i]!, k), cls));
        if (d !== null) adjacent.push(d);
      });
      o2.push(classOverlap(plane(centre.preds[i]!, v.sliceIndex), plane(truths[i]!, v.sliceIndex), cls));
      for (const k of ks) o3.push(classOverlap(plane(many.preds[i]!, k), plane(truths[i]!, k), cls));
    });
    const f = (x: number | null) => (x === null || Number.isNaN(x) ? '-' : x.toFixed(3));
    console.log(`${name}: adjacent_slice_dice=${f(mean(adjacent))} (${adjacent.length} pairs) | pooled dice vs truth: centre 2-D ${f(dice(sum(o2)))}, ${String(slices)} slices 3-D ${f(dice(sum(o3)))}`);
  }
  console.log(`centre slice identical in both runs: ${sameCentre}`);
} finally {
  model.dispose();
  rmSync(tmp, { recursive: true, force: true });
}
