// DICOM CT series → a Volume with a NIfTI-equivalent geometry. dcmjs parses the files; this module finds the
// series in a folder, checks that the chosen one is a regular stack of slices and lays it out as dcm2niix and
// nibabel do: i = column (along the row direction), j = row, k = slice, increasing along row × column.
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import type * as Dcmjs from 'dcmjs';
import { checkInputFile, readInputFile } from './files.js';
import { MAX_VOXELS, geometryFromAffine, type LoadedVolume } from './nifti.js';
import { cross, dot, type V3 } from './vec3.js';


let lib: typeof Dcmjs | undefined;
/** dcmjs, loaded on first use: importing it takes ~140 ms, which every other hsa command would pay. */
export function dcmjs(): typeof Dcmjs {
  if (!lib) {
    lib = createRequire(import.meta.url)('dcmjs') as typeof Dcmjs;
    // It logs "Invalid vr type ox" for the pixel data of every implicit-VR file, a case it handles (as OW).
    lib.log.getLogger('validation.dcmjs').setLevel('silent');
  }
  return lib;
}

export const IMPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const NATIVE_SYNTAXES = new Set([IMPLICIT_LITTLE_ENDIAN, EXPLICIT_LITTLE_ENDIAN, '1.2.840.10008.1.2.1.99']);
// Named in the error, so the user knows what to decompress (gdcmconv --raw, dcmdjpeg).
const SYNTAX_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

/** The elements this reader uses, by keyword. */
const TAGS = {
  TransferSyntaxUID: '00020010',
  SOPInstanceUID: '00080018',
  Modality: '00080060',
  SeriesDescription: '0008103E',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  ImagePositionPatient: '00200032',
  ImageOrientationPatient: '00200037',
  FrameOfReferenceUID: '00200052',
  SamplesPerPixel: '00280002',
  NumberOfFrames: '00280008',
  Rows: '00280010',
  Columns: '00280011',
  PixelSpacing: '00280030',
  BitsAllocated: '00280100',
  BitsStored: '00280101',
  PixelRepresentation: '00280103',
  RescaleIntercept: '00281052',
  RescaleSlope: '00281053',
} as const;
type Keyword = keyof typeof TAGS;
export const PIXEL_DATA = '7FE00010';

/** One image file's header, reduced to the elements in TAGS. */
interface Header {
  file: string;
  values: Partial<Record<Keyword, unknown[]>>;
}

export interface DicomSeriesInfo {
  uid: string;
  modality: string;
  description: string;
  /** Image files of the series. */
  slices: number;
}

/** Where a volume read from DICOM came from, slice by slice in k order (what a DICOM SEG must reference). */
export interface DicomSource {
  seriesUid: string;
  studyUid: string;
  frameOfReferenceUid: string;
  description: string;
  files: string[];
  sopInstanceUids: string[];
}

export interface DicomVolume extends LoadedVolume {
  dicom: DicomSource;
}

const fail = (where: string, why: string): never => {
  throw new Error(`${where}: ${why}`);
};
const tagName = (k: Keyword) => `${k} (${TAGS[k].slice(0, 4)},${TAGS[k].slice(4)})`;

function text(h: Header, k: Keyword): string {
  const v = h.values[k]?.[0];
  return typeof v === 'string' ? v.trim() : '';
}

/** The n numbers of element k; a missing or non-numeric one is an error naming the file. */
function numbers(h: Header, k: Keyword, n: number): number[] {
  const v = (h.values[k] ?? []).map((x) => (typeof x === 'number' ? x : NaN));
  if (v.length < n || v.slice(0, n).some((x) => !Number.isFinite(x))) fail(h.file, `missing or invalid ${tagName(k)}`);
  return v.slice(0, n);
}
const number = (h: Header, k: Keyword) => numbers(h, k, 1)[0]!;

function parseDicom(file: string, options: { untilTag?: string }): Dcmjs.DicomDict {
  const bytes = readInputFile(file);
  try {
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    return dcmjs().data.DicomMessage.readFile(buf, { ...options, noCopy: true });
  } catch (e) {
    return fail(file, `unreadable DICOM file (${(e as Error).message})`);
  }
}

