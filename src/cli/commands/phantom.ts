// `hsa phantom`: the synthetic vertebra benchmark (see docs/data.md).
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { DIFFICULTIES, type Difficulty } from '../../data/phantom/distributions.js';
import { generateCase } from '../../data/phantom/crop.js';
import { writeContactSheet } from '../../data/phantom/contact-sheet.js';
import { writePhantomDataset } from '../../data/phantom/dataset.js';
import { writeSyntheticSpine } from '../../data/phantom/spine.js';
import { thresholdBaseline } from '../../data/phantom/threshold.js';

function integer(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`${name} must be an integer (got "${v}")`);
    return n;
  };
}

export function register(program: Command): void {
  program
    .command('phantom')
    .description('write a seeded synthetic benchmark of 64³ vertebra CT crops (HU) with masks, lesion maps and manifest.csv')
    .requiredOption('--out <dir>', 'output folder (must not exist or be empty)')
    .option('--count <n>', 'number of crops (split 10:1:2 train/val/test)', integer('--count'), 2600)
    .option('--seed <s>', 'random seed', integer('--seed'), 1)
    .option('--workers <n>', 'worker threads (the output does not depend on it)', integer('--workers'), availableParallelism())
    .option('--difficulty <level>', `one of ${DIFFICULTIES.join(', ')}`, 'default')
    .option('--contact-sheet <png>', 'also write a contact sheet of the first 48 crops')
    .option('--baseline', 'print the oracle global-threshold baseline on the test split')
    .option('--spine', 'instead: one synthetic whole-spine CT (T11–L3, L1 malignant) as a DICOM series in <out>/ct, with vertebrae.nii.gz (VerSe ids), labels.csv and the true lesions.nii.gz; takes --seed only')
    .action(async (o: { out: string; count: number; seed: number; workers: number; difficulty: string; contactSheet?: string; baseline?: boolean; spine?: boolean }, command: Command) => {
      if (o.spine) {
        const other = ['count', 'workers', 'difficulty', 'contactSheet', 'baseline'].filter((k) => command.getOptionValueSource(k) === 'cli');
        if (other.length > 0) throw new Error(`--spine takes --seed only, not ${other.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`);
        const spine = await writeSyntheticSpine(o.out, o.seed);
        process.stderr.write(`phantom: wrote a synthetic spine (${spine.ct.dims.join('×')} voxels) to ${o.out}: ct/ (DICOM), vertebrae.nii.gz, labels.csv, lesions.nii.gz\n`);
        return;
      }
      if (!DIFFICULTIES.includes(o.difficulty as Difficulty)) throw new Error(`--difficulty must be one of ${DIFFICULTIES.join(', ')}`);
      const difficulty = o.difficulty as Difficulty;
      const t0 = Date.now();
      let last = 0;
      await writePhantomDataset(o.out, {
        count: o.count,
        seed: o.seed,
        difficulty,
        workers: o.workers,
        onCase: (done, total) => {
          if (Date.now() - last > 2000 || done === total) {
            last = Date.now();
            process.stderr.write(`phantom: ${done}/${total} crops\n`);
          }
        },
      });
      process.stderr.write(`phantom: wrote ${o.count} crops to ${o.out} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      const first = (n: number) => Array.from({ length: Math.min(n, o.count) }, (_, i) => generateCase(o.seed, i, difficulty));
      if (o.contactSheet) writeContactSheet(o.contactSheet, first(48));
      if (o.baseline) {
        const test = Array.from({ length: o.count }, (_, i) => i).filter((i) => i % 13 < 2).map((i) => generateCase(o.seed, i, difficulty));
        console.log(JSON.stringify(thresholdBaseline(test)));
      }
    });
}
