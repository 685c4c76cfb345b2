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

function field(w: Waves, a: number, s: number, l: number): number {
  let f = 0;
  for (let m = 0; m < w.k.length; m++) {
    const k = w.k[m]!;
    f += Math.sin(k[0]! * a + k[1]! * s + k[2]! * l + w.phase[m]!);
  }
  return f / Math.sqrt(w.k.length / 2); // ≈ unit SD
}

/** Geometry of the body of v at a point (s relative to the body centre). */
interface BodyPoint {
  rho: number;
  dAx: number;
  dEp: number;
  halfHeight: number;
  A: number;
}

function bodyPoint(v: Vertebra, a: number, sl: number, l: number): BodyPoint {
  const t = Math.min(1, Math.abs(sl) / (v.height / 2));
  const scale = 1 - v.waist * (1 - t * t);
  const A = (v.depth / 2) * scale;
  const B = (v.width / 2) * scale;
  const lb = l / B;
  const aa = a > 0 ? a + v.concavity * Math.max(0, 1 - lb * lb) : a;
  const rho = Math.sqrt(sq(aa / A) + lb * lb);
  const halfHeight = v.height / 2 - v.cup * Math.max(0, 1 - rho * rho);
  return { rho, dAx: (1 - rho) * Math.min(A, B), dEp: halfHeight - Math.abs(sl), halfHeight, A };
}

function lesionWeight(les: Lesion, a: number, s: number, l: number): number {
  const [ca, cs, cl] = les.centre;
  const [ra, rs, rl] = les.radii;
  const q = Math.sqrt(sq((a - ca) / ra) + sq((s - cs) / rs) + sq((l - cl) / rl));
  if (q > 2) return 0;
  const qq = q * (1 + les.irregular * field(les.margin, a, s, l) * 0.5);
  const rmean = (ra + rs + rl) / 3;
  return 1 / (1 + Math.exp((-(1 - qq) * rmean * 4.4) / les.edge));
}

