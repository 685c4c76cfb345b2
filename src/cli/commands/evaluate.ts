// `hsa evaluate`: scores a folder of predicted lesion label maps against the manifest's lesion_msk column.
import type { Command } from 'commander';
import { SPLITS, readManifest, type Split } from '../../data/manifest.js';
import { withOutputDir } from '../../data/files.js';
import { evaluate } from '../../method/evaluation/evaluate.js';
import { loadEvalCases } from '../../method/evaluation/load-cases.js';
import { formatReport, writeEvaluation } from '../../method/evaluation/report.js';

interface Options {
  manifest: string;
  pred: string;
  out?: string;
  split?: string;
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description('score predicted lesion label maps (<pred>/<case-id>/lesions.nii.gz) against the manifest\'s lesion_msk: Dice, lesion-wise F1, vertebra-level sensitivity/specificity')
    .requiredOption('--manifest <file>', 'manifest with image, seg_msk, label and lesion_msk columns')
    .requiredOption('--pred <dir>', 'prediction folder as written by segment or baseline')
    .option('--split <name>', `evaluate only the rows of this split (${SPLITS.join(', ')})`)
    .option('--out <dir>', 'also write evaluation.json, metrics.csv and cases.csv here (must not exist or be empty)')
    .action(async (o: Options) => {
      if (o.split !== undefined && !SPLITS.includes(o.split as Split)) throw new Error(`--split must be one of ${SPLITS.join(', ')}`);
      const rows = (await readManifest(o.manifest)).filter((r) => o.split === undefined || r.split === o.split);
      if (rows.length === 0) throw new Error(`${o.manifest}: no rows${o.split ? ` in split "${o.split}"` : ''}`);
      const results = evaluate(loadEvalCases(rows, o.pred));
      console.log(formatReport(results));
      if (o.out !== undefined) {
        const files = await withOutputDir(o.out, (dir) => writeEvaluation(dir, results));
        process.stderr.write(`evaluate: wrote ${files.length} files to ${o.out}\n`);
      }
    });
}
