// Settings of Hide-and-Seek Attribution (SPEC §5). Defaults are the reference's numbers; the schedule only
// decides how work is batched, so `fast` and `reference` give the same result up to float rounding.
import { HEALTHY_TARGET_P } from '../classifier/healthy-edit.js';

export type Schedule = 'fast' | 'reference';
export const SCHEDULES: readonly Schedule[] = ['fast', 'reference'];

export interface AttributionOptions {
  /** DDIM steps of every inversion (x → x_T). */
  inversionSteps: number;
  /** DDIM steps of every render (x_T, z → x). */
  renderSteps: number;
  /** P(malignant) the healthy edit aims at. */
  targetP: number;
  /** Candidates smaller than this many pixels are dropped. */
  minSize: number;
  /** Candidates with Δ above this are kept. */
  deltaThreshold: number;
  /** fast: vertebrae and all their candidates batched; reference: one image per model call, as the authors ran it. */
  schedule: Schedule;
  /** fast schedule: at most this many images per model call (bounds memory). */
  maxBatch: number;
  /** fast schedule: vertebrae processed together. */
  vertebraeBatch: number;
  /** Ablation (false): score the composite itself instead of its DAE re-encoding. */
  harmonise: boolean;
  /** Ablation ('original'): build composites from the input instead of the reconstruction. */
  revealFrom: 'reconstruction' | 'original';
  /** Ablation (true): keep every candidate without scoring (the plain thresholded difference map). */
  keepAll: boolean;
}

export const DEFAULT_OPTIONS: Readonly<AttributionOptions> = Object.freeze({
  inversionSteps: 250,
  renderSteps: 100,
  targetP: HEALTHY_TARGET_P,
  minSize: 5,
  deltaThreshold: 0.5,
  schedule: 'fast',
  maxBatch: 64,
  vertebraeBatch: 8,
  harmonise: true,
  revealFrom: 'reconstruction',
  keepAll: false,
});

/** Images per model call and vertebrae per group that the schedule implies. */
export function batching(o: AttributionOptions): { maxBatch: number; vertebraeBatch: number } {
  return o.schedule === 'reference' ? { maxBatch: 1, vertebraeBatch: 1 } : { maxBatch: o.maxBatch, vertebraeBatch: o.vertebraeBatch };
}

export function validateOptions(o: AttributionOptions): AttributionOptions {
  const positiveInt = (name: keyof AttributionOptions) => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`attribution: ${name} must be a positive integer, got ${String(v)}`);
  };
  (['inversionSteps', 'renderSteps', 'minSize', 'maxBatch', 'vertebraeBatch'] as const).forEach(positiveInt);
  if (!(o.targetP > 0 && o.targetP < 1)) throw new Error(`attribution: targetP must be in (0, 1), got ${o.targetP}`);
  if (!Number.isFinite(o.deltaThreshold)) throw new Error(`attribution: deltaThreshold must be a number, got ${o.deltaThreshold}`);
  if (!SCHEDULES.includes(o.schedule)) throw new Error(`attribution: schedule must be ${SCHEDULES.join(' or ')}, got ${String(o.schedule)}`);
  return o;
}
