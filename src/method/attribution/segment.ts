// A whole `hsa segment` run, resumable: each vertebra's folder appears whole (written aside, then renamed into
// the output folder) as its group finishes; summary.csv and run.json, written last, mark the run complete. An
// interrupted or failed run leaves only complete vertebrae, and `resume` finishes it after checking them.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { assertEmptyOutputDir, readInputText, writeFileAtomic } from '../../data/files.js';
import type { LatentClassifier } from '../classifier/latent-classifier.js';
import { attributeGroups, type VertebraAttribution } from './attribute.js';
import type { LatentDiffusion } from './engine.js';
import type { VertebraInput } from './inputs.js';
import { type AttributionOptions, resolveOptions } from './options.js';
import { LESIONS_FILE } from '../evaluation/prediction-path.js';
import { ddimStepsBelow } from '../../model/diffusion.js';
import { FIGURE_FILE, keptByType, MAPS_FILE, RESULT_FILE, SUMMARY_FILE, type SummaryRow, writeCaseOutputs, writeSummaryCsv } from './outputs.js';

export const RUN_FILE = 'run.json';
/** The settings of a run in progress; a resumed run must match them. */
export const PENDING_FILE = '.hsa-segment.json';
/** Scratch folders in an output folder (a run's or a queue worker's); a resumed or gathered run removes them. */
export const TEMP_PREFIX = '.tmp-';

export interface SegmentRun {
  inputs: readonly VertebraInput[];
  engine: LatentDiffusion;
  classifier: LatentClassifier;
  options?: Partial<AttributionOptions>;
  outDir: string;
  /** Recorded in run.json (e.g. model and classifier files). */
  provenance?: Record<string, string>;
  /** Vertebrae done (fractional within a group, from the model evaluations made), of total. */
  onProgress?: (done: number, total: number) => void;
  /** Finish an interrupted run in outDir: complete vertebrae are checked and kept, the rest segmented. */
  resume?: boolean;
  /** Stops after the current group; the folder then holds the complete vertebrae only. */
  signal?: AbortSignal;
}

export interface SegmentOutcome {
  rows: SummaryRow[];
  complete: boolean;
  /** Vertebrae taken from an earlier run (resume). */
  reused: number;
}

/** The summary row of a vertebra written earlier, if its folder is complete and belongs to this input and run. */
export function finishedRow(outDir: string, input: VertebraInput, optionsJson: string): SummaryRow | undefined {
  const dir = join(outDir, input.caseId);
  if (!existsSync(dir)) return undefined;
  for (const f of [RESULT_FILE, MAPS_FILE, FIGURE_FILE, LESIONS_FILE]) {
    if (!existsSync(join(dir, f))) throw new Error(`${dir}: incomplete vertebra folder (no ${f}); it was not written by hsa segment, remove it`);
  }
  const r = JSON.parse(readInputText(join(dir, RESULT_FILE))) as Record<string, any>;
  const slices = Array.isArray(r.slices) ? r.slices.map((s: { sliceIndex: unknown }) => s.sliceIndex) : [r.sliceIndex];
  if (r.image !== input.image || JSON.stringify(r.options) !== optionsJson || JSON.stringify(slices) !== JSON.stringify(input.planes.map((p) => p.sliceIndex))) {
    throw new Error(`${join(dir, RESULT_FILE)}: written for ${r.image} or with other settings; --continue needs the same inputs and options`);
  }
  return {
    caseId: input.caseId, image: input.image, ...(input.label !== undefined ? { label: input.label } : {}),
    pMalignant: r.pMalignant, pHealthy: r.pHealthy, candidates: r.candidates.length,
    kept: keptByType(r.candidates),
    pixels: { lytic: r.lesions.lytic.pixels, blastic: r.lesions.blastic.pixels },
    areaMm2: { lytic: r.lesions.lytic.areaMm2, blastic: r.lesions.blastic.areaMm2 },
    ...(r.volume ? { volume: r.volume } : {}),
  };
}

/**
 * Refuses to continue in outDir unless it holds an interrupted run (its pending file, written at the start,
 * still there; its completion file not yet) started with the same settings.
 */
export function checkInterruptedRun(outDir: string, run: { pendingFile: string; doneFile: string; command: string; settings: string; sameWhat: string }): void {
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw new Error(`${outDir}: no run to continue (the folder does not exist)`);
  if (existsSync(join(outDir, run.doneFile))) throw new Error(`${outDir}: this run is already complete (${run.doneFile})`);
  const pending = join(outDir, run.pendingFile);
  if (!existsSync(pending)) throw new Error(`${outDir}: not an interrupted ${run.command} run (no ${run.pendingFile}); refusing to write into it`);
  if (readInputText(pending) !== run.settings) throw new Error(`${pending}: the run used ${run.sameWhat}; --continue needs the same command`);
}

