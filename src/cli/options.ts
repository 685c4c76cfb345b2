// Shared parsing and display helpers of the CLI commands.
import { InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';

export function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`'${v}' is not a non-negative integer`);
  return n;
}

export function num(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`'${v}' is not a number`);
  return n;
}

export interface ProgressBar {
  update(value: number, total: number, payload?: Record<string, string>): void;
  stop(): void;
}

/** Seconds as a short duration: 45s, 21m05s, 3h15m. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
}

/** A run's own vertebrae/min and the time left at that rate (`left`: cli-progress's own {eta} token would win over a payload `eta`). */
export interface RunMeter { rate: string; left: string }

/** What a segmentation's progress bar shows; the payload is a RunMeter and `done` (fractional vertebrae). */
export const SEGMENT_PROGRESS = '{done}/{total} vertebrae | {rate} vertebrae/min | ETA {left}';

/**
 * The average rate since the first value given (vertebrae reused by --continue are not this run's work) and the
 * ETA at that rate. Not the progress bar's recent rate: a batch advances in phases of very different speed
 * (renders, then one composite per candidate), which made that ETA swing by hours.
 */
export function runMeter(): (done: number, total: number) => RunMeter {
  let first: { done: number; at: number } | undefined;
  return (done, total) => {
    first ??= { done, at: Date.now() };
    const ms = Date.now() - first.at;
    if (done <= first.done || ms <= 0) return { rate: '-', left: '-' };
    const perMs = (done - first.done) / ms;
    return { rate: (perMs * 60_000).toFixed(2), left: formatDuration((total - done) / perMs / 1000) };
  };
}

/**
 * A bar of vertebrae done (fractional) with this run's own rate and ETA (runMeter); `extra`: more payload for the
 * format's own tokens.
 */
export function vertebraeProgress(label: string, format = SEGMENT_PROGRESS): ProgressBar {
  const bar = progressBar(label, format);
  const meter = runMeter();
  return {
    update: (done, total, extra = {}) => bar.update(done, total, { done: done.toFixed(1), ...meter(done, total), ...extra }),
    stop: () => bar.stop(),
  };
}

/** A progress bar on a terminal; plain lines (at most one per 5 s) in logs and CI. */
export function progressBar(label: string, format: string): ProgressBar {
  const tty = Boolean(process.stderr.isTTY);
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] ${format}`, stream: process.stderr, noTTYOutput: !tty, notTTYSchedule: 5000, etaBuffer: 50, hideCursor: tty },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(value, total, payload = {}) {
      if (!started) {
        bar.start(total, value, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(value, payload);
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
