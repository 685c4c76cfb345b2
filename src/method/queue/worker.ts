// `hsa worker`: takes segmentation jobs from the queue, `concurrency` at a time, each in a child process
// (process-job.ts) that keeps its model between jobs. A job whose worker dies (machine lost, SIGKILL) is
// found stalled by another worker once its lock has expired and is run again there.
import { hostname } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Job, Worker } from 'bullmq';
import type { JobResult, SegmentJob } from './payload.js';
import { QUEUE_NAME } from './payload.js';
import { type Placement, placementEnv } from './placement.js';
import { connection } from './redis.js';

export interface WorkerSettings {
  url: string;
  concurrency: number;
  /** How long a job stays locked without its worker renewing the lock (a dead worker's job waits this long). */
  lockDurationMs: number;
  /** How often this worker looks for stalled jobs of dead workers. */
  stalledIntervalMs: number;
  /** Where the job processes run the model. */
  placement: Placement;
  log: (line: string) => void;
}

export const WORKER_DEFAULTS = { lockDurationMs: 30_000, stalledIntervalMs: 30_000 } as const;
/** A job may stall (lose its worker) this many times before it is failed: preemptible machines come and go. */
const MAX_STALLED = 3;

/** process-job.js beside this file, or process-job.ts when running from the sources (tsx). */
const PROCESSOR = fileURLToPath(new URL(`./process-job${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

function describe(job: Job<SegmentJob>): string {
  const items = Array.isArray(job.data?.items) ? job.data.items.length : '?';
  return `job ${job.id} (${items} vertebrae, attempt ${job.attemptsMade + 1}/${job.opts.attempts ?? 1})`;
}

/** This worker's name in logs and in BullMQ (host:pid). */
export const WORKER_NAME = `${hostname()}:${process.pid}`;

export function startWorker(s: WorkerSettings): Worker<SegmentJob, JobResult> {
  const name = WORKER_NAME;
  const worker = new Worker<SegmentJob, JobResult>(QUEUE_NAME, PROCESSOR, {
    connection: connection(s.url),
    name,
    concurrency: s.concurrency,
    lockDuration: s.lockDurationMs,
    stalledInterval: s.stalledIntervalMs,
    maxStalledCount: MAX_STALLED,
    // BullMQ forks the job processes with this environment (placement.ts reads it there).
    workerForkOptions: { env: { ...process.env, ...placementEnv(s.placement) } },
  });
  const started = new Map<string, number>();
  worker.on('active', (job) => {
    started.set(job.id!, Date.now());
    s.log(`${describe(job)}: started`);
  });
  worker.on('completed', (job, r) => {
    const seconds = (Date.now() - (started.get(job.id!) ?? Date.now())) / 1000;
    started.delete(job.id!);
    s.log(`job ${job.id}: done in ${seconds.toFixed(1)} s (${r.cases.join(', ')}; ${r.written} written${r.written < r.cases.length ? ', the rest there from an earlier attempt' : ''}) on ${r.device}, ${r.precision}`);
  });
  worker.on('failed', (job, err) => {
    if (job) started.delete(job.id!);
    const what = job ? `job ${job.id}: attempt ${job.attemptsMade}/${job.opts.attempts ?? 1}` : 'a job';
    s.log(`${what} failed${err.name === 'UnrecoverableError' ? ' (rejected, not retried)' : ''}: ${err.message.split('\n')[0]}`);
  });
  worker.on('stalled', (id) => s.log(`job ${id}: its worker stopped renewing the lock; back in the queue for another`));
  let lastError = '';
  worker.on('error', (e) => {
    // ioredis reconnects by itself; say so once per distinct problem instead of once per retry.
    if (e.message !== lastError) s.log(`queue: ${e.message}`);
    lastError = e.message;
  });
  return worker;
}
