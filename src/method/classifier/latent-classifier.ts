// The latent classifier of SPEC §4: StandardScaler followed by logistic regression on the 512-d z, with a
// JSON file format of our own and a bridge from the authors' scikit-learn pickles.
import { readInputText, writeFileAtomic } from '../../data/files.js';
import type { SklearnLogisticRegression, SklearnStandardScaler } from '../../io/sklearn.js';
import { LogisticRegression, sigmoid } from './logistic.js';
import { StandardScaler } from './scaler.js';

const FORMAT = 'hsa-latent-classifier';

export class LatentClassifier {
  constructor(readonly scaler: StandardScaler, readonly model: LogisticRegression) {
    if (scaler.features !== model.features) throw new Error(`latent classifier: scaler has ${scaler.features} features, model ${model.features}`);
  }

  /** Logit of P(malignant | z); a z with NaN or infinity (a broken model's output) is an error, not a score. */
  logit(z: ArrayLike<number>): number {
    const l = this.model.decisionFunction(this.scaler.transform(z));
    if (!Number.isFinite(l)) throw new Error(`latent classifier: the logit of this z is ${l} (the DAE's encoding holds NaN or infinite values)`);
    return l;
  }

  /** P(malignant | z). */
  probability(z: ArrayLike<number>): number {
    return sigmoid(this.logit(z));
  }

  /** 1 (malignant) when P(malignant | z) > 0.5. */
  predict(z: ArrayLike<number>): 0 | 1 {
    return this.model.predict(this.scaler.transform(z));
  }

  static fromSklearn(lr: SklearnLogisticRegression, sc: SklearnStandardScaler): LatentClassifier {
    if (lr.classes.length !== 2 || lr.classes[0] !== 0 || lr.classes[1] !== 1) {
      throw new Error(`latent classifier: expected classes [0, 1], got [${lr.classes.join(', ')}]`);
    }
    return new LatentClassifier(new StandardScaler(sc.mean, sc.scale), new LogisticRegression(lr.coef, lr.intercept));
  }

  /** Float64 values survive JSON exactly (shortest round-trip decimal form). */
  toJSON(): object {
    return {
      format: FORMAT,
      version: 1,
      scaler: { mean: Array.from(this.scaler.mean), scale: Array.from(this.scaler.scale) },
      model: { coef: Array.from(this.model.coef), intercept: this.model.intercept },
    };
  }

  static fromJSON(json: unknown, label = 'classifier JSON'): LatentClassifier {
    const j = json as { format?: unknown; version?: unknown; scaler?: { mean?: unknown; scale?: unknown }; model?: { coef?: unknown; intercept?: unknown } };
    const nums = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (j?.format !== FORMAT || j.version !== 1) throw new Error(`${label}: not a ${FORMAT} v1 file`);
    const { scaler, model } = j;
    if (!nums(scaler?.mean) || !nums(scaler?.scale) || !nums(model?.coef) || typeof model?.intercept !== 'number' || !Number.isFinite(model.intercept)) {
      throw new Error(`${label}: scaler.mean, scaler.scale, model.coef and model.intercept are required, as finite numbers`);
    }
    try {
      return new LatentClassifier(
        new StandardScaler(Float64Array.from(scaler.mean), Float64Array.from(scaler.scale)),
        new LogisticRegression(Float64Array.from(model.coef), model.intercept),
      );
    } catch (e) {
      throw new Error(`${label}: ${(e as Error).message}`);
    }
  }

  save(path: string): void {
    writeFileAtomic(path, `${JSON.stringify(this.toJSON())}\n`);
  }

  static load(path: string): LatentClassifier {
    const text = readInputText(path);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`${path}: cannot read classifier (${(e as Error).message})`);
    }
    return LatentClassifier.fromJSON(json, path);
  }
}
