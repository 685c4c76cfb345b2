// The CT a command reads: a NIfTI file, or a folder holding a DICOM series.
import { statSync } from 'node:fs';
import { hasDicomPreamble, readDicomSeries, type DicomSource } from './dicom.js';
import { readNifti, type LoadedVolume } from './nifti.js';

export interface CtVolume extends LoadedVolume {
  /** Set when the CT was read from DICOM. */
  dicom?: DicomSource;
}

/**
 * A CT in HU: path is a .nii/.nii.gz file, or a folder searched for DICOM series (seriesUid picks one when
 * it holds several CT series).
 */
export function readCtVolume(path: string, options: { seriesUid?: string } = {}): CtVolume {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st?.isDirectory()) return readDicomSeries(path, options.seriesUid);
  if (options.seriesUid !== undefined) throw new Error(`${path}: a series UID picks a series in a DICOM folder; this is a file`);
  if (st?.isFile() && hasDicomPreamble(path)) throw new Error(`${path}: a single DICOM file; give the folder that holds the whole series`);
  return readNifti(path);
}
