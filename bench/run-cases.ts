// The vertebrae of a `segment` run beside their truth, for the benchmarks that re-score a stored run
// (delta-sweep, type-evidence): each case's result.json, candidate map and evaluated lesion slice.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { readManifest } from '../src/data/manifest.js';
import { readNifti } from '../src/data/nifti.js';
import { readSafetensors } from '../src/io/safetensors.js';
import type { EvalCase } from '../src/method/evaluation/evaluate.js';
import { evaluatedSlice } from '../src/method/evaluation/label-slice.js';
import { caseId } from '../src/method/evaluation/prediction-path.js';
import { lesionLabel, type LesionType } from '../src/method/attribution/candidates.js';

/** The command-line options every such benchmark takes (parseArgs), besides its own. */
export const RUN_OPTIONS = {
  run: { type: 'string' },
  manifest: { type: 'string', default: 'data/bench/manifest.csv' },
  split: { type: 'string', default: 'val' },
} as const;

export interface Stored { type: LesionType; pixels: number; delta: number | null; pCandidate: number | null; meanDifference: number }
export interface RunCase {
  id: string;
  label?: 0 | 1;
  truth: EvalCase['truth'];
  /** Candidate k + 1 at its pixels, 0 elsewhere. */
  map: Int32Array;
  pMalignant: number;
  pHealthy: number;
  candidates: Stored[];
  reference?: { high: number; low: number };
  typeReadings?: Record<LesionType, number | null>;
  trueCandidates: ReadonlySet<Stored>;
}

export { groupOf, type LesionGroup as Group } from '../src/method/evaluation/lesion-group.js';

/** Whether candidate j of a case is a true one: most of its pixels lie in a true lesion of its type. */
function isTrue(c: Omit<RunCase, 'trueCandidates'>, j: number): boolean {
  const k = c.candidates[j]!;
  const cls = lesionLabel(k.type);
  let inside = 0;
  c.map.forEach((id, i) => id === j + 1 && c.truth.data[i] === cls && inside++);
  return inside * 2 > k.pixels;
}

/** The cases of one split of the manifest, read from the run folder. */
export async function readRunCases(run: string | undefined, manifest: string, split: string): Promise<RunCase[]> {
  if (!run) throw new Error('--run DIR: a segment output folder');
  const rows = (await readManifest(manifest, { checkFiles: true })).filter((r) => r.split === split);
  return rows.map((r) => {
    const dir = join(run, caseId(r.image));
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as { pMalignant: number; pHealthy: number; candidates: Stored[]; measuredReference?: { high: number; low: number }; typeReadings?: Record<LesionType, number | null> };
    const map = readSafetensors(join(dir, 'maps.safetensors')).tensors.get('candidates')!.data as Int32Array;
    const c = {
      id: caseId(r.image), ...(r.label !== undefined ? { label: r.label } : {}), truth: evaluatedSlice(readNifti(r.lesionMsk!), r.lesionMsk!), map,
      pMalignant: result.pMalignant, pHealthy: result.pHealthy, candidates: result.candidates,
      ...(result.measuredReference ? { reference: result.measuredReference } : {}), ...(result.typeReadings ? { typeReadings: result.typeReadings } : {}),
    };
    return { ...c, trueCandidates: new Set(c.candidates.filter((_k, j) => isTrue(c, j))) };
  });
}

export function medianOf(v: number[]): number | null {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export const fmt = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
