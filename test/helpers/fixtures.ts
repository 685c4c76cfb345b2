// Paths of the data files kept in the repository, resolved from this file so tests run from any clone.
import { fileURLToPath } from 'node:url';

/** The authors' real CT crop, its mask and their sklearn classifier (samples/reference/README.md). */
export const REFERENCE_SAMPLE = fileURLToPath(new URL('../../samples/reference', import.meta.url));
/** The tiny Diff-AE checkpoint and the reference implementation's outputs (test/fixtures/golden/README.md). */
export const GOLDEN_DAE = fileURLToPath(new URL('../fixtures/golden/dae-tiny64', import.meta.url));
