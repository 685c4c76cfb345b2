// `hsa segment --queue`: the run's folder opened as a local run opens it, one job per group of vertebraeBatch
// vertebrae (the groups a local run makes, so each vertebra gets the same result byte for byte), the jobs
// watched until every one is done, and summary.csv and run.json gathered from the vertebra folders.
import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { writeFileAtomic } from '../../data/files.js';
import type { VertebraInput } from '../attribution/inputs.js';
import type { AttributionOptions } from '../attribution/options.js';
import { finishedRow, openRun, PENDING_FILE, RUN_FILE, runSettings, type SegmentOutcome, TEMP_PREFIX } from '../attribution/segment.js';
import { SUMMARY_FILE, type SummaryRow, writeSummaryCsv } from '../attribution/outputs.js';
import { type JobItem, JOB_VERSION, QUEUE_NAME, type SegmentJob } from './payload.js';
import { connection } from './redis.js';
import { fileSha256 } from './run-job.js';

export interface QueuedRun {
  url: string;
  /** Loaded and checked by the caller (as a local run loads them); items are what the workers load. */
  inputs: readonly VertebraInput[];
  items: readonly JobItem[];
  files: { model: string; classifier: string };
  options: AttributionOptions;
  outDir: string;
  resume?: boolean;
  provenance?: Record<string, string>;
  /** Vertebrae done (fractional: jobs report within their group), of total; jobs running now. */
  onProgress?: (done: number, total: number, running: number) => void;
  /** Stops waiting: jobs not yet taken are withdrawn, those running finish on their workers. */
  signal?: AbortSignal;
  pollMs?: number;
}

/** Retries of a job that failed (not of one whose worker died: that is BullMQ's stalled-job recovery). */
const ATTEMPTS = 3;
const KEEP_FINISHED_S = 7 * 24 * 3600;

interface Group {
  id: string;
  start: number;
  size: number;
}

function groupsOf(run: QueuedRun, settings: string): Group[] {
  // Job ids name the run (folder and settings), so a resubmitted run finds its jobs still in the queue.
  const key = createHash('sha256').update(`${resolve(run.outDir)}\0${settings}`).digest('hex').slice(0, 16);
  const n = run.options.vertebraeBatch;
  return Array.from({ length: Math.ceil(run.inputs.length / n) }, (_, g) => ({ id: `hsa-${key}-${g}`, start: g * n, size: Math.min(n, run.inputs.length - g * n) }));
}

function payload(run: QueuedRun, g: Group, hashes: { model: string; classifier: string }): SegmentJob {
  return {
    version: JOB_VERSION, outDir: resolve(run.outDir), model: resolve(run.files.model), modelSha256: hashes.model,
    classifier: resolve(run.files.classifier), classifierSha256: hashes.classifier, options: run.options,
    items: run.items.slice(g.start, g.start + g.size).map((i) => ({ ...i, image: resolve(i.image), mask: resolve(i.mask) })),
  };
}

/** Adds the groups' jobs; a job of the same id still waiting or running (an earlier submit's) is kept. */
async function enqueue(queue: Queue, run: QueuedRun, groups: readonly Group[]): Promise<void> {
  const hashes = { model: fileSha256(run.files.model), classifier: fileSha256(run.files.classifier) };
  // All requests in flight together: thousands of jobs cost a few round trips, not thousands.
  const keep = await Promise.all(groups.map(async (g) => {
    const old = await queue.getJob(g.id);
    if (!old) return false;
    const state = await old.getState();
    if (state !== 'completed' && state !== 'failed') return true;
    await old.remove();
    return false;
  }));
  const opts = { attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { age: KEEP_FINISHED_S }, removeOnFail: { age: KEEP_FINISHED_S } };
  await queue.addBulk(groups.filter((_, k) => !keep[k]).map((g) => ({ name: 'segment', data: payload(run, g, hashes), opts: { ...opts, jobId: g.id } })));
}

