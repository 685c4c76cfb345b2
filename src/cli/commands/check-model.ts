// `hsa check-model`: whether a DAE and its latent classifier can drive Hide-and-Seek (printed and as JSON).
import { type Command, Option } from 'commander';
import { readManifest, SPLITS } from '../../data/manifest.js';
import { readNifti } from '../../data/nifti.js';
import { assertNewFile, writeFileAtomic } from '../../data/files.js';
import { loadDiffAE } from '../../model/checkpoint.js';
import { LatentClassifier } from '../../method/classifier/latent-classifier.js';
import { loadVertebra } from '../../method/attribution/inputs.js';
import { evaluatedSlice } from '../../method/evaluation/label-slice.js';
import { type CheckVertebra, checkModel, classifierReading, formatAucByGroup, formatCheck, formatZReliance, measureZReliance } from '../../method/diagnostics/check-model.js';
import { int, progressBar } from '../options.js';
import { addDeviceOptions, placement } from '../device.js';
import { DEFAULT_MODEL_DIR, resolveModelFiles } from './segment.js';

export function register(program: Command): void {
  addDeviceOptions(program
    .command('check-model')
    .description('diagnose a DAE + latent classifier on held-out vertebrae: reconstruction, z-swap effect, where the healthy edit lands, cycle consistency, classifier ROC-AUC')
    .requiredOption('--manifest <file>', 'manifest with labels (lesion_msk, when present, says where the edit lands)')
    .addOption(new Option('--split <name>', 'rows of this split').choices(SPLITS).default('val'))
    .option('--model <dir-or-file>', 'DAE model file, or a folder with model.safetensors and classifier.json', DEFAULT_MODEL_DIR)
    .option('--classifier <file>', 'latent classifier JSON (default: classifier.json beside the model)')
    .option('--count <n>', 'first n vertebrae of the split', int, 32)
    .option('--steps <inv,render>', 'DDIM steps of inversion and render', '100,20')
    .option('--harmonise-steps <inv,render>', 'DDIM steps of the harmonisation cycle', '25,10')
    .option('--batch-size <n>', 'vertebrae per model call', int, 16)
    .option('--json <file>', 'also write the result as JSON (a new file)')
    .option('--z-only', 'only the z reliance (no sampling, no classifier needed): for following a training run; with --classifier also its ROC-AUC'))
    .action(async (o) => {
      const steps = (v: string, flag: string): [number, number] => {
        const p = v.split(',').map(Number);
        if (p.length !== 2 || !p.every((s) => Number.isInteger(s) && s > 0)) throw new Error(`${flag} must be two positive integers like 100,20, got '${v}'`);
        return p as [number, number];
      };
      const [inv, ren] = steps(o.steps, '--steps');
      const [hInv, hRen] = steps(o.harmoniseSteps, '--harmonise-steps');
      if (o.count < 1 || o.batchSize < 1) throw new Error('--count and --batch-size must be at least 1');
      const files = resolveModelFiles(o.model, o.classifier);
      const rows = (await readManifest(o.manifest, { checkFiles: true })).filter((r) => r.split === o.split).slice(0, o.count);
      if (rows.length === 0) throw new Error(`${o.manifest}: no rows in split '${o.split}'`);
      if (o.json !== undefined) assertNewFile(o.json); // before the model work, not after it
      const classifier = o.zOnly ? undefined : LatentClassifier.load(files.classifier);
      const model = loadDiffAE(files.model, placement(o));
      const vertebrae: CheckVertebra[] = rows.map((r) => {
        const v = loadVertebra(r.image, r.segMsk, model.config.image_size, r.label);
        return { image: v.slice.image, body: v.slice.mask.data, label: r.label, ...(r.lesionMsk ? { lesions: evaluatedSlice(readNifti(r.lesionMsk), r.lesionMsk) } : {}) };
      });
      if (o.zOnly) {
        const zReliance = measureZReliance(model, vertebrae, o.batchSize);
        // An explicit classifier is scored too (encoding only): a label-trained DAE's z is judged on held-out rows.
        const auc = o.classifier !== undefined ? classifierReading(model, LatentClassifier.load(o.classifier), vertebrae, o.batchSize) : undefined;
        model.dispose();
        console.log(formatZReliance(zReliance));
        if (auc) console.log(`classifier ROC-AUC on these vertebrae: ${auc.classifierAuc?.toFixed(3) ?? 'n/a (one class)'}${formatAucByGroup(auc.classifierAucByGroup)}`);
        if (o.json !== undefined) writeFileAtomic(o.json, `${JSON.stringify({ model: files.model, manifest: o.manifest, split: o.split, vertebrae: vertebrae.length, zReliance, ...(auc ?? {}) }, null, 2)}\n`);
        return;
      }
      const bar = progressBar('check-model', '{value}/{total} vertebrae | ETA {eta_formatted}');
      const start = performance.now();
      let result;
      try {
        result = checkModel(model, classifier!, vertebrae, {
          inversionSteps: inv, renderSteps: ren, harmoniseInversionSteps: hInv, harmoniseRenderSteps: hRen, batchSize: o.batchSize,
          onProgress: (done, total) => bar.update(done, total),
        });
      } finally {
        bar.stop();
        model.dispose();
      }
      console.log(formatCheck(result));
      const seconds = (performance.now() - start) / 1000;
      console.log(`(${seconds.toFixed(0)} s; steps ${inv}/${ren}, harmonisation ${hInv}/${hRen})`);
      if (o.json !== undefined) {
        writeFileAtomic(o.json, `${JSON.stringify({ model: files.model, classifier: files.classifier, manifest: o.manifest, split: o.split, steps: [inv, ren], harmoniseSteps: [hInv, hRen], seconds, ...result }, null, 2)}\n`);
      }
    });
}
