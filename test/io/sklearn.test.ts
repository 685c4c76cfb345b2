import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJoblib } from '../../src/io/joblib.js';
import { PyObject } from '../../src/io/pickle.js';
import { loadSklearnLogisticRegression, loadSklearnStandardScaler } from '../../src/io/sklearn.js';
import type { TensorRecord } from '../../src/io/tensor-record.js';
import { REFERENCE_SAMPLE as DIR } from '../helpers/fixtures.js';

const sum = (a: Float64Array, f: (x: number) => number = (x) => x) => a.reduce((s, x) => s + f(x), 0);

// Expected values: reference-sample/README.md.
describe('the authors\' LogisticRegression (joblib, sklearn 1.7)', () => {
  const lr = loadSklearnLogisticRegression(`${DIR}/classifier_lr.pkl`);

  it('has the documented hyper-parameters and classes', () => {
    expect([lr.C, lr.penalty, lr.solver, lr.classWeight]).toEqual([0.01, 'l2', 'liblinear', null]);
    expect(lr.classes).toEqual([0, 1]);
  });

  it('has the documented coefficients', () => {
    expect(lr.coef).toBeInstanceOf(Float64Array);
    expect(lr.coef.length).toBe(512);
    [0.03940465, -0.04203212, 0.012832].forEach((c, i) => expect(lr.coef[i]).toBeCloseTo(c, 8));
    expect(sum(lr.coef, Math.abs)).toBeCloseTo(14.7343355, 6);
    expect(lr.intercept).toBeCloseTo(-0.00077485, 8);
  });
});

describe('the authors\' StandardScaler', () => {
  const sc = loadSklearnStandardScaler(`${DIR}/scaler.pkl`);

  it('has the documented statistics', () => {
    expect([sc.mean.length, sc.scale.length, sc.nSamplesSeen]).toEqual([512, 512, 565]);
    [0.01676183, 0.00085608, -0.0644061].forEach((m, i) => expect(sc.mean[i]).toBeCloseTo(m, 8));
    [0.18201809, 0.19434407, 0.19845558].forEach((s, i) => expect(sc.scale[i]).toBeCloseTo(s, 8));
    expect(sum(sc.mean)).toBeCloseTo(-24.9593584, 6);
    expect(sum(sc.scale)).toBeCloseTo(106.1717804, 6);
  });

  it('keeps var_ consistent with scale_ (every array read from the right stream offset)', () => {
    const state = (readJoblib(`${DIR}/scaler.pkl`) as PyObject).state as Map<string, TensorRecord>;
    const variance = state.get('var_')!.data as Float64Array;
    variance.forEach((v, i) => expect(Math.sqrt(v)).toBeCloseTo(sc.scale[i]!, 12));
  });
});

describe('sklearn/joblib errors', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'skl-'));
  it('names the file when the class is not the expected one', () => {
    expect(() => loadSklearnLogisticRegression(`${DIR}/scaler.pkl`)).toThrow(/scaler\.pkl: expected a pickled .*LogisticRegression, found .*StandardScaler/);
  });
  it('refuses compressed joblib files', () => {
    const path = join(tmp, 'z.pkl');
    writeFileSync(path, Buffer.from([0x78, 0x9c, 0, 0]));
    expect(() => readJoblib(path)).toThrow(/z\.pkl: not an uncompressed joblib pickle/);
  });
  it('names the file when the array bytes are cut short', () => {
    const path = join(tmp, 'cut.pkl');
    writeFileSync(path, readFileSync(`${DIR}/scaler.pkl`).subarray(0, 2000));
    expect(() => readJoblib(path)).toThrow(/cut\.pkl: cannot unpickle: truncated/);
  });
});