/** Polls the jobs until all have finished or the signal stops it; returns the failed ones' reasons. */
async function watch(queue: Queue, run: QueuedRun, groups: readonly Group[], reused: number): Promise<string[]> {
  const progress = new Map<string, number>();
  const left = new Set(groups.map((g) => g.id));
  const failures: string[] = [];
  const total = run.inputs.length;
  while (left.size > 0 && !run.signal?.aborted) {
    const now = groups.filter((g) => left.has(g.id));
    const jobs = await Promise.all(now.map(async (g) => {
      const job = await queue.getJob(g.id);
      return { g, job, state: job ? await job.getState() : 'missing' };
    }));
    let running = 0;
    for (const { g, job, state } of jobs) {
      if (state === 'completed') progress.set(g.id, g.size);
      else if (typeof job?.progress === 'number') progress.set(g.id, Math.min(g.size, Math.max(0, job.progress)));
      if (state === 'active') running++;
      if (state !== 'completed' && state !== 'failed' && state !== 'missing') continue;
      left.delete(g.id);
      const cases = run.inputs.slice(g.start, g.start + g.size).map((v) => v.caseId).join(', ');
      if (state === 'failed') failures.push(`job ${g.id} (${cases}): ${job?.failedReason ?? 'failed'}`);
      if (state === 'missing') failures.push(`job ${g.id} (${cases}): removed from the queue by someone else`);
    }
    run.onProgress?.(reused + [...progress.values()].reduce((a, b) => a + b, 0), total, running);
    if (left.size > 0) await new Promise((r) => setTimeout(r, run.pollMs ?? 1000));
  }
  return failures;
}

/** Completes the run folder as runSegmentationResumable does: summary.csv and run.json, the pending file gone. */
function gather(run: QueuedRun, optionsJson: string, reused: number, started: number): SummaryRow[] {
  // Scratch of workers that died mid-job; their vertebrae were written again by the retried job.
  for (const e of readdirSync(run.outDir)) if (e.startsWith(TEMP_PREFIX)) rmSync(join(run.outDir, e), { recursive: true, force: true });
  const rows = run.inputs.map((v) => {
    const row = finishedRow(run.outDir, v, optionsJson);
    if (!row) throw new Error(`${join(run.outDir, v.caseId)}: missing although its job completed; the same command with --continue segments it`);
    return row;
  });
  writeSummaryCsv(join(run.outDir, SUMMARY_FILE), rows);
  const seconds = (Date.now() - started) / 1000;
  writeFileAtomic(join(run.outDir, RUN_FILE), `${JSON.stringify({ ...run.provenance, options: run.options, vertebrae: rows.length, reused, seconds }, null, 2)}\n`);
  rmSync(join(run.outDir, PENDING_FILE));
  return rows;
}

/** A locked (running) job is not removed: it finishes on its worker. */
async function removeJobs(queue: Queue, groups: readonly Group[]): Promise<void> {
  await Promise.all(groups.map((g) => queue.remove(g.id).catch(() => 0)));
}

export async function runQueued(run: QueuedRun): Promise<SegmentOutcome> {
  const started = Date.now();
  const optionsJson = JSON.stringify(run.options);
  const settings = runSettings(run, run.options);
  const done = openRun(run, settings, optionsJson);
  const reused = done.size;
  const groups = groupsOf(run, settings).filter((g) => run.inputs.slice(g.start, g.start + g.size).some((v) => !done.has(v.caseId)));
  const queue = new Queue(QUEUE_NAME, { connection: connection(run.url) });
  try {
    await enqueue(queue, run, groups);
    const failures = await watch(queue, run, groups, reused);
    if (run.signal?.aborted) {
      // Jobs not yet taken are withdrawn; running ones cannot be (they are locked) and finish on their workers.
      await removeJobs(queue, groups);
      const rows = run.inputs.map((v) => finishedRow(run.outDir, v, optionsJson)).filter((r): r is SummaryRow => r !== undefined);
      return { rows, complete: false, reused };
    }
    if (failures.length > 0) {
      throw new Error(`${failures.length} of ${groups.length} jobs failed; the other vertebrae are in ${run.outDir}, and the same command with --continue retries the rest:\n  ${failures.join('\n  ')}`);
    }
    const rows = gather(run, optionsJson, reused, started);
    await removeJobs(queue, groups);
    return { rows, complete: true, reused };
  } finally {
    await queue.close();
  }
}
