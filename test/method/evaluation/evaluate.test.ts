import { describe, expect, it } from 'vitest';
import { evaluate, type EvalCase } from '../../../src/method/evaluation/evaluate.js';
import { matchLesions } from '../../../src/method/evaluation/lesions.js';
import { labels } from './label-maps.js';

const empty = labels('000000', '000000', '000000', '000000', '000000');

// Five vertebrae whose every metric is worked out by hand in the comments.
const cases: EvalCase[] = [
  {
    // lytic: truth 2×2 block; pred L of 3 px inside it (IoU 3/4) + a separate 2 px piece (FP). Dice 2·3/(5+4)
    // blastic: truth 2×2 block + 1 px; pred 2 px inside the block (IoU 2/4 = 0.5 exactly → match), 1 px lesion missed. Dice 2·2/(2+5)
    id: 'A',
    label: 1,
    truth: labels('110022', '110022', '000000', '200000', '000000'),
    pred: labels('110002', '100002', '000000', '000000', '001100'),
  },
  {
    // healthy vertebra with a 2 px blastic false positive: blastic Dice 0, lytic absent from both
    id: 'B',
    label: 0,
    truth: empty,
    pred: labels('000000', '022000', '000000', '000000', '000000'),
  },
  {
    // no label: malignant because truth has a lesion. lytic truth row of 6; pred two 2 px pieces (IoU 2/6 each):
    // none at 0.5 (FP 2, FN 1); any overlap matches one (TP 1, FP 1). Dice 2·4/(4+6)
    id: 'C',
    truth: labels('000000', '000000', '111111', '000000', '000000'),
    pred: labels('000000', '000000', '110011', '000000', '000000'),
  },
  {
    // malignant, nothing predicted: blastic 1 px missed, Dice 0
    id: 'D',
    label: 1,
    truth: labels('000000', '000000', '000000', '000000', '000020'),
    pred: empty,
  },
  { id: 'E', label: 0, truth: empty, pred: empty },
];

describe('evaluate on hand-made masks', () => {
  const r = evaluate(cases);

  it('scores each vertebra', () => {
    const [a, b, c, d, e] = r.perCase;
    expect(a!.lytic).toMatchObject({ pred: 5, truth: 4, both: 3, lesions: { tp: 1, fp: 1, fn: 0 } });
    expect(a!.lytic.dice).toBeCloseTo(6 / 9, 12);
    expect(a!.blastic).toMatchObject({ pred: 2, truth: 5, both: 2, lesions: { tp: 1, fp: 0, fn: 1 } });
    expect(a!.blastic.dice).toBeCloseTo(4 / 7, 12);
    expect(b!.lytic.dice).toBeNull();
    expect(b!.blastic.dice).toBe(0);
    expect(c!.lytic.lesions).toEqual({ tp: 0, fp: 2, fn: 1 });
    expect(c!.lytic.lesionsAnyOverlap).toEqual({ tp: 1, fp: 1, fn: 0 });
    expect(c).toMatchObject({ truthMalignant: true, truthFrom: 'mask', predictedMalignant: true });
    expect(d).toMatchObject({ truthMalignant: true, truthFrom: 'label', predictedMalignant: false });
    expect(e).toMatchObject({ truthMalignant: false, predictedMalignant: false });
  });

  it('averages Dice over vertebrae where the class is present, and pools it over pixels', () => {
    // lytic: A 2/3, C 0.8 → mean over 2; pooled 2·(3+4) / ((5+4) + (4+6))
    expect(r.lytic.diceCases).toBe(2);
    expect(r.lytic.diceMean).toBeCloseTo((2 / 3 + 0.8) / 2, 12);
    expect(r.lytic.dicePooled).toBeCloseTo(14 / 19, 12);
    // blastic: A 4/7, B 0, D 0 → mean over 3; pooled 2·2 / ((2+2) + (5+1))
    expect(r.blastic.diceCases).toBe(3);
    expect(r.blastic.diceMean).toBeCloseTo(4 / 21, 12);
    expect(r.blastic.dicePooled).toBeCloseTo(0.4, 12);
  });

  it('pools lesion TP/FP/FN over the set before computing F1', () => {
    // lytic IoU≥0.5: A (1,1,0) + C (0,2,1) → TP 1, FP 3, FN 1; F1 = 1 / (1 + 1.5 + 0.5)
    expect(r.lytic.lesions).toEqual({ tp: 1, fp: 3, fn: 1, precision: 0.25, recall: 0.5, f1: 1 / 3 });
    // any overlap: A (1,1,0) + C (1,1,0) → F1 = 2 / (2 + 1 + 0)
    expect(r.lytic.lesionsAnyOverlap).toEqual({ tp: 2, fp: 2, fn: 0, precision: 0.5, recall: 1, f1: 2 / 3 });
    // blastic: A (1,0,1) + B (0,1,0) + D (0,0,1) → F1 = 1 / (1 + 0.5 + 1)
    expect(r.blastic.lesions).toEqual({ tp: 1, fp: 1, fn: 2, precision: 0.5, recall: 1 / 3, f1: 0.4 });
  });

  it('calls a vertebra malignant when any lesion pixel is predicted', () => {
    // A TP, B FP, C TP, D FN, E TN
    expect(r.vertebra).toEqual({ tp: 2, fp: 1, tn: 1, fn: 1, sensitivity: 2 / 3, specificity: 0.5 });
  });

  it('reports n/a (null) where a denominator is zero', () => {
    const none = evaluate([cases[4]!]);
    expect(none.lytic).toMatchObject({ diceMean: null, diceCases: 0, dicePooled: null });
    expect(none.lytic.lesions).toEqual({ tp: 0, fp: 0, fn: 0, precision: null, recall: null, f1: null });
    expect(none.vertebra.sensitivity).toBeNull();
    expect(none.vertebra.specificity).toBe(1);
  });

  it('rejects maps of different sizes', () => {
    expect(() => evaluate([{ id: 'X', truth: empty, pred: labels('00', '00') }])).toThrow(/X: prediction is 2×2, truth 5×6/);
  });
});

describe('lesion matching', () => {
  it('is greedy by IoU, highest first, one-to-one', () => {
    // T1 = cols 0-1, T2 = cols 3-6; P1 = cols 1-4 (IoU with T1 1/5, with T2 2/6), P2 = col 6 (IoU with T2 1/4).
    // Greedy takes P1–T2 (1/3) first, so P2 and T1 stay unmatched (the optimal assignment would find 2).
    const truth = labels('1101111000');
    const pred = labels('0111101000');
    expect(matchLesions(pred, truth, 1, 0)).toEqual({ tp: 1, fp: 1, fn: 1 });
    expect(matchLesions(pred, truth, 1, 0.5)).toEqual({ tp: 0, fp: 2, fn: 2 });
  });

  it('keeps the classes apart and uses 4-connectivity', () => {
    // the diagonal pair of truth 2s are two lesions; the prediction of class 1 there counts for class 1 only
    const truth = labels('20', '02');
    const pred = labels('10', '01');
    expect(matchLesions(pred, truth, 2, 0.5)).toEqual({ tp: 0, fp: 0, fn: 2 });
    expect(matchLesions(pred, truth, 1, 0.5)).toEqual({ tp: 0, fp: 2, fn: 0 });
    expect(matchLesions(truth, truth, 2, 0.5)).toEqual({ tp: 2, fp: 0, fn: 0 });
  });
});
