// Trains the diffusion autoencoder (SPEC §3): Adam, gradient-norm clipping, EMA weights, seeded data and
// noise; periodic atomic checkpoints that a killed run resumes from exactly; a JSONL log and preview PNGs.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../../tensor/index.js';
import { DiffAE } from '../../model/diffae.js';
import type { Precision } from '../../model/precision.js';
import type { DiffAEConfig } from '../../model/config.js';
import { DiffusionSchedule, type LossWeighting, diffusionLoss, lossWeights } from '../../model/diffusion.js';
import { loadDiffAE, saveDiffAE } from '../../model/checkpoint.js';
import { writeFileAtomic } from '../../data/files.js';
import { type SliceSet, centreSlice, sampleBatch } from './slice-dataset.js';
import { emaDecayAt, updateEma } from './ema.js';
import { readTrainCheckpoint, restoreGenerator, saveTrainCheckpoint } from './train-checkpoint.js';
import { reconstruct, writeImageRows } from './preview.js';

export interface TrainDaeOptions {
  config: DiffAEConfig;
  outDir: string;
  batchSize: number;
  /** Training length in images (the reference counts samples: 72 M). */
  totalSamples: number;
  lr: number;
  gradClip: number;
  emaDecay: number;
  emaWarmup: boolean;
  seed: number;
  checkpointEvery: number;
  logEvery: number;
  previewEvery: number;
  previewSteps: number;
  /** The training rows are the healthy (label 0) vertebrae only: the AD baseline's DAE. */
  healthyOnly: boolean;
  /** Per-timestep weighting of the ε-MSE (`eps`: the reference) and its SNR cap γ. */
  lossWeighting: LossWeighting;
  snrGamma: number;
  /**
   * Weight λ of the label term (0: none, the reference): λ · BCE(z₀, label), the vertebra label (weak
   * supervision only) predicted from the first coordinate of z as a logit, so that z holds the malignancy
   * evidence in one direction the healthy edit can follow (docs/model.md).
   */
  labelWeight: number;
  /** Weights (a DAE model file of the same architecture) a new run starts from instead of a random initialisation. */
  init?: string;
  /** Where the networks train (default: the CPU); checkpoints do not depend on it, so a run may resume elsewhere. */
  device?: torch.Device;
  /** Precision of the networks' forward passes (default fp32). */
  precision?: Precision;
}

/**
 * Training recipes. `reference`: the authors' (batch 32, lr 1e-4, plain ε-MSE, the architecture's dropout).
 * `cpu`: for a few CPU cores and short runs (docs/model.md): batch 8, lr 2e-4, no dropout, and the high-noise
 * steps — where the decoder must take the image from z — weighted up (trunc-snr, γ 200).
 */
export const RECIPES = {
  reference: { batchSize: 32, lr: 1e-4, lossWeighting: 'eps', snrGamma: 5, dropout: undefined },
  cpu: { batchSize: 8, lr: 2e-4, lossWeighting: 'trunc-snr', snrGamma: 200, dropout: 0 },
} as const satisfies Record<string, { batchSize: number; lr: number; lossWeighting: LossWeighting; snrGamma: number; dropout: number | undefined }>;
export type RecipeName = keyof typeof RECIPES;

export const DEFAULT_TRAIN_OPTIONS = {
  batchSize: RECIPES.reference.batchSize,
  lr: RECIPES.reference.lr,
  gradClip: 1,
  emaDecay: 0.9999,
  emaWarmup: true,
  seed: 0,
  checkpointEvery: 200,
  logEvery: 10,
  previewEvery: 1000,
  previewSteps: 20,
  healthyOnly: false,
  lossWeighting: RECIPES.reference.lossWeighting,
  snrGamma: RECIPES.reference.snrGamma,
  labelWeight: 0,
} as const;

export interface TrainProgress {
  step: number;
  totalSteps: number;
  loss: number;
  imagesPerSecond: number;
  resumedFrom: number;
}

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const MODEL_FILE = 'model.safetensors';
export const LOG_FILE = 'train-log.jsonl';

// Options that must not change across a resume (they define the run's data and arithmetic).
const FIXED: (keyof TrainDaeOptions)[] = ['batchSize', 'seed', 'lr', 'gradClip', 'emaDecay', 'emaWarmup', 'healthyOnly', 'lossWeighting', 'snrGamma', 'labelWeight'];
// What a checkpoint written before an option existed ran with.
const BEFORE: Partial<Record<keyof TrainDaeOptions, unknown>> = { healthyOnly: false, lossWeighting: 'eps', snrGamma: 5, labelWeight: 0 };

