// Writes a phantom benchmark: NIfTI crops (int16 HU), body masks, lesion maps (1 lytic, 2 blastic), a
// manifest with splits and phantom.json describing every case. The folder appears whole or not at all.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { withOutputDir, writeFileAtomic } from '../files.js';
import { writeManifestCsv, type ManifestRow, type Split } from '../manifest.js';
import { writeNifti } from '../nifti.js';
import { CROP, cropGeometry, generateCase, type PhantomCase } from './crop.js';
import type { Difficulty } from './distributions.js';

export interface PhantomOptions {
  count: number;
  seed: number;
  difficulty: Difficulty;
  malignantFraction?: number;
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

export async function writePhantomDataset(outDir: string, opt: PhantomOptions): Promise<ManifestRow[]> {
  if (!Number.isInteger(opt.count) || opt.count < 1) throw new Error(`--count must be a positive integer (got ${opt.count})`);
  return withOutputDir(outDir, (dir) => {
    for (const sub of ['images', 'masks', 'lesions']) mkdirSync(join(dir, sub));
    const geometry = cropGeometry();
    const dims = [CROP, CROP, CROP] as [number, number, number];
    const rows: ManifestRow[] = [];
    const cases = [];
    for (let i = 0; i < opt.count; i++) {
      const c = generateCase(opt.seed, i, opt.difficulty, opt.malignantFraction);
      const name = caseName(i);
      const paths = { image: join(dir, 'images', `${name}.nii.gz`), segMsk: join(dir, 'masks', `${name}_seg.nii.gz`), lesionMsk: join(dir, 'lesions', `${name}_lesion.nii.gz`) };
      // gzip level 1: ~3× faster than the default for a few % more bytes.
      writeNifti(paths.image, { dims, data: c.ct, geometry }, 'int16', { gzipLevel: 1, description: 'hsa phantom HU' });
      writeNifti(paths.segMsk, { dims, data: Float32Array.from(c.body), geometry }, 'uint8', { gzipLevel: 1 });
      writeNifti(paths.lesionMsk, { dims, data: Float32Array.from(c.lesion), geometry }, 'uint8', { gzipLevel: 1 });
      // Absolute staging paths; writeManifestCsv makes them relative, so the final rename keeps them valid.
      rows.push({ ...paths, label: c.spec.label, split: splitOf(i) });
      cases.push(describeCase(c));
      opt.onCase?.(i + 1, opt.count);
    }
    writeManifestCsv(join(dir, 'manifest.csv'), rows);
    writeFileAtomic(join(dir, 'phantom.json'), JSON.stringify({ generator: 'hsa phantom 1', seed: opt.seed, count: opt.count, difficulty: opt.difficulty, cases }, null, 1));
    const out = resolve(outDir);
    return rows.map((r) => ({ ...r, image: r.image.replace(dir, out), segMsk: r.segMsk.replace(dir, out), lesionMsk: r.lesionMsk!.replace(dir, out) }));
  });
}
