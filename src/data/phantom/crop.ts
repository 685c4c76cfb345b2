// One synthetic 64³ vertebra crop in HU, laid out like the reference sample: axis 0 = rows
// anterior→posterior, axis 1 = columns along the spine (cranial→caudal), axis 2 = left→right, so index 32
// of axis 2 is the mid-sagittal plane. Spacing 0.8 mm.
import { axisAlignedGeometry, type NiftiGeometry } from '../nifti.js';
import { render, type Grid } from './anatomy.js';
import { sampleLevel, samplePose, sampleScanner, sampleScene, type CaseSpec, type Difficulty, type Scanner } from './distributions.js';
import { blur3d, blurAxis, standardize, type Dims } from './filters.js';
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
  const highPass = (x: Float32Array, d: Dims): Float32Array => {
    const low = blurAxis(blurAxis(x, d, inPlane[0], sc.noiseCoarse / spacing[inPlane[0]]!), d, inPlane[1], sc.noiseCoarse / spacing[inPlane[1]]!);
    for (let i = 0; i < low.length; i++) low[i] = x[i]! - low[i]!;
    return low;
  };
  // Impulse response energy of highPass ∘ blur → the gain that makes the final noise SD = noiseSD.
  const side = 25;
  const imp = new Float32Array(side ** 3);
  imp[(side ** 3 - 1) / 2] = 1;
  const h = blur3d(highPass(imp, [side, side, side]), [side, side, side], pv);
  const gain = sc.noiseSD / Math.sqrt(h.reduce((e, v) => e + v * v, 0));
  // Uniform white noise (unit variance): after filtering it is Gaussian to within the CLT, at a fifth of the cost.
  const white = new Float32Array(hu.length);
  for (let i = 0; i < white.length; i++) white[i] = (rng.next() - 0.5) * Math.sqrt(12);
  const sum = highPass(white, dims);
  for (let i = 0; i < sum.length; i++) sum[i] = hu[i]! + gain * sum[i]!;
  const out = blur3d(sum, dims, pv);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(3071, Math.max(-1024, Math.round(out[i]!)));
  return out;
}

/** Trabecular texture: noise elongated along the spine (vertical trabeculae), scaled per voxel. */
export function addTexture(hu: Float32Array, sd: Float32Array, dims: Dims, alongAxis: 0 | 1 | 2, spacing: readonly [number, number, number], rng: Rng): void {
  const white = new Float32Array(hu.length);
  for (let i = 0; i < white.length; i++) white[i] = sd[i]! > 0 ? (rng.next() - 0.5) * Math.sqrt(12) : 0;
  const sig = [0, 1, 2].map((ax) => (ax === alongAxis ? 1.0 : 0.4) / spacing[ax]!) as [number, number, number];
  const tex = standardize(blur3d(white, dims, sig));
  for (let i = 0; i < hu.length; i++) hu[i] = hu[i]! + sd[i]! * tex[i]!;
}

/** Lesion voxels on every one of the 5 central slices of axis 2. */
export function lesionOnCentralSlices(lesion: Uint8Array): boolean {
  const plane = CROP * CROP;
  for (let k = CROP / 2 - 2; k <= CROP / 2 + 2; k++) {
    if (!lesion.subarray(k * plane, (k + 1) * plane).some((x) => x > 0)) return false;
  }
  return true;
}

/** Case `index` of the dataset with this seed; label drawn with P(malignant) = malignantFraction. */
export function generateCase(seed: number, index: number, difficulty: Difficulty, malignantFraction = 0.5): PhantomCase {
  const label: 0 | 1 = new Rng(seed, index, 0).chance(malignantFraction) ? 1 : 0;
  // Rare draws whose lesions miss a central slice are redrawn from the next stream.
  for (let attempt = 1; ; attempt++) {
    const rng = new Rng(seed, index, attempt);
    const level = sampleLevel(rng);
    const scene = sampleScene(rng, label, difficulty, [level - 1, level, level + 1], 1);
    const spec: CaseSpec = { label, scene, scanner: sampleScanner(rng, difficulty), pose: samplePose(rng) };
    const r = render(scene, poseGrid(spec));
    if (label === 1 && !lesionOnCentralSlices(r.lesion) && attempt < 50) continue;
    const sp = [SPACING, SPACING, SPACING] as const;
    addTexture(r.hu, r.texture, DIMS, 1, sp, rng);
    const ct = scan(r.hu, DIMS, spec.scanner, sp, [0, 2], rng);
    const mainId = scene.vertebrae.find((v) => v.s0 === 0)!.id;
    const body = r.body.map((b) => (b === mainId ? 1 : 0));
    return { index, spec, ct, body, lesion: r.lesion };
  }
}

/** Crop geometry (qform = sform): axis-aligned 0.8 mm voxels, like the sample's sform; voxel 32 at the origin. */
export function cropGeometry(): NiftiGeometry {
  return axisAlignedGeometry([SPACING, SPACING, SPACING], [-CROP / 2 * SPACING, -CROP / 2 * SPACING, -CROP / 2 * SPACING]);
}
