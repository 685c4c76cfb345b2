// Rasterises a Scene (distributions.ts) on any voxel grid that maps affinely to scene coordinates (a, s, l):
// noise-free HU, where trabecular texture goes, body / vertebra labels and the lesion label map.
import type { Dims } from './filters.js';
import type { Lesion, Mimic, Scene, Vertebra, Waves } from './distributions.js';

export interface Raster {
  hu: Float32Array;
  /** SD (HU) of trabecular texture to add at each voxel. */
  texture: Float32Array;
  /** VerSe id of the vertebral body covering the voxel (occupancy ≥ ½), else 0. */
  body: Uint8Array;
  /** VerSe id of the whole vertebra (body, pedicles, osteophytes), else 0. */
  vertebra: Uint8Array;
  /** 1 lytic, 2 blastic. */
  lesion: Uint8Array;
}

/** scene = m · [i, j, k, 1], m row-major 3×4. */
export interface Grid {
  dims: Dims;
  m: number[];
}

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
// x * x rather than x ** 2: the same value (pow special-cases y = 2), without a pow call per voxel.
const sq = (x: number) => x * x;

// The voxel loop reads scene constants from flat plans built once per render: every value is computed by the
// same float operations in the same order as from the scene itself, so the raster is unchanged.

/** Σ sin(k·p + φ) / √(m/2) with k flattened. */
class WavePlan {
  readonly k: Float64Array;
  readonly phase: Float64Array;
  readonly norm: number;
  constructor(w: Waves) {
    this.k = Float64Array.from(w.k.flat());
    this.phase = Float64Array.from(w.phase);
    this.norm = Math.sqrt(w.k.length / 2);
  }
}

// The voxel being rendered, shared with the helpers below through a typed array rather than arguments and
// return values: V8 does not inline those helpers into render's loop, and each double passed to or returned
// from a call that is not inlined is a heap allocation (~80 bytes per voxel, and the GC to match).
const at = new Float64Array(12);
const AT_A = 0, AT_S = 1, AT_L = 2, AT_RHO = 3, AT_DEP = 4, AT_HU = 5, AT_TEX = 6, AT_W = 7, AT_DAX = 8, AT_BACK = 9, AT_OCC = 10, AT_LABEL = 11;

function field(w: WavePlan, a: number, s: number, l: number): number {
  const k = w.k;
  let f = 0;
  for (let m = 0; m < w.phase.length; m++) f += Math.sin(k[3 * m]! * a + k[3 * m + 1]! * s + k[3 * m + 2]! * l + w.phase[m]!);
  return f / w.norm; // ≈ unit SD
}

/**
 * A box in (a, s, l) outside which a finding leaves the voxel unchanged, with a margin so that rounding
 * cannot matter: the voxel loop tests it before calling into the finding. Centre c, half-sizes 1.01 r.
 */
class Box {
  aLo = -Infinity; aHi = Infinity; sLo = -Infinity; sHi = Infinity; lLo = -Infinity; lHi = Infinity;
  static around(c: readonly number[], r: readonly number[]): Box {
    const b = new Box();
    [b.aLo, b.sLo, b.lLo] = [0, 1, 2].map((x) => c[x]! - 1.01 * r[x]!) as [number, number, number];
    [b.aHi, b.sHi, b.lHi] = [0, 1, 2].map((x) => c[x]! + 1.01 * r[x]!) as [number, number, number];
    return b;
  }
}

const inBox = (b: Box, a: number, s: number, l: number) => a >= b.aLo && a <= b.aHi && s >= b.sLo && s <= b.sHi && l >= b.lLo && l <= b.lHi;

const LYTIC = 0, BLASTIC = 1, MIXED = 2;

