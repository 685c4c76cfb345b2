// The job processor that BullMQ runs in a child process of `hsa worker` (a sandboxed processor): libtorch
// blocks the thread it computes on, and the worker's own event loop must stay free to renew the job's lock,
// or the job would look stalled and be handed to another worker while still running.
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import { type JobResult, parseSegmentJob, RejectedJob } from './payload.js';
import { placementFromEnv } from './placement.js';
import { runSegmentJob } from './run-job.js';

/** Progress messages at most this often (each is a Redis write). */
const PROGRESS_EVERY_MS = 1000;

export default async function processSegmentJob(job: SandboxedJob): Promise<JobResult> {
  try {
    const payload = parseSegmentJob(job.data);
    // A bad placement is this worker's fault, not the job's: a plain error, so another worker may retry it.
    const placement = placementFromEnv();
    let last = 0;
    return await runSegmentJob(payload, placement, (done, total) => {
      if (done < total && Date.now() - last < PROGRESS_EVERY_MS) return;
      last = Date.now();
      void job.updateProgress(done);
    });
  } catch (e) {
    // Rejected jobs fail at once: running them again would fail the same way.
    if (e instanceof RejectedJob) throw new UnrecoverableError(e.message);
    throw e;
  }
}
