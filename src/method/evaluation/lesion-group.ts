// What a vertebra's lesion truth holds, as the groups the diagnostics report by: the classifier reads lytic and
// blastic evidence unequally (docs/model.md, tenth and eleventh sessions), so a single ROC-AUC hides it.
import { lesionLabel } from '../attribution/candidates.js';

export type LesionGroup = 'lytic only' | 'blastic only' | 'both' | 'neither';
/** The groups of malignant vertebrae that hold lesions, in report order. */
export const LESION_GROUPS = ['lytic only', 'blastic only', 'both'] as const;

export const groupOf = (lytic: boolean, blastic: boolean): LesionGroup => (lytic ? (blastic ? 'both' : 'lytic only') : blastic ? 'blastic only' : 'neither');

/** The group of a lesion label map (0 background, 1 lytic, 2 blastic). */
export function lesionGroup(labels: ArrayLike<number>): LesionGroup {
  const [lyticLabel, blasticLabel] = [lesionLabel('lytic'), lesionLabel('blastic')];
  let lytic = false;
  let blastic = false;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === lyticLabel) lytic = true;
    else if (labels[i] === blasticLabel) blastic = true;
  }
  return groupOf(lytic, blastic);
}
