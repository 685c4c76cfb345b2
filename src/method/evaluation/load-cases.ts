// The cases `evaluate` scores: for each manifest row, its prediction (<pred>/<case-id>/lesions.nii.gz) and its
// ground truth (lesion_msk), on the same grid. Ground truth is read here and nowhere in training.
import { existsSync } from 'node:fs';
import type { ManifestRow } from '../../data/manifest.js';
import { assertSameGrid, readNifti } from '../../data/nifti.js';
import type { EvalCase } from './evaluate.js';
import { evaluatedSlice } from './label-slice.js';
import { caseId, predictionPath } from './prediction-path.js';

/** Every row's predicted and true label maps (evaluated slice); all problems are reported at once. */
export function loadEvalCases(rows: readonly ManifestRow[], predDir: string): EvalCase[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const r of rows) {
    const id = caseId(r.image);
    if (seen.has(id)) problems.push(`case ${id}: two images share this name (${seen.get(id)}, ${r.image}); predictions would collide`);
    seen.set(id, r.image);
    if (r.lesionMsk === undefined) problems.push(`case ${id}: no lesion_msk in the manifest (ground truth comes only from that column)`);
    else if (!existsSync(predictionPath(predDir, r.image))) problems.push(`case ${id}: prediction not found: ${predictionPath(predDir, r.image)}`);
  }
  if (problems.length > 0) throw new Error(`cannot evaluate ${problems.length} case(s):\n  ${problems.join('\n  ')}`);
  return rows.map((r) => {
    const id = caseId(r.image);
    const truthVol = readNifti(r.lesionMsk!);
    const predVol = readNifti(predictionPath(predDir, r.image));
    try {
      assertSameGrid(truthVol, predVol);
    } catch (e) {
      throw new Error(`case ${id}: ${(e as Error).message}`);
    }
    return { id, pred: evaluatedSlice(predVol, predVol.path), truth: evaluatedSlice(truthVol, truthVol.path), label: r.label };
  });
}

