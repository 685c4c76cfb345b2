// `hsa evaluate`: scores a folder of predicted lesion label maps against the manifest's lesion_msk column.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { SPLITS, readManifest, type Split } from '../../data/manifest.js';
import { assertSameGrid, readNifti } from '../../data/nifti.js';
import { withOutputDir } from '../../data/files.js';
import { evaluate, type EvalCase } from '../../method/evaluation/evaluate.js';
import { evaluatedSlice } from '../../method/evaluation/label-slice.js';
import { caseId, predictionPath } from '../../method/evaluation/prediction-path.js';
import { formatReport, writeEvaluation } from '../../method/evaluation/report.js';

interface Options {
  manifest: string;
  pred: string;
  out?: string;
  split?: string;
}

async function loadCases(o: Options): Promise<EvalCase[]> {
  if (o.split !== undefined && !SPLITS.includes(o.split as Split)) throw new Error(`--split must be one of ${SPLITS.join(', ')}`);
  const rows = (await readManifest(o.manifest)).filter((r) => o.split === undefined || r.split === o.split);
  if (rows.length === 0) throw new Error(`${o.manifest}: no rows${o.split ? ` in split "${o.split}"` : ''}`);
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const r of rows) {
    const id = caseId(r.image);
    if (seen.has(id)) problems.push(`case ${id}: two images share this name (${seen.get(id)}, ${r.image}); predictions would collide`);
    seen.set(id, r.image);
    if (r.lesionMsk === undefined) problems.push(`case ${id}: no lesion_msk in the manifest (ground truth comes only from that column)`);
    else if (!existsSync(predictionPath(o.pred, r.image))) problems.push(`case ${id}: prediction not found: ${predictionPath(o.pred, r.image)}`);
  }
  if (problems.length > 0) throw new Error(`cannot evaluate ${problems.length} case(s):\n  ${problems.join('\n  ')}`);
  return rows.map((r) => {
    const id = caseId(r.image);
    const truthVol = readNifti(r.lesionMsk!);
    const predVol = readNifti(predictionPath(o.pred, r.image));
    try {
      assertSameGrid(truthVol, predVol);
    } catch (e) {
      throw new Error(`case ${id}: ${(e as Error).message}`);
    }
    return { id, pred: evaluatedSlice(predVol, predVol.path), truth: evaluatedSlice(truthVol, truthVol.path), label: r.label };
  });
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
      const results = evaluate(await loadCases(o));
      console.log(formatReport(results));
      if (o.out !== undefined) {
        const files = await withOutputDir(o.out, (dir) => writeEvaluation(dir, results));
        process.stderr.write(`evaluate: wrote ${files.length} files to ${o.out}\n`);
      }
    });
}
