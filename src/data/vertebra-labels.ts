// Vertebra label maps as users have them: VerSe ids, TotalSegmentator v2 multilabel ids (task "total"), or a
// TotalSegmentator folder of one binary mask per structure (vertebrae_L1.nii.gz …). Whatever the scheme, the
// result is one map on the CT's grid whose values are level ids (positions in LEVELS, cranial → caudal), so
// that neighbouring vertebrae have neighbouring ids and every level has its name.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { assertSameGrid, readNifti, spacing, type LoadedVolume, type Volume } from './nifti.js';

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

/** Vertebra levels, cranial → caudal; a level's id in a VertebraMap is its index here + 1. */
export const LEVELS: readonly string[] = [...range('C', 7), ...range('T', 13), ...range('L', 6), 'S1'];

export type LabelScheme = 'verse' | 'totalseg';
export const LABEL_SCHEME_CHOICES = ['auto', 'verse', 'totalseg'] as const;
export type LabelSchemeChoice = (typeof LABEL_SCHEME_CHOICES)[number];

/** VerSe: 1–7 C1–C7, 8–19 T1–T12, 20–25 L1–L6, 28 T13. */
const VERSE = new Map<number, string>([...range('C', 7), ...range('T', 12), ...range('L', 6)].map((n, i) => [i + 1, n]));
VERSE.set(28, 'T13');

/**
 * TotalSegmentator v2 multilabel classes, task "total" (index = id): class_map["total"] in
 * totalsegmentator/map_to_binary.py of github.com/wasserth/TotalSegmentator (commit 0275d304).
 */
const TOTALSEG_TOTAL: readonly string[] = [
  '', 'spleen', 'kidney_right', 'kidney_left', 'gallbladder', 'liver', 'stomach', 'pancreas', 'adrenal_gland_right',
  'adrenal_gland_left', 'lung_upper_lobe_left', 'lung_lower_lobe_left', 'lung_upper_lobe_right', 'lung_middle_lobe_right',
  'lung_lower_lobe_right', 'esophagus', 'trachea', 'thyroid_gland', 'small_bowel', 'duodenum', 'colon', 'urinary_bladder',
  'prostate', 'kidney_cyst_left', 'kidney_cyst_right', 'sacrum', 'vertebrae_S1', 'vertebrae_L5', 'vertebrae_L4',
  'vertebrae_L3', 'vertebrae_L2', 'vertebrae_L1', 'vertebrae_T12', 'vertebrae_T11', 'vertebrae_T10', 'vertebrae_T9',
  'vertebrae_T8', 'vertebrae_T7', 'vertebrae_T6', 'vertebrae_T5', 'vertebrae_T4', 'vertebrae_T3', 'vertebrae_T2',
  'vertebrae_T1', 'vertebrae_C7', 'vertebrae_C6', 'vertebrae_C5', 'vertebrae_C4', 'vertebrae_C3', 'vertebrae_C2',
  'vertebrae_C1', 'heart', 'aorta', 'pulmonary_vein', 'brachiocephalic_trunk', 'subclavian_artery_right',
  'subclavian_artery_left', 'common_carotid_artery_right', 'common_carotid_artery_left', 'brachiocephalic_vein_left',
  'brachiocephalic_vein_right', 'atrial_appendage_left', 'superior_vena_cava', 'inferior_vena_cava',
  'portal_vein_and_splenic_vein', 'iliac_artery_left', 'iliac_artery_right', 'iliac_vena_left', 'iliac_vena_right',
  'humerus_left', 'humerus_right', 'scapula_left', 'scapula_right', 'clavicula_left', 'clavicula_right', 'femur_left',
  'femur_right', 'hip_left', 'hip_right', 'spinal_cord', 'gluteus_maximus_left', 'gluteus_maximus_right',
  'gluteus_medius_left', 'gluteus_medius_right', 'gluteus_minimus_left', 'gluteus_minimus_right', 'autochthon_left',
  'autochthon_right', 'iliopsoas_left', 'iliopsoas_right', 'brain', 'skull', ...range('rib_left_', 12),
  ...range('rib_right_', 12), 'sternum', 'costal_cartilages',
];

