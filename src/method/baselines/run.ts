// A whole `hsa baseline` run, laid out as `hsa segment`'s so that `hsa evaluate --pred` reads it:
// <out>/<case-id>/{lesions.nii.gz, figure.png, result.json}, summary.csv and run.json; the folder appears
// only when the run has completed.
import { type CsvCell, toCsv } from '../../io/csv.js';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { withOutputDir, writeFileAtomic } from '../../data/files.js';
import { writeNifti } from '../../data/nifti.js';
import type { VertebraInput } from '../attribution/inputs.js';
import { FIGURE_FILE, labelVolume, RESULT_FILE, SUMMARY_FILE } from '../attribution/outputs.js';
import { RUN_FILE } from '../attribution/segment.js';
import { predictionPath } from '../evaluation/prediction-path.js';
import { BLASTIC, LYTIC } from '../regions/mask.js';
import { renderBaselineFigure } from './figures.js';
import { BASELINE_LABELS, type Baseline, type BaselineCase, type BaselineName } from './methods.js';

export interface BaselineRun {
  baseline: Baseline;
  inputs: readonly VertebraInput[];
  outDir: string;
  /** Recorded in run.json (e.g. model files). */
  provenance?: Record<string, string>;
  onProgress?: (done: number, total: number) => void;
}

/** One CSV line; fields with a comma, quote or line break quoted. */
function count(labels: Uint8Array, value: number): number {
  return labels.reduce((n, v) => n + (v === value ? 1 : 0), 0);
}

/** Writes one vertebra's files and returns its summary.csv row. */
function writeCase(dir: string, name: BaselineName, input: VertebraInput, r: BaselineCase): CsvCell[] {
  const lesionPath = predictionPath(dir, input.image);
  mkdirSync(dirname(lesionPath), { recursive: true });
  writeNifti(lesionPath, { dims: input.dims, data: labelVolume(input, [{ sliceIndex: input.sliceIndex, labels: r.labels }]), geometry: input.geometry }, 'uint8', {
    description: `hsa ${name}: 1 lytic, 2 blastic`,
  });
  writeFileAtomic(join(dirname(lesionPath), FIGURE_FILE), renderBaselineFigure({ title: `${input.caseId}  ${BASELINE_LABELS[name]}`, slice: input.slice, labels: r.labels, map: r.map }));
  const pixels = { lytic: count(r.labels, LYTIC), blastic: count(r.labels, BLASTIC) };
  const area = { lytic: pixels.lytic * input.pixelAreaMm2, blastic: pixels.blastic * input.pixelAreaMm2 };
  const result = {
    caseId: input.caseId, image: input.image, mask: input.mask, ...(input.label !== undefined ? { label: input.label } : {}),
    method: name, sliceIndex: input.sliceIndex, normalisation: input.normalisation, pixelAreaMm2: input.pixelAreaMm2,
    lesions: { lytic: { pixels: pixels.lytic, areaMm2: area.lytic }, blastic: { pixels: pixels.blastic, areaMm2: area.blastic } },
    ...r.details,
  };
  writeFileAtomic(join(dirname(lesionPath), RESULT_FILE), `${JSON.stringify(result, null, 2)}\n`);
  return [input.caseId, input.image, input.label, pixels.lytic, pixels.blastic, area.lytic, area.blastic];
}

/** Runs the baseline on every input; returns the seconds it took (model work and writing). */
export async function runBaseline(run: BaselineRun): Promise<number> {
  const { baseline, inputs } = run;
  const started = performance.now();
  return withOutputDir(run.outDir, (dir) => {
    const lines: CsvCell[][] = [];
    for (let g = 0; g < inputs.length; g += baseline.batchSize) {
      const group = inputs.slice(g, g + baseline.batchSize);
      baseline.run(group.map((v) => v.slice)).forEach((r, i) => lines.push(writeCase(dir, baseline.name, group[i]!, r)));
      run.onProgress?.(Math.min(g + baseline.batchSize, inputs.length), inputs.length);
    }
    writeFileAtomic(join(dir, SUMMARY_FILE), toCsv(['case_id', 'image', 'label', 'lytic_px', 'blastic_px', 'lytic_mm2', 'blastic_mm2'], lines));
    const seconds = (performance.now() - started) / 1000;
    writeFileAtomic(join(dir, RUN_FILE), `${JSON.stringify({ method: baseline.name, ...baseline.settings, ...run.provenance, vertebrae: inputs.length, seconds }, null, 2)}\n`);
    return seconds;
  });
}
