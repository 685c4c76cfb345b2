// Writes a phantom benchmark: NIfTI crops (int16 HU), body masks, lesion maps (1 lytic, 2 blastic), a
// manifest with splits and phantom.json describing every case. The folder appears whole or not at all.
import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { constants, gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { withOutputDir, writeFileAtomic } from '../files.js';
import { writeManifestCsv, type ManifestRow, type Split } from '../manifest.js';
import { encodeNifti1, type NiftiDatatype, type Volume } from '../nifti.js';
import { CROP, cropGeometry, generateCase, type PhantomCase } from './crop.js';
import type { Difficulty } from './distributions.js';

export interface PhantomOptions {
  count: number;
  seed: number;
  difficulty: Difficulty;
  malignantFraction?: number;
  /** Worker threads (default 1 = this thread); the output does not depend on it. */
  workers?: number;
  onCase?: (done: number, total: number) => void;
}

/** Interleaved 10:1:2 split: of every 13 cases 2 are test, 1 val, 10 train (2 600 → 2 000 / 200 / 400). */
export function splitOf(index: number): Split {
  const r = index % 13;
  return r < 2 ? 'test' : r === 2 ? 'val' : 'train';
}

/** What a human (or an analysis) needs to know about a case without opening it. */
export function describeCase(c: PhantomCase) {
  const main = c.spec.scene.vertebrae.find((v) => v.s0 === 0)!;
  return {
    index: c.index,
    label: c.spec.label,
    vertebra: main.id,
    trabecularHU: Math.round(main.trabecularHU),
    noiseSD: +c.spec.scanner.noiseSD.toFixed(1),
    lesions: main.lesions.map((l) => ({ kind: l.kind, diameterMm: +((2 * (l.radii[0] + l.radii[1] + l.radii[2])) / 3).toFixed(1), breach: l.breach, diffuse: l.diffuse })),
    mimics: [...main.mimics.map((m) => m.kind), ...(main.trabecularHU < 90 ? ['osteoporosis'] : [])],
  };
}

export function caseName(index: number): string {
  return `case_${String(index).padStart(5, '0')}`;
}

/** The three files of case `index` (absolute paths under dir). */
function casePaths(dir: string, index: number) {
  const name = caseName(index);
  return { image: join(dir, 'images', `${name}.nii.gz`), segMsk: join(dir, 'masks', `${name}_seg.nii.gz`), lesionMsk: join(dir, 'lesions', `${name}_lesion.nii.gz`) };
}

export interface CaseJob {
  dir: string;
  seed: number;
  index: number;
  difficulty: Difficulty;
  malignantFraction?: number;
}

/**
 * A .nii.gz (NIfTI-1) of a new file. Deflate with run-length matches only (Z_RLE): on the noisy int16 crops
 * ~2× faster than level 1 for ~4 % more bytes, and smaller masks; an ordinary gzip stream for any reader.
 */
function writeNiiGz(path: string, vol: Volume, datatype: NiftiDatatype, description?: string): void {
  writeFileAtomic(path, gzipSync(encodeNifti1(vol, datatype, description), { level: 1, strategy: constants.Z_RLE }));
}

/** Generates case `index` and writes its three files into dir; depends on nothing but the job, so any thread may run it. */
export function writeCase(job: CaseJob): ReturnType<typeof describeCase> {
  const c = generateCase(job.seed, job.index, job.difficulty, job.malignantFraction);
  const paths = casePaths(job.dir, job.index);
  const geometry = cropGeometry();
  const dims = [CROP, CROP, CROP] as [number, number, number];
  writeNiiGz(paths.image, { dims, data: c.ct, geometry }, 'int16', 'hsa phantom HU');
  writeNiiGz(paths.segMsk, { dims, data: Float32Array.from(c.body), geometry }, 'uint8');
  writeNiiGz(paths.lesionMsk, { dims, data: Float32Array.from(c.lesion), geometry }, 'uint8');
  return describeCase(c);
}

/** Runs writeCase for 0..count−1 on `workers` worker threads (1: in this thread); results in index order. */
async function writeCases(jobs: CaseJob[], workers: number, onCase?: (done: number, total: number) => void): Promise<ReturnType<typeof describeCase>[]> {
  const out = new Array<ReturnType<typeof describeCase>>(jobs.length);
  if (workers <= 1) {
    jobs.forEach((job, i) => {
      out[i] = writeCase(job);
      onCase?.(i + 1, jobs.length);
    });
    return out;
  }
  const pool = Array.from({ length: Math.min(workers, jobs.length) }, () => startWorker());
  let next = 0;
  let done = 0;
  try {
    await new Promise<void>((resolveAll, reject) => {
      const feed = (w: Worker) => {
        if (next < jobs.length) w.postMessage({ slot: next, job: jobs[next++] });
      };
      for (const w of pool) {
        w.on('message', (m: { slot: number; description: ReturnType<typeof describeCase> }) => {
          out[m.slot] = m.description;
          done++; // not inside onCase?.(…): an absent callback would skip the increment
          onCase?.(done, jobs.length);
          if (done === jobs.length) resolveAll();
          else feed(w);
        });
        w.on('error', reject);
        w.on('exit', (code) => done < jobs.length && reject(new Error(`phantom worker exited with code ${code}`)));
        feed(w);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return out;
}

/**
 * Compiled dist/ code runs worker.js as is. From .ts sources (tsx, vitest) a bootstrap registers tsx's loader
 * first: on Node 20, `execArgv: ['--import', 'tsx']` registers it too late for the worker's entry file.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./worker.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}); });`, { eval: true });
}

export async function writePhantomDataset(outDir: string, opt: PhantomOptions): Promise<ManifestRow[]> {
  if (!Number.isInteger(opt.count) || opt.count < 1) throw new Error(`--count must be a positive integer (got ${opt.count})`);
  const workers = opt.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be a positive integer (got ${workers})`);
  return withOutputDir(outDir, async (dir) => {
    for (const sub of ['images', 'masks', 'lesions']) mkdirSync(join(dir, sub));
    const jobs = Array.from({ length: opt.count }, (_, index): CaseJob => ({ dir, seed: opt.seed, index, difficulty: opt.difficulty, malignantFraction: opt.malignantFraction }));
    const cases = await writeCases(jobs, workers, opt.onCase);
    // Absolute staging paths; writeManifestCsv makes them relative, so the final rename keeps them valid.
    const rows: ManifestRow[] = cases.map((c, i) => ({ ...casePaths(dir, i), label: c.label, split: splitOf(i) }));
    writeManifestCsv(join(dir, 'manifest.csv'), rows);
    writeFileAtomic(join(dir, 'phantom.json'), JSON.stringify({ generator: 'hsa phantom 1', seed: opt.seed, count: opt.count, difficulty: opt.difficulty, cases }, null, 1));
    const out = resolve(outDir);
    return rows.map((r) => ({ ...r, image: r.image.replace(dir, out), segMsk: r.segMsk.replace(dir, out), lesionMsk: r.lesionMsk!.replace(dir, out) }));
  });
}
