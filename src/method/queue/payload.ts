// A segmentation job as it travels through the queue: one group of vertebrae of a run, the model files with
// their hashes, and the run's resolved options. Workers trust nothing in it: every field is checked here
// before any file is read, and a payload that fails a check is rejected without being run.
import { isAbsolute } from 'node:path';
import { type AttributionOptions, resolveOptions, SCHEDULES } from '../attribution/options.js';

export const JOB_VERSION = 1;
/** Jobs of `hsa segment --queue` live in this BullMQ queue. */
export const QUEUE_NAME = 'hsa-segment';

export interface JobItem {
  image: string;
  mask: string;
  label?: 0 | 1;
}

export interface SegmentJob {
  version: typeof JOB_VERSION;
  /** The run's output folder (on the filesystem the workers share). */
  outDir: string;
  model: string;
  modelSha256: string;
  classifier: string;
  classifierSha256: string;
  /** Resolved options: the same object a local run records in result.json. */
  options: AttributionOptions;
  /** One group of the run: at most options.vertebraeBatch vertebrae, in manifest order. */
  items: JobItem[];
}

/** What a worker reports back for a job. */
export interface JobResult {
  cases: string[];
  /** Vertebra folders this attempt moved into the run folder (the others were there from an earlier attempt). */
  written: number;
  seconds: number;
  /** Where the job process ran the model (the worker's --device and --precision). */
  device: string;
  precision: string;
}

/** A job that must not be run nor retried: its payload, or the run it names, is not what a submitter makes. */
export class RejectedJob extends Error {}

function fail(what: string): never {
  throw new RejectedJob(`malformed job payload: ${what}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length > 0) fail(`${where} has unknown field(s) ${extra.join(', ')}`);
}

function path(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 4096 || v.includes('\0') || !isAbsolute(v)) fail(`${where} must be an absolute path`);
  return v;
}

function sha256(v: unknown, where: string): string {
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) fail(`${where} must be 64 lowercase hex digits`);
  return v;
}

/** The options must be complete and already resolved: resolving them again changes nothing. */
function options(v: unknown): AttributionOptions {
  if (!isRecord(v)) fail('options must be an object');
  const keys = Object.keys(resolveOptions()).sort();
  if (JSON.stringify(Object.keys(v).sort()) !== JSON.stringify(keys)) fail(`options must have exactly the fields ${keys.join(', ')}`);
  if (typeof v.harmonise !== 'boolean' || typeof v.keepAll !== 'boolean') fail('options.harmonise and options.keepAll must be true or false');
  if (v.revealFrom !== 'reconstruction' && v.revealFrom !== 'original') fail("options.revealFrom must be 'reconstruction' or 'original'");
  if (!SCHEDULES.includes(v.schedule as never)) fail(`options.schedule must be one of ${SCHEDULES.join(', ')}`);
  for (const k of keys) if (typeof v[k] === 'number' && !Number.isFinite(v[k])) fail(`options.${k} must be a finite number`);
  let resolved: AttributionOptions;
  try {
    resolved = resolveOptions(v as Partial<AttributionOptions>);
  } catch (e) {
    fail((e as Error).message);
  }
  const same = keys.every((k) => resolved[k as keyof AttributionOptions] === v[k]);
  if (!same) fail('options are not a resolved set of attribution options');
  return resolved;
}

function item(v: unknown, k: number): JobItem {
  const where = `items[${k}]`;
  if (!isRecord(v)) fail(`${where} must be an object`);
  onlyKeys(v, ['image', 'mask', 'label'], where);
  const out: JobItem = { image: path(v.image, `${where}.image`), mask: path(v.mask, `${where}.mask`) };
  if (v.label !== undefined) {
    if (v.label !== 0 && v.label !== 1) fail(`${where}.label must be 0 or 1`);
    out.label = v.label;
  }
  return out;
}

/** The payload checked field by field; throws 'malformed job payload: …' naming the first bad field. */
export function parseSegmentJob(data: unknown): SegmentJob {
  if (!isRecord(data)) fail('not an object');
  onlyKeys(data, ['version', 'outDir', 'model', 'modelSha256', 'classifier', 'classifierSha256', 'options', 'items'], 'the job');
  if (data.version !== JOB_VERSION) fail(`version must be ${JOB_VERSION} (this worker's), got ${JSON.stringify(data.version) ?? 'none'}`);
  const opts = options(data.options);
  if (!Array.isArray(data.items) || data.items.length === 0) fail('items must be a non-empty list');
  // More than one group would be batched differently from a local run, and so not give the same result.
  if (data.items.length > opts.vertebraeBatch) fail(`items holds ${data.items.length} vertebrae, more than options.vertebraeBatch (${opts.vertebraeBatch})`);
  return {
    version: JOB_VERSION,
    outDir: path(data.outDir, 'outDir'),
    model: path(data.model, 'model'),
    modelSha256: sha256(data.modelSha256, 'modelSha256'),
    classifier: path(data.classifier, 'classifier'),
    classifierSha256: sha256(data.classifierSha256, 'classifierSha256'),
    options: opts,
    items: data.items.map(item),
  };
}
