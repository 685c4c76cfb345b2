// Separable Gaussian filtering of 3-D float volumes (x fastest, NIfTI order): partial-volume blur,
// trabecular texture and band-limited (FBP-like) noise. Edges are clamped.

export type Dims = readonly [number, number, number];

function kernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp((-0.5 * i * i) / (sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= s;
  return k;
}

/** Gaussian blur along one axis (sigma in voxels; sigma ≤ 0.05 leaves the data unchanged). */
export function blurAxis(src: Float32Array, dims: Dims, axis: 0 | 1 | 2, sigma: number): Float32Array {
  if (sigma <= 0.05) return src;
  const k = kernel(sigma);
  const r = (k.length - 1) >> 1;
  const n = dims[axis];
  const stride = axis === 0 ? 1 : axis === 1 ? dims[0] : dims[0] * dims[1];
  const out = new Float32Array(src.length);
  const line = new Float32Array(n + 2 * r);
  const lines = src.length / n;
  for (let li = 0; li < lines; li++) {
    // First element of line li: decompose li over the two other axes.
    const base = axis === 0 ? li * n : axis === 1 ? (li % dims[0]) + Math.floor(li / dims[0]) * dims[0] * dims[1] : li;
    for (let i = 0; i < n + 2 * r; i++) line[i] = src[base + Math.min(n - 1, Math.max(0, i - r)) * stride]!;
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let t = 0; t < k.length; t++) acc += k[t]! * line[i + t]!;
      out[base + i * stride] = acc;
    }
  }
  return out;
}

export function blur3d(src: Float32Array, dims: Dims, sigma: readonly [number, number, number]): Float32Array {
  return blurAxis(blurAxis(blurAxis(src, dims, 0, sigma[0]), dims, 1, sigma[1]), dims, 2, sigma[2]);
}

/** Rescales in place to zero mean and unit standard deviation. */
export function standardize(x: Float32Array): Float32Array {
  let s = 0;
  let s2 = 0;
  for (const v of x) {
    s += v;
    s2 += v * v;
  }
  const m = s / x.length;
  const sd = Math.sqrt(Math.max(1e-12, s2 / x.length - m * m));
  for (let i = 0; i < x.length; i++) x[i] = (x[i]! - m) / sd;
  return x;
}