/** TotalSegmentator's structure name of a level (vertebrae_L1), as its files and statistics name it. */
export const structureName = (level: string) => `vertebrae_${level}`;
const STRUCTURE = /^vertebrae_(C[1-7]|T1[0-2]|T[1-9]|L[1-5]|S1)\.nii(\.gz)?$/;

/** The level id (1-based index in LEVELS) of a name such as L1, l1 or vertebrae_L1. */
export function levelId(name: string): number | undefined {
  const i = LEVELS.indexOf(name.trim().toUpperCase().replace(/^VERTEBRAE_/, ''));
  return i < 0 ? undefined : i + 1;
}

export const levelName = (id: number) => LEVELS[id - 1]!;

/** The level a scheme's numeric label stands for; undefined for other structures (organs, sacrum, ribs). */
export function schemeLevel(scheme: LabelScheme, label: number): string | undefined {
  if (scheme === 'verse') return VERSE.get(label);
  return TOTALSEG_TOTAL[label]?.match(/^vertebrae_(\w+)$/)?.[1];
}

export interface VertebraMap {
  /** Level ids (see LEVELS) on the CT's grid, 0 elsewhere. */
  volume: Volume;
  /** The label map file or TotalSegmentator folder. */
  path: string;
  scheme: LabelScheme;
  /** Levels present, cranial → caudal. */
  levels: string[];
}

const fail = (path: string, why: string): never => {
  throw new Error(`${path}: ${why}`);
};

const voxel = ([nx, ny]: readonly number[], p: number) => `voxel (${p % nx!}, ${Math.floor(p / nx!) % ny!}, ${Math.floor(p / (nx! * ny!))})`;

/** The distinct labels of a map; a fractional or negative value is an error naming the voxel. */
function labelsIn(vol: LoadedVolume): number[] {
  const seen = new Set<number>();
  const data = vol.data;
  for (let p = 0; p < data.length; p++) {
    const v = data[p]!;
    if (v === 0 || seen.has(v)) continue;
    if (!Number.isInteger(v) || v < 0) fail(vol.path, `value ${v} at ${voxel(vol.dims, p)} is not a label id`);
    seen.add(v);
  }
  return [...seen].sort((a, b) => a - b);
}

/** VerSe or TotalSegmentator from the ids present; ids that fit both readings of a vertebra are an error. */
function detectScheme(path: string, ids: readonly number[]): LabelScheme {
  if (ids.some((id) => !VERSE.has(id))) return 'totalseg';
  // All ids are VerSe vertebrae; under TotalSegmentator they would be organs except 28 (L4, T13 in VerSe).
  if (ids.includes(28)) fail(path, 'label 28 is T13 in VerSe and L4 in TotalSegmentator; give --label-scheme verse or totalseg');
  return 'verse';
}

function checkIds(path: string, scheme: LabelScheme, ids: readonly number[]): void {
  const unknown = ids.filter((id) => (scheme === 'verse' ? !VERSE.has(id) : id >= TOTALSEG_TOTAL.length));
  if (unknown.length === 0) return;
  const known = scheme === 'verse' ? 'VerSe vertebra ids are 1–25 and 28' : `TotalSegmentator v2 "total" classes are 1–${TOTALSEG_TOTAL.length - 1}`;
  fail(path, `label${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} unknown: ${known}${scheme === 'verse' ? ' (a TotalSegmentator map? --label-scheme totalseg)' : ''}`);
}