/** Opens outDir for a new run (empty or absent) or for resuming one; returns the rows already done. */
export function openRun(run: Pick<SegmentRun, 'inputs' | 'outDir' | 'resume'>, settings: string, optionsJson: string): Map<string, SummaryRow> {
  const pending = join(run.outDir, PENDING_FILE);
  const done = new Map<string, SummaryRow>();
  if (!run.resume) {
    assertEmptyOutputDir(run.outDir);
    mkdirSync(run.outDir, { recursive: true });
    writeFileAtomic(pending, settings);
    return done;
  }
  checkInterruptedRun(run.outDir, { pendingFile: PENDING_FILE, doneFile: RUN_FILE, command: 'hsa segment', settings, sameWhat: 'other inputs, model or options' });
  const ids = new Set(run.inputs.map((v) => v.caseId));
  for (const entry of readdirSync(run.outDir)) {
    if (entry.startsWith(TEMP_PREFIX)) rmSync(join(run.outDir, entry), { recursive: true, force: true }); // a crashed run's own scratch
    else if (entry !== PENDING_FILE && !ids.has(entry)) throw new Error(`${join(run.outDir, entry)}: not part of this run; refusing to continue in a folder with other files`);
  }
  for (const v of run.inputs) {
    const row = finishedRow(run.outDir, v, optionsJson);
    if (row) done.set(v.caseId, row);
  }
  return done;
}

/** The engine, counting UNet evaluations (images, after each DDIM step) so that progress moves within a group. */
function counting(engine: LatentDiffusion, onEvaluations: (n: number) => void): LatentDiffusion {
  return {
    ...(engine.device ? { device: engine.device } : {}),
    encode: (x) => engine.encode(x),
    invert: (x, z, steps, _onStep, tMax) => engine.invert(x, z, steps, () => onEvaluations(x.size(0)), tMax),
    render: (x, z, steps, _onStep, tMax) => engine.render(x, z, steps, () => onEvaluations(x.size(0)), tMax),
  };
}

export async function runSegmentation(run: SegmentRun): Promise<SummaryRow[]> {
  const outcome = await runSegmentationResumable(run);
  return outcome.rows;
}

/** What a run's pending file records; a resumed run (local or through a queue) must record the same. */
export function runSettings(run: Pick<SegmentRun, 'inputs' | 'provenance'>, options: AttributionOptions): string {
  const slices = run.inputs.some((v) => v.planes.length > 1) ? { slices: run.inputs.map((v) => v.planes.map((p) => p.sliceIndex)) } : {};
  return `${JSON.stringify({ ...run.provenance, options, images: run.inputs.map((v) => v.image), ...slices }, null, 2)}\n`;
}

export async function runSegmentationResumable(run: SegmentRun): Promise<SegmentOutcome> {
  const options = resolveOptions(run.options);
  const optionsJson = JSON.stringify(options);
  const settings = runSettings(run, options);
  const started = Date.now();
  const done = openRun(run, settings, optionsJson);
  const todo = run.inputs.filter((v) => !done.has(v.caseId));
  const total = run.inputs.length;
  const reused = total - todo.length;
  // Every slice of every vertebra goes through the same batched model calls; a vertebra is written once all its
  // slices are done. Progress counts slices, shown as vertebrae.
  const planes = todo.flatMap((v) => v.planes.map((p) => p.slice));
  // A group's cost: its first stage (known) plus its candidates' harmonisation (estimated from the groups so far).
  const perPlane = ddimStepsBelow(options.inversionSteps, options.editTMax) + 2 * ddimStepsBelow(options.renderSteps, options.editTMax);
  const perCandidate = options.harmonise ? ddimStepsBelow(options.harmoniseInversionSteps, options.harmoniseTMax) + ddimStepsBelow(options.harmoniseRenderSteps, options.harmoniseTMax) : 0;
  let candidatesPerPlane = 10;
  let planesDone = 0;
  let groupEvals = 0;
  const progress = (planesIn: number) => run.onProgress?.(reused + (planes.length > 0 ? (planesIn / planes.length) * todo.length : 0), total);
  const engine = counting(run.engine, (n) => {
    groupEvals += n;
    const size = Math.min(options.vertebraeBatch, planes.length - planesDone);
    const expected = size * (perPlane + candidatesPerPlane * perCandidate);
    progress(planesDone + Math.min(0.99, groupEvals / expected) * size);
  });
  const scratch = join(run.outDir, `${TEMP_PREFIX}${process.pid}`);
  let candidatesSeen = 0;
  let next = 0; // index into todo of the vertebra whose slices come next
  let results: VertebraAttribution[] = [];
  try {
    progress(0);
    for (const group of attributeGroups(engine, run.classifier, planes, options)) {
      for (const result of group) {
        results.push(result);
        planesDone++;
        candidatesSeen += result.candidates.length;
        const input = todo[next]!;
        if (results.length < input.planes.length) continue;
        done.set(input.caseId, writeCaseOutputs(scratch, input, results, options));
        renameSync(join(scratch, input.caseId), join(run.outDir, input.caseId));
        results = [];
        next++;
      }
      candidatesPerPlane = candidatesSeen / planesDone;
      groupEvals = 0;
      progress(planesDone);
      // Lets a signal handler run between groups.
      await new Promise((r) => setImmediate(r));
      if (run.signal?.aborted && next < todo.length) break;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const rows = run.inputs.filter((v) => done.has(v.caseId)).map((v) => done.get(v.caseId)!);
  if (rows.length < total) return { rows, complete: false, reused };
  writeSummaryCsv(join(run.outDir, SUMMARY_FILE), rows);
  const seconds = (Date.now() - started) / 1000;
  writeFileAtomic(join(run.outDir, RUN_FILE), `${JSON.stringify({ ...run.provenance, options, vertebrae: rows.length, reused, seconds }, null, 2)}\n`);
  rmSync(join(run.outDir, PENDING_FILE));
  return { rows, complete: true, reused };
}