class LesionPlan {
  readonly box: Box;
  readonly kind: number;
  readonly ca: number; readonly cs: number; readonly cl: number;
  readonly ra: number; readonly rs: number; readonly rl: number;
  readonly rmean: number;
  /** Beyond this q the weight is surely < 1e-3 whatever the margin field (|field| ≤ √(2m)). */
  readonly qSkip: number;
  readonly irregular: number;
  readonly edge: number;
  readonly margin: WavePlan;
  readonly split: WavePlan;
  readonly lyticHU: number;
  readonly blasticHU: number;
  readonly diffuse: boolean;
  readonly breach: boolean;
  constructor(les: Lesion) {
    this.kind = les.kind === 'lytic' ? LYTIC : les.kind === 'blastic' ? BLASTIC : MIXED;
    [this.ca, this.cs, this.cl] = les.centre;
    [this.ra, this.rs, this.rl] = les.radii;
    this.rmean = (this.ra + this.rs + this.rl) / 3;
    // w < 1e-3 ⟺ (qq − 1)·rmean·4.4 / edge > ln 999 ≈ 6.91, and qq ≥ q·(1 − irregular·√(2m)/2).
    const c = 1 - (les.irregular * Math.sqrt(2 * les.margin.k.length)) / 2;
    this.qSkip = c > 0 ? Math.min(2, ((1 + 7 / ((this.rmean * 4.4) / les.edge)) / c) * 1.001) : 2;
    this.box = Box.around(les.centre, [this.qSkip * this.ra, this.qSkip * this.rs, this.qSkip * this.rl]);
    this.irregular = les.irregular;
    this.edge = les.edge;
    this.margin = new WavePlan(les.margin);
    this.split = new WavePlan(les.split);
    this.lyticHU = les.lyticHU;
    this.blasticHU = les.blasticHU;
    this.diffuse = les.diffuse;
    this.breach = les.breach;
  }
  /** Soft membership in [0, 1] of the voxel `at`, into at[AT_W]; 0 where it is surely < 1e-3 (callers skip those). */
  weigh(): void {
    const a = at[AT_A]!, s = at[AT_S]!, l = at[AT_L]!;
    const q = Math.sqrt(sq((a - this.ca) / this.ra) + sq((s - this.cs) / this.rs) + sq((l - this.cl) / this.rl));
    if (q > this.qSkip) {
      at[AT_W] = 0;
      return;
    }
    const qq = q * (1 + this.irregular * field(this.margin, a, s, l) * 0.5);
    at[AT_W] = 1 / (1 + Math.exp((-(1 - qq) * this.rmean * 4.4) / this.edge));
  }
}

