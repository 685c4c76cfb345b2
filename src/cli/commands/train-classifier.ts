import { type Command, InvalidArgumentError, Option } from 'commander';
import { readManifest } from '../../data/manifest.js';
import { assertNewFile } from '../../data/files.js';
import { loadDiffAE } from '../../model/checkpoint.js';
import { REFERENCE_CS, selectModel, type Selection } from '../../method/classifier/select.js';
import type { ClassWeight, Penalty } from '../../method/classifier/logistic.js';
import { encodeDataset } from '../../method/encode-dataset.js';
import { int, num, progressBar } from '../options.js';
import { addDeviceOptions, placement } from '../device.js';
import { DEFAULT_MODEL_DIR, resolveModelFiles } from './segment.js';

const PENALTIES: readonly Penalty[] = ['l1', 'l2'];
const CLASS_WEIGHTS: readonly ClassWeight[] = ['none', 'balanced'];

function positive(v: string): number {
  const n = num(v);
  if (!(n > 0)) throw new InvalidArgumentError(`'${v}' is not a positive number`);
  return n;
}

function printSelection(s: Selection, n: number): void {
  console.log(`model selection on ${n} vertebrae: 5-fold stratified CV, scored by F1 (mean ± std over folds)`);
  console.log('       C  penalty  class_weight   F1 mean  F1 std');
  for (const r of s.grid) {
    const best = r.C === s.best.C && r.penalty === s.best.penalty && r.classWeight === s.best.classWeight;
    console.log(`${String(r.C).padStart(8)}  ${r.penalty.padEnd(7)}  ${r.classWeight.padEnd(12)}  ${r.meanF1.toFixed(4)}  ${r.stdF1.toFixed(4)}${best ? '  <- best' : ''}`);
  }
  const h = s.holdout;
  console.log(`hold-out (${h.size} vertebrae, best setting fitted on the rest): accuracy ${h.accuracy.toFixed(4)}  F1 ${h.f1.toFixed(4)}  ROC-AUC ${h.rocAuc.toFixed(4)}`);
}

/** `hsa train-classifier`: the latent classifier of SPEC §4 on the DAE's encodings of a manifest. */
export function register(program: Command): void {
  addDeviceOptions(program
    .command('train-classifier')
    .description('encode a manifest with the DAE encoder and fit the latent logistic-regression classifier (vertebra labels only; lesion masks are never read)')
    .requiredOption('--manifest <file>', 'manifest (.csv/.xlsx/.json); rows with split=test are left out')
    .option('--model <dir-or-file>', 'DAE model file, or a folder with model.safetensors', DEFAULT_MODEL_DIR)
    .requiredOption('--out <file>', 'classifier JSON to write')
    .option('--seed <n>', 'seed of the hold-out split and the CV folds', int, 0)
    .option('--batch-size <n>', 'images per encoder call', int, 32)
    .option('--C <values...>', 'inverse regularisation strengths of the grid (the reference ships C 0.01)', (v: string, acc: number[] | undefined) => [...(acc ?? []), positive(v)])
    .addOption(new Option('--penalty <values...>', 'penalties of the grid').choices(PENALTIES))
    .addOption(new Option('--class-weight <values...>', 'class weights of the grid').choices(CLASS_WEIGHTS)))
    .action(async (o) => {
      const model = loadDiffAE(resolveModelFiles(o.model).model, placement(o));
      // Existence of lesion_msk is not checked: this command must not depend on ground-truth masks at all.
      const rows = (await readManifest(o.manifest, { checkFiles: 'inputs' })).filter((r) => r.split !== 'test');
      if (rows.length === 0) throw new Error(`${o.manifest}: no rows outside the test split`);
      assertNewFile(o.out); // before the encoding work, not after it
      const bar = progressBar('encode', '{value}/{total} vertebrae | ETA {eta_formatted}');
      let data;
      try {
        data = encodeDataset(model, rows, { batchSize: o.batchSize, onProgress: (done, total) => bar.update(done, total) });
      } finally {
        bar.stop();
        model.dispose();
      }
      const selection = selectModel(data.z, data.labels, { seed: o.seed, Cs: o.C ?? REFERENCE_CS, penalties: o.penalty ?? PENALTIES, classWeights: o.classWeight ?? CLASS_WEIGHTS });
      printSelection(selection, rows.length);
      selection.classifier.save(o.out);
      console.log(`classifier (C ${selection.best.C}, ${selection.best.penalty}, class_weight ${selection.best.classWeight}, refitted on all ${rows.length}) -> ${o.out}`);
    });
}
