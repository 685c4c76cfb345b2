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

/**
 * Gaussian blur along one axis (sigma in voxels; sigma ≤ 0.05 leaves the data unchanged). Each output is
 * Σ_t k[t]·x[i+t−r] summed in double in ascending t, as in the first version (bit-identical output); four
 * outputs share each pass over the taps so that their independent sums overlap in the CPU.
 */
export function blurAxis(src: Float32Array, dims: Dims, axis: 0 | 1 | 2, sigma: number): Float32Array {
  if (sigma <= 0.05) return src;
  const k = kernel(sigma);
  const taps = k.length;
  const r = (taps - 1) >> 1;
  const n = dims[axis];
  const out = new Float32Array(src.length);
  if (axis === 0) {
    const line = new Float32Array(n + 2 * r);
    for (let base = 0; base < src.length; base += n) {
      for (let i = 0; i < r; i++) {
        line[i] = src[base]!;
        line[n + r + i] = src[base + n - 1]!;
      }
      line.set(src.subarray(base, base + n), r);
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (let t = 0; t < taps; t++) {
          const w = k[t]!;
          a0 += w * line[i + t]!;
          a1 += w * line[i + t + 1]!;
          a2 += w * line[i + t + 2]!;
          a3 += w * line[i + t + 3]!;
        }
        out[base + i] = a0;
        out[base + i + 1] = a1;
        out[base + i + 2] = a2;
        out[base + i + 3] = a3;
      }
      for (; i < n; i++) {
        let acc = 0;
        for (let t = 0; t < taps; t++) acc += k[t]! * line[i + t]!;
        out[base + i] = acc;
      }
    }
    return out;
  }
  // Axes 1 and 2: whole contiguous rows at a time (cache-friendly).
  const stride = axis === 1 ? dims[0] : dims[0] * dims[1];
  const block = n * stride;
  const from = new Int32Array(taps);
  for (let o = 0; o < src.length; o += block) {
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < taps; t++) from[t] = o + Math.min(n - 1, Math.max(0, i + t - r)) * stride;
      const to = o + i * stride;
      let x = 0;
      for (; x + 4 <= stride; x += 4) {
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (let t = 0; t < taps; t++) {
          const w = k[t]!;
          const f = from[t]! + x;
          a0 += w * src[f]!;
          a1 += w * src[f + 1]!;
          a2 += w * src[f + 2]!;
          a3 += w * src[f + 3]!;
        }
        out[to + x] = a0;
        out[to + x + 1] = a1;
        out[to + x + 2] = a2;
        out[to + x + 3] = a3;
      }
      for (; x < stride; x++) {
        let acc = 0;
        for (let t = 0; t < taps; t++) acc += k[t]! * src[from[t]! + x]!;
        out[to + x] = acc;
      }
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