/** A multilabel NIfTI map, its labels rewritten in place to level ids (other structures to 0). */
function readMultilabel(path: string, ct: LoadedVolume, choice: LabelSchemeChoice): VertebraMap {
  const seg = readNifti(path);
  assertSameGrid(ct, seg);
  const ids = labelsIn(seg);
  if (ids.length === 0) fail(path, 'no vertebra labelled (the map is all 0)');
  const scheme = choice === 'auto' ? detectScheme(path, ids) : choice;
  checkIds(path, scheme, ids);
  const toLevel = new Float32Array(ids[ids.length - 1]! + 1);
  for (const id of ids) toLevel[id] = levelId(schemeLevel(scheme, id) ?? '') ?? 0;
  const data = seg.data;
  for (let p = 0; p < data.length; p++) data[p] = toLevel[data[p]!]!;
  return finish(path, scheme, { dims: seg.dims, data, geometry: seg.geometry }, ids);
}

/** A TotalSegmentator output folder: vertebrae_<level>.nii.gz masks (other structures' files are ignored). */
function readStructureFolder(path: string, ct: LoadedVolume): VertebraMap {
  const files = readdirSync(path).filter((f) => STRUCTURE.test(f)).sort();
  if (files.length === 0) fail(path, 'no vertebrae_<level>.nii.gz files; a TotalSegmentator output folder holds vertebrae_L1.nii.gz …');
  const data = new Float32Array(ct.data.length);
  const owner = new Map<number, string>();
  for (const f of files) {
    const file = join(path, f);
    const id = levelId(f.replace(/\.nii(\.gz)?$/, ''))!;
    if (owner.has(id)) fail(file, `${owner.get(id)} holds the same vertebra`);
    owner.set(id, file);
    const mask = readNifti(file);
    assertSameGrid(ct, mask);
    const m = mask.data;
    for (let p = 0; p < m.length; p++) {
      if (!(m[p]! > 0)) continue;
      if (data[p] !== 0) fail(file, `overlaps ${owner.get(data[p]!)} at ${voxel(ct.dims, p)}`);
      data[p] = id;
    }
  }
  return finish(path, 'totalseg', { dims: ct.dims, data, geometry: ct.geometry }, []);
}

/** Far more than any vertebra holds (a lumbar one, posterior elements included, is under 100 cm³). */
export const MAX_VERTEBRA_CM3 = 400;

function finish(path: string, scheme: LabelScheme, volume: Volume, ids: readonly number[]): VertebraMap {
  const voxels = new Map<number, number>();
  for (const v of volume.data) if (v > 0) voxels.set(v, (voxels.get(v) ?? 0) + 1);
  const how = scheme === 'verse' ? 'VerSe' : 'TotalSegmentator';
  if (voxels.size === 0) fail(path, `no vertebra labelled${ids.length ? ` (labels ${ids.join(', ')} read as ${how})` : ''}`);
  // An organ read as a vertebra (e.g. a TotalSegmentator map without vertebrae taken for VerSe) is far too large.
  const [sx, sy, sz] = spacing(volume.geometry);
  for (const [id, n] of voxels) {
    const cm3 = (n * sx * sy * sz) / 1000;
    if (cm3 > MAX_VERTEBRA_CM3) fail(path, `${levelName(id)} (ids read as ${how}) covers ${Math.round(cm3)} cm³, far more than a vertebra: not a vertebra label map, or another scheme (--label-scheme)`);
  }
  return { volume, path, scheme, levels: [...voxels.keys()].sort((a, b) => a - b).map(levelName) };
}

/**
 * The vertebrae of path on ct's grid: a NIfTI label map (VerSe or TotalSegmentator ids, detected with 'auto')
 * or a TotalSegmentator folder of per-structure masks. Errors name the file and the problem.
 */
export function readVertebraMap(path: string, ct: LoadedVolume, choice: LabelSchemeChoice = 'auto'): VertebraMap {
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return readMultilabel(path, ct, choice);
  if (choice === 'verse') fail(path, 'a folder; a VerSe label map is one NIfTI file');
  return readStructureFolder(path, ct);
}
