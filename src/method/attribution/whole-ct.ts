// `hsa segment --ct`: a whole CT and its vertebra label map in, results on the CT out. The vertebrae are cropped
// as `prepare` crops them into <out>/crops (images, masks, a manifest without labels); the method runs on those
// crops, resumably, in <out>/vertebrae (one folder per vertebra, as `segment --manifest` writes them); the
// whole-CT outputs are then assembled from those folders. The crops are files rather than kept in memory so that
// every vertebra's result names a real input that can be viewed or segmented again, and so that --continue
// segments the very crops the interrupted run cropped.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCtVolume, type CtVolume } from '../../data/ct.js';
import { assertEmptyOutputDir, writeFileAtomic } from '../../data/files.js';
import { chooseLevels, ctStem, writeCrops, type CropRow } from '../../data/prepare.js';
import { readVertebraMap, type LabelSchemeChoice, type VertebraMap } from '../../data/vertebra-labels.js';
import { caseId } from '../evaluation/prediction-path.js';
import { loadVertebrae, type SliceChoice, type VertebraInput } from './inputs.js';
import { CT_OUTPUTS, readVertebraResult, STATISTICS_JSON, writeCtOutputs, type VertebraStatistics } from './ct-outputs.js';
import { checkInterruptedRun, RUN_FILE } from './segment.js';

export const CROPS_DIR = 'crops';
export const VERTEBRAE_DIR = 'vertebrae';
/** The inputs of a whole-CT run in progress; --continue must name the same. */
export const CT_PENDING_FILE = '.hsa-segment-ct.json';

export interface WholeCtInputs {
  ct: string;
  vertebrae: string;
  seriesUid?: string;
  labelScheme: LabelSchemeChoice;
  /** Levels to segment (names such as L1); all labelled ones when absent. */
  levels?: readonly string[];
  /** Crop voxel size (mm) and side (the model's image size). */
  spacing: number;
  size: number;
  /** Sagittal slices of each crop to segment (default: the centre one). */
  slices?: SliceChoice;
}

export interface WholeCt {
  outDir: string;
  ct: CtVolume;
  map: VertebraMap;
  /** One crop per vertebra to segment, cranial → caudal, and the same loaded for the method. */
  crops: CropRow[];
  inputs: VertebraInput[];
  /** Where the per-vertebra run stands: none yet, interrupted (to continue), or complete. */
  vertebrae: 'new' | 'interrupted' | 'complete';
}

/** The crops of a run that has them: the crops folder appears whole (writeCrops), so it holds them all. */
function existingCrops(cropsDir: string, stem: string, levels: readonly string[]): CropRow[] {
  return levels.map((level) => ({ level, image: join(cropsDir, 'images', `${stem}_${level}.nii.gz`), segMsk: join(cropsDir, 'masks', `${stem}_${level}_seg.nii.gz`) }));
}

/**
 * Reads and checks the CT and its vertebrae (before anything is written), then opens outDir: a new run (empty
 * or absent folder; the crops are written and loaded, and removed again if one cannot be segmented) or, with
 * resume, the interrupted run of the same inputs there.
 */
/** The CT, its vertebra map and the levels to segment, read and checked (a bad input fails here, naming its file). */
export function readWholeCtInputs(inputs: Pick<WholeCtInputs, 'ct' | 'vertebrae' | 'seriesUid' | 'labelScheme' | 'levels'>): { ct: CtVolume; map: VertebraMap; levels: string[] } {
  const ct = readCtVolume(inputs.ct, { seriesUid: inputs.seriesUid });
  const map = readVertebraMap(inputs.vertebrae, ct, inputs.labelScheme);
  return { ct, map, levels: chooseLevels(map, inputs.levels) };
}

export async function openWholeCt(outDir: string, inputs: WholeCtInputs, resume: boolean): Promise<WholeCt> {
  const { ct, map, levels } = readWholeCtInputs(inputs);
  const { spacing, size, seriesUid } = inputs;
  const slices = inputs.slices ?? 'centre';
  const settings = `${JSON.stringify({ ct: resolve(inputs.ct), vertebrae: resolve(inputs.vertebrae), seriesUid, labelScheme: map.scheme, levels, spacing, size, slices }, null, 2)}\n`;
  const load = (crops: CropRow[]) => loadVertebrae(crops.map((c) => ({ image: c.image, mask: c.segMsk })), size, slices);
  const stem = ctStem(inputs.ct);
  const cropsDir = join(outDir, CROPS_DIR);
  const vertebraeDir = join(outDir, VERTEBRAE_DIR);
  if (resume) {
    checkInterruptedRun(outDir, {
      pendingFile: CT_PENDING_FILE, doneFile: STATISTICS_JSON, command: 'hsa segment --ct', settings, sameWhat: 'another CT, label map, levels or spacing',
    });
    // Left by a crash while this run assembled them: its own files, written again at the end; and the staging
    // folder of crops a killed run was writing (withOutputDir's <crops>.partial-*), written again if needed.
    for (const f of CT_OUTPUTS) rmSync(join(outDir, f), { force: true });
    for (const f of readdirSync(outDir)) if (f.startsWith(`${CROPS_DIR}.partial-`)) rmSync(join(outDir, f), { recursive: true, force: true });
    const crops = existsSync(cropsDir) ? existingCrops(cropsDir, stem, levels) : await writeCrops(ct, map, levels, cropsDir, { stem, size, spacing });
    const vertebrae = !existsSync(vertebraeDir) ? 'new' : existsSync(join(vertebraeDir, RUN_FILE)) ? 'complete' : 'interrupted';
    return { outDir, ct, map, crops, inputs: load(crops), vertebrae };
  }
  assertEmptyOutputDir(outDir);
  const created = !existsSync(outDir);
  mkdirSync(outDir, { recursive: true });
  try {
    writeFileAtomic(join(outDir, CT_PENDING_FILE), settings);
    const crops = await writeCrops(ct, map, levels, cropsDir, { stem, size, spacing });
    return { outDir, ct, map, crops, inputs: load(crops), vertebrae: 'new' };
  } catch (e) {
    // Nothing of a run that cannot start stays behind.
    if (created) rmSync(outDir, { recursive: true, force: true });
    else for (const f of [CT_PENDING_FILE, CROPS_DIR]) rmSync(join(outDir, f), { recursive: true, force: true });
    throw e;
  }
}

/** Once every vertebra is segmented: the whole-CT outputs from their folders; the run is then complete. */
export function finishWholeCt(run: WholeCt): VertebraStatistics[] {
  const results = run.crops.map((c) => readVertebraResult(join(run.outDir, VERTEBRAE_DIR, caseId(c.image)), c.level, caseId(c.image)));
  const stats = writeCtOutputs(run.outDir, run.ct, run.map, results);
  rmSync(join(run.outDir, CT_PENDING_FILE));
  return stats;
}
