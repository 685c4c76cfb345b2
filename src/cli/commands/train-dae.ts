import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { readManifest, type ManifestRow } from '../../data/manifest.js';
import { PRESETS, type PresetName, validateConfig } from '../../model/config.js';
import { readConfigFile } from '../../model/checkpoint.js';
import { loadSliceSet } from '../../method/training/slice-dataset.js';
import { LOSS_WEIGHTINGS, type LossWeighting } from '../../model/diffusion.js';
import { DEFAULT_TRAIN_OPTIONS, MODEL_FILE, RECIPES, type RecipeName, trainDae } from '../../method/training/train-dae.js';
import { int, num, progressBar } from '../options.js';
import { addDeviceOptions, placement } from '../device.js';

/** Rows of a split when the manifest has splits, else all rows. */
export function rowsOfSplit(rows: readonly ManifestRow[], split: 'train' | 'val'): ManifestRow[] {
  return rows.some((r) => r.split) ? rows.filter((r) => r.split === split) : split === 'train' ? [...rows] : [];
}

export function register(program: Command): void {
  const d = DEFAULT_TRAIN_OPTIONS;
  addDeviceOptions(program
    .command('train-dae')
    .description('train the diffusion autoencoder on a manifest (vertebra-level labels only; lesion masks are never read)')
    .requiredOption('--manifest <file>', 'manifest (.csv/.xlsx/.json); rows with split=train are used when splits exist')
    .requiredOption('--out <dir>', 'run folder: checkpoint, log, previews, and model.safetensors at the end')
    .option('--preset <name>', `architecture preset (${Object.keys(PRESETS).join(', ')})`, 'cpu')
    .option('--config <file>', 'architecture as a JSON config (reference names) instead of a preset')
    .option('--samples <n>', 'training length in images', int, 200_000)
    .addOption(new Option('--recipe <name>', 'training recipe: reference (the authors\') or cpu (short runs on a few cores; docs/model.md); the flags below override it').choices(Object.keys(RECIPES)).default('reference'))
    .option('--batch-size <n>', 'images per step (reference 32, cpu 8)', int)
    .option('--lr <x>', 'Adam learning rate (reference 1e-4, cpu 2e-4)', num)
    .option('--dropout <x>', "dropout of the UNet's ResBlocks (default: the architecture's; cpu 0)", num)
    .option('--grad-clip <x>', 'gradient-norm clip', num, d.gradClip)
    .option('--ema-decay <x>', 'EMA decay', num, d.emaDecay)
    .option('--no-ema-warmup', 'use the EMA decay from step 0 (the reference) instead of min(decay, (1+t)/(10+t))')
    .addOption(new Option('--loss-weighting <w>', 'per-timestep weight of the ε-MSE: eps (reference), min-snr, trunc-snr (cpu; emphasises the high-noise steps where the decoder relies on z)').choices(LOSS_WEIGHTINGS))
    .option('--snr-gamma <x>', 'the SNR cap γ of min-snr / trunc-snr (cpu 200)', num)
    .option('--label-weight <x>', 'weight λ of the label term λ·BCE(z₀, label): z\'s first coordinate learns the vertebra label (0: none, the reference; docs/model.md)', num, d.labelWeight)
    .option('--seed <n>', 'seed of data order, augmentation, noise, dropout and initialisation', int, d.seed)
    .option('--checkpoint-every <steps>', 'steps between checkpoints', int, d.checkpointEvery)
    .option('--log-every <steps>', 'steps between log lines', int, d.logEvery)
    .option('--preview-every <steps>', 'steps between preview PNGs (0: none)', int, d.previewEvery)
    .option('--resume', 'continue the run in --out from its checkpoint')
    .option('--healthy-only', 'train on the healthy (label 0) rows only: the DAE of the AD baseline')
    .option('--init <model>', 'start from these weights (a DAE model file of the same architecture) instead of a random initialisation'))
    .action(async (o) => {
      const base = o.config ? readConfigFile(o.config) : PRESETS[o.preset as PresetName];
      if (!base) throw new Error(`unknown preset '${o.preset}' (choose ${Object.keys(PRESETS).join(', ')})`);
      const recipe = RECIPES[o.recipe as RecipeName];
      const dropout = o.dropout ?? recipe.dropout;
      const config = validateConfig({ ...base, ...(dropout !== undefined ? { dropout } : {}) });
      const batchSize: number = o.batchSize ?? recipe.batchSize;
      const lr: number = o.lr ?? recipe.lr;
      const lossWeighting: LossWeighting = o.lossWeighting ?? recipe.lossWeighting;
      const snrGamma: number = o.snrGamma ?? recipe.snrGamma;
      const rows = await readManifest(o.manifest, { checkFiles: 'inputs' });
      const healthy = (r: ManifestRow) => !o.healthyOnly || r.label === 0;
      const trainRows = rowsOfSplit(rows, 'train').filter(healthy);
      if (trainRows.length === 0) throw new Error(`${o.manifest}: no training rows${o.healthyOnly ? ' with label 0' : ''}`);
      if (o.init !== undefined && !existsSync(o.init)) throw new Error(`${o.init}: --init model not found`);
      console.error(`train-dae: loading ${trainRows.length} training vertebrae`);
      const train = loadSliceSet(trainRows);
      const valRows = rowsOfSplit(rows, 'val').filter(healthy).slice(0, 8);
      const preview = valRows.length ? loadSliceSet(valRows) : undefined;
      const abort = new AbortController();
      const onSignal = () => {
        console.error('\ntrain-dae: stopping after this step and writing a checkpoint (again to force)');
        if (abort.signal.aborted) process.exit(130);
        abort.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const bar = progressBar('train-dae', '{value}/{total} steps | loss {loss} | {ips} img/s | ETA {eta_formatted}');
      try {
        const r = await trainDae(
          train,
          preview,
          {
            config, outDir: o.out, batchSize, totalSamples: o.samples, lr, gradClip: o.gradClip, emaDecay: o.emaDecay,
            emaWarmup: o.emaWarmup, seed: o.seed, checkpointEvery: o.checkpointEvery, logEvery: o.logEvery, previewEvery: o.previewEvery,
            previewSteps: d.previewSteps, healthyOnly: Boolean(o.healthyOnly), lossWeighting, snrGamma, labelWeight: o.labelWeight, ...(o.init !== undefined ? { init: o.init } : {}), ...placement(o),
          },
          {
            resume: Boolean(o.resume),
            signal: abort.signal,
            log: (l) => console.error(`train-dae: ${l}`),
            onProgress: (p) => bar.update(p.step, p.totalSteps, { loss: p.loss.toFixed(4), ips: p.imagesPerSecond.toFixed(1) }),
          },
        );
        bar.stop();
        console.error(r.finished ? `train-dae: done; weights in ${o.out}/${MODEL_FILE}` : `train-dae: stopped at step ${r.step}; --resume continues`);
        if (!r.finished) process.exitCode = 130;
      } finally {
        bar.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
