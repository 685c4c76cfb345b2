// npm run bench:segment [-- --model DIR --count N --seed S --variant I,R,HI,HR ... --batch-size N --vertebrae-batch N --reference-cache FILE] [BENCH_DEVICE=cuda] [BENCH_PRECISION=bf16]
// Hide-and-Seek on held-out synthetic vertebrae (a phantom set generated with a seed the bundled model never
// saw) with the reference schedule (one image per model call, 250/100 steps) and with the fast schedule (or
// each --variant of its step counts: inversion, render, harmonise-inversion, harmonise-render), in one
// process on the same model. Prints vertebrae/s, speedup=fast/reference (wall time; cpu_speedup= from process
// CPU time, which other jobs on the machine disturb less), UNet evaluations, and agreement:
// per-vertebra Dice of the fast mask against the reference mask (min_dice=), and the change of the
// benchmark's Dice / lesion F1 against the ground truth (bench_dice_delta=, bench_f1_delta=).
// --reference-cache keeps the reference run's masks and time (keyed by model, data and settings), so that
// further variants can be measured without repeating it; the printed speedup then uses the cached time.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as torch from '../src/tensor/index.js';
import { writePhantomDataset } from '../src/data/phantom/dataset.js';
import { readNifti } from '../src/data/nifti.js';
import { writeFileAtomic } from '../src/data/files.js';
import { loadDiffAE } from '../src/model/checkpoint.js';
import { ddimTimesteps } from '../src/model/diffusion.js';
import { attribute, attributeGroups } from '../src/method/attribution/attribute.js';
import { diffaeEngine, type LatentDiffusion } from '../src/method/attribution/engine.js';
import { loadVertebrae } from '../src/method/attribution/inputs.js';
import { type AttributionOptions, resolveOptions } from '../src/method/attribution/options.js';
import { LatentClassifier } from '../src/method/classifier/latent-classifier.js';
import { classOverlap, dice, type Overlap } from '../src/method/evaluation/dice.js';
import { evaluate, type EvalCase } from '../src/method/evaluation/evaluate.js';
import { BLASTIC, LYTIC, type Mask2D } from '../src/method/regions/mask.js';
import { evaluatedSlice } from '../src/method/evaluation/label-slice.js';
import { resolveModelFiles } from '../src/cli/commands/segment.js';
import { resolveDevice } from '../src/cli/device.js';
import { benchPrecision } from './precision.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: resolve('models') },
    count: { type: 'string', default: '20' },
    seed: { type: 'string', default: '9090' },
    variant: { type: 'string', multiple: true },
    'reference-cache': { type: 'string' },
    /** Most images per model call in the fast runs (default: the fast schedule's). */
    'batch-size': { type: 'string' },
    /** Vertebrae processed together in the fast runs (default: the fast schedule's). */
    'vertebrae-batch': { type: 'string' },
  },
});

interface Counts {
  calls: number;
  evaluations: number;
}

/** The engine, counting UNet calls (one per DDIM step) and image-evaluations (batch × steps). */
function counting(engine: LatentDiffusion, counts: Counts): LatentDiffusion {
  const add = (x: torch.Tensor, steps: number) => {
    counts.calls += steps;
    counts.evaluations += steps * x.size(0);
  };
  return {
    device: engine.device,
    encode: (x) => engine.encode(x),
    invert: (x, z, steps) => (add(x, steps), engine.invert(x, z, steps)),
    render: (xT, z, steps) => (add(xT, steps), engine.render(xT, z, steps)),
  };
}

interface Run {
  seconds: number;
  /** Process CPU seconds (user + system): less sensitive than wall time to other jobs on the machine. */
  cpuSeconds: number;
  counts: Counts;
  labels: Uint8Array[];
}

/** Per-vertebra Dice of two 0/1/2 maps: pixels with the same lesion class count as agreeing; both empty → 1. */
function labelDice(a: Mask2D, b: Mask2D): number {
  const [l, c] = [LYTIC, BLASTIC].map((cls) => classOverlap(a, b, cls)) as [Overlap, Overlap];
  return dice({ pred: l.pred + c.pred, truth: l.truth + c.truth, both: l.both + c.both }) ?? 1;
}

