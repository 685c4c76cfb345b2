// Separable Gaussian filtering of 3-D float volumes (x fastest, NIfTI order): partial-volume blur,
// trabecular texture and band-limited (FBP-like) noise. Edges are clamped.
import { convMemory, type Conv } from './simd.js';

export type Dims = readonly [number, number, number];

/** Half-width of the kernel blurAxis uses for sigma (0: no blur). */
export function kernelRadius(sigma: number): number {
  return sigma <= 0.05 ? 0 : Math.max(1, Math.ceil(3 * sigma));
}

function kernel(sigma: number): Float32Array {
  const r = kernelRadius(sigma);
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp((-0.5 * i * i) / (sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= s;
  return k;
}

const PAGE = 65536;
// The first page of a blur memory holds the taps (f64), their byte offsets (i32) and one padded line (f32).
const MAX_TAPS = 256;
const TAPS = 0, OFFS = 8 * MAX_TAPS, LINE = OFFS + 4 * MAX_TAPS, MAX_LINE = (PAGE - LINE) / 4;

interface Blurrer {
  conv: Conv;
  heap: Float32Array;
  taps: Float64Array;
  offs: Int32Array;
}
const blurrers = new WeakMap<ArrayBufferLike, Blurrer>();

/** count zeroed volumes of n voxels in one WebAssembly memory, where blurAxis runs its SIMD kernel. */
export function blurVolumes(n: number, count: number): Float32Array[] {
  const size = Math.ceil(n / 4) * 4; // 16-byte aligned volumes
  const { conv, buffer } = convMemory(1 + Math.ceil((4 * size * count) / PAGE));
  const heap = new Float32Array(buffer);
  blurrers.set(buffer, { conv, heap, taps: new Float64Array(buffer, TAPS, MAX_TAPS), offs: new Int32Array(buffer, OFFS, MAX_TAPS) });
  return Array.from({ length: count }, (_, i) => heap.subarray(PAGE / 4 + i * size, PAGE / 4 + i * size + n));
}

/**
 * Gaussian blur along one axis into out (sigma in voxels; sigma ≤ 0.05 copies); src and out come from one
 * blurVolumes call, and out may be src for axis 0 only (each line is copied before it is overwritten).
 * Each output is Σ_t k[t]·x[i+t−r] summed in double in ascending t, as in the first version (bit-identical
 * output): the SIMD kernel takes runs of 8 outputs, the scalar loop here the rest of a row.
 */
export function blurAxis(src: Float32Array, dims: Dims, axis: 0 | 1 | 2, sigma: number, out: Float32Array): Float32Array {
  if (sigma <= 0.05) {
    if (out !== src) out.set(src);
    return out;
  }
  const b = blurrers.get(src.buffer);
  if (!b || out.buffer !== src.buffer) throw new Error('blurAxis: src and out must come from one blurVolumes() call');
  if (axis !== 0 && out === src) throw new Error('blurAxis: axes 1 and 2 cannot blur in place');
  const k = kernel(sigma);
  const taps = k.length;
  if (taps > MAX_TAPS) throw new Error(`blurAxis: sigma ${sigma} is too large`);
  const r = (taps - 1) >> 1;
  const n = dims[axis];
  b.taps.set(k);
  /** count outputs at byte address to, tap t reading from byte address from + offs[t]. */
  const run = (from: number, to: number, count: number) => {
    const main = count - (count % 8);
    b.conv(from, to, OFFS, TAPS, taps, main);
    for (let x = main; x < count; x++) {
      let acc = 0;
      for (let t = 0; t < taps; t++) acc += b.taps[t]! * b.heap[((from + b.offs[t]!) >> 2) + x]!;
      b.heap[(to >> 2) + x] = acc;
    }
  };
  if (axis === 0) {
    if (n + 2 * r > MAX_LINE) throw new Error(`blurAxis: lines of ${n} voxels are too long`);
    const line = b.heap.subarray(LINE / 4, LINE / 4 + n + 2 * r);
    for (let t = 0; t < taps; t++) b.offs[t] = 4 * t;
    for (let base = 0; base < src.length; base += n) {
      for (let i = 0; i < r; i++) {
        line[i] = src[base]!;
        line[n + r + i] = src[base + n - 1]!;
      }
      b.heap.copyWithin(LINE / 4 + r, src.byteOffset / 4 + base, src.byteOffset / 4 + base + n);
      run(LINE, out.byteOffset + 4 * base, n);
    }
    return out;
  }
  // Axes 1 and 2: whole contiguous rows at a time (cache-friendly).
  const stride = axis === 1 ? dims[0] : dims[0] * dims[1];
  const block = n * stride;
  for (let o = 0; o < src.length; o += block) {
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < taps; t++) b.offs[t] = 4 * (o + Math.min(n - 1, Math.max(0, i + t - r)) * stride);
      run(src.byteOffset, out.byteOffset + 4 * (o + i * stride), stride);
    }
  }
  return out;
}

/** Blurs x in place along axes 0, 1, 2 (scratch: a volume of x's blurVolumes call); returns x. */
export function blur3d(x: Float32Array, dims: Dims, sigma: readonly [number, number, number], scratch: Float32Array): Float32Array {
  blurAxis(x, dims, 0, sigma[0], x);
  blurAxis(x, dims, 1, sigma[1], scratch);
  return blurAxis(scratch, dims, 2, sigma[2], x);
}

/** Rescales in place to zero mean and unit standard deviation. */
export function standardize(x: Float32Array): Float32Array {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i]!;
    s2 += x[i]! * x[i]!;
  }
  const m = s / x.length;
  const sd = Math.sqrt(Math.max(1e-12, s2 / x.length - m * m));
  for (let i = 0; i < x.length; i++) x[i] = (x[i]! - m) / sd;
  return x;
}
