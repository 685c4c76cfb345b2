// Fitted scikit-learn objects from joblib files, as plain data: a binary LogisticRegression and a
// StandardScaler (what the reference's latent classifier consists of).
import { readJoblib } from './joblib.js';
import { PyObject } from './pickle.js';
import type { TensorRecord } from './tensor-record.js';

export interface SklearnLogisticRegression {
  /** coef_[0]: one weight per feature. */
  coef: Float64Array;
  intercept: number;
  classes: number[];
  C: number;
  penalty: string;
  solver: string;
  /** null, 'balanced' or a class -> weight map. */
  classWeight: unknown;
}

export interface SklearnStandardScaler {
  mean: Float64Array;
  scale: Float64Array;
  nSamplesSeen: number;
}

function fittedState(path: string, className: string): Map<unknown, unknown> {
  const obj = readJoblib(path);
  if (!(obj instanceof PyObject) || obj.__class__ !== className || !(obj.state instanceof Map)) {
    const found = obj instanceof PyObject ? obj.__class__ : typeof obj;
    throw new Error(`${path}: expected a pickled ${className}, found ${found}`);
  }
  return obj.state;
}

function field<T>(path: string, state: Map<unknown, unknown>, key: string, check: (v: unknown) => v is T): T {
  const v = state.get(key);
  if (!check(v)) throw new Error(`${path}: field ${key} is missing or has an unexpected type`);
  return v;
}

const isNumber = (v: unknown): v is number => typeof v === 'number';
const isString = (v: unknown): v is string => typeof v === 'string';
const isF64 = (v: unknown): v is TensorRecord & { data: Float64Array } =>
  typeof v === 'object' && v !== null && (v as TensorRecord).dtype === 'F64';
const isArray = (v: unknown): v is TensorRecord => typeof v === 'object' && v !== null && 'dtype' in v && 'data' in v;

export function loadSklearnLogisticRegression(path: string): SklearnLogisticRegression {
  const s = fittedState(path, 'sklearn.linear_model._logistic.LogisticRegression');
  const coef = field(path, s, 'coef_', isF64);
  const intercept = field(path, s, 'intercept_', isF64);
  if (coef.shape.length !== 2 || coef.shape[0] !== 1 || intercept.data.length !== 1) {
    throw new Error(`${path}: only binary classifiers are supported (coef_ shape [${coef.shape.join(',')}])`);
  }
  const classes = Array.from(field(path, s, 'classes_', isArray).data, Number);
  return {
    coef: coef.data,
    intercept: intercept.data[0]!,
    classes,
    C: field(path, s, 'C', isNumber),
    penalty: field(path, s, 'penalty', isString),
    solver: field(path, s, 'solver', isString),
    classWeight: s.get('class_weight') ?? null,
  };
}

export function loadSklearnStandardScaler(path: string): SklearnStandardScaler {
  const s = fittedState(path, 'sklearn.preprocessing._data.StandardScaler');
  const mean = field(path, s, 'mean_', isF64).data;
  const scale = field(path, s, 'scale_', isF64).data;
  if (mean.length !== scale.length) throw new Error(`${path}: mean_ and scale_ differ in length`);
  return { mean, scale, nSamplesSeen: field(path, s, 'n_samples_seen_', isNumber) };
}