/** The header of an image file, or undefined for other DICOM objects (DICOMDIR, reports: no pixel data). */
function readHeader(file: string): Header | undefined {
  const dict = parseDicom(file, { untilTag: PIXEL_DATA });
  if (!(PIXEL_DATA in dict.dict)) return undefined;
  const all = { ...dict.meta, ...dict.dict };
  const values: Header['values'] = {};
  for (const k of Object.keys(TAGS) as Keyword[]) values[k] = all[TAGS[k]]?.Value;
  return { file, values };
}

/** True for a DICOM Part-10 file ("DICM" after the 128-byte preamble); path must be a regular file. */
export function hasDicomPreamble(path: string): boolean {
  if (checkInputFile(path) < 132) return false;
  const magic = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, magic, 0, 4, 128);
  } finally {
    closeSync(fd);
  }
  return magic.toString('latin1') === 'DICM';
}

/** DICOM files in folder and below, whatever their names; symlinked folders are not followed (no cycles). */
function dicomFiles(folder: string): string[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      return fail(dir, `cannot list the folder (${(e as Error).message})`);
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) visit(path);
      else if ((e.isFile() || (e.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isFile())) && hasDicomPreamble(path)) found.push(path);
    }
  };
  visit(folder);
  return found;
}

/** Image headers of every series under folder, by SeriesInstanceUID. */
function scanFolder(folder: string): Map<string, Header[]> {
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) fail(folder, 'not a folder');
  const series = new Map<string, Header[]>();
  for (const file of dicomFiles(folder)) {
    const h = readHeader(file);
    if (!h) continue;
    const uid = text(h, 'SeriesInstanceUID') || fail(file, `missing ${tagName('SeriesInstanceUID')}`);
    const list = series.get(uid);
    if (list) list.push(h);
    else series.set(uid, [h]);
  }
  return series;
}

const info = (uid: string, hs: Header[]): DicomSeriesInfo => ({ uid, modality: text(hs[0]!, 'Modality'), description: text(hs[0]!, 'SeriesDescription'), slices: hs.length });
const shown = (s: DicomSeriesInfo) => `${s.uid} "${s.description}" (${s.modality}, ${s.slices} slice${s.slices === 1 ? '' : 's'})`;

const summary = (series: Map<string, Header[]>) => [...series].map(([uid, hs]) => info(uid, hs)).sort((a, b) => (a.uid < b.uid ? -1 : 1));

/** Every image series under folder (any modality), in SeriesInstanceUID order. */
export function listDicomSeries(folder: string): DicomSeriesInfo[] {
  return summary(scanFolder(folder));
}

/** The CT series to read: the one named, else the only one; several are listed in the error. */
function chooseSeries(folder: string, series: Map<string, Header[]>, uid: string | undefined): Header[] {
  const all = summary(series);
  const ct = all.filter((s) => s.modality === 'CT');
  if (uid !== undefined) {
    const hs = series.get(uid) ?? fail(folder, `no series ${uid} here; CT series: ${ct.map(shown).join('; ') || 'none'}`);
    if (text(hs[0]!, 'Modality') !== 'CT') fail(folder, `series ${uid} is ${text(hs[0]!, 'Modality') || 'of no modality'}, not CT`);
    return hs;
  }
  if (all.length === 0) fail(folder, 'no DICOM image files in this folder or below');
  if (ct.length === 0) fail(folder, `no CT series; found ${all.map(shown).join('; ')}`);
  if (ct.length > 1) fail(folder, `${ct.length} CT series; choose one by SeriesInstanceUID (hsa: --series <uid>): ${ct.map(shown).join('; ')}`);
  return series.get(ct[0]!.uid)!;
}

