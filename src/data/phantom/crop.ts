// One synthetic 64³ vertebra crop in HU, laid out like the reference sample: axis 0 = rows
// anterior→posterior, axis 1 = columns along the spine (cranial→caudal), axis 2 = left→right, so index 32
// of axis 2 is the mid-sagittal plane. Spacing 0.8 mm.
import { axisAlignedGeometry, type NiftiGeometry } from '../nifti.js';
import { newRaster, render, type Grid, type Raster } from './anatomy.js';
import { DIFFICULTIES, sampleLevel, samplePose, sampleScanner, sampleScene, type CaseSpec, type Difficulty, type Scanner } from './distributions.js';
import { blur3d, blurAxis, blurVolumes, kernelRadius, standardize, type Dims } from './filters.js';
import { Rng } from './random.js';

export const CROP = 64;
export const SPACING = 0.8;
const DIMS: Dims = [CROP, CROP, CROP];

export interface PhantomCase {
  index: number;
  spec: CaseSpec;
  /** HU, integer-valued, clamped to int16 CT range. */
  ct: Float32Array;
  body: Uint8Array;
  lesion: Uint8Array;
}

/** Crop voxel (i, j, k) → scene (a, s, l): centre on voxel 32, then the pose's rotation and shift. */
function poseGrid(spec: CaseSpec): Grid {
  const { tilt, rotation, roll, shift } = spec.pose;
  const rad = Math.PI / 180;
  // Rotations about l (a–s plane), s (a–l plane), a (s–l plane), composed in that order.
  const rot = (p: number, q: number, t: number): number[][] => {
    const R = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    R[p]![p] = Math.cos(t); R[p]![q] = -Math.sin(t); R[q]![p] = Math.sin(t); R[q]![q] = Math.cos(t);
    return R;
  };
  const mul = (A: number[][], B: number[][]) => A.map((r) => [0, 1, 2].map((c) => r[0]! * B[0]![c]! + r[1]! * B[1]![c]! + r[2]! * B[2]![c]!));
  const R = mul(mul(rot(0, 1, tilt * rad), rot(0, 2, rotation * rad)), rot(1, 2, roll * rad));
  const m: number[] = [];
  for (let r = 0; r < 3; r++) {
    const row = R[r]!.map((x) => x * SPACING);
    const off = -CROP / 2 * (row[0]! + row[1]! + row[2]!) - shift[r]!;
    m.push(row[0]!, row[1]!, row[2]!, off);
  }
  return { dims: DIMS, m };
}

// Volumes reused from crop to crop in this thread (those the blur works on live in its WebAssembly memory):
// allocating ~15 MB per crop kept the GC busy.
let pool: { n: number; raster: Raster; vols: Float32Array[] } | undefined;
function workspace(n: number) {
  if (pool?.n !== n) pool = { n, raster: newRaster(n), vols: blurVolumes(n, 3) };
  return pool;
}

// The voxel loops of scan and addTexture are functions of their own so that V8 optimises each as a whole:
// entered by on-stack replacement inside the long functions, their cached code deoptimised on every crop.

const SQRT12 = Math.sqrt(12);

/** Uniform white noise of unit variance (after filtering Gaussian to within the CLT, at a fifth of the cost), where where[i] > 0 if given, else 0. */
function whiteNoise(out: Float32Array, rng: Rng, where?: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = where === undefined || where[i]! > 0 ? (rng.next() - 0.5) * SQRT12 : 0;
}

/** x − in-plane coarse blur of x (sigma coarse[axis]), into out (tmp: scratch). */
function highPass(x: Float32Array, dims: Dims, inPlane: readonly [0 | 1 | 2, 0 | 1 | 2], coarse: number[], out: Float32Array, tmp: Float32Array): Float32Array {
  blurAxis(blurAxis(x, dims, inPlane[0], coarse[inPlane[0]]!, tmp), dims, inPlane[1], coarse[inPlane[1]]!, out);
  for (let i = 0; i < out.length; i++) out[i] = x[i]! - out[i]!;
  return out;
}

/** y = a + g · y. */
function addScaled(y: Float32Array, a: Float32Array, g: number): void {
  for (let i = 0; i < y.length; i++) y[i] = a[i]! + g * y[i]!;
}

/** y = y + a · b. */
function addProduct(y: Float32Array, a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] = y[i]! + a[i]! * b[i]!;
}

/**
 * Math.round, clamped to [−1024, 3071] — as floor(x + 0.5), exact for float32 x and ~2× faster in V8; zeros
 * keep Math.round's sign (−0 from [−0.5, 0]) so that the float output is unchanged bit for bit.
 */
function roundHU(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.floor(x[i]! + 0.5);
    out[i] = v < -1024 ? -1024 : v > 3071 ? 3071 : v === 0 && x[i]! <= 0 ? x[i]! * 0 : v;
  }
  return out;
}

/**
 * Adds the scanner: image + high-passed white noise, both through the system blur, rounded to integer HU.
 * Like FBP, the noise then has a band-pass spectrum (ramp × apodisation, approximated by (1 − G_coarse)
 * in-plane and the system blur) and is correlated between neighbouring voxels. Its SD is set exactly from
 * the energy of the filter's impulse response.
 */