const files = resolveModelFiles(args.model!);
// BENCH_DEVICE=cuda (or cuda:N) runs the model on a GPU; BENCH_PRECISION=bf16 under autocast.
const model = loadDiffAE(files.model, { device: resolveDevice(process.env.BENCH_DEVICE ?? 'cpu'), precision: benchPrecision() });
const classifier = LatentClassifier.load(files.classifier);
const count = Number(args.count);
const seed = Number(args.seed);
const dataDir = mkdtempSync(join(tmpdir(), 'hsa-bench-'));
try {
  const rows = await writePhantomDataset(join(dataDir, 'set'), { count, seed, difficulty: 'default' });
  const inputs = loadVertebrae(rows.map((r) => ({ image: r.image, mask: r.segMsk, label: r.label })), model.config.image_size);
  const truth = rows.map((r) => evaluatedSlice(readNifti(r.lesionMsk!), r.lesionMsk!));
  const slices = inputs.map((v) => v.slice);
  const { rows: h, cols: w } = slices[0]!.mask;
  console.log(`bench:segment: ${inputs.length} held-out phantom vertebrae (seed ${seed}), model ${files.model}, libtorch ${torch.getNumThreads()} threads, device ${model.device}, ${model.precision}`);

  const run = (name: string, options: Partial<AttributionOptions>): Run => {
    const counts: Counts = { calls: 0, evaluations: 0 };
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const labels: Uint8Array[] = [];
    for (const group of attributeGroups(counting(diffaeEngine(model), counts), classifier, slices, options)) {
      labels.push(...group.map((r) => r.labels));
      const s = (performance.now() - started) / 1000;
      process.stderr.write(`  ${name}: ${labels.length}/${slices.length} vertebrae, ${s.toFixed(0)} s, ETA ${((s / labels.length) * (slices.length - labels.length)).toFixed(0)} s\n`);
    }
    const cpu = process.cpuUsage(cpu0);
    return { seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, counts, labels };
  };
  const scores = (labels: Uint8Array[]) => {
    const cases: EvalCase[] = labels.map((data, i) => ({ id: inputs[i]!.caseId, pred: { rows: h, cols: w, data }, truth: truth[i]!, label: inputs[i]!.label! }));
    const r = evaluate(cases);
    return { dice: [r.lytic.diceMean ?? 0, r.blastic.diceMean ?? 0], f1: [r.lytic.lesions.f1 ?? 0, r.blastic.lesions.f1 ?? 0] };
  };
  const describe = (name: string, r: Run) => {
    const s = scores(r.labels);
    const f = (v: number) => v.toFixed(3);
    console.log(
      `${name}: ${r.seconds.toFixed(1)} s (${r.cpuSeconds.toFixed(1)} CPU s), ${(inputs.length / r.seconds).toFixed(4)} vertebrae/s, ${r.counts.evaluations} UNet image-evaluations in ${r.counts.calls} calls; ` +
        `Dice lytic ${f(s.dice[0]!)} blastic ${f(s.dice[1]!)}, lesion F1 lytic ${f(s.f1[0]!)} blastic ${f(s.f1[1]!)}`,
    );
    return s;
  };

  const variants: Partial<AttributionOptions>[] = (args.variant ?? ['default']).map((v) => {
    if (v === 'default') return {};
    const steps = v.split(',').map(Number);
    if (steps.length !== 4 || !steps.every((s) => Number.isInteger(s) && s > 0)) throw new Error(`--variant ${v}: expected four step counts I,R,HI,HR`);
    // Checked before the hour-long reference run, not after it.
    for (const n of steps) ddimTimesteps(n);
    const [inversionSteps, renderSteps, harmoniseInversionSteps, harmoniseRenderSteps] = steps as [number, number, number, number];
    return { inversionSteps, renderSteps, harmoniseInversionSteps, harmoniseRenderSteps };
  });
  // Warm-up: the first model calls allocate and tune.
  attribute(diffaeEngine(model), classifier, slices.slice(0, 1), { inversionSteps: 2, renderSteps: 2, harmoniseInversionSteps: 2, harmoniseRenderSteps: 2 });

  const reference = resolveOptions({ schedule: 'reference' });
  const cacheKey = createHash('sha256').update(readFileSync(files.model)).update(readFileSync(files.classifier)).update(JSON.stringify({ count, seed, reference })).digest('hex');
  const cachePath = args['reference-cache'];
  let ref: Run;
  const cached = cachePath && existsSync(cachePath) ? (JSON.parse(readFileSync(cachePath, 'utf8')) as { key: string; seconds: number; cpuSeconds: number; counts: Counts; labels: number[][] }) : undefined;
  if (cached?.key === cacheKey) {
    ref = { seconds: cached.seconds, cpuSeconds: cached.cpuSeconds, counts: cached.counts, labels: cached.labels.map((l) => Uint8Array.from(l)) };
    console.log(`reference run read from ${cachePath}`);
  } else {
    ref = run('reference', reference);
    if (cachePath) writeFileAtomic(cachePath, JSON.stringify({ key: cacheKey, seconds: ref.seconds, cpuSeconds: ref.cpuSeconds, counts: ref.counts, labels: ref.labels.map((l) => Array.from(l)) }));
  }
  const refScores = describe('reference (250/100 steps, 1 image per call)', ref);

  for (const variant of variants) {
    const o = resolveOptions({ schedule: 'fast', ...variant, ...(args['batch-size'] ? { maxBatch: Number(args['batch-size']) } : {}), ...(args['vertebrae-batch'] ? { vertebraeBatch: Number(args['vertebrae-batch']) } : {}) });
    const fast = run('fast', o);
    const s = describe(`fast (${o.inversionSteps}/${o.renderSteps} steps, harmonise ${o.harmoniseInversionSteps}/${o.harmoniseRenderSteps}, batch ≤${o.maxBatch}, ${o.vertebraeBatch} vertebrae)`, fast);
    const dices = fast.labels.map((l, i) => labelDice({ rows: h, cols: w, data: l }, { rows: h, cols: w, data: ref.labels[i]! }));
    const delta = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
    console.log(
      `speedup=${(ref.seconds / fast.seconds).toFixed(2)} cpu_speedup=${(ref.cpuSeconds / fast.cpuSeconds).toFixed(2)} evaluations_ratio=${(ref.counts.evaluations / fast.counts.evaluations).toFixed(2)} ` +
        `min_dice=${Math.min(...dices).toFixed(4)} mean_dice=${(dices.reduce((a, b) => a + b, 0) / dices.length).toFixed(4)} ` +
        `bench_dice_delta=${delta(s.dice, refScores.dice).toFixed(4)} bench_f1_delta=${delta(s.f1, refScores.f1).toFixed(4)}`,
    );
    console.log(`per_vertebra_dice=${dices.map((d) => d.toFixed(2)).join(',')}`);
  }
} finally {
  model.dispose();
  rmSync(dataDir, { recursive: true, force: true });
}
