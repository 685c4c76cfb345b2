// `hsa baseline <name>`: the paper's baselines (issue 6), writing the same lesion label maps as `hsa segment`.
import { existsSync } from 'node:fs';
import { Argument, type Command } from 'commander';
import { readManifest, SPLITS } from '../../data/manifest.js';
import { readNifti } from '../../data/nifti.js';
import { type LoadDiffAEOptions, loadDiffAE } from '../../model/checkpoint.js';
import type { Device } from '../../tensor/index.js';
import type { DiffAE } from '../../model/diffae.js';
import { diffaeEngine } from '../../method/attribution/engine.js';
import { loadVertebrae } from '../../method/attribution/inputs.js';
import { resolveOptions } from '../../method/attribution/options.js';
import { anomalyMethod, type Baseline, type BaselineName, BASELINES, camMethod, otsuMethod } from '../../method/baselines/methods.js';
import { runBaseline } from '../../method/baselines/run.js';
import { CAM_METHODS, type CamMethod } from '../../method/cnn/cam.js';
import { type CnnFile, loadCnn, resolveCnnFile } from '../../method/cnn/resnet.js';
import { MIN_COMPONENT_SIZE } from '../../method/regions/components.js';
import { int, progressBar } from '../options.js';
import { addDeviceOptions, placement } from '../device.js';
import { resolveModelFiles } from './segment.js';

/** Settings shared by `baseline` and `benchmark`. */
export interface BaselineSettings {
  minSize: number;
  batchSize: number;
  inversionSteps: number;
  renderSteps: number;
}

/** Throws unless every named option is at least 1. */
export function requirePositive(o: Record<string, unknown>, names: readonly string[]): void {
  for (const n of names) if (!((o[n] as number) >= 1)) throw new Error(`--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be at least 1`);
}

export function loadCnnOption(path: string, device: Device = 'cpu'): CnnFile {
  const cnn = loadCnn(resolveCnnFile(path));
  cnn.model.to(device);
  return cnn;
}

/** The DAE of the AD baseline (a file, or a folder with model.safetensors). */
export function loadAdModel(path: string, run: LoadDiffAEOptions = {}): { file: string; model: DiffAE } {
  const file = resolveModelFiles(path).model;
  return { file, model: loadDiffAE(file, run) };
}

/** The baseline called name, with the models it needs (an error names the missing option). */
export function makeBaseline(name: BaselineName, s: BaselineSettings, models: { cnn?: CnnFile; ad?: { file: string; model: DiffAE } }): Baseline {
  if (name === 'otsu') return otsuMethod(s.minSize);
  if (name === 'ad') {
    if (!models.ad) throw new Error('baseline ad needs --model: a DAE trained on healthy vertebrae only (hsa train-dae --healthy-only)');
    return anomalyMethod(diffaeEngine(models.ad.model), { inversionSteps: s.inversionSteps, renderSteps: s.renderSteps, minSize: s.minSize }, s.batchSize, models.ad.file);
  }
  if (!models.cnn) throw new Error(`baseline ${name} needs --cnn: a CNN trained with hsa train-cnn`);
  return camMethod(name as CamMethod, models.cnn, s.minSize, s.batchSize);
}

/** In-plane size of the first image: the grid every vertebra must share when no model fixes it. */
export function sliceSizeOf(image: string): number {
  return readNifti(image).dims[0];
}

export function register(program: Command): void {
  // The AD reconstruction takes segment's default step counts for a vertebra's inversion and renders.
  const d = resolveOptions();
  addDeviceOptions(program
    .command('baseline')
    .description('segment lytic and blastic lesions with a baseline method; writes <out>/<case-id>/{lesions.nii.gz,figure.png,result.json}, summary.csv and run.json, as segment does')
    .addArgument(new Argument('<name>', `otsu; ${CAM_METHODS.join(', ')} (need --cnn); ad (needs --model)`).choices(BASELINES))
    .option('--manifest <file>', 'manifest of vertebrae (.csv/.xlsx/.json)')
    .option('--split <name>', `with --manifest: only rows of this split (${SPLITS.join(', ')})`)
    .option('--image <file>', 'one CT vertebra crop (NIfTI), with --mask')
    .option('--mask <file>', 'its vertebral-body mask (NIfTI on the same grid)')
    .option('--cnn <dir-or-file>', 'CAM baselines: the CNN from hsa train-cnn (folder or cnn.safetensors)')
    .option('--model <dir-or-file>', 'ad: DAE trained on healthy vertebrae only (file, or folder with model.safetensors)')
    .requiredOption('--out <dir>', 'output folder (must not exist or be empty; appears when the run completes)')
    .option('--min-size <px>', 'smallest lesion component in pixels', int, MIN_COMPONENT_SIZE)
    .option('--batch-size <n>', 'vertebrae per model call (CAM, ad)', int, d.maxBatch)
    .option('--inversion-steps <n>', 'ad: DDIM steps of the inversion', int, d.inversionSteps)
    .option('--render-steps <n>', 'ad: DDIM steps of the render', int, d.renderSteps))
    .action(async (name: BaselineName, o) => {
      requirePositive(o, ['minSize', 'batchSize', 'inversionSteps', 'renderSteps']);
      const single = o.image !== undefined || o.mask !== undefined;
      if (single === (o.manifest !== undefined)) throw new Error('give either --manifest or --image with --mask');
      if (single && (o.image === undefined || o.mask === undefined)) throw new Error('--image and --mask go together');
      if (o.split !== undefined && !SPLITS.includes(o.split)) throw new Error(`--split must be one of ${SPLITS.join(', ')}`);
      let items: { image: string; mask: string; label?: 0 | 1 }[];
      if (single) {
        items = [{ image: o.image, mask: o.mask }];
      } else {
        // Lesion masks are not read: a baseline never sees ground truth.
        const rows = (await readManifest(o.manifest, { checkFiles: 'inputs' })).filter((r) => o.split === undefined || r.split === o.split);
        if (rows.length === 0) throw new Error(`${o.manifest}: no rows${o.split ? ` in split '${o.split}'` : ''}`);
        items = rows.map((r) => ({ image: r.image, mask: r.segMsk, label: r.label }));
      }
      for (const it of items) for (const p of [it.image, it.mask]) if (!existsSync(p)) throw new Error(`${p}: not found`);

      const cnn = CAM_METHODS.includes(name as CamMethod) && o.cnn !== undefined ? loadCnnOption(o.cnn, o.device) : undefined;
      const ad = name === 'ad' && o.model !== undefined ? loadAdModel(o.model, placement(o)) : undefined;
      try {
        const baseline = makeBaseline(name, o, { cnn, ad });
        const inputs = loadVertebrae(items, ad ? ad.model.config.image_size : sliceSizeOf(items[0]!.image));
        const bar = progressBar(`baseline ${name}`, '{value}/{total} vertebrae | ETA {eta_formatted}');
        try {
          const seconds = await runBaseline({ baseline, inputs, outDir: o.out, onProgress: (done, total) => bar.update(done, total) });
          bar.stop();
          console.log(`baseline ${name}: ${inputs.length} vertebrae in ${seconds.toFixed(1)} s; results in ${o.out} (summary.csv)`);
        } finally {
          bar.stop();
        }
      } finally {
        cnn?.model.dispose();
        ad?.model.dispose();
      }
    });
}