/** Integer hash → [0, 1), for the jittered rods of a haemangioma. */
function hash01(x: number, y: number, seed: number): number {
  let h = Math.imul(x, 374761393) ^ Math.imul(y, 668265263) ^ seed;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Bone value after a benign finding; cortical = inside the shell. Returns [hu, textureFactor]. */
function applyMimic(mm: Mimic, v: Vertebra, bp: BodyPoint, a: number, sl: number, l: number, hu: number, cortical: boolean): [number, number] {
  switch (mm.kind) {
    case 'bone-island': {
      const da = a - mm.centre[0], ds = sl - mm.centre[1], dl = l - mm.centre[2];
      const dist = Math.sqrt(da * da + ds * ds + dl * dl);
      if (dist > mm.r * 1.8) return [hu, 1];
      let spike = 0;
      if (dist > 1e-6) for (const d of mm.spikes) spike = Math.max(spike, (d[0] * da + d[1] * ds + d[2] * dl) / dist);
      const R = mm.r * (1 + 0.7 * Math.max(0, spike) ** 16);
      const w = clamp01((R - dist) / 0.4 + 0.5);
      return [lerp(hu, mm.hu, w), 1 - w];
    }
    case 'haemangioma': {
      if (cortical) return [hu, 1];
      const q = Math.sqrt(sq((a - mm.centre[0]) / mm.radii[0]) + sq((sl - mm.centre[1]) / mm.radii[1]) + sq((l - mm.centre[2]) / mm.radii[2]));
      if (q > 1.3) return [hu, 1];
      const w = clamp01((1 - q) * 4 + 0.5);
      // Vertical thickened trabeculae ("corduroy" on sagittal, "polka dots" on axial) in fat.
      const ia = Math.round(a / mm.spacing), il = Math.round(l / mm.spacing);
      const ja = (ia + (hash01(ia, il, mm.jitter) - 0.5) * 0.5) * mm.spacing;
      const jl = (il + (hash01(il, ia, mm.jitter + 1) - 0.5) * 0.5) * mm.spacing;
      const rod = Math.hypot(a - ja, l - jl) < mm.rodR;
      return [lerp(hu, rod ? mm.rodHU : mm.fatHU, w), 1 - w];
    }
    case 'schmorl': {
      const cs = mm.side * (v.height / 2 - v.cup * 0.7);
      const dist = Math.sqrt(sq(a - mm.a) + sq(sl - cs) + sq(l - mm.l));
      if (dist < mm.r) return [70, 0]; // herniated disc material
      if (dist < mm.r + mm.rim) return [mm.rimHU, 0.3];
      return [hu, 1];
    }
    case 'endplate-sclerosis': {
      if (mm.side * sl <= 0) return [hu, 1];
      const t = mm.dome ? mm.thickness * Math.sqrt(Math.max(0, 1 - bp.rho * bp.rho)) : mm.thickness;
      return bp.dEp < t ? [lerp(hu, mm.hu, 0.85), 0.3] : [hu, 1];
    }
    case 'osteophyte':
      return [hu, 1]; // drawn outside the body, see osteophyte()
  }
}

/** Occupancy of an osteophyte beak at the anterior endplate corner. */
function osteophyte(mm: Extract<Mimic, { kind: 'osteophyte' }>, v: Vertebra, a: number, sl: number, l: number): number {
  const q = sq((a + v.depth / 2) / mm.length) + sq((sl - (mm.side * v.height) / 2) / mm.radiusS) + sq((l - mm.l) / mm.radiusL);
  return q < 1 && a < -v.depth / 2 + 2 ? clamp01((1 - q) * 3) : 0;
}

export function render(scene: Scene, grid: Grid): Raster {
  const [nx, ny, nz] = grid.dims;
  const n = nx * ny * nz;
  const out: Raster = {
    hu: new Float32Array(n),
    texture: new Float32Array(n),
    body: new Uint8Array(n),
    vertebra: new Uint8Array(n),
    lesion: new Uint8Array(n),
  };
  const m = grid.m;
  const vs = scene.vertebrae;
  const canalA = scene.canal.front + scene.canal.ap / 2;
  let idx = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, idx++) {
        const a = m[0]! * i + m[1]! * j + m[2]! * k + m[3]!;
        const s = m[4]! * i + m[5]! * j + m[6]! * k + m[7]!;
        const l = m[8]! * i + m[9]! * j + m[10]! * k + m[11]!;
        // Nearest body along the spine, and the disc on that side.
        let vi = 0;
        for (let t = 1; t < vs.length; t++) if (Math.abs(s - vs[t]!.s0) < Math.abs(s - vs[vi]!.s0)) vi = t;
        const v = vs[vi]!;
        const sl = s - v.s0;

        let hu = scene.fatHU;
        for (const mu of scene.muscles) if (sq((a - mu.a) / mu.ra) + sq((l - mu.l) / mu.rl) < 1) hu = mu.hu;
        const ao = scene.aorta;
        if (ao && sq(a - ao.a) + sq(l - ao.l) < ao.r * ao.r) hu = ao.hu;
        if (sq((a - canalA) / (scene.canal.ap / 2)) + sq(l / (scene.canal.width / 2)) < 1) hu = scene.canal.hu;

        const bp = bodyPoint(v, a, sl, l);
        if (bp.dEp < 0 && bp.rho < 1.03) {
          const disc = scene.discs[Math.min(scene.discs.length - 1, Math.max(0, sl > 0 ? vi : vi - 1))];
          hu = (disc?.hu ?? 70) + (bp.rho > 0.8 ? 10 : 0); // annulus slightly denser than nucleus
        }
        let tex = 0;
        let vert = 0;
        // Pedicles: upper half of the body height, lateral to the canal, running posteriorly.
        const pq = Math.min(
          sq((l - v.pedicle.l) / v.pedicle.radius) + sq((sl + v.height * 0.2) / (v.height * 0.28)),
          sq((l + v.pedicle.l) / v.pedicle.radius) + sq((sl + v.height * 0.2) / (v.height * 0.28)),
        );
        if (pq < 1 && a > bp.A * 0.3) {
          hu = pq > 0.55 ? v.cortexHU : v.trabecularHU;
          tex = pq > 0.55 ? 0 : v.textureSD;
          vert = v.id;
        }
        for (const mm of v.mimics) {
          if (mm.kind !== 'osteophyte') continue;
          const w = osteophyte(mm, v, a, sl, l);
          if (w > 0) {
            hu = lerp(hu, mm.hu, w);
            if (w > 0.5) vert = v.id;
          }
        }

        const d = Math.min(bp.dAx, bp.dEp);
        const occ = clamp01(d / 0.8 + 0.5);
        let lesionLabel = 0;
        if (occ > 0) {
          const cortical = bp.dAx < v.cortex || bp.dEp < v.endplate;
          let bone = cortical ? (bp.dAx < v.cortex ? v.cortexHU : lerp(v.cortexHU, v.trabecularHU, 0.2)) : v.trabecularHU;
          let btex = cortical ? 0 : v.textureSD;
          // Basivertebral vein: a trunk entering the posterior wall at mid-height, branching in a Y.
          const fromBack = bp.A - a;
          if (Math.abs(sl) < v.vein.calibre / 2 && fromBack > -2 && fromBack < v.vein.length) {
            const arm = Math.abs(Math.abs(l) - Math.max(0, fromBack - v.vein.length * 0.4) * 0.6);
            if (arm < v.vein.calibre / 2) {
              bone = v.vein.hu;
              btex = 0;
            }
          }
          for (const mm of v.mimics) {
            const [h2, f] = applyMimic(mm, v, bp, a, sl, l, bone, cortical);
            bone = h2;
            btex *= f;
          }
          let breachW = 0;
          let breachHU = 0;
          for (const les of v.lesions) {
            const w = lesionWeight(les, a, sl, l);
            if (w < 1e-3) continue;
            const blastic = les.kind === 'blastic' || (les.kind === 'mixed' && field(les.split, a, sl, l) > 0);
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
          hu = lerp(hu, bone, occ);
          tex = lerp(tex, btex, occ);
          if (occ >= 0.5) {
            out.body[idx] = v.id;
            vert = v.id;
          }
          // A lytic lesion through the cortex continues as a soft-tissue mass outside the body.
          if (breachW > 0 && occ < 1) {
            hu = lerp(hu, breachHU, breachW * (1 - occ));
            if (breachW > 0.5 && occ < 0.5) lesionLabel = 1;
          }
        } else {
          for (const les of v.lesions) {
            if (!les.breach) continue;
            const w = lesionWeight(les, a, sl, l);
            if (w < 1e-3) continue;
            hu = lerp(hu, les.lyticHU, w);
            if (w > 0.5) lesionLabel = 1;
          }
        }
        out.hu[idx] = hu;
        out.texture[idx] = tex;
        out.vertebra[idx] = vert;
        out.lesion[idx] = lesionLabel;
      }
    }
  }
  return out;
}
