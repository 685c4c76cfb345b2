// `hsa train-cnn`: the CNN classifier behind the GradCAM / GradCAM++ / LayerCAM / EigenCAM baselines.
import { join } from 'node:path';
import type { Command } from 'commander';
import { readManifest } from '../../data/manifest.js';
import { withOutputDir, writeFileAtomic } from '../../data/files.js';
import { loadVertebra } from '../../method/attribution/inputs.js';
import { healthyMedian } from '../../method/baselines/cam-labels.js';
import { CNN_FILE, DEFAULT_CNN_CONFIG, saveCnn } from '../../method/cnn/resnet.js';
import { DEFAULT_CNN_TRAINING, trainCnn, type Scores } from '../../method/cnn/train-cnn.js';
import { loadSliceSet } from '../../method/training/slice-dataset.js';
import { int, num, progressBar } from '../options.js';
import { addDeviceOptions } from '../device.js';
import { rowsOfSplit } from './train-dae.js';

export const CNN_REPORT_FILE = 'cnn.json';

const fmt = (s: Scores | null) => (s === null ? 'no validation rows' : `val accuracy ${s.accuracy.toFixed(4)}  AUC ${s.auc === null ? 'n/a' : s.auc.toFixed(4)} (${s.n} vertebrae)`);

export function register(program: Command): void {
  const d = DEFAULT_CNN_TRAINING;
  addDeviceOptions(program
    .command('train-cnn')
    .description('train the small ResNet classifier explained by the CAM baselines (vertebra labels only; lesion masks are never read)')
    .requiredOption('--manifest <file>', 'manifest; rows with split=train train it, split=val score it (no splits: all rows train)')
    .requiredOption('--out <dir>', `folder for ${CNN_FILE} and ${CNN_REPORT_FILE} (must not exist or be empty; appears when training ends)`)
    .option('--epochs <n>', 'passes over the training vertebrae', int, d.epochs)
    .option('--batch-size <n>', 'slices per step', int, d.batchSize)
    .option('--lr <x>', 'Adam learning rate at the start of the cosine decay', num, d.lr)
    .option('--seed <n>', 'seed of initialisation, data order and augmentation', int, d.seed), { precision: false })
    .action(async (o) => {
      if (o.epochs < 1 || o.batchSize < 1) throw new Error('--epochs and --batch-size must be at least 1');
      const rows = await readManifest(o.manifest, { checkFiles: 'inputs' });
      const trainRows = rowsOfSplit(rows, 'train');
      const valRows = rowsOfSplit(rows, 'val');
      if (trainRows.length === 0) throw new Error(`${o.manifest}: no training rows`);
      const healthy = trainRows.filter((r) => r.label === 0);
      if (healthy.length === 0) throw new Error(`${o.manifest}: no healthy (label 0) training rows; the CAM type rule needs their median intensity`);
      console.error(`train-cnn: loading ${trainRows.length} training and ${valRows.length} validation vertebrae`);
      const train = loadSliceSet(trainRows);
      const val = valRows.length > 0 ? loadSliceSet(valRows) : undefined;
      const median = healthyMedian(healthy.map((r) => loadVertebra(r.image, r.segMsk, train.rows).slice));

      // The output folder is checked before the (long) training and appears only when it has ended.
      const { model, report } = await withOutputDir(o.out, async (dir) => {
        const bar = progressBar('train-cnn', '{value}/{total} steps | loss {loss} | ETA {eta_formatted}');
        const started = Date.now();
        const options = { config: DEFAULT_CNN_CONFIG, epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, seed: o.seed };
        let result;
        try {
          result = await trainCnn(train, val, { ...options, device: o.device }, {
            onStep: (step, total, loss) => bar.update(step, total, { loss: loss.toFixed(4) }),
            onEpoch: (r) => process.stderr.write(`\ntrain-cnn: epoch ${r.epoch}  loss ${r.loss.toFixed(4)}  ${fmt(r.val)}  ${r.seconds.toFixed(1)} s\n`),
          });
        } finally {
          bar.stop();
        }
        const validation = result.epochs.at(-1)!.val;
        const report = {
          manifest: o.manifest, trainVertebrae: train.count, valVertebrae: val?.count ?? 0, options, parameters: result.model.numParameters(),
          healthyMedian: median, healthyMedianRule: 'median normalised intensity (SPEC §2) inside the body masks of the healthy training vertebrae, centre slices',
          validation, trainingSeconds: (Date.now() - started) / 1000, epochs: result.epochs,
        };
        saveCnn(result.model, join(dir, CNN_FILE), median, { seed: String(o.seed), epochs: String(o.epochs), validation: JSON.stringify(validation) });
        writeFileAtomic(join(dir, CNN_REPORT_FILE), `${JSON.stringify(report, null, 2)}\n`);
        return { model: result.model, report };
      });
      model.dispose();
      console.log(`train-cnn: ${fmt(report.validation)}; ${report.trainingSeconds.toFixed(0)} s; model in ${join(o.out, CNN_FILE)}`);
    });
}
