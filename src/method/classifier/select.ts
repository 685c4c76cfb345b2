// Model selection of SPEC §4: a stratified 15 % hold-out for reporting, a stratified 5-fold cross-validated
// grid over C x penalty x class_weight scored by F1 on the rest, then the best setting refitted on all data.
// The scaler is fitted inside every training split, so no fold sees statistics of its validation part.
import { Rng } from '../../data/phantom/random.js';
import { LatentClassifier } from './latent-classifier.js';
import { LogisticRegression, type ClassWeight, type Penalty } from './logistic.js';
import { accuracy, f1Score, rocAuc } from './metrics.js';
import { StandardScaler, type Rows } from './scaler.js';

export interface GridPoint {
  C: number;
  penalty: Penalty;
  classWeight: ClassWeight;
}

export interface GridRow extends GridPoint {
  meanF1: number;
  stdF1: number;
}

export interface HoldoutMetrics {
  accuracy: number;
  f1: number;
  rocAuc: number;
  size: number;
}

export interface Selection {
  best: GridPoint;
  /** Every grid point in search order. */
  grid: GridRow[];
  /** The best setting fitted on the non-hold-out part, scored on the hold-out. */
  holdout: HoldoutMetrics;
  /** The best setting refitted on all data. */
  classifier: LatentClassifier;
}

export interface SelectOptions {
  seed: number;
  Cs?: readonly number[];
  penalties?: readonly Penalty[];
  classWeights?: readonly ClassWeight[];
  holdoutFraction?: number;
  folds?: number;
}

export const REFERENCE_CS = [0.001, 0.01, 0.1, 1, 5, 10] as const;

function shuffled(items: number[], rng: Rng): number[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function byClass(indices: readonly number[], y: ArrayLike<number>): number[][] {
  return [0, 1].map((c) => indices.filter((i) => y[i] === c));
}

/** Indices dealt into k folds class by class, so every fold keeps the class ratio. */
export function stratifiedFolds(indices: readonly number[], y: ArrayLike<number>, k: number, rng: Rng): number[][] {
  const folds: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const members of byClass(indices, y)) for (const i of shuffled(members, rng)) folds[next++ % k]!.push(i);
  return folds;
}

/** A stratified split: round(fraction * n_c) of each class go to the test part. */
export function stratifiedSplit(n: number, y: ArrayLike<number>, fraction: number, rng: Rng): { train: number[]; test: number[] } {
  const train: number[] = [];
  const test: number[] = [];
  for (const members of byClass(Array.from({ length: n }, (_, i) => i), y)) {
    const s = shuffled(members, rng);
    const cut = Math.round(fraction * s.length);
    test.push(...s.slice(0, cut));
    train.push(...s.slice(cut));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

/** Fits scaler and logistic regression on the given samples. */
export function fitLatentClassifier(X: Rows, y: ArrayLike<number>, p: GridPoint): LatentClassifier {
  const scaler = StandardScaler.fit(X);
  const { model } = LogisticRegression.fit(X.map((x) => scaler.transform(x)), y, p);
  return new LatentClassifier(scaler, model);
}

const pick = <T>(a: ArrayLike<T>, idx: readonly number[]): T[] => idx.map((i) => a[i]!);

export function selectModel(X: Rows, y: ArrayLike<number>, options: SelectOptions): Selection {
  const { seed, Cs = REFERENCE_CS, penalties = ['l1', 'l2'], classWeights = ['none', 'balanced'] } = options;
  const k = options.folds ?? 5;
  if (X.length !== y.length) throw new Error(`model selection: ${X.length} samples and ${y.length} labels`);
  const { train, test } = stratifiedSplit(X.length, y, options.holdoutFraction ?? 0.15, new Rng(seed, 1));
  const folds = stratifiedFolds(train, y, k, new Rng(seed, 2));
  if (folds.some((f) => byClass(f, y).some((c) => c.length === 0))) throw new Error(`model selection: too few samples of a class for ${k} folds`);
  const grid: GridRow[] = [];
  for (const C of Cs) {
    for (const penalty of penalties) {
      for (const classWeight of classWeights) {
        const scores = folds.map((val) => {
          const fit = train.filter((i) => !val.includes(i));
          const clf = fitLatentClassifier(pick(X, fit), pick(y, fit), { C, penalty, classWeight });
          return f1Score(pick(y, val), pick(X, val).map((x) => clf.predict(x)));
        });
        const meanF1 = scores.reduce((a, b) => a + b, 0) / k;
        const stdF1 = Math.sqrt(scores.reduce((a, s) => a + (s - meanF1) ** 2, 0) / k);
        grid.push({ C, penalty, classWeight, meanF1, stdF1 });
      }
    }
  }
  // The first of equal scores wins, so the search order breaks ties deterministically.
  const bestRow = grid.reduce((a, b) => (b.meanF1 > a.meanF1 ? b : a));
  const best: GridPoint = { C: bestRow.C, penalty: bestRow.penalty, classWeight: bestRow.classWeight };
  const onTrain = fitLatentClassifier(pick(X, train), pick(y, train), best);
  const yTest = pick(y, test);
  const xTest = pick(X, test);
  const predicted = xTest.map((x) => onTrain.predict(x));
  const holdout: HoldoutMetrics = {
    accuracy: accuracy(yTest, predicted),
    f1: f1Score(yTest, predicted),
    rocAuc: rocAuc(yTest, xTest.map((x) => onTrain.logit(x))),
    size: test.length,
  };
  return { best, grid, holdout, classifier: fitLatentClassifier(X, y, best) };
}
