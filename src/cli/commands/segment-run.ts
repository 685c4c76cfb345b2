// A segmentation run from the command line: a progress bar (vertebrae, rate, ETA; plain lines in a log) and
// Ctrl-C / SIGTERM stopping cleanly after the vertebrae being segmented (a second one quits at once).
import { LatentClassifier } from '../../method/classifier/latent-classifier.js';
import { runSegmentationResumable, type SegmentOutcome, type SegmentRun } from '../../method/attribution/segment.js';
import { type LoadDiffAEOptions, loadDiffAE } from '../../model/checkpoint.js';
import type { DiffAE } from '../../model/diffae.js';
import { vertebraeProgress } from '../options.js';

/** The DAE (on run.device) and its latent classifier, checked to fit each other; the caller disposes of the model. */
export function loadModelPair(files: { model: string; classifier: string }, run: LoadDiffAEOptions = {}): { model: DiffAE; classifier: LatentClassifier } {
  const classifier = LatentClassifier.load(files.classifier);
  const model = loadDiffAE(files.model, run);
  if (classifier.scaler.features !== model.config.enc_out_channels) {
    model.dispose();
    throw new Error(`${files.classifier}: classifier takes ${classifier.scaler.features}-d latents, the model ${files.model} makes ${model.config.enc_out_channels}-d`);
  }
  return { model, classifier };
}

/** Runs fn with Ctrl-C / SIGTERM aborting its signal (`stopping` says what that means; a second one quits at once). */
export async function withStopSignals<T>(stopping: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    console.error(`\nsegment: ${stopping} (again to quit at once)`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** runSegmentationResumable observed and interruptible; a stopped run is reported (exit code 130) here. */
export async function segmentWithProgress(run: Omit<SegmentRun, 'onProgress' | 'signal'>): Promise<SegmentOutcome> {
  const bar = vertebraeProgress('segment');
  try {
    const outcome = await withStopSignals('stopping after the vertebrae being segmented now', (signal) =>
      runSegmentationResumable({ ...run, signal, onProgress: (done, total) => bar.update(done, total) }),
    );
    bar.stop();
    if (!outcome.complete) {
      console.log(`segment: stopped after ${outcome.rows.length} of ${run.inputs.length} vertebrae; the same command with --continue finishes the run`);
      process.exitCode = 130;
    }
    return outcome;
  } finally {
    bar.stop();
  }
}
