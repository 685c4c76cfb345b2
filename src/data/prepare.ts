// Whole CT (HU) + vertebra label map → one 64³ crop per vertebra around its BODY centre,
// resampled to a fixed spacing in the reference layout: axis 0 anterior→posterior, axis 1 along the spine
// (cranial→caudal), axis 2 across, so the centre slice of axis 2 is the mid-sagittal plane.
import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { readCtVolume } from './ct.js';
import { readInputText, withOutputDir } from './files.js';
import { writeManifestCsv, type UnlabelledRow } from './manifest.js';
import { affine, geometryFromAffine, writeNifti, type NiftiGeometry, type Volume } from './nifti.js';
import { levelId, levelName, readVertebraMap, schemeLevel, type LabelScheme, type LabelSchemeChoice, type VertebraMap } from './vertebra-labels.js';
import { cross, dot, scale, sub, type V3 } from './vec3.js';

const norm = (a: V3): V3 => scale(a, 1 / Math.hypot(...a));

/**
 * Table of vertebra-level labels: CSV or JSON rows with `vertebra` (a level name such as L1 or vertebrae_L1, or
 * the label scheme's numeric id) and `label`; keyed by level name.
 */
export function readLabelTable(path: string, scheme: LabelScheme): Map<string, 0 | 1> {
  let recs: Record<string, unknown>[];
  try {
    const text = readInputText(path);
    recs = extname(path).toLowerCase() === '.json' ? (JSON.parse(text) as Record<string, unknown>[]) : (parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, unknown>[]);
  } catch (e) {
    throw new Error(`${path}: cannot read label table (${(e as Error).message})`);
  }
  const out = new Map<string, 0 | 1>();
  const bad: string[] = [];
  recs.forEach((r, i) => {
    const v = String(r['vertebra'] ?? '').trim();
    const id = /^\d+$/.test(v) ? levelId(schemeLevel(scheme, Number(v)) ?? '') : levelId(v);
    const l = String(r['label'] ?? '').trim().toLowerCase();
    const label = l === '1' || l === 'malignant' ? 1 : l === '0' || l === 'healthy' ? 0 : undefined;
    if (id === undefined || label === undefined) bad.push(`row ${i + 2}: vertebra "${v}", label "${l}"`);
    else out.set(levelName(id), label);
  });
  if (bad.length > 0) throw new Error(`${path}: ${bad.length} bad row(s):\n  ${bad.join('\n  ')}`);
  return out;
}

export interface VertebraCrop {
  id: number;
  ct: Float32Array;
  body: Uint8Array;
  geometry: NiftiGeometry;
  /** Body centre (world mm). */
  centre: V3;
}

/** Inverts a 4×4 affine with orthogonal-or-not 3×3 part (general 3×3 inverse). */
export function invertAffine(a: number[][]): number[][] {
  const m = a.map((r) => r.slice(0, 3));
  const c = (r: number, k: number) => m[r]![k]!;
  const det = c(0, 0) * (c(1, 1) * c(2, 2) - c(1, 2) * c(2, 1)) - c(0, 1) * (c(1, 0) * c(2, 2) - c(1, 2) * c(2, 0)) + c(0, 2) * (c(1, 0) * c(2, 1) - c(1, 1) * c(2, 0));
  const inv = [
    [c(1, 1) * c(2, 2) - c(1, 2) * c(2, 1), c(0, 2) * c(2, 1) - c(0, 1) * c(2, 2), c(0, 1) * c(1, 2) - c(0, 2) * c(1, 1)],
    [c(1, 2) * c(2, 0) - c(1, 0) * c(2, 2), c(0, 0) * c(2, 2) - c(0, 2) * c(2, 0), c(0, 2) * c(1, 0) - c(0, 0) * c(1, 2)],
    [c(1, 0) * c(2, 1) - c(1, 1) * c(2, 0), c(0, 1) * c(2, 0) - c(0, 0) * c(2, 1), c(0, 0) * c(1, 1) - c(0, 1) * c(1, 0)],
  ].map((r) => r.map((x) => x / det));
  const t = [a[0]![3]!, a[1]![3]!, a[2]![3]!];
  return inv.map((r) => [...r, -(r[0]! * t[0]! + r[1]! * t[1]! + r[2]! * t[2]!)]);
}

/** World coordinates of every voxel of each label, as running sums, plus the voxel lists. */
function collect(seg: Volume, A: number[][]): Map<number, V3[]> {
  const [nx, ny, nz] = seg.dims;
  const pts = new Map<number, V3[]>();
  let idx = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, idx++) {
    const id = Math.round(seg.data[idx]!);
    if (id <= 0) continue;
    const w: V3 = [0, 1, 2].map((r) => A[r]![0]! * i + A[r]![1]! * j + A[r]![2]! * k + A[r]![3]!) as V3;
    let list = pts.get(id);
    if (!list) pts.set(id, (list = []));
    list.push(w);
  }
  return pts;
}

