// Writes a Volume as a DICOM CT series, one slice per file, through dcmjs: a CT as a scanner would deliver it,
// for the tests and the whole-CT example.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EXPLICIT_LITTLE_ENDIAN, IMPLICIT_LITTLE_ENDIAN, dcmjs } from './dicom.js';
import { writeFileAtomic } from './files.js';
import { affine, type Volume } from './nifti.js';
import { cross, type V3 } from './vec3.js';

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** A UID under 2.25 (a UUID as one decimal number); the UUID is SHA-256 of parts with the version-8 bits set. */
export function derivedUid(...parts: (string | number)[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${h.toString('hex')}`)}`;
}

export interface DicomWriteOptions {
  /** Every UID derives from it: the same seed writes the same files. */
  seed: number | string;
  seriesDescription?: string;
  seriesNumber?: number;
  /** Stored value = (HU − intercept) / slope, rounded to int16; defaults 1 and −1024. */
  rescaleSlope?: number;
  rescaleIntercept?: number;
  /** Implicit VR little endian (what many scanners send) instead of explicit. */
  implicitVr?: boolean;
}

export interface WrittenSeries {
  studyUid: string;
  seriesUid: string;
  /** In slice (k) order. */
  files: string[];
}

/** A decimal string (DS) holds at most 16 characters: the most digits that fit. */
function ds(x: number): string {
  let digits = 17;
  let s: string;
  do s = String(Number(x.toPrecision(--digits)));
  while (s.length > 16);
  return s;
}


/** Rows, columns and slices of the volume in DICOM patient (LPS) terms; refuses what slices cannot hold. */
function slicePlanes(dir: string, volume: Volume) {
  // NIfTI world is RAS, DICOM patient coordinates LPS: x and y change sign.
  const lps = affine(volume.geometry).slice(0, 3).map((r, i) => (i < 2 ? r.map((v) => -v) : r));
  const axis = (c: number): V3 => [lps[0]![c]!, lps[1]![c]!, lps[2]![c]!];
  const [ei, ej, ek] = [axis(0), axis(1), axis(2)];
  const [dc, dr, dz] = [ei, ej, ek].map((a) => Math.hypot(...a)) as V3;
  const row = ei.map((v) => v / dc) as V3;
  const col = ej.map((v) => v / dr) as V3;
  // Slices may run against row × column (a left-handed affine): readers then stack them the other way round.
  const sheared = Math.hypot(...cross(cross(row, col), ek)) > 1e-6 * dz || Math.abs(row[0] * col[0] + row[1] * col[1] + row[2] * col[2]) > 1e-6;
  if (sheared) throw new Error(`${dir}: the volume's axes are not perpendicular; DICOM slices cannot hold it`);
  return { row, col, ek, origin: axis(3), spacing: [dr, dc] as [number, number], thickness: dz };
}

/**
 * Writes dir/slice-0001.dcm … (dir is created; existing files are never replaced), one CT slice per file
 * with HU stored as int16 through RescaleSlope/Intercept. UIDs derive from options.seed.
 */
export function writeDicomSeries(dir: string, volume: Volume, options: DicomWriteOptions): WrittenSeries {
  const [nx, ny, nz] = volume.dims;
  const plane = slicePlanes(dir, volume);
  const slope = options.rescaleSlope ?? 1;
  const intercept = options.rescaleIntercept ?? -1024;
  const uid = (what: string, k = 0) => derivedUid(options.seed, what, k);
  const syntax = options.implicitVr ? IMPLICIT_LITTLE_ENDIAN : EXPLICIT_LITTLE_ENDIAN;
  const { DicomDict, DicomMetaDictionary } = dcmjs().data;
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let k = 0; k < nz; k++) {
    const pixels = new DataView(new ArrayBuffer(nx * ny * 2));
    for (let p = 0; p < nx * ny; p++) {
      const hu = volume.data[k * nx * ny + p]!;
      const v = Math.round((hu - intercept) / slope);
      if (!(v >= -32768 && v <= 32767)) throw new Error(`${dir}: HU ${hu} (slice ${k}) does not fit int16 with slope ${slope} and intercept ${intercept}`);
      pixels.setInt16(2 * p, v, true);
    }
    const sop = uid('sop', k);
    const dataset = {
      SOPClassUID: CT_IMAGE_STORAGE,
      SOPInstanceUID: sop,
      StudyInstanceUID: uid('study'),
      SeriesInstanceUID: uid('series'),
      FrameOfReferenceUID: uid('frame'),
      Modality: 'CT',
      PatientName: 'Synthetic^Phantom',
      PatientID: `HSA-${options.seed}`,
      ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      SeriesNumber: options.seriesNumber ?? 1,
      SeriesDescription: options.seriesDescription ?? 'synthetic CT',
      InstanceNumber: k + 1,
      ImagePositionPatient: [0, 1, 2].map((r) => ds(plane.origin[r]! + k * plane.ek[r]!)),
      ImageOrientationPatient: [...plane.row, ...plane.col].map(ds),
      PixelSpacing: plane.spacing.map(ds),
      SliceThickness: ds(plane.thickness),
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: ny,
      Columns: nx,
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 1,
      RescaleIntercept: ds(intercept),
      RescaleSlope: ds(slope),
      RescaleType: 'HU',
      PixelData: pixels.buffer,
      _vrMap: { PixelData: 'OW' },
    };
    const meta = {
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: CT_IMAGE_STORAGE,
      MediaStorageSOPInstanceUID: sop,
      TransferSyntaxUID: syntax,
      ImplementationClassUID: derivedUid('hide-and-seek'),
      ImplementationVersionName: 'HSA',
    };
    const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
    dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
    const file = join(dir, `slice-${String(k + 1).padStart(4, '0')}.dcm`);
    writeFileAtomic(file, new Uint8Array(dict.write()));
    files.push(file);
  }
  return { studyUid: uid('study'), seriesUid: uid('series'), files };
}
