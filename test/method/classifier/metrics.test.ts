import { describe, expect, it } from 'vitest';
import { accuracy, f1Score, rocAuc } from '../../../src/method/classifier/metrics.js';

describe('metrics', () => {
  it('accuracy and F1 of class 1', () => {
    const yTrue = [1, 1, 1, 0, 0, 0];
    const yPred = [1, 1, 0, 1, 0, 0];
    expect(accuracy(yTrue, yPred)).toBeCloseTo(4 / 6, 15);
    // tp 2, fp 1, fn 1: precision = recall = 2/3.
    expect(f1Score(yTrue, yPred)).toBeCloseTo(2 / 3, 15);
    expect(f1Score([0, 0], [0, 0])).toBe(0);
  });

  it('ROC-AUC: the scikit-learn documentation example and ties', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 15);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
    // One tie between a positive and a negative (counts 1/2) among 2 x 2 pairs otherwise ordered.
    expect(rocAuc([0, 1, 0, 1], [0.1, 0.3, 0.3, 0.9])).toBeCloseTo(3.5 / 4, 15);
    expect(() => rocAuc([1, 1], [0.2, 0.3])).toThrow(/both classes/);
  });
});