/** Integer hash → [0, 1), for the jittered rods of a haemangioma. */
function hash01(x: number, y: number, seed: number): number {
  let h = Math.imul(x, 374761393) ^ Math.imul(y, 668265263) ^ seed;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

const BONE_ISLAND = 0, HAEMANGIOMA = 1, SCHMORL = 2, SCLEROSIS = 3;

/** A benign finding inside the body, one shape for all kinds (monomorphic in the voxel loop). */
class MimicPlan {
  box = new Box();
  readonly kind: number;
  c0 = 0; c1 = 0; c2 = 0;
  r0 = 0; r1 = 0; r2 = 0;
  /** Bone island: r and 1.8 r; Schmorl: r and r + rim. */
  r = 0; reach = 0;
  hu = 0;
  spikes = new Float64Array(0);
  fatHU = 0; rodHU = 0; spacing = 0; rodR = 0; jitter = 0;
  side = 0; thickness = 0; dome = false;
  constructor(mm: Exclude<Mimic, { kind: 'osteophyte' }>, v: Vertebra) {
    switch (mm.kind) {
      case 'bone-island':
        this.kind = BONE_ISLAND;
        [this.c0, this.c1, this.c2] = mm.centre;
        this.r = mm.r; this.reach = mm.r * 1.8; this.hu = mm.hu;
        this.box = Box.around(mm.centre, [this.reach, this.reach, this.reach]);
        this.spikes = Float64Array.from(mm.spikes.flat());
        break;
      case 'haemangioma':
        this.kind = HAEMANGIOMA;
        [this.c0, this.c1, this.c2] = mm.centre;
        [this.r0, this.r1, this.r2] = mm.radii;
        this.fatHU = mm.fatHU; this.rodHU = mm.rodHU; this.spacing = mm.spacing; this.rodR = mm.rodR; this.jitter = mm.jitter;
        this.box = Box.around(mm.centre, mm.radii.map((r) => 1.3 * r));
        break;
      case 'schmorl':
        this.kind = SCHMORL;
        this.c0 = mm.a; this.c1 = mm.side * (v.height / 2 - v.cup * 0.7); this.c2 = mm.l;
        this.r = mm.r; this.reach = mm.r + mm.rim; this.hu = mm.rimHU;
        this.box = Box.around([this.c0, this.c1, this.c2], [this.reach, this.reach, this.reach]);
        break;
      case 'endplate-sclerosis':
        this.kind = SCLEROSIS;
        this.side = mm.side; this.thickness = mm.thickness; this.hu = mm.hu; this.dome = mm.dome;
        {
          // dEp < thickness needs |s| > halfHeight − thickness ≥ height / 2 − cup − thickness, on the side's end.
          const inner = v.height / 2 - v.cup - mm.thickness - 0.01;
          if (mm.side > 0) this.box.sLo = inner;
          else this.box.sHi = -inner;
        }
        break;
    }
  }
}

/** Osteophyte beak at the anterior endplate corner. */
class OsteophytePlan {
  readonly box: Box;
  readonly aMax: number;
  readonly halfDepth: number;
  readonly sC: number;
  constructor(readonly mm: Extract<Mimic, { kind: 'osteophyte' }>, v: Vertebra) {
    this.aMax = -v.depth / 2 + 2;
    this.halfDepth = v.depth / 2;
    this.sC = (mm.side * v.height) / 2;
    this.box = Box.around([-this.halfDepth, this.sC, mm.l], [mm.length, mm.radiusS, mm.radiusL]); // q < 1
  }
  /** Occupancy of the voxel `at`, into at[AT_W]. */
  occupy(): void {
    const a = at[AT_A]!, sl = at[AT_S]!, l = at[AT_L]!;
    const mm = this.mm;
    const q = sq((a + this.halfDepth) / mm.length) + sq((sl - this.sC) / mm.radiusS) + sq((l - mm.l) / mm.radiusL);
    at[AT_W] = q < 1 && a < this.aMax ? clamp01((1 - q) * 3) : 0;
  }
}

/**
 * make(x) for each x it accepts, pushed into a fresh []: arrays that render reads all come from here, so
 * they share their hidden classes. (map, filter and flatMap each make arrays of their own kinds, and their
 * optimised versions yet others: each new one met in the voxel loop deoptimised it.)
 */
function plans<T, P>(items: readonly T[], make: (x: T) => P | undefined): P[] {
  const out: P[] = [];
  for (const x of items) {
    const p = make(x);
    if (p !== undefined) out.push(p);
  }
  return out;
}

class VertebraPlan {
  readonly id: number;
  readonly halfH: number; readonly halfDepth: number; readonly halfWidth: number;
  readonly waist: number; readonly concavity: number; readonly cup: number;
  readonly cortex: number; readonly endplate: number;
  readonly cortexHU: number; readonly trabecularHU: number; readonly textureSD: number;
  /** lerp(cortexHU, trabecularHU, 0.2): endplate bone. */
  readonly endplateHU: number;
  readonly pedL: number; readonly pedR: number; readonly pedS: number; readonly pedSR: number;
  readonly veinHalf: number; readonly veinLength: number; readonly veinFork: number; readonly veinHU: number;
  readonly mimics: MimicPlan[];
  readonly osteophytes: OsteophytePlan[];
  readonly lesions: LesionPlan[];
  readonly breaches: LesionPlan[];
  constructor(v: Vertebra) {
    this.id = v.id;
    this.halfH = v.height / 2; this.halfDepth = v.depth / 2; this.halfWidth = v.width / 2;
    this.waist = v.waist; this.concavity = v.concavity; this.cup = v.cup;
    this.cortex = v.cortex; this.endplate = v.endplate;
    this.cortexHU = v.cortexHU; this.trabecularHU = v.trabecularHU; this.textureSD = v.textureSD;
    this.endplateHU = lerp(v.cortexHU, v.trabecularHU, 0.2);
    this.pedL = v.pedicle.l; this.pedR = v.pedicle.radius; this.pedS = v.height * 0.2; this.pedSR = v.height * 0.28;
    this.veinHalf = v.vein.calibre / 2; this.veinLength = v.vein.length; this.veinFork = v.vein.length * 0.4; this.veinHU = v.vein.hu;
    // Osteophytes leave the bone inside the body unchanged (× 1): they only act outside it.
    this.mimics = plans(v.mimics, (mm) => (mm.kind === 'osteophyte' ? undefined : new MimicPlan(mm, v)));
    this.osteophytes = plans(v.mimics, (mm) => (mm.kind === 'osteophyte' ? new OsteophytePlan(mm, v) : undefined));
    this.lesions = plans(v.lesions, (les) => new LesionPlan(les));
    this.breaches = plans(this.lesions, (les) => (les.breach ? les : undefined));
  }
}

/** Bone HU (at[AT_HU], updated) and texture factor (into at[AT_TEX]) of the voxel `at` after a benign finding; cortical = inside the shell. */
function applyMimic(mm: MimicPlan, cortical: boolean): void {
  const a = at[AT_A]!, sl = at[AT_S]!, l = at[AT_L]!, hu = at[AT_HU]!;
  at[AT_TEX] = 1;
  switch (mm.kind) {
    case BONE_ISLAND: {
      const da = a - mm.c0, ds = sl - mm.c1, dl = l - mm.c2;
      const dist = Math.sqrt(da * da + ds * ds + dl * dl);
      if (dist > mm.reach) return;
      let spike = 0;
      const d = mm.spikes;
      if (dist > 1e-6) for (let t = 0; t < d.length; t += 3) spike = Math.max(spike, (d[t]! * da + d[t + 1]! * ds + d[t + 2]! * dl) / dist);
      const R = mm.r * (1 + 0.7 * Math.max(0, spike) ** 16);
      const w = clamp01((R - dist) / 0.4 + 0.5);
      at[AT_HU] = lerp(hu, mm.hu, w);
      at[AT_TEX] = 1 - w;
      return;
    }
    case HAEMANGIOMA: {
      if (cortical) return;
      const q = Math.sqrt(sq((a - mm.c0) / mm.r0) + sq((sl - mm.c1) / mm.r1) + sq((l - mm.c2) / mm.r2));
      if (q > 1.3) return;
      const w = clamp01((1 - q) * 4 + 0.5);
      // Vertical thickened trabeculae ("corduroy" on sagittal, "polka dots" on axial) in fat.
      const ia = Math.round(a / mm.spacing), il = Math.round(l / mm.spacing);
      const ja = (ia + (hash01(ia, il, mm.jitter) - 0.5) * 0.5) * mm.spacing;
      const jl = (il + (hash01(il, ia, mm.jitter + 1) - 0.5) * 0.5) * mm.spacing;
      const rod = Math.hypot(a - ja, l - jl) < mm.rodR;
      at[AT_HU] = lerp(hu, rod ? mm.rodHU : mm.fatHU, w);
      at[AT_TEX] = 1 - w;
      return;
    }
    case SCHMORL: {
      const dist = Math.sqrt(sq(a - mm.c0) + sq(sl - mm.c1) + sq(l - mm.c2));
      if (dist < mm.r) {
        at[AT_HU] = 70; // herniated disc material
        at[AT_TEX] = 0;
      } else if (dist < mm.reach) {
        at[AT_HU] = mm.hu;
        at[AT_TEX] = 0.3;
      }
      return;
    }
    case SCLEROSIS: {
      if (mm.side * sl <= 0) return;
      const rho = at[AT_RHO]!;
      const t = mm.dome ? mm.thickness * Math.sqrt(Math.max(0, 1 - rho * rho)) : mm.thickness;
      if (at[AT_DEP]! < t) {
        at[AT_HU] = lerp(hu, mm.hu, 0.85);
        at[AT_TEX] = 0.3;
      }
    }
  }
}

/**
 * Voxel `at` inside body v (occupancy at[AT_OCC] > 0): bone with vein, benign findings and lesions, blended
 * into the tissue at[AT_HU] / texture at[AT_TEX] by occupancy; lesion label into at[AT_LABEL]. A function of its
 * own, like outsideBody: V8 compiles and, on a finding met for the first time, recompiles it alone rather than
 * the whole voxel loop.
 */
function insideBody(v: VertebraPlan): void {
  const a = at[AT_A]!, sl = at[AT_S]!, l = at[AT_L]!, dAx = at[AT_DAX]!, dEp = at[AT_DEP]!, occ = at[AT_OCC]!;
  let lesionLabel = 0;
  const cortical = dAx < v.cortex || dEp < v.endplate;
  let bone = cortical ? (dAx < v.cortex ? v.cortexHU : v.endplateHU) : v.trabecularHU;
  let btex = cortical ? 0 : v.textureSD;
  // Basivertebral vein: a trunk entering the posterior wall at mid-height, branching in a Y.
  const fromBack = at[AT_BACK]!;
  if (Math.abs(sl) < v.veinHalf && fromBack > -2 && fromBack < v.veinLength) {
    const arm = Math.abs(Math.abs(l) - Math.max(0, fromBack - v.veinFork) * 0.6);
    if (arm < v.veinHalf) {
      bone = v.veinHU;
      btex = 0;
    }
  }
  const hu = at[AT_HU]!, tex = at[AT_TEX]!;
  for (let t = 0; t < v.mimics.length; t++) {
    if (!inBox(v.mimics[t]!.box, a, sl, l)) continue;
    at[AT_HU] = bone;
    applyMimic(v.mimics[t]!, cortical);
    bone = at[AT_HU]!;
    btex *= at[AT_TEX]!;
  }
  let breachW = 0;
  let breachHU = 0;
  for (let t = 0; t < v.lesions.length; t++) {
    const les = v.lesions[t]!;
    if (!inBox(les.box, a, sl, l)) continue;
    les.weigh();
    const w = at[AT_W]!;
    if (w < 1e-3) continue;
    const blastic = les.kind === BLASTIC || (les.kind === MIXED && field(les.split, a, sl, l) > 0);
    if (blastic) {
      const we = les.diffuse ? w * clamp01(0.55 + 0.6 * field(les.split, l, a, sl)) : w;
      bone = lerp(bone, les.blasticHU, we);
      btex = lerp(btex, 25, we);
      if (we > 0.5 && occ >= 0.5) lesionLabel = 2;
    } else if (!cortical || les.breach) {
      bone = lerp(bone, les.lyticHU, w);
      btex *= 1 - w;
      if (w > 0.5 && occ >= 0.5) lesionLabel = 1;
      if (les.breach) {
        breachW = Math.max(breachW, w);
        breachHU = les.lyticHU;
      }
    }
  }
  let h = lerp(hu, bone, occ);
  // A lytic lesion through the cortex continues as a soft-tissue mass outside the body.
  if (breachW > 0 && occ < 1) {
    h = lerp(h, breachHU, breachW * (1 - occ));
    if (breachW > 0.5 && occ < 0.5) lesionLabel = 1;
  }
  at[AT_HU] = h;
  at[AT_TEX] = lerp(tex, btex, occ);
  at[AT_LABEL] = lesionLabel;
}

/** Voxel `at` outside body v: a lytic lesion through the cortex continues as a soft-tissue mass (HU in at[AT_HU], label in at[AT_LABEL]). */
function outsideBody(v: VertebraPlan): void {
  const a = at[AT_A]!, sl = at[AT_S]!, l = at[AT_L]!;
  let hu = at[AT_HU]!;
  let lesionLabel = 0;
  for (let t = 0; t < v.breaches.length; t++) {
    const les = v.breaches[t]!;
    if (!inBox(les.box, a, sl, l)) continue;
    les.weigh();
    const w = at[AT_W]!;
    if (w < 1e-3) continue;
    hu = lerp(hu, les.lyticHU, w);
    if (w > 0.5) lesionLabel = 1;
  }
  at[AT_HU] = hu;
  at[AT_LABEL] = lesionLabel;
}

export function newRaster(n: number): Raster {
  return { hu: new Float32Array(n), texture: new Float32Array(n), body: new Uint8Array(n), vertebra: new Uint8Array(n), lesion: new Uint8Array(n) };
}

/** Rasterises scene on grid, into `out` when given (every voxel is overwritten). */
export function render(scene: Scene, grid: Grid, out: Raster = newRaster(grid.dims[0] * grid.dims[1] * grid.dims[2])): Raster {
  const [nx, ny, nz] = grid.dims;
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11] = grid.m as [number, number, number, number, number, number, number, number, number, number, number, number];
  const vs = plans(scene.vertebrae, (v) => new VertebraPlan(v));
  const s0 = Float64Array.from(scene.vertebrae, (v) => v.s0);
  const nv = vs.length;
  // Disc below body vi (vi − 1 above it); 70 HU where the chain has no disc.
  const discHU = (vi: number) => scene.discs[Math.min(scene.discs.length - 1, Math.max(0, vi))]?.hu ?? 70;
  const discs = Float64Array.from({ length: nv + 1 }, (_, t) => discHU(t - 1));
  const muscles = scene.muscles;
  const ao = scene.aorta;
  const canalA = scene.canal.front + scene.canal.ap / 2;
  const canalRA = scene.canal.ap / 2;
  const canalRL = scene.canal.width / 2;
  const canalHU = scene.canal.hu;
  const { hu: outHU, texture: outTex, body: outBody, vertebra: outVert, lesion: outLesion } = out;
  let idx = 0;
  for (let k = 0; k < nz; k++) {
    const ak = m2 * k, sk = m6 * k, lk = m10 * k;
    for (let j = 0; j < ny; j++) {
      const aj = m1 * j, sj = m5 * j, lj = m9 * j;
      for (let i = 0; i < nx; i++, idx++) {
        const a = m0 * i + aj + ak + m3;
        const s = m4 * i + sj + sk + m7;
        const l = m8 * i + lj + lk + m11;
        // Nearest body along the spine, and the disc on that side.
        let vi = 0;
        for (let t = 1; t < nv; t++) if (Math.abs(s - s0[t]!) < Math.abs(s - s0[vi]!)) vi = t;
        const v = vs[vi]!;
        const sl = s - s0[vi]!;
        at[AT_A] = a;
        at[AT_S] = sl;
        at[AT_L] = l;

        let hu = scene.fatHU;
        for (let t = 0; t < muscles.length; t++) {
          const mu = muscles[t]!;
          if (sq((a - mu.a) / mu.ra) + sq((l - mu.l) / mu.rl) < 1) hu = mu.hu;
        }
        if (ao && sq(a - ao.a) + sq(l - ao.l) < ao.r * ao.r) hu = ao.hu;
        if (sq((a - canalA) / canalRA) + sq(l / canalRL) < 1) hu = canalHU;

        // Geometry of the body: normalised radius rho, distances to the outer wall and to the endplate.
        const tt = Math.min(1, Math.abs(sl) / v.halfH);
        const scale = 1 - v.waist * (1 - tt * tt);
        const A = v.halfDepth * scale;
        const B = v.halfWidth * scale;
        const lb = l / B;
        const aa = a > 0 ? a + v.concavity * Math.max(0, 1 - lb * lb) : a;
        const rho = Math.sqrt(sq(aa / A) + lb * lb);
        const halfHeight = v.halfH - v.cup * Math.max(0, 1 - rho * rho);
        const dAx = (1 - rho) * Math.min(A, B);
        const dEp = halfHeight - Math.abs(sl);

        if (dEp < 0 && rho < 1.03) hu = discs[sl > 0 ? vi + 1 : vi]! + (rho > 0.8 ? 10 : 0); // annulus slightly denser than nucleus
        let tex = 0;
        let vert = 0;
        // Pedicles: upper half of the body height, lateral to the canal, running posteriorly.
        const ps = sq((sl + v.pedS) / v.pedSR);
        const pq = Math.min(sq((l - v.pedL) / v.pedR) + ps, sq((l + v.pedL) / v.pedR) + ps);
        if (pq < 1 && a > A * 0.3) {
          hu = pq > 0.55 ? v.cortexHU : v.trabecularHU;
          tex = pq > 0.55 ? 0 : v.textureSD;
          vert = v.id;
        }
        for (let t = 0; t < v.osteophytes.length; t++) {
          const o = v.osteophytes[t]!;
          if (!inBox(o.box, a, sl, l)) continue;
          o.occupy();
          const w = at[AT_W]!;
          if (w > 0) {
            hu = lerp(hu, o.mm.hu, w);
            if (w > 0.5) vert = v.id;
          }
        }

        const occ = clamp01(Math.min(dAx, dEp) / 0.8 + 0.5);
        at[AT_HU] = hu;
        if (occ > 0) {
          at[AT_RHO] = rho;
          at[AT_DEP] = dEp;
          at[AT_DAX] = dAx;
          at[AT_BACK] = A - a;
          at[AT_OCC] = occ;
          at[AT_TEX] = tex;
          insideBody(v);
          tex = at[AT_TEX]!;
        } else {
          outsideBody(v);
        }
        hu = at[AT_HU]!;
        const bodyId = occ >= 0.5 ? v.id : 0;
        if (occ >= 0.5) vert = v.id;
        outHU[idx] = hu;
        outTex[idx] = tex;
        outBody[idx] = bodyId;
        outVert[idx] = vert;
        outLesion[idx] = at[AT_LABEL]!;
      }
    }
  }
  return out;
}
