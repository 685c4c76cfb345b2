// Binary logistic regression with liblinear's objective (what the reference's solver='liblinear' fits):
//   min_beta  R(beta) + sum_i C * s_i * log(1 + exp(-y_i * (w . x_i + b))),   beta = (w, b),
// with R = ||beta||_1 (L1) or ||beta||^2 / 2 (L2). Like liblinear, the intercept is a feature of constant 1
// and is penalised too; s_i is the class weight (1, or n / (2 n_class) for 'balanced').
// Solver: proximal Newton (GLMNET, Friedman et al. 2010 / Yuan et al. 2012): each outer step minimises the
// second-order model of the loss plus R by cyclic coordinate descent, then an Armijo line search. It is
// deterministic and stops when the optimality (KKT) violation falls below tol times the largest loss gradient
// coordinate at beta = 0.
import type { Rows } from './scaler.js';

export type Penalty = 'l1' | 'l2';
export type ClassWeight = 'none' | 'balanced';

export interface LogisticOptions {
  C: number;
  penalty: Penalty;
  classWeight?: ClassWeight;
  /** Relative KKT tolerance (default 1e-4, liblinear's and so the reference's). */
  tol?: number;
  maxIter?: number;
}

export interface FitReport {
  iterations: number;
  converged: boolean;
  /** Final KKT violation divided by the largest loss gradient coordinate at beta = 0. */
  relativeViolation: number;
}

export const sigmoid = (t: number): number => (t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t)));
/** log(1 + exp(t)) without overflow. */
const softplus = (t: number): number => (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));

/** The column-major design matrix with its constant intercept column last, and per-sample C * s_i. */
interface Problem {
  n: number;
  cols: Float64Array[];
  y: Uint8Array;
  c: Float64Array;
  l1: boolean;
}

function penalty(p: Problem, beta: Float64Array): number {
  let r = 0;
  for (const b of beta) r += p.l1 ? Math.abs(b) : 0.5 * b * b;
  return r;
}

function objective(p: Problem, beta: Float64Array, margins: Float64Array): number {
  let loss = 0;
  for (let i = 0; i < p.n; i++) loss += p.c[i]! * softplus(p.y[i] ? -margins[i]! : margins[i]!);
  return loss + penalty(p, beta);
}

/** Violation of the optimality conditions of coordinate j given the loss gradient g and beta_j. */
function violation(l1: boolean, g: number, b: number): number {
  if (!l1) return Math.abs(g + b);
  if (b > 0) return Math.abs(g + 1);
  if (b < 0) return Math.abs(g - 1);
  return Math.max(Math.abs(g) - 1, 0);
}

/** Minimiser over z of g z + h z^2 / 2 + R(b + z) for one coordinate. */
function coordinateStep(l1: boolean, g: number, h: number, b: number): number {
  if (!l1) return -(g + b) / (h + 1);
  if (g + 1 <= h * b) return -(g + 1) / h;
  if (g - 1 >= h * b) return -(g - 1) / h;
  return -b;
}

