// Scores predicted lesion label maps against true ones over a set of vertebrae (issue 5, "Evaluation").
import { BLASTIC, LYTIC, type Mask2D } from '../regions/mask.js';
import { classOverlap, dice, type Overlap } from './dice.js';
import { matchLesions, type DetectionCounts } from './lesions.js';

export interface EvalCase {
  id: string;
  /** 0/1/2 label maps on the same grid. */
  pred: Mask2D;
  truth: Mask2D;
  /** Vertebra-level truth; when absent, the vertebra is malignant iff truth holds a lesion pixel. */
  label?: 0 | 1;
}

export const CLASSES = { lytic: LYTIC, blastic: BLASTIC } as const;
export type ClassName = keyof typeof CLASSES;

/** IoU a predicted and a true lesion need to match (panoptica's default). */
export const MATCH_IOU = 0.5;

export interface ClassCaseResult extends Overlap {
  dice: number | null;
  lesions: DetectionCounts;
  lesionsAnyOverlap: DetectionCounts;
}

export interface CaseResult {
  id: string;
  truthMalignant: boolean;
  truthFrom: 'label' | 'mask';
  predictedMalignant: boolean;
  lytic: ClassCaseResult;
  blastic: ClassCaseResult;
}

export interface Detection extends DetectionCounts {
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface ClassSummary {
  /** Mean of per-vertebra Dice over the vertebrae where the class is in truth or prediction. */
  diceMean: number | null;
  diceCases: number;
  /** Dice of all pixels of all vertebrae together. */
  dicePooled: number | null;
  lesions: Detection;
  lesionsAnyOverlap: Detection;
}

export interface VertebraSummary {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  sensitivity: number | null;
  specificity: number | null;
}

export interface EvaluationResults {
  cases: number;
  lytic: ClassSummary;
  blastic: ClassSummary;
  vertebra: VertebraSummary;
  rules: string[];
  perCase: CaseResult[];
}

export const RULES: readonly string[] = [
  'Label maps: 0 background, 1 lytic, 2 blastic; each vertebra is scored on its SPEC §2 slice (index floor(D/2) of the third axis).',
  'Dice (mean): mean over vertebrae where the class is in truth or prediction; Dice (pooled): 2·ΣTP / (Σ|pred| + Σ|truth|) over all pixels.',
  `Lesions: 4-connected components of each class (no size filter), matched one-to-one greedily by IoU, highest first, when IoU ≥ ${MATCH_IOU} (panoptica default).`,
  'Any-overlap variant: the same one-to-one matching with any IoU > 0.',
  'Lesion TP/FP/FN are pooled over all vertebrae: precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = TP/(TP + ½FP + ½FN).',
  'Vertebra level: predicted malignant iff any lesion pixel (either class) is predicted; truth from the manifest label (else: any true lesion pixel).',
  'A ratio with a zero denominator is reported as n/a (null in JSON).',
];

function ratio(num: number, den: number): number | null {
  return den === 0 ? null : num / den;
}

function detection(c: DetectionCounts): Detection {
  return { ...c, precision: ratio(c.tp, c.tp + c.fp), recall: ratio(c.tp, c.tp + c.fn), f1: ratio(c.tp, c.tp + 0.5 * c.fp + 0.5 * c.fn) };
}

function hasLesion(m: Mask2D): boolean {
  return m.data.some((v) => v !== 0);
}

function scoreClass(pred: Mask2D, truth: Mask2D, cls: number): ClassCaseResult {
  const o = classOverlap(pred, truth, cls);
  return { ...o, dice: dice(o), lesions: matchLesions(pred, truth, cls, MATCH_IOU), lesionsAnyOverlap: matchLesions(pred, truth, cls, 0) };
}

export function evaluateCase(c: EvalCase): CaseResult {
  if (c.pred.rows !== c.truth.rows || c.pred.cols !== c.truth.cols) {
    throw new Error(`${c.id}: prediction is ${c.pred.rows}×${c.pred.cols}, truth ${c.truth.rows}×${c.truth.cols}`);
  }
  return {
    id: c.id,
    truthMalignant: c.label !== undefined ? c.label === 1 : hasLesion(c.truth),
    truthFrom: c.label !== undefined ? 'label' : 'mask',
    predictedMalignant: hasLesion(c.pred),
    lytic: scoreClass(c.pred, c.truth, LYTIC),
    blastic: scoreClass(c.pred, c.truth, BLASTIC),
  };
}

function summarise(results: readonly CaseResult[], name: ClassName): ClassSummary {
  const sum = (f: (r: ClassCaseResult) => number) => results.reduce((s, r) => s + f(r[name]), 0);
  const dices = results.map((r) => r[name].dice).filter((d): d is number => d !== null);
  const counts = (k: 'lesions' | 'lesionsAnyOverlap'): DetectionCounts => ({ tp: sum((r) => r[k].tp), fp: sum((r) => r[k].fp), fn: sum((r) => r[k].fn) });
  return {
    diceMean: ratio(dices.reduce((a, b) => a + b, 0), dices.length),
    diceCases: dices.length,
    dicePooled: ratio(2 * sum((r) => r.both), sum((r) => r.pred) + sum((r) => r.truth)),
    lesions: detection(counts('lesions')),
    lesionsAnyOverlap: detection(counts('lesionsAnyOverlap')),
  };
}

export type CaseSummary = Pick<EvaluationResults, 'cases' | 'lytic' | 'blastic' | 'vertebra'>;

/** The summary of already scored vertebrae (also of a bootstrap resample of them). */
export function summariseCases(perCase: readonly CaseResult[]): CaseSummary {
  const count = (truth: boolean, pred: boolean) => perCase.filter((r) => r.truthMalignant === truth && r.predictedMalignant === pred).length;
  const [tp, fp, tn, fn] = [count(true, true), count(false, true), count(false, false), count(true, false)];
  return {
    cases: perCase.length,
    lytic: summarise(perCase, 'lytic'),
    blastic: summarise(perCase, 'blastic'),
    vertebra: { tp, fp, tn, fn, sensitivity: ratio(tp, tp + fn), specificity: ratio(tn, tn + fp) },
  };
}

export function evaluate(cases: readonly EvalCase[]): EvaluationResults {
  const perCase = cases.map(evaluateCase);
  return { ...summariseCases(perCase), rules: [...RULES], perCase };
}