/** Checks what must be alike across the slices and what this reader decodes; returns rows, columns. */
function checkSlices(folder: string, uid: string, hs: Header[]): [number, number] {
  const first = hs[0]!;
  const rows = number(first, 'Rows');
  const cols = number(first, 'Columns');
  const iop = numbers(first, 'ImageOrientationPatient', 6);
  const ps = numbers(first, 'PixelSpacing', 2);
  const where = `${folder}: series ${uid}`;
  const name = (h: Header) => relative(folder, h.file);
  for (const h of hs) {
    const syntax = text(h, 'TransferSyntaxUID');
    if (!NATIVE_SYNTAXES.has(syntax)) fail(h.file, `compressed or unsupported transfer syntax ${SYNTAX_NAMES[syntax] ?? 'unknown'} (${syntax || 'none'}); decompress the series first (e.g. gdcmconv --raw)`);
    if ((Number(h.values.NumberOfFrames?.[0]) || 1) > 1) fail(h.file, 'a multi-frame (enhanced) CT file; this reader takes one slice per file');
    if (number(h, 'SamplesPerPixel') !== 1) fail(h.file, `${tagName('SamplesPerPixel')} is ${number(h, 'SamplesPerPixel')}; CT is one sample per pixel`);
    const bits = number(h, 'BitsAllocated');
    const stored = number(h, 'BitsStored');
    if ((bits !== 8 && bits !== 16) || !(stored >= 1 && stored <= bits)) fail(h.file, `unsupported pixel format: ${bits} bits allocated, ${stored} stored`);
    number(h, 'PixelRepresentation');
    number(h, 'RescaleSlope');
    number(h, 'RescaleIntercept');
    numbers(h, 'ImagePositionPatient', 3);
    if (number(h, 'Rows') !== rows || number(h, 'Columns') !== cols) fail(where, `mixed image sizes: ${name(first)} is ${rows}×${cols}, ${name(h)} is ${number(h, 'Rows')}×${number(h, 'Columns')} (rows × columns)`);
    const o = numbers(h, 'ImageOrientationPatient', 6);
    if (o.some((v, i) => Math.abs(v - iop[i]!) > 1e-4)) fail(where, `mixed orientations: ${name(first)} has ImageOrientationPatient ${iop.join('\\')}, ${name(h)} has ${o.join('\\')}`);
    const p = numbers(h, 'PixelSpacing', 2);
    if (p.some((v, i) => Math.abs(v - ps[i]!) > 1e-4 * ps[i]!)) fail(where, `mixed pixel spacing: ${name(first)} has ${ps.join('\\')}, ${name(h)} has ${p.join('\\')}`);
  }
  if (!(rows >= 1 && cols >= 1)) fail(first.file, `invalid image size ${rows}×${cols}`);
  if (hs.length < 2) fail(where, 'has one slice, not a volume');
  if (rows * cols * hs.length > MAX_VOXELS) fail(where, `${cols}×${rows}×${hs.length} is ${rows * cols * hs.length} voxels, more than this tool reads (${MAX_VOXELS})`);
  if (!ps.every((v) => v > 0)) fail(first.file, `${tagName('PixelSpacing')} must be positive, got ${ps.join('\\')}`);
  return [rows, cols];
}

const unit = (a: V3): V3 => a.map((x) => x / Math.hypot(...a)) as V3;
const mm = (x: number) => `${+x.toFixed(3)} mm`;

interface Stack {
  sorted: Header[];
  /** Voxel → world in NIfTI RAS+ mm. */
  affine: number[][];
}

/** Sorts the slices along the normal, checks they are evenly spaced (1 % of the step), builds the affine. */
function stackSlices(folder: string, uid: string, hs: Header[]): Stack {
  const iop = numbers(hs[0]!, 'ImageOrientationPatient', 6);
  const row = unit(iop.slice(0, 3) as V3);
  const col = unit(iop.slice(3) as V3);
  if (!row.every(Number.isFinite) || !col.every(Number.isFinite) || Math.abs(dot(row, col)) > 1e-3) fail(hs[0]!.file, `${tagName('ImageOrientationPatient')} ${iop.join('\\')} is not two perpendicular directions`);
  const normal = cross(row, col);
  const at = hs.map((h) => ({ h, p: numbers(h, 'ImagePositionPatient', 3) as V3 })).map((x) => ({ ...x, s: dot(x.p, normal) }));
  at.sort((a, b) => a.s - b.s);
  const diffs = at.slice(1).map((x, k) => x.s - at[k]!.s);
  const step = [...diffs].sort((a, b) => a - b)[diffs.length >> 1]!;
  const tol = 0.01 * step;
  const where = `${folder}: series ${uid}`;
  diffs.forEach((d, k) => {
    if (Math.abs(d - step) <= tol) return;
    const pair = `${relative(folder, at[k]!.h.file)} and ${relative(folder, at[k + 1]!.h.file)}`;
    if (d <= tol) fail(where, `${pair} are at the same position (${mm(at[k]!.s)} along the slice normal): duplicate files or two stacks in one series`);
    if (d > 1.5 * step) fail(where, `gap of ${mm(d)} between ${pair} where the slice step is ${mm(step)} (missing slices?)`);
    fail(where, `uneven slice steps: ${mm(d)} between ${pair}, ${mm(step)} elsewhere`);
  });
  for (const x of at) {
    const off = [0, 1, 2].map((r) => x.p[r]! - at[0]!.p[r]! - (x.s - at[0]!.s) * normal[r]!);
    if (Math.hypot(...off) > tol) fail(where, `${relative(folder, x.h.file)} lies ${mm(Math.hypot(...off))} off the slice normal through the first slice (gantry tilt?); this reader does not resample`);
  }
  const [dr, dc] = numbers(hs[0]!, 'PixelSpacing', 2) as [number, number];
  const dz = (at[at.length - 1]!.s - at[0]!.s) / (at.length - 1);
  const lps = [0, 1, 2].map((r) => [row[r]! * dc, col[r]! * dr, normal[r]! * dz, at[0]!.p[r]!]);
  // DICOM patient coordinates are LPS; NIfTI world is RAS: x and y change sign.
  return { sorted: at.map((x) => x.h), affine: lps.map((r, i) => (i < 2 ? r.map((v) => -v) : r)) };
}