function solve(p: Problem, tol: number, maxIter: number): { beta: Float64Array; report: FitReport } {
  const dims = p.cols.length;
  const beta = new Float64Array(dims);
  const margins = new Float64Array(p.n);
  const grad = new Float64Array(dims);
  // The quadratic model's Hessian X^T D X, formed once per outer step: with correlated features (latents
  // are) coordinate descent needs many sweeps, and each then costs O(dims) per coordinate instead of O(n).
  const hess = new Float64Array(dims * dims);
  const hstep = new Float64Array(dims);
  const D = new Float64Array(p.n);
  const r = new Float64Array(p.n);
  const step = new Float64Array(dims);
  const u = new Float64Array(p.n);
  const trial = new Float64Array(p.n);
  let v0 = 0;
  let rel = Infinity;
  for (let iter = 0; iter < maxIter; iter++) {
    for (let i = 0; i < p.n; i++) {
      const q = sigmoid(margins[i]!);
      r[i] = p.c[i]! * (q - p.y[i]!);
      // A floor keeps coordinate curvatures positive once probabilities saturate.
      D[i] = Math.max(p.c[i]! * q * (1 - q), 1e-12 * p.c[i]!);
    }
    let v = 0;
    let gmax = 0;
    for (let j = 0; j < dims; j++) {
      const x = p.cols[j]!;
      let g = 0;
      for (let i = 0; i < p.n; i++) g += r[i]! * x[i]!;
      grad[j] = g;
      v = Math.max(v, violation(p.l1, g, beta[j]!));
      gmax = Math.max(gmax, Math.abs(g));
      for (let k = 0; k <= j; k++) {
        const xk = p.cols[k]!;
        let h = 0;
        for (let i = 0; i < p.n; i++) h += D[i]! * x[i]! * xk[i]!;
        hess[j * dims + k] = h;
        hess[k * dims + j] = h;
      }
    }
    if (iter === 0) v0 = gmax;
    rel = v0 > 0 ? v / v0 : 0;
    if (rel <= tol) return { beta, report: { iterations: iter, converged: true, relativeViolation: rel } };

    // Inner problem: coordinate descent on the quadratic model, to 1/1000 of the current violation (a tenth
    // left correlated latents crawling at ~1e-3 relative violation; this keeps Newton's fast convergence).
    step.fill(0);
    hstep.fill(0);
    for (let sweep = 0; sweep < 10_000; sweep++) {
      let inner = 0;
      for (let j = 0; j < dims; j++) {
        const g = grad[j]! + hstep[j]!;
        const b = beta[j]! + step[j]!;
        inner = Math.max(inner, violation(p.l1, g, b));
        const z = coordinateStep(p.l1, g, hess[j * dims + j]!, b);
        if (z !== 0) {
          step[j]! += z;
          for (let k = 0; k < dims; k++) hstep[k]! += z * hess[k * dims + j]!;
        }
      }
      if (inner <= 1e-3 * v) break;
    }
    u.fill(0);
    for (let j = 0; j < dims; j++) {
      const x = p.cols[j]!;
      const z = step[j]!;
      if (z !== 0) for (let i = 0; i < p.n; i++) u[i]! += z * x[i]!;
    }

    // Armijo search along the step, with the decrease predicted by the model's linear part and R.
    const f0 = objective(p, beta, margins);
    const next = beta.slice();
    let predicted = -penalty(p, beta);
    for (let j = 0; j < dims; j++) predicted += grad[j]! * step[j]!;
    for (let j = 0; j < dims; j++) next[j] = beta[j]! + step[j]!;
    predicted += penalty(p, next);
    let t = 1;
    let accepted = false;
    for (let k = 0; k < 40 && !accepted; k++, t /= 2) {
      for (let j = 0; j < dims; j++) next[j] = beta[j]! + t * step[j]!;
      for (let i = 0; i < p.n; i++) trial[i] = margins[i]! + t * u[i]!;
      accepted = objective(p, next, trial) <= f0 + 0.01 * t * predicted;
    }
    // No decrease at any step length: beta is optimal to rounding error.
    if (!accepted) return { beta, report: { iterations: iter, converged: rel <= Math.sqrt(tol), relativeViolation: rel } };
    beta.set(next);
    margins.set(trial);
  }
  return { beta, report: { iterations: maxIter, converged: false, relativeViolation: rel } };
}

export class LogisticRegression {
  constructor(readonly coef: Float64Array, readonly intercept: number) {}

  get features(): number {
    return this.coef.length;
  }

  /** Fits on rows X with labels y in {0, 1}; the report says how the solver ended. */
  static fit(X: Rows, y: ArrayLike<number>, options: LogisticOptions): { model: LogisticRegression; report: FitReport } {
    const n = X.length;
    if (n === 0 || y.length !== n) throw new Error(`logistic regression: ${n} samples and ${y.length} labels`);
    if (!(options.C > 0)) throw new Error(`logistic regression: C must be positive, got ${options.C}`);
    const d = X[0]!.length;
    const labels = Uint8Array.from(y as ArrayLike<number>, (v) => {
      if (v !== 0 && v !== 1) throw new Error(`logistic regression: labels must be 0 or 1, got ${v}`);
      return v;
    });
    const positives = labels.reduce((a, b) => a + b, 0);
    const counts = [n - positives, positives];
    const c = Float64Array.from(labels, (l) => options.C * (options.classWeight === 'balanced' ? n / (2 * counts[l]!) : 1));
    const cols = Array.from({ length: d + 1 }, (_, j) => Float64Array.from(X, (x) => (j === d ? 1 : x[j]!)));
    const { beta, report } = solve({ n, cols, y: labels, c, l1: options.penalty === 'l1' }, options.tol ?? 1e-4, options.maxIter ?? 200);
    return { model: new LogisticRegression(beta.slice(0, d), beta[d]!), report };
  }

  decisionFunction(x: ArrayLike<number>): number {
    if (x.length !== this.features) throw new Error(`logistic regression: expected ${this.features} features, got ${x.length}`);
    let s = this.intercept;
    for (let j = 0; j < x.length; j++) s += this.coef[j]! * x[j]!;
    return s;
  }

  /** P(class 1 | x). */
  predictProba(x: ArrayLike<number>): number {
    return sigmoid(this.decisionFunction(x));
  }

  predict(x: ArrayLike<number>): 0 | 1 {
    return this.decisionFunction(x) > 0 ? 1 : 0;
  }
}
