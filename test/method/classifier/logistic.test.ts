import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/phantom/random.js';
import { LogisticRegression, type LogisticOptions } from '../../../src/method/classifier/logistic.js';

// Far below the default (liblinear's 1e-4), so that the checks below test the solver, not its stopping rule.
const TIGHT = 1e-8;

const sigma = (t: number) => 1 / (1 + Math.exp(-t));

/** Loss gradient of liblinear's objective at (w, b), written out independently of the solver. */
function lossGradient(X: number[][], y: number[], w: ArrayLike<number>, b: number, c: number[]): number[] {
  const g = new Array<number>(w.length + 1).fill(0);
  X.forEach((x, i) => {
    const r = c[i]! * (sigma(x.reduce((s, v, j) => s + v * w[j]!, b)) - y[i]!);
    x.forEach((v, j) => (g[j]! += r * v));
    g[w.length]! += r;
  });
  return g;
}

function randomProblem(seed: number, n: number, d: number, informative: number): { X: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
  const y = X.map((x) => (x.slice(0, informative).reduce((a, b) => a + b, 0) + 0.5 * rng.normal() > 0.3 ? 1 : 0));
  return { X, y };
}

describe('logistic regression: solutions known in closed form', () => {
  it('L2, 1-D symmetric data: w solves w = 2nC sigma(-w) and b = 0', () => {
    // x = +1 (label 1) and x = -1 (label 0), n of each. Pick w* = 1; the stationarity condition gives C.
    const n = 5;
    const C = 1 / (2 * n * sigma(-1));
    const X = [...Array(n).fill([1]), ...Array(n).fill([-1])];
    const y = [...Array(n).fill(1), ...Array(n).fill(0)];
    const { model, report } = LogisticRegression.fit(X, y, { tol: TIGHT, C, penalty: 'l2' });
    expect(report.converged).toBe(true);
    expect(model.coef[0]).toBeCloseTo(1, 8);
    expect(model.intercept).toBeCloseTo(0, 8);
  });

  it('the intercept is penalised like a weight (liblinear): b solves b = C (n1 - n sigma(b))', () => {
    // A feature that is always 0 leaves only the intercept: 3 positives, 1 negative, b* = 0.5.
    const C = 0.5 / (3 - 4 * sigma(0.5));
    const X = [[0], [0], [0], [0]];
    const y = [1, 1, 1, 0];
    const { model } = LogisticRegression.fit(X, y, { tol: TIGHT, C, penalty: 'l2' });
    expect(model.intercept).toBeCloseTo(0.5, 8);
    expect(model.coef[0]).toBe(0);
    // Balanced weights (n / 2n_c) equalise the classes, so the penalised intercept goes to exactly 0.
    const balanced = LogisticRegression.fit(X, y, { tol: TIGHT, C, penalty: 'l2', classWeight: 'balanced' }).model;
    expect(Math.abs(balanced.intercept)).toBeLessThan(1e-9);
  });

  it('L1: zero is optimal exactly below C = 1 / max_j |sum_i (1/2 - y_i) x_ij|', () => {
    const { X, y } = randomProblem(3, 60, 6, 2);
    const cols = [...X[0]!.map((_, j) => X.map((x) => x[j]!)), X.map(() => 1)];
    const lambdaMax = Math.max(...cols.map((col) => Math.abs(col.reduce((s, v, i) => s + (0.5 - y[i]!) * v, 0))));
    const below = LogisticRegression.fit(X, y, { tol: TIGHT, C: 0.99 / lambdaMax, penalty: 'l1' }).model;
    expect([...below.coef, below.intercept].every((v) => v === 0)).toBe(true);
    const above = LogisticRegression.fit(X, y, { tol: TIGHT, C: 1.5 / lambdaMax, penalty: 'l1' }).model;
    expect([...above.coef, above.intercept].some((v) => v !== 0)).toBe(true);
  });

  it('separable data is classified perfectly, symmetrically', () => {
    const X = [[-2], [-1], [1], [2]];
    const y = [0, 0, 1, 1];
    const { model } = LogisticRegression.fit(X, y, { tol: TIGHT, C: 100, penalty: 'l2' });
    expect(X.map((x) => model.predict(x))).toEqual(y);
    expect(model.intercept).toBeCloseTo(0, 8);
    expect(model.predictProba([2])).toBeCloseTo(1 - model.predictProba([-2]), 12);
    expect(model.predictProba([1])).toBeGreaterThan(0.9);
  });
});

describe('logistic regression: optimality on random problems', () => {
  const { X, y } = randomProblem(7, 80, 10, 3);
  const cases: LogisticOptions[] = [
    { C: 0.05, penalty: 'l2' }, { C: 10, penalty: 'l2', classWeight: 'balanced' },
    { C: 0.1, penalty: 'l1' }, { C: 5, penalty: 'l1', classWeight: 'balanced' },
  ];
  it.each(cases)('%o satisfies the KKT conditions', (opts) => {
    const { model, report } = LogisticRegression.fit(X, y, { tol: TIGHT, ...opts });
    expect(report.converged).toBe(true);
    const pos = y.filter((v) => v === 1).length;
    const c = y.map((v) => opts.C * (opts.classWeight === 'balanced' ? y.length / (2 * (v ? pos : y.length - pos)) : 1));
    const g = lossGradient(X, y, model.coef, model.intercept, c);
    const beta = [...model.coef, model.intercept];
    const scale = Math.max(...lossGradient(X, y, new Array(10).fill(0), 0, c).map(Math.abs));
    beta.forEach((b, j) => {
      if (opts.penalty === 'l2') expect(Math.abs(g[j]! + b)).toBeLessThan(1e-6 * scale);
      else if (b !== 0) expect(Math.abs(g[j]! + Math.sign(b))).toBeLessThan(1e-6 * scale);
      else expect(Math.abs(g[j]!)).toBeLessThanOrEqual(1 + 1e-6 * scale);
    });
  });

  it('L1 zeroes pure-noise features exactly; L2 does not', () => {
    const l1 = LogisticRegression.fit(X, y, { tol: TIGHT, C: 0.2, penalty: 'l1' }).model;
    const l2 = LogisticRegression.fit(X, y, { tol: TIGHT, C: 0.2, penalty: 'l2' }).model;
    expect(l1.coef.slice(3).filter((v) => v === 0).length).toBeGreaterThanOrEqual(4);
    expect(l1.coef.slice(0, 3).every((v) => v > 0)).toBe(true);
    expect(l2.coef.every((v) => v !== 0)).toBe(true);
  });

  it('is deterministic', () => {
    const a = LogisticRegression.fit(X, y, { tol: TIGHT, C: 1, penalty: 'l1' }).model;
    const b = LogisticRegression.fit(X, y, { tol: TIGHT, C: 1, penalty: 'l1' }).model;
    expect(b.coef).toEqual(a.coef);
  });
});

describe('logistic regression: errors', () => {
  it('refuses labels other than 0 and 1, non-positive C and wrong widths', () => {
    expect(() => LogisticRegression.fit([[0], [1]], [0, 2], { C: 1, penalty: 'l2' })).toThrow(/labels must be 0 or 1/);
    expect(() => LogisticRegression.fit([[0], [1]], [0, 1], { C: 0, penalty: 'l2' })).toThrow(/C must be positive/);
    const { model } = LogisticRegression.fit([[0], [1]], [0, 1], { C: 1, penalty: 'l2' });
    expect(() => model.predictProba([1, 2])).toThrow(/expected 1 features/);
  });
});