const mean = (ps: V3[]): V3 => scale(ps.reduce((s, p) => [s[0] + p[0], s[1] + p[1], s[2] + p[2]] as V3, [0, 0, 0] as V3), 1 / ps.length);

/**
 * One crop per labelled vertebra. Axes: the spine tangent from the neighbours' centroids (caudal), the
 * world anterior direction (RAS +y) made orthogonal to it, and their cross product. The body is the part
 * of the vertebra anterior to the spinal canal, found as the first gap (≥ 2 mm) in the midline AP profile.
 */
export function cropVertebrae(ct: Volume, seg: Volume, ids: readonly number[], size = 64, spacing = 0.8): VertebraCrop[] {
  const A = affine(seg.geometry);
  const toVoxel = invertAffine(affine(ct.geometry));
  const pts = collect(seg, A);
  const present = [...pts.keys()].sort((a, b) => a - b);
  const centroid = new Map(present.map((id) => [id, mean(pts.get(id)!)]));
  const out: VertebraCrop[] = [];
  for (const id of ids) {
    const own = pts.get(id);
    if (!own) continue;
    const c0 = centroid.get(id)!;
    const pos = present.indexOf(id);
    const prev = centroid.get(present[Math.max(0, pos - 1)]!)!;
    const next = centroid.get(present[Math.min(present.length - 1, pos + 1)]!)!;
    let t: V3 = present.length > 1 ? norm(sub(next, prev)) : [0, 0, -1];
    if (t[2] > 0) t = scale(t, -1); // caudal = towards −z (inferior) in RAS
    const ant = norm(sub([0, 1, 0], scale(t, t[1])));
    const lat = cross(scale(ant, -1), t);
    // Midline AP profile (1 mm bins) from the most anterior voxel backwards, until a 2 mm gap (the canal).
    const band = own.filter((p) => Math.abs(dot(sub(p, c0), lat)) < 6).map((p) => dot(sub(p, c0), ant));
    const top = Math.max(...band);
    const bins = new Uint32Array(Math.ceil(top - Math.min(...band)) + 2);
    for (const u of band) bins[Math.floor(top - u)]!++;
    let back = bins.length;
    for (let b = 0; b + 1 < bins.length; b++) if (bins[b] === 0 && bins[b + 1] === 0) { back = b; break; }
    const uPost = top - back;
    const bodyPts = own.filter((p) => dot(sub(p, c0), ant) > uPost);
    const centre = mean(bodyPts);
    const ei = scale(ant, -spacing), ej = scale(t, spacing), ek = scale(lat, spacing);
    const half = size / 2;
    const origin: V3 = [0, 1, 2].map((r) => centre[r]! - half * (ei[r]! + ej[r]! + ek[r]!)) as V3;
    const geometry = geometryFromAffine([0, 1, 2].map((r) => [ei[r]!, ej[r]!, ek[r]!, origin[r]!]));
    const n = size ** 3;
    const img = new Float32Array(n);
    const body = new Uint8Array(n);
    const [nx, ny, nz] = ct.dims;
    let idx = 0;
    for (let k = 0; k < size; k++) for (let j = 0; j < size; j++) for (let i = 0; i < size; i++, idx++) {
      const w: V3 = [0, 1, 2].map((r) => origin[r]! + i * ei[r]! + j * ej[r]! + k * ek[r]!) as V3;
      const v = [0, 1, 2].map((r) => toVoxel[r]![0]! * w[0] + toVoxel[r]![1]! * w[1] + toVoxel[r]![2]! * w[2] + toVoxel[r]![3]!) as V3;
      img[idx] = trilinear(ct, v, -1024);
      const [vi, vj, vk] = v.map(Math.round) as V3;
      if (vi >= 0 && vj >= 0 && vk >= 0 && vi < nx && vj < ny && vk < nz && Math.round(seg.data[vi + nx * (vj + ny * vk)]!) === id && dot(sub(w, c0), ant) > uPost) body[idx] = 1;
    }
    out.push({ id, ct: img, body, geometry, centre });
  }
  return out;
}

function trilinear(vol: Volume, v: V3, outside: number): number {
  const [nx, ny, nz] = vol.dims;
  if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[0] > nx - 1 || v[1] > ny - 1 || v[2] > nz - 1) return outside;
  const i0 = Math.min(nx - 2, Math.floor(v[0])), j0 = Math.min(ny - 2, Math.floor(v[1])), k0 = Math.min(nz - 2, Math.floor(v[2]));
  const fx = v[0] - i0, fy = v[1] - j0, fz = v[2] - k0;
  const at = (i: number, j: number, k: number) => vol.data[i + nx * (j + ny * k)]!;
  const x00 = at(i0, j0, k0) * (1 - fx) + at(i0 + 1, j0, k0) * fx;
  const x10 = at(i0, j0 + 1, k0) * (1 - fx) + at(i0 + 1, j0 + 1, k0) * fx;
  const x01 = at(i0, j0, k0 + 1) * (1 - fx) + at(i0 + 1, j0, k0 + 1) * fx;
  const x11 = at(i0, j0 + 1, k0 + 1) * (1 - fx) + at(i0 + 1, j0 + 1, k0 + 1) * fx;
  return (x00 * (1 - fy) + x10 * fy) * (1 - fz) + (x01 * (1 - fy) + x11 * fy) * fz;
}

