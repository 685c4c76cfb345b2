// Where a segmentation method writes, and `evaluate` reads, the lesion label map of one vertebra.
import { basename, join } from 'node:path';

/** The image file name without .nii / .nii.gz: the case's folder name under a prediction directory. */
export function caseId(imagePath: string): string {
  return basename(imagePath).replace(/\.nii(\.gz)?$/i, '');
}

/** A vertebra's lesion label map, in its case folder. */
export const LESIONS_FILE = 'lesions.nii.gz';

/** <predDir>/<case-id>/lesions.nii.gz */
export function predictionPath(predDir: string, imagePath: string): string {
  return join(predDir, caseId(imagePath), LESIONS_FILE);
}
