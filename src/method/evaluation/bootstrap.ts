// How sure is a difference between two methods scored on the same vertebrae? A paired bootstrap over vertebrae:
// each resample draws vertebrae with replacement, scores both methods on the same draw with the benchmark's own
// rules (summariseCases), and the percentile interval of the differences is reported. Written here because the
// metrics are pooled ratios over per-vertebra records (lesion counts, Dice over the vertebrae that hold a class),
// which a generic bootstrap package would only reach through this same resampling loop.
import { Rng } from '../../data/phantom/random.js';
import { type CaseResult, type CaseSummary, summariseCases } from './evaluate.js';

export const BOOTSTRAP_METRICS = [
  { key: 'diceLytic', label: 'Dice lytic', of: (s: CaseSummary) => s.lytic.diceMean },
  { key: 'diceBlastic', label: 'Dice blastic', of: (s: CaseSummary) => s.blastic.diceMean },
  { key: 'f1Lytic', label: 'F1 lytic', of: (s: CaseSummary) => s.lytic.lesions.f1 },
  { key: 'f1Blastic', label: 'F1 blastic', of: (s: CaseSummary) => s.blastic.lesions.f1 },
  { key: 'sensitivity', label: 'Sensitivity', of: (s: CaseSummary) => s.vertebra.sensitivity },
  { key: 'specificity', label: 'Specificity', of: (s: CaseSummary) => s.vertebra.specificity },
] as const;
export type BootstrapMetric = (typeof BOOTSTRAP_METRICS)[number]['key'];

export interface Interval {
  /** a − b on all vertebrae; null when either is undefined there (n/a). */
  difference: number | null;
  /** Percentile interval of the resampled differences (resamples where either is n/a are left out). */
  low: number | null;
  high: number | null;
  /** Resamples in which both were defined. */
  resamples: number;
}

export interface BootstrapSettings {
  resamples: number;
  seed: number;
  /** Coverage of the interval, e.g. 0.95. */
  level: number;
}

export const DEFAULT_BOOTSTRAP: Readonly<BootstrapSettings> = Object.freeze({ resamples: 1000, seed: 0, level: 0.95 });

/** The q-quantile of sorted values, linearly interpolated (numpy's default). */
function quantile(sorted: readonly number[], q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** Per metric: method a minus method b, with its bootstrap interval. Both must score the same vertebrae in the same order. */
export function pairedBootstrap(a: readonly CaseResult[], b: readonly CaseResult[], settings: BootstrapSettings = DEFAULT_BOOTSTRAP): Record<BootstrapMetric, Interval> {
  if (a.length !== b.length || a.some((r, i) => r.id !== b[i]!.id)) throw new Error('bootstrap: the two methods were not scored on the same vertebrae');
  if (a.length === 0) throw new Error('bootstrap: no vertebrae');
  if (!(Number.isInteger(settings.resamples) && settings.resamples >= 1)) throw new Error(`bootstrap: resamples must be a positive integer, got ${settings.resamples}`);
  if (!(settings.level > 0 && settings.level < 1)) throw new Error(`bootstrap: level must be in (0, 1), got ${settings.level}`);
  const diff = (sa: CaseSummary, sb: CaseSummary, of: (s: CaseSummary) => number | null) => {
    const [x, y] = [of(sa), of(sb)];
    return x === null || y === null ? null : x - y;
  };
  const draws: number[][] = BOOTSTRAP_METRICS.map(() => []);
  const rng = new Rng(settings.seed, a.length);
  for (let r = 0; r < settings.resamples; r++) {
    const picks = Array.from(a, () => Math.floor(rng.next() * a.length));
    const [sa, sb] = [summariseCases(picks.map((i) => a[i]!)), summariseCases(picks.map((i) => b[i]!))];
    BOOTSTRAP_METRICS.forEach((m, k) => {
      const d = diff(sa, sb, m.of);
      if (d !== null) draws[k]!.push(d);
    });
  }
  const [whole, wholeB] = [summariseCases(a), summariseCases(b)];
  const tail = (1 - settings.level) / 2;
  return Object.fromEntries(BOOTSTRAP_METRICS.map((m, k) => {
    const sorted = draws[k]!.sort((x, y) => x - y);
    const some = sorted.length > 0;
    return [m.key, { difference: diff(whole, wholeB, m.of), low: some ? quantile(sorted, tail) : null, high: some ? quantile(sorted, 1 - tail) : null, resamples: sorted.length }];
  })) as Record<BootstrapMetric, Interval>;
}
