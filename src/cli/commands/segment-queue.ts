// `hsa segment --manifest M --out DIR --queue redis://…`: the run's jobs handed to `hsa worker`s on any number
// of machines, watched with one progress line across all of them, and gathered as a local run would be.
// Ctrl-C stops waiting: jobs not yet taken are withdrawn, running ones finish; --continue picks the run up.
import { loadVertebrae } from '../../method/attribution/inputs.js';
import type { AttributionOptions } from '../../method/attribution/options.js';
import type { SegmentOutcome } from '../../method/attribution/segment.js';
import type { JobItem } from '../../method/queue/payload.js';
import { assertRedisReachable, displayUrl, parseQueueUrl } from '../../method/queue/redis.js';
import { runQueued } from '../../method/queue/submit.js';
import { SEGMENT_PROGRESS, vertebraeProgress } from '../options.js';
import { loadModelPair, withStopSignals } from './segment-run.js';

/** Waiting this long with no job taken suggests that no worker is running. */
const IDLE_HINT_MS = 30_000;

export interface QueuedSegment {
  queue: string;
  items: JobItem[];
  files: { model: string; classifier: string };
  options: AttributionOptions;
  outDir: string;
  resume: boolean;
}

export async function segmentQueued(s: QueuedSegment): Promise<SegmentOutcome> {
  const url = parseQueueUrl(s.queue);
  await assertRedisReachable(url);
  // Everything a worker would find wrong is found here first, before any job exists: the model pair and every input.
  const { model } = loadModelPair(s.files);
  let inputs;
  try {
    inputs = loadVertebrae(s.items, model.config.image_size);
  } finally {
    model.dispose();
  }
  const bar = vertebraeProgress('segment', `${SEGMENT_PROGRESS} | {running} jobs running`);
  const started = Date.now();
  let first: number | undefined;
  let hinted = false;
  try {
    const outcome = await withStopSignals('withdrawing the jobs not yet taken; those running finish on their workers', (signal) =>
      runQueued({
        url, inputs, items: s.items, files: s.files, options: s.options, outDir: s.outDir, resume: s.resume,
        provenance: { model: s.files.model, classifier: s.files.classifier }, signal,
        onProgress: (done, total, running) => {
          first ??= done;
          if (running === 0 && done === first && !hinted && Date.now() - started > IDLE_HINT_MS) {
            hinted = true;
            console.error(`\nsegment: no worker has taken a job in ${IDLE_HINT_MS / 1000} s; start some with: hsa worker --queue ${displayUrl(url)}`);
          }
          bar.update(done, total, { running: String(running) });
        },
      }),
    );
    bar.stop();
    if (outcome.complete) {
      const lesions = outcome.rows.filter((row) => row.pixels.lytic + row.pixels.blastic > 0).length;
      console.log(`segment: ${outcome.rows.length} vertebrae${outcome.reused ? ` (${outcome.reused} from the earlier run)` : ''}, ${lesions} with lesions, segmented by the queue's workers; results in ${s.outDir} (summary.csv)`);
    } else {
      console.log(`segment: stopped waiting with ${outcome.rows.length} of ${inputs.length} vertebrae done; the same command with --continue finishes the run`);
      process.exitCode = 130;
    }
    return outcome;
  } finally {
    bar.stop();
  }
}
