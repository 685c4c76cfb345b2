import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/phantom/random.js';
import { loadSklearnLogisticRegression, loadSklearnStandardScaler } from '../../../src/io/sklearn.js';
import { HEALTHY_TARGET_P, healthyEdit } from '../../../src/method/classifier/healthy-edit.js';
import { LatentClassifier } from '../../../src/method/classifier/latent-classifier.js';
import { LogisticRegression } from '../../../src/method/classifier/logistic.js';
import { StandardScaler } from '../../../src/method/classifier/scaler.js';
import { REFERENCE_SAMPLE as DIR } from '../../helpers/fixtures.js';

const authors = LatentClassifier.fromSklearn(
  loadSklearnLogisticRegression(`${DIR}/classifier_lr.pkl`),
  loadSklearnStandardScaler(`${DIR}/scaler.pkl`),
);

describe('healthy edit (SPEC §4)', () => {
  it('uses the reference target p = 1e-5', () => {
    expect(HEALTHY_TARGET_P).toBe(1e-5);
  });

  it('a 2-D example by hand', () => {
    // Scaler mean (1, 1), scale (2, 2); w = (3, 4) (norm 5), b = 0. z = (3, 1) scales to (1, 0), logit 3.
    // Target logit 0 (p = 1/2): move by -3/5 along (0.6, 0.8) to (0.64, -0.48); unscaled (2.28, 0.04).
    const clf = new LatentClassifier(
      new StandardScaler(Float64Array.from([1, 1]), Float64Array.from([2, 2])),
      new LogisticRegression(Float64Array.from([3, 4]), 0),
    );
    const e = healthyEdit([3, 1], clf, 0.5);
    expect(e[0]).toBeCloseTo(2.28, 14);
    expect(e[1]).toBeCloseTo(0.04, 14);
  });

  it('lands on the target probability with the authors\' classifier, moving only along the normal', () => {
    const rng = new Rng(11);
    const target = Math.log(1e-5 / (1 - 1e-5));
    const w = authors.model.coef;
    const norm = Math.hypot(...w);
    for (let k = 0; k < 5; k++) {
      const z = authors.scaler.mean.map((m, j) => m + authors.scaler.scale[j]! * rng.normal());
      const e = healthyEdit(z, authors);
      expect(Math.abs(authors.logit(e) - target)).toBeLessThan(1e-9);
      expect(authors.probability(e)).toBeCloseTo(1e-5, 14);
      // Scaled displacement is a multiple of w: its component orthogonal to w vanishes.
      const d = authors.scaler.transform(e).map((v, j) => v - authors.scaler.transform(z)[j]!);
      const along = d.reduce((s, v, j) => s + (v * w[j]!) / norm, 0);
      const orth = Math.hypot(...d.map((v, j) => v - (along * w[j]!) / norm));
      expect(orth).toBeLessThan(1e-9 * Math.abs(along));
    }
  });

  it('refuses a target outside (0, 1)', () => {
    expect(() => healthyEdit(authors.scaler.mean, authors, 1)).toThrow(/target probability/);
  });
});