/** Decodes one slice's pixels as HU into out[at …]. */
function decodeSlice(h: Header, rows: number, cols: number, out: Float32Array, at: number): void {
  const dict = parseDicom(h.file, {});
  // dcmjs gives ArrayBuffers, or views into the file's bytes when reading with noCopy.
  const parts = (dict.dict[PIXEL_DATA]?.Value ?? []).flatMap((v) => (v instanceof ArrayBuffer ? [new Uint8Array(v)] : ArrayBuffer.isView(v) ? [new Uint8Array(v.buffer, v.byteOffset, v.byteLength)] : []));
  const bytes = Buffer.concat(parts);
  const bits = number(h, 'BitsAllocated');
  const n = rows * cols;
  const need = (n * bits) / 8;
  if (bytes.length !== need && bytes.length !== need + 1) fail(h.file, `pixel data holds ${bytes.length} bytes; ${rows}×${cols} pixels of ${bits} bits need ${need}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const signed = number(h, 'PixelRepresentation') === 1;
  // Keeps BitsStored bits, sign-extended when signed: the bits above may hold overlays or garbage.
  const shift = 32 - number(h, 'BitsStored');
  const slope = number(h, 'RescaleSlope');
  const intercept = number(h, 'RescaleIntercept');
  for (let p = 0; p < n; p++) {
    const raw = bits === 16 ? view.getUint16(2 * p, true) : view.getUint8(p);
    out[at + p] = (signed ? (raw << shift) >> shift : (raw << shift) >>> shift) * slope + intercept;
  }
}

/**
 * Reads the CT series in folder (searched recursively, any file names) as HU. With several CT series,
 * seriesUid picks one; without it that is an error listing them.
 */
export function readDicomSeries(folder: string, seriesUid?: string): DicomVolume {
  const hs = chooseSeries(folder, scanFolder(folder), seriesUid);
  const first = hs[0]!;
  const uid = text(first, 'SeriesInstanceUID');
  const [rows, cols] = checkSlices(folder, uid, hs);
  const { sorted, affine } = stackSlices(folder, uid, hs);
  const data = new Float32Array(rows * cols * sorted.length);
  sorted.forEach((h, k) => decodeSlice(h, rows, cols, data, k * rows * cols));
  const signed = number(first, 'PixelRepresentation') === 1;
  return {
    path: folder,
    dims: [cols, rows, sorted.length],
    data,
    datatype: signed ? 'int16' : number(first, 'BitsAllocated') === 8 ? 'uint8' : 'uint16',
    geometry: geometryFromAffine(affine),
    dicom: {
      seriesUid: uid,
      studyUid: text(first, 'StudyInstanceUID'),
      frameOfReferenceUid: text(first, 'FrameOfReferenceUID'),
      description: text(first, 'SeriesDescription'),
      files: sorted.map((h) => h.file),
      sopInstanceUids: sorted.map((h) => text(h, 'SOPInstanceUID')),
    },
  };
}