export function scan(hu: Float32Array, dims: Dims, sc: Scanner, spacing: readonly [number, number, number], inPlane: readonly [0 | 1 | 2, 0 | 1 | 2], rng: Rng): Float32Array {
  const along = ([0, 1, 2] as const).find((x) => !inPlane.includes(x))!;
  const pv = [0, 0, 0] as [number, number, number];
  for (const ax of inPlane) pv[ax] = sc.blurInPlane / spacing[ax]!;
  pv[along] = Math.max(sc.blurAlong, sc.noiseFine) / spacing[along]!;
  const coarse = [0, 1, 2].map((ax) => (inPlane.includes(ax as 0 | 1 | 2) ? sc.noiseCoarse / spacing[ax]! : 0));
  // Impulse response energy of highPass ∘ blur → the gain that makes the final noise SD = noiseSD. The box
  // just holds the response (edges stay 0, so clamping adds nothing): the same values as on any larger grid.
  const box = [0, 1, 2].map((ax) => 2 * (kernelRadius(coarse[ax]!) + kernelRadius(pv[ax]!)) + 3) as [number, number, number];
  const [imp, hp, scratch] = blurVolumes(box[0] * box[1] * box[2], 3) as [Float32Array, Float32Array, Float32Array];
  imp[(imp.length - 1) / 2] = 1;
  const h = blur3d(highPass(imp, box, inPlane, coarse, hp, scratch), box, pv, scratch);
  const gain = sc.noiseSD / Math.sqrt(h.reduce((e, v) => e + v * v, 0));
  const [white, sum, tmp] = workspace(hu.length).vols as [Float32Array, Float32Array, Float32Array];
  whiteNoise(white, rng);
  addScaled(highPass(white, dims, inPlane, coarse, sum, tmp), hu, gain);
  return roundHU(blur3d(sum, dims, pv, tmp));
}

/** Trabecular texture: noise elongated along the spine (vertical trabeculae), scaled per voxel. */
export function addTexture(hu: Float32Array, sd: Float32Array, dims: Dims, alongAxis: 0 | 1 | 2, spacing: readonly [number, number, number], rng: Rng): void {
  const [white, tmp] = workspace(hu.length).vols as [Float32Array, Float32Array];
  whiteNoise(white, rng, sd);
  const sig = [0, 1, 2].map((ax) => (ax === alongAxis ? 1.0 : 0.4) / spacing[ax]!) as [number, number, number];
  addProduct(hu, sd, standardize(blur3d(white, dims, sig, tmp)));
}

/** Lesion voxels on every one of the 5 central slices of axis 2. */
export function lesionOnCentralSlices(lesion: Uint8Array): boolean {
  const plane = CROP * CROP;
  for (let k = CROP / 2 - 2; k <= CROP / 2 + 2; k++) {
    if (!lesion.subarray(k * plane, (k + 1) * plane).some((x) => x > 0)) return false;
  }
  return true;
}

/**
 * Once per thread, before its first crop: 40 sampled scenes rendered on a coarse 16³ grid (output discarded),
 * so that V8 first optimises render having seen every kind of finding rather than deoptimising and
 * recompiling it as each new kind turns up in the first crops (a cold run of 100 crops took ~10–20 % more CPU).
 */
let warm = false;
function warmUp(): void {
  warm = true;
  const n = 16;
  const step = (CROP * SPACING) / n;
  const grid: Grid = { dims: [n, n, n], m: [step, 0, 0, -CROP / 2 * SPACING, 0, step, 0, -CROP / 2 * SPACING, 0, 0, step, -CROP / 2 * SPACING] };
  const raster = newRaster(n ** 3);
  for (let i = 0; i < 40; i++) {
    const rng = new Rng(0x3a7e, i);
    const level = sampleLevel(rng);
    render(sampleScene(rng, (i % 2) as 0 | 1, DIFFICULTIES[i % 3]!, [level - 1, level, level + 1], 1), grid, raster);
  }
}

/** Case `index` of the dataset with this seed; label drawn with P(malignant) = malignantFraction. */
export function generateCase(seed: number, index: number, difficulty: Difficulty, malignantFraction = 0.5): PhantomCase {
  if (!warm) warmUp();
  const label: 0 | 1 = new Rng(seed, index, 0).chance(malignantFraction) ? 1 : 0;
  // Rare draws whose lesions miss a central slice are redrawn from the next stream.
  for (let attempt = 1; ; attempt++) {
    const rng = new Rng(seed, index, attempt);
    const level = sampleLevel(rng);
    const scene = sampleScene(rng, label, difficulty, [level - 1, level, level + 1], 1);
    const spec: CaseSpec = { label, scene, scanner: sampleScanner(rng, difficulty), pose: samplePose(rng) };
    const r = render(scene, poseGrid(spec), workspace(CROP ** 3).raster);
    if (label === 1 && !lesionOnCentralSlices(r.lesion) && attempt < 50) continue;
    const sp = [SPACING, SPACING, SPACING] as const;
    addTexture(r.hu, r.texture, DIMS, 1, sp, rng);
    const ct = scan(r.hu, DIMS, spec.scanner, sp, [0, 2], rng);
    const mainId = scene.vertebrae.find((v) => v.s0 === 0)!.id;
    const body = new Uint8Array(r.body.length);
    for (let i = 0; i < body.length; i++) body[i] = r.body[i] === mainId ? 1 : 0;
    return { index, spec, ct, body, lesion: r.lesion.slice() };
  }
}

/** Crop geometry (qform = sform): axis-aligned 0.8 mm voxels, like the sample's sform; voxel 32 at the origin. */
export function cropGeometry(): NiftiGeometry {
  return axisAlignedGeometry([SPACING, SPACING, SPACING], [-CROP / 2 * SPACING, -CROP / 2 * SPACING, -CROP / 2 * SPACING]);
}
