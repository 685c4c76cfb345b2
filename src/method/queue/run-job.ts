// What a worker does with one job: its group of vertebrae segmented exactly as a local run segments that group
// (runSegmentationResumable into a scratch folder inside the run folder), then each vertebra's folder renamed
// into the run folder. A rename is atomic and never replaces a folder that is there, so a worker killed at any
// moment leaves no half result, and a retried job (or two attempts racing) leaves each vertebra exactly once.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { loadDiffAE } from '../../model/checkpoint.js';
import type { DiffAE } from '../../model/diffae.js';
import { diffaeEngine } from '../attribution/engine.js';
import { loadVertebrae } from '../attribution/inputs.js';
import { finishedRow, PENDING_FILE, RUN_FILE, runSegmentationResumable, TEMP_PREFIX } from '../attribution/segment.js';
import { LatentClassifier } from '../classifier/latent-classifier.js';
import { type JobResult, RejectedJob, type SegmentJob } from './payload.js';
import type { Placement } from './placement.js';

export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

// A worker keeps the last model it loaded: consecutive jobs of a run use the same one.
let cached: { key: string; model: DiffAE; classifier: LatentClassifier } | undefined;

function modelPair(job: SegmentJob, placement: Placement): { model: DiffAE; classifier: LatentClassifier } {
  // Hashed on every job: a model replaced on the shared filesystem mid-run must not mix into the results.
  if (fileSha256(job.model) !== job.modelSha256) throw new RejectedJob(`${job.model}: not the model the run was submitted with (its SHA-256 differs)`);
  if (fileSha256(job.classifier) !== job.classifierSha256) throw new RejectedJob(`${job.classifier}: not the classifier the run was submitted with (its SHA-256 differs)`);
  const key = [job.model, job.modelSha256, job.classifier, job.classifierSha256, placement.device, placement.precision].join('\0');
  if (cached?.key !== key) {
    cached?.model.dispose();
    cached = undefined;
    const classifier = LatentClassifier.load(job.classifier);
    cached = { key, model: loadDiffAE(job.model, placement), classifier };
  }
  return cached;
}

/** Jobs write only into a run that a submitter opened and has not finished. */
function checkRunFolder(outDir: string): void {
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw new RejectedJob(`${outDir}: the run folder does not exist (on this machine's filesystem)`);
  if (existsSync(join(outDir, RUN_FILE))) throw new RejectedJob(`${outDir}: the run is already complete (${RUN_FILE}); nothing to do`);
  if (!existsSync(join(outDir, PENDING_FILE))) throw new RejectedJob(`${outDir}: not a run in progress (no ${PENDING_FILE}); refusing to write into it`);
}

function isTaken(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOTEMPTY' || code === 'EEXIST';
}

/**
 * Segments the job's vertebrae into job.outDir with the model on placement (the worker's); onProgress gets the
 * vertebrae done (fractional) of the job's.
 */
export async function runSegmentJob(job: SegmentJob, placement: Placement, onProgress?: (done: number, total: number) => void): Promise<JobResult> {
  const started = Date.now();
  checkRunFolder(job.outDir);
  const { model, classifier } = modelPair(job, placement);
  const inputs = loadVertebrae(job.items, model.config.image_size);
  const scratch = join(job.outDir, `${TEMP_PREFIX}${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`);
  let written = 0;
  try {
    await runSegmentationResumable({ inputs, engine: diffaeEngine(model), classifier, options: job.options, outDir: scratch, ...(onProgress ? { onProgress } : {}) });
    const optionsJson = JSON.stringify(job.options);
    for (const v of inputs) {
      try {
        renameSync(join(scratch, v.caseId), join(job.outDir, v.caseId));
        written++;
      } catch (e) {
        if (!isTaken(e)) throw e;
        // An earlier attempt of this job got there first: its folder must be complete and of this run.
        finishedRow(job.outDir, v, optionsJson);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { cases: inputs.map((v) => v.caseId), written, seconds: (Date.now() - started) / 1000, device: model.device, precision: model.precision };
}
