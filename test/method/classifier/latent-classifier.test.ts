import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSklearnLogisticRegression, loadSklearnStandardScaler } from '../../../src/io/sklearn.js';
import { LatentClassifier } from '../../../src/method/classifier/latent-classifier.js';
import { REFERENCE_SAMPLE as DIR } from '../../helpers/fixtures.js';

const authors = LatentClassifier.fromSklearn(
  loadSklearnLogisticRegression(`${DIR}/classifier_lr.pkl`),
  loadSklearnStandardScaler(`${DIR}/scaler.pkl`),
);
const tmp = mkdtempSync(join(tmpdir(), 'clf-'));

describe('the authors\' classifier', () => {
  it('scores the training mean at sigma(intercept), about one half', () => {
    // At z = mean_ the scaled vector is 0, so only intercept_ = -0.00077485 (README) remains.
    expect(authors.probability(authors.scaler.mean)).toBeCloseTo(1 / (1 + Math.exp(0.00077485)), 8);
  });

  it('gives malignancy to z one std along sign(w), health one std against it', () => {
    // Logit = intercept +/- sum |w| = +/- 14.73 (README): probabilities near 1 and near 0.
    const { mean, scale } = authors.scaler;
    const coef = authors.model.coef;
    const along = mean.map((m, j) => m + Math.sign(coef[j]!) * scale[j]!);
    const against = mean.map((m, j) => m - Math.sign(coef[j]!) * scale[j]!);
    expect(authors.logit(along)).toBeCloseTo(-0.00077485 + 14.7343355, 5);
    expect(authors.probability(along)).toBeGreaterThan(0.999999);
    expect(authors.probability(against)).toBeLessThan(1e-6);
    expect(authors.predict(along)).toBe(1);
  });
});

describe('our JSON format', () => {
  it('round-trips exactly', () => {
    const path = join(tmp, 'clf.json');
    authors.save(path);
    const back = LatentClassifier.load(path);
    expect(back.model.coef).toEqual(authors.model.coef);
    expect(back.model.intercept).toBe(authors.model.intercept);
    expect(back.scaler.mean).toEqual(authors.scaler.mean);
    expect(back.scaler.scale).toEqual(authors.scaler.scale);
  });

  it('names the file when it is not ours or is inconsistent', () => {
    const path = join(tmp, 'bad.json');
    writeFileSync(path, JSON.stringify({ format: 'other' }));
    expect(() => LatentClassifier.load(path)).toThrow(/bad\.json: not a hsa-latent-classifier v1 file/);
    const json = authors.toJSON() as { model: { coef: number[] } };
    json.model.coef = json.model.coef.slice(1);
    writeFileSync(path, JSON.stringify(json));
    expect(() => LatentClassifier.load(path)).toThrow(/bad\.json: .*512 features, model 511/);
  });
});