export interface CropRow extends UnlabelledRow {
  level: string;
}

/** Which levels of the map to crop: those named (all present, else an error naming the map), or every one. */
export function chooseLevels(map: VertebraMap, wanted?: readonly string[]): string[] {
  if (wanted === undefined) return map.levels;
  const missing = wanted.filter((l) => !map.levels.includes(l));
  if (missing.length > 0) throw new Error(`${map.path}: no ${missing.join(', ')} labelled here (present: ${map.levels.join(', ')})`);
  return map.levels.filter((l) => wanted.includes(l));
}

/**
 * Writes outDir/{images,masks}/<stem>_<level>.nii.gz for the given levels and outDir/manifest.csv (label
 * from the table, empty when unknown); the folder appears whole or not at all.
 */
export async function writeCrops(ct: Volume, map: VertebraMap, levels: readonly string[], outDir: string, opt: { stem: string; size?: number; spacing?: number; table?: ReadonlyMap<string, 0 | 1> }): Promise<CropRow[]> {
  const size = opt.size ?? 64;
  const crops = cropVertebrae(ct, map.volume, levels.map((l) => levelId(l)!), size, opt.spacing);
  return withOutputDir(outDir, (dir) => {
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'masks'));
    const rows: CropRow[] = [];
    const dims: [number, number, number] = [size, size, size];
    for (const c of crops) {
      const level = levelName(c.id);
      const name = `${opt.stem}_${level}`;
      writeNifti(join(dir, 'images', `${name}.nii.gz`), { dims, data: c.ct.map(Math.round), geometry: c.geometry }, 'int16', { description: `${level} of ${opt.stem}` });
      writeNifti(join(dir, 'masks', `${name}_seg.nii.gz`), { dims, data: Float32Array.from(c.body), geometry: c.geometry }, 'uint8');
      const label = opt.table?.get(level);
      rows.push({ level, image: join(outDir, 'images', `${name}.nii.gz`), segMsk: join(outDir, 'masks', `${name}_seg.nii.gz`), ...(label !== undefined ? { label } : {}) });
    }
    writeManifestCsv(join(dir, 'manifest.csv'), rows.map((r) => ({ ...r, image: r.image.replace(outDir, dir), segMsk: r.segMsk.replace(outDir, dir) })));
    return rows;
  });
}

/** The file name of a CT without .nii / .nii.gz; basename drops a trailing slash, so a DICOM folder gives its name. */
export const ctStem = (ctPath: string) => basename(ctPath).replace(/\.nii(\.gz)?$/i, '');

export interface PrepareResult {
  rows: CropRow[];
  /** Levels in the map but not in the table (skipped), and vice versa. */
  notInTable: string[];
  notInMap: string[];
}

/**
 * Reads the inputs (the CT: a NIfTI file or a DICOM series folder, seriesUid picking one of several; the vertebrae
 * in any label scheme), writes outDir/{images,masks}/<case>_<level>.nii.gz and outDir/manifest.csv. Without a
 * label table every vertebra is cropped and the labels are left empty (for inference).
 */
export async function prepareDataset(ctPath: string, segPath: string, tablePath: string | undefined, outDir: string, opt: { spacing?: number; size?: number; seriesUid?: string; labelScheme?: LabelSchemeChoice } = {}): Promise<PrepareResult> {
  const ct = readCtVolume(ctPath, { seriesUid: opt.seriesUid });
  const map = readVertebraMap(segPath, ct, opt.labelScheme);
  const table = tablePath === undefined ? undefined : readLabelTable(tablePath, map.scheme);
  const levels = table ? map.levels.filter((l) => table.has(l)) : map.levels;
  if (table && levels.length === 0) throw new Error(`${tablePath}: no vertebra of the table is labelled in ${segPath}`);
  const rows = await writeCrops(ct, map, levels, outDir, { stem: ctStem(ctPath), size: opt.size, spacing: opt.spacing, ...(table ? { table } : {}) });
  return {
    rows,
    notInTable: table ? map.levels.filter((l) => !table.has(l)) : [],
    notInMap: table ? [...table.keys()].filter((l) => !map.levels.includes(l)).sort((a, b) => levelId(a)! - levelId(b)!) : [],
  };
}