/**
 * The diffusion loss plus λ · BCE(z₀, label) on the same encoding (see TrainDaeOptions.labelWeight), and the
 * BCE alone (for the log).
 */
export function labelledLoss(
  model: DiffAE, x: torch.Tensor, labels: Float32Array, gen: torch.Generator, schedule: DiffusionSchedule, weights: Float64Array | undefined, lambda: number,
): { loss: torch.Tensor; bce: number } {
  let bceValue = NaN;
  const loss = torch.tidy(() => {
    const z = model.encode(x);
    const y = torch.tensor(labels, [labels.length], 'float32', x.device);
    const bce = torch.bceWithLogits(torch.select(z, 1, 0), y);
    bceValue = bce.item();
    return diffusionLoss(model, x, gen, schedule, weights, z).add(bce.mul(lambda));
  });
  return { loss, bce: bceValue };
}

/**
 * Runs (or resumes, when outDir holds a checkpoint and resume is set) a training run. Stops early, after
 * writing a checkpoint, when `signal` aborts. Returns the last step reached.
 */
export async function trainDae(
  train: SliceSet,
  preview: SliceSet | undefined,
  opts: TrainDaeOptions,
  hooks: { resume?: boolean; signal?: AbortSignal; onProgress?: (p: TrainProgress) => void; log?: (line: string) => void } = {},
): Promise<{ step: number; finished: boolean }> {
  if (!(opts.labelWeight >= 0 && Number.isFinite(opts.labelWeight))) throw new Error(`label weight must be a number ≥ 0, got ${opts.labelWeight}`);
  if (opts.labelWeight > 0 && opts.healthyOnly) throw new Error('a label weight needs both classes; it cannot be combined with healthy-only training');
  mkdirSync(opts.outDir, { recursive: true });
  const ckptPath = join(opts.outDir, CHECKPOINT_FILE);
  const logPath = join(opts.outDir, LOG_FILE);
  const totalSteps = Math.ceil(opts.totalSamples / opts.batchSize);
  const gen = new torch.Generator(opts.seed);
  const model = DiffAE.fromConfig(opts.config, { seed: opts.seed }).train();
  const ema = DiffAE.fromConfig(opts.config, { seed: opts.seed }).eval();
  // A resumed run takes its weights from the checkpoint below, whatever init says.
  if (opts.init !== undefined && !existsSync(ckptPath)) {
    const start = loadDiffAE(opts.init);
    try {
      model.loadStateDict(start.stateDict());
    } catch (e) {
      throw new Error(`${opts.init}: these weights do not fit the run's architecture (give the same --config or --preset): ${(e as Error).message}`);
    } finally {
      start.dispose();
    }
    hooks.log?.(`starting from the weights of ${opts.init}`);
  }
  ema.loadStateDict(model.stateDict());
  const device = opts.device ?? 'cpu';
  for (const m of [model, ema]) {
    m.to(device);
    m.precision = opts.precision ?? 'fp32';
  }
  const params = model.parameters();
  let optimizer = torch.Adam(params, { lr: opts.lr });
  let step = 0;

  if (!existsSync(ckptPath)) {
    // A new run writes these itself and then replaces them at every checkpoint: none may be there already.
    const taken = [MODEL_FILE, LOG_FILE].filter((f) => existsSync(join(opts.outDir, f)));
    if (taken.length) throw new Error(`${opts.outDir}: already holds ${taken.join(' and ')} but no ${CHECKPOINT_FILE}; a new run needs a folder without them (remove them if a run stopped before its first checkpoint)`);
  } else {
    if (!hooks.resume) throw new Error(`${opts.outDir} already holds a training run (${CHECKPOINT_FILE}); pass --resume to continue it`);
    const c = readTrainCheckpoint(ckptPath);
    for (const k of FIXED) {
      const was = c.options[k] ?? BEFORE[k];
      if (JSON.stringify(was) !== JSON.stringify(opts[k])) {
        throw new Error(`${ckptPath}: the run used ${k}=${JSON.stringify(was)}, not ${JSON.stringify(opts[k])}`);
      }
    }
    if (JSON.stringify(c.config) !== JSON.stringify(model.config)) throw new Error(`${ckptPath}: the run used another model config`);
    model.loadStateDict(c.model);
    ema.loadStateDict(c.ema);
    optimizer = torch.Adam(params, { lr: opts.lr });
    optimizer.loadState(c.optimizer);
    restoreGenerator(gen, c.generator);
    step = c.step;
    // Log lines written after the checkpoint belong to steps that will run again.
    if (existsSync(logPath)) {
      const kept = readFileSync(logPath, 'utf8').split('\n').filter((l) => l.trim() && (JSON.parse(l) as { step: number }).step <= step);
      writeFileAtomic(logPath, kept.map((l) => `${l}\n`).join(''), { replace: true });
    }
    hooks.log?.(`resuming at step ${step} of ${totalSteps}`);
  }
  const resumedFrom = step;
  const schedule = DiffusionSchedule.linear();
  const weights = opts.lossWeighting === 'eps' ? undefined : lossWeights(opts.lossWeighting, opts.snrGamma, schedule);

  // The EMA weights are also written as a model file at every checkpoint, so a long run is usable before it ends.
  const checkpoint = () => {
    saveTrainCheckpoint(ckptPath, { step, samples: step * opts.batchSize, config: model.config, options: { ...opts } }, { model, ema, optimizer, generator: gen });
    saveDiffAE(ema, join(opts.outDir, MODEL_FILE), {
      trained_steps: String(step), finished: String(step >= totalSteps), seed: String(opts.seed), healthy_only: String(opts.healthyOnly),
      loss_weighting: opts.lossWeighting === 'eps' ? 'eps' : `${opts.lossWeighting} gamma ${opts.snrGamma}`, label_weight: String(opts.labelWeight),
      ...(opts.init !== undefined ? { init: opts.init } : {}),
    }, { replace: true });
  };
  const writePreview = () => {
    if (!preview) return;
    const n = Math.min(8, preview.count);
    torch.tidy(() => {
      const x = torch.cat(Array.from({ length: n }, (_, i) => centreSlice(preview, i)), 0).toDevice(device);
      const { recon } = reconstruct(ema, x, opts.previewSteps, opts.previewSteps);
      writeImageRows(join(opts.outDir, `preview-${String(step).padStart(7, '0')}.png`), [x, recon], { replace: true });
    });
  };

  let windowStart = performance.now();
  let windowSteps = 0;
  let lossSum = 0;
  let bceSum = 0;
  while (step < totalSteps && !hooks.signal?.aborted) {
    // Dropout draws from libtorch's global generator: seeding it per step makes a resumed run identical.
    torch.manualSeed(opts.seed * 1_000_003 + step);
    const loss = torch.tidy(() => {
      // Drawn and augmented on the host, then moved in one transfer.
      const labels = new Float32Array(opts.batchSize);
      const x = sampleBatch(train, opts.batchSize, gen, undefined, labels).toDevice(device);
      optimizer.zeroGrad();
      let l: torch.Tensor;
      if (opts.labelWeight > 0) {
        const r = labelledLoss(model, x, labels, gen, schedule, weights, opts.labelWeight);
        l = r.loss;
        bceSum += r.bce;
      } else l = diffusionLoss(model, x, gen, schedule, weights);
      l.backward();
      torch.clipGradNorm_(params, opts.gradClip);
      optimizer.step();
      return l.item();
    });
    if (!Number.isFinite(loss)) throw new Error(`loss became ${loss} at step ${step + 1}; lower the learning rate`);
    updateEma(ema, model, emaDecayAt(opts.emaDecay, step, opts.emaWarmup));
    step++;
    windowSteps++;
    lossSum += loss;
    const elapsed = (performance.now() - windowStart) / 1000;
    const imagesPerSecond = (windowSteps * opts.batchSize) / elapsed;
    hooks.onProgress?.({ step, totalSteps, loss, imagesPerSecond, resumedFrom });
    if (step % opts.logEvery === 0 || step === totalSteps) {
      const entry = {
        step, samples: step * opts.batchSize, loss: lossSum / windowSteps, imagesPerSecond, time: new Date().toISOString(),
        ...(opts.labelWeight > 0 ? { labelBce: bceSum / windowSteps } : {}),
      };
      appendFileSync(logPath, `${JSON.stringify(entry)}\n`);
      windowStart = performance.now();
      windowSteps = 0;
      lossSum = 0;
      bceSum = 0;
    }
    if (step % opts.checkpointEvery === 0 || step === totalSteps) checkpoint();
    if (opts.previewEvery > 0 && (step % opts.previewEvery === 0 || step === totalSteps)) writePreview();
    // Lets signal handlers (Ctrl-C) and finalizers run between steps.
    await new Promise((r) => setImmediate(r));
  }
  const finished = step >= totalSteps;
  if (!finished) checkpoint();
  model.dispose();
  ema.dispose();
  return { step, finished };
}
