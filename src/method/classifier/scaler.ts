// StandardScaler as scikit-learn defines it: per-feature mean and population standard deviation (ddof 0);
// a constant feature gets scale 1 so that it maps to 0 instead of dividing by zero.

export type Rows = readonly ArrayLike<number>[];

export class StandardScaler {
  constructor(readonly mean: Float64Array, readonly scale: Float64Array) {
    if (mean.length !== scale.length) throw new Error(`scaler: mean has ${mean.length} features, scale ${scale.length}`);
    if (!scale.every((s) => s > 0 && Number.isFinite(s))) throw new Error('scaler: every scale must be positive and finite');
  }

  get features(): number {
    return this.mean.length;
  }

  static fit(X: Rows): StandardScaler {
    if (X.length === 0) throw new Error('scaler: no samples');
    const d = X[0]!.length;
    const mean = new Float64Array(d);
    for (const x of X) for (let j = 0; j < d; j++) mean[j]! += x[j]! / X.length;
    const scale = new Float64Array(d);
    for (const x of X) for (let j = 0; j < d; j++) scale[j]! += (x[j]! - mean[j]!) ** 2 / X.length;
    for (let j = 0; j < d; j++) scale[j] = scale[j]! > 0 ? Math.sqrt(scale[j]!) : 1;
    return new StandardScaler(mean, scale);
  }

  private check(x: ArrayLike<number>): void {
    if (x.length !== this.features) throw new Error(`scaler: expected ${this.features} features, got ${x.length}`);
  }

  transform(x: ArrayLike<number>): Float64Array {
    this.check(x);
    return Float64Array.from({ length: this.features }, (_, j) => (x[j]! - this.mean[j]!) / this.scale[j]!);
  }

  inverseTransform(x: ArrayLike<number>): Float64Array {
    this.check(x);
    return Float64Array.from({ length: this.features }, (_, j) => x[j]! * this.scale[j]! + this.mean[j]!);
  }
}
