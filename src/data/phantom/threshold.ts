// The "is it trivially thresholdable?" check: on the centre slice inside the body mask, call voxels below
// tLytic lytic and above tBlastic blastic, with both thresholds chosen AFTER seeing the ground truth
// (an oracle upper bound for any global-threshold method, Otsu included).
import { CROP, type PhantomCase } from './crop.js';

export interface ThresholdResult {
  tLytic: number;
  tBlastic: number;
  diceLytic: number;
  diceBlastic: number;
  /** Vertebra-level accuracy of "malignant iff ≥ minPixels thresholded pixels", minPixels also oracle-chosen. */
  accuracy: number;
}

function centre(c: PhantomCase) {
  const plane = CROP * CROP;
  const k = CROP / 2;
  return { ct: c.ct.subarray(k * plane, (k + 1) * plane), body: c.body.subarray(k * plane, (k + 1) * plane), lesion: c.lesion.subarray(k * plane, (k + 1) * plane) };
}

function bestDice(cases: readonly PhantomCase[], cls: 1 | 2, candidates: number[]): [number, number] {
  let best: [number, number] = [candidates[0]!, -1];
  for (const t of candidates) {
    let tp = 0, fp = 0, fn = 0;
    for (const c of cases) {
      const s = centre(c);
      for (let i = 0; i < s.ct.length; i++) {
        if (!s.body[i]) continue;
        const pred = cls === 1 ? s.ct[i]! < t : s.ct[i]! > t;
        const truth = s.lesion[i] === cls;
        if (pred && truth) tp++;
        else if (pred) fp++;
        else if (truth) fn++;
      }
    }
    const dice = (2 * tp) / Math.max(1, 2 * tp + fp + fn);
    if (dice > best[1]) best = [t, dice];
  }
  return best;
}

export function thresholdBaseline(cases: readonly PhantomCase[]): ThresholdResult {
  const range = (a: number, b: number, step: number) => Array.from({ length: Math.floor((b - a) / step) + 1 }, (_, i) => a + i * step);
  const [tLytic, diceLytic] = bestDice(cases, 1, range(-50, 150, 10));
  const [tBlastic, diceBlastic] = bestDice(cases, 2, range(250, 900, 25));
  const counts = cases.map((c) => {
    const s = centre(c);
    let n = 0;
    for (let i = 0; i < s.ct.length; i++) if (s.body[i] && (s.ct[i]! < tLytic || s.ct[i]! > tBlastic)) n++;
    return n;
  });
  let accuracy = 0;
  for (const minPixels of range(1, 400, 3)) {
    const acc = cases.filter((c, i) => (counts[i]! >= minPixels ? 1 : 0) === c.spec.label).length / cases.length;
    accuracy = Math.max(accuracy, acc);
  }
  return { tLytic, tBlastic, diceLytic, diceBlastic, accuracy };
}
