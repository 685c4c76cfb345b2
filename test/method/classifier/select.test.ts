import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/phantom/random.js';
import { fitLatentClassifier, selectModel, stratifiedFolds, stratifiedSplit } from '../../../src/method/classifier/select.js';

// 100 negatives around 0 and 60 positives shifted along the first two of 4 features.
function data(seed: number): { X: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const y = [...Array(100).fill(0), ...Array(60).fill(1)];
  const X = y.map((c) => Array.from({ length: 4 }, (_, j) => rng.normal() + (c && j < 2 ? 1.5 : 0)));
  return { X, y };
}

describe('stratified splits', () => {
  const { y } = data(1);
  it('hold out round(15 %) of each class', () => {
    const { train, test } = stratifiedSplit(y.length, y, 0.15, new Rng(5));
    expect(test.filter((i) => y[i] === 1).length).toBe(9);
    expect(test.filter((i) => y[i] === 0).length).toBe(15);
    expect(new Set([...train, ...test]).size).toBe(160);
  });
  it('deal each class evenly over the folds', () => {
    const folds = stratifiedFolds(y.map((_, i) => i), y, 5, new Rng(5));
    expect(folds.map((f) => f.filter((i) => y[i] === 1).length)).toEqual([12, 12, 12, 12, 12]);
    expect(folds.map((f) => f.length)).toEqual([32, 32, 32, 32, 32]);
  });
});

describe('selectModel', () => {
  const { X, y } = data(2);
  const sel = selectModel(X, y, { seed: 3 });

  it('searches the reference grid: C x {l1, l2} x {none, balanced}', () => {
    expect(sel.grid).toHaveLength(24);
    expect(sel.grid.map((r) => r.C)).toEqual([0.001, 0.01, 0.1, 1, 5, 10].flatMap((c) => [c, c, c, c]));
    expect(sel.grid.slice(0, 4).map((r) => [r.penalty, r.classWeight])).toEqual([
      ['l1', 'none'], ['l1', 'balanced'], ['l2', 'none'], ['l2', 'balanced'],
    ]);
  });

  it('picks the best mean F1 and refits it on all data', () => {
    const bestF1 = Math.max(...sel.grid.map((r) => r.meanF1));
    expect(sel.grid.find((r) => r.meanF1 === bestF1)).toMatchObject(sel.best);
    // At C = 0.001 with L1 every weight is zero and no positive is predicted: F1 = 0.
    expect(sel.grid[0]!.meanF1).toBe(0);
    expect(sel.classifier.model.coef).toEqual(fitLatentClassifier(X, y, sel.best).model.coef);
  });

  it('reports hold-out metrics of a working classifier on a well-separated problem', () => {
    // Bayes accuracy here is about 0.86 (shift 1.5 * sqrt 2 between unit Gaussians).
    expect(sel.holdout.size).toBe(24);
    expect(sel.holdout.accuracy).toBeGreaterThan(0.7);
    expect(sel.holdout.rocAuc).toBeGreaterThan(0.8);
    expect(sel.holdout.f1).toBeGreaterThan(0.6);
  });

  it('is reproducible from the seed', () => {
    expect(selectModel(X, y, { seed: 3, Cs: [0.1, 1] }).grid).toEqual(sel.grid.slice(8, 16));
  });
});
