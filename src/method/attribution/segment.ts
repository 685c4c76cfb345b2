// A whole `hsa segment` run: attribution of every loaded vertebra, outputs written as each group finishes,
// summary.csv and run.json at the end; the output folder appears only when the run has completed.
import { join } from 'node:path';
import { withOutputDir, writeFileAtomic } from '../../data/files.js';
import type { LatentClassifier } from '../classifier/latent-classifier.js';
import { attributeGroups } from './attribute.js';
import type { LatentDiffusion } from './engine.js';
import type { VertebraInput } from './inputs.js';
import { type AttributionOptions, resolveOptions } from './options.js';
import { SUMMARY_FILE, type SummaryRow, writeCaseOutputs, writeSummaryCsv } from './outputs.js';

export const RUN_FILE = 'run.json';

export interface SegmentRun {
  inputs: readonly VertebraInput[];
  engine: LatentDiffusion;
  classifier: LatentClassifier;
  options?: Partial<AttributionOptions>;
  outDir: string;
  /** Recorded in run.json (e.g. model and classifier files). */
  provenance?: Record<string, string>;
  onProgress?: (done: number, total: number) => void;
}

export async function runSegmentation(run: SegmentRun): Promise<SummaryRow[]> {
  const options = resolveOptions(run.options);
  const started = Date.now();
  return withOutputDir(run.outDir, (dir) => {
    const rows: SummaryRow[] = [];
    for (const group of attributeGroups(run.engine, run.classifier, run.inputs.map((v) => v.slice), options)) {
      for (const result of group) rows.push(writeCaseOutputs(dir, run.inputs[rows.length]!, result, options));
      run.onProgress?.(rows.length, run.inputs.length);
    }
    writeSummaryCsv(join(dir, SUMMARY_FILE), rows);
    const seconds = (Date.now() - started) / 1000;
    writeFileAtomic(join(dir, RUN_FILE), `${JSON.stringify({ ...run.provenance, options, vertebrae: rows.length, seconds }, null, 2)}\n`);
    return rows;
  });
}
