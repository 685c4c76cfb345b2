// EVERY distribution the phantom samples from, in one place. Units: mm and Hounsfield units (HU).
// Frame: a = anterior→posterior, s = along the spine (cranial→caudal), l = patient left→right; the main
// vertebral body is centred at the origin. Sources for the numbers: Jang et al., Radiology 2019 (trabecular
// HU by age, bone islands vs blastic metastases), Ulano et al., AJR 2016 (blastic metastases vs bone islands),
// standard CT attenuation tables (fat, muscle, disc, blood, CSF).
import type { Rng } from './random.js';

export type Difficulty = 'easy' | 'default' | 'hard';
export const DIFFICULTIES: readonly Difficulty[] = ['easy', 'default', 'hard'];

/** A smooth random field Σ sin(k·p + φ) / m used for ill-defined margins and patchiness. */
export interface Waves {
  k: number[][];
  phase: number[];
}

export interface Lesion {
  kind: 'lytic' | 'blastic' | 'mixed';
  centre: [number, number, number];
  radii: [number, number, number];
  /** Width of the soft margin (mm): "ill-defined". */
  edge: number;
  /** Relative amplitude of the margin irregularity. */
  irregular: number;
  margin: Waves;
  lyticHU: number;
  blasticHU: number;
  /** Blastic pattern: patchy (diffuse) rather than nodular. */
  diffuse: boolean;
  /** Lytic lesion destroys the cortex and extends into the soft tissue. */
  breach: boolean;
  /** Mixed lesions: which parts are blastic (field > 0). */
  split: Waves;
}

export type Mimic =
  | { kind: 'bone-island'; centre: [number, number, number]; r: number; hu: number; spikes: [number, number, number][] }
  | { kind: 'haemangioma'; centre: [number, number, number]; radii: [number, number, number]; fatHU: number; rodHU: number; spacing: number; rodR: number; jitter: number }
  | { kind: 'schmorl'; side: -1 | 1; a: number; l: number; r: number; rim: number; rimHU: number }
  | { kind: 'endplate-sclerosis'; side: -1 | 1; thickness: number; hu: number; dome: boolean }
  | { kind: 'osteophyte'; side: -1 | 1; l: number; length: number; radiusS: number; radiusL: number; hu: number };

export interface Vertebra {
  /** VerSe label (1–7 C, 8–19 T, 20–25 L, 28 T13). */
  id: number;
  /** Centre along the spine. */
  s0: number;
  depth: number;
  width: number;
  height: number;
  /** Posterior wall concavity (mm at the midline). */
  concavity: number;
  /** Narrowing of the mid-height cross-section (fraction). */
  waist: number;
  /** Depth of the endplate cupping. */
  cup: number;
  cortex: number;
  endplate: number;
  cortexHU: number;
  trabecularHU: number;
  textureSD: number;
  /** Basivertebral vein: length from the posterior wall, calibre, HU. */
  vein: { length: number; calibre: number; hu: number };
  pedicle: { l: number; radius: number };
  lesions: Lesion[];
  mimics: Mimic[];
}

export interface Scene {
  vertebrae: Vertebra[];
  /** Disc between vertebrae n and n+1 is discs[n]. */
  discs: { hu: number }[];
  canal: { front: number; ap: number; width: number; hu: number };
  fatHU: number;
  muscles: { a: number; l: number; ra: number; rl: number; hu: number }[];
  aorta: { a: number; l: number; r: number; hu: number } | null;
}

export interface Scanner {
  /** Partial-volume blur, Gaussian sigma (mm) in-plane (a, l) and along the spine (slice profile). */
  blurInPlane: number;
  blurAlong: number;
  /** Noise: standard deviation (HU) and the band of its power spectrum (DoG sigmas in mm, in-plane). */
  noiseSD: number;
  noiseFine: number;
  noiseCoarse: number;
}

export interface Pose {
  /** Rotations (degrees) about l (sagittal tilt), s (axial rotation), a (coronal tilt); shift (mm). */
  tilt: number;
  rotation: number;
  roll: number;
  shift: [number, number, number];
}

export interface CaseSpec {
  label: 0 | 1;
  scene: Scene;
  scanner: Scanner;
  pose: Pose;
}

interface Level {
  mimicScale: number;
  noise: [number, number];
  lesionDiameter: [number, number];
  lyticHU: [number, number];
  blasticHU: [number, number];
}

/** What the difficulty changes; everything else is shared. */
const LEVELS: Record<Difficulty, Level> = {
  easy: { mimicScale: 0.3, noise: [10, 20], lesionDiameter: [8, 30], lyticHU: [20, 40], blasticHU: [700, 800] },
  default: { mimicScale: 1, noise: [10, 40], lesionDiameter: [3, 30], lyticHU: [20, 60], blasticHU: [600, 800] },
  hard: { mimicScale: 1.6, noise: [25, 40], lesionDiameter: [3, 15], lyticHU: [40, 60], blasticHU: [600, 680] },
};

/** Per-vertebra probabilities of each benign mimic (× the difficulty's mimicScale), healthy and malignant alike. */
const MIMIC_P = { boneIsland: 0.25, haemangioma: 0.15, schmorl: 0.2, sclerosis: 0.2, osteophyte: 0.25, osteoporosis: 0.15 };

function waves(rng: Rng, count: number, wavelength: [number, number]): Waves {
  const k: number[][] = [];
  const phase: number[] = [];
  for (let m = 0; m < count; m++) {
    const f = (2 * Math.PI) / rng.uniform(...wavelength);
    k.push(rng.direction().map((d) => d * f));
    phase.push(rng.uniform(0, 2 * Math.PI));
  }
  return { k, phase };
}

/** Bone of one vertebra (no lesions, no mimics). `like` makes neighbours resemble the main vertebra. */
export function sampleVertebra(rng: Rng, id: number, s0: number, like?: Vertebra): Vertebra {
  const jitter = (v: number, rel: number) => v * rng.uniform(1 - rel, 1 + rel);
  const depth = like ? jitter(like.depth, 0.04) : rng.uniform(30, 35);
  const height = like ? jitter(like.height, 0.06) : rng.uniform(17, 30);
  // "Age": trabecular density 90–230 HU, with a texture whose SD grows with density.
  const trabecularHU = like ? like.trabecularHU + rng.uniform(-15, 15) : rng.uniform(90, 230);
  return {
    id,
    s0,
    depth,
    width: like ? jitter(like.width, 0.04) : depth * rng.uniform(1.2, 1.5),
    height,
    concavity: rng.uniform(1, 3),
    waist: rng.uniform(0.03, 0.08),
    cup: rng.uniform(0.5, 1.5),
    cortex: rng.uniform(0.8, 1.3),
    endplate: rng.uniform(0.8, 1.5),
    cortexHU: rng.uniform(400, 1000),
    trabecularHU,
    textureSD: rng.uniform(0.15, 0.3) * trabecularHU + 10,
    vein: { length: rng.uniform(6, 12), calibre: rng.uniform(1.5, 3), hu: rng.uniform(30, 60) },
    pedicle: { l: rng.uniform(11, 14), radius: rng.uniform(3.5, 5) },
    lesions: [],
    mimics: [],
  };
}

/** A point inside the body of v (normalised radius ≤ reach), lateral offset l drawn from N(0, lSD). */
function pointInBody(rng: Rng, v: Vertebra, reach: number, lSD: number): [number, number, number] {
  const l = Math.max(-v.width / 2, Math.min(v.width / 2, rng.normal() * lSD)) * reach;
  const a = rng.uniform(-1, 1) * (v.depth / 2) * reach * Math.sqrt(Math.max(0, 1 - (2 * l / v.width) ** 2));
  return [a, rng.uniform(-1, 1) * (v.height / 2) * reach * 0.8, l];
}

/**
 * Metastases: 1–4 per malignant vertebra (weights 4:3:2:1); kind lytic 45 %, blastic 35 %, mixed 20 %;
 * diameter log-uniform in the level's range (3–30 mm by default) capped at 90 % of the body's height / depth.
 * The first lesion sits within ±1 mm of the mid-sagittal plane with a lateral radius ≥ 3.5 mm, so the
 * 5 central slices all show it.
 */
function sampleLesions(rng: Rng, v: Vertebra, lv: Level): Lesion[] {
  const n = 1 + rng.pick([4, 3, 2, 1]);
  const out: Lesion[] = [];
  for (let i = 0; i < n; i++) {
    const maxD = 0.9 * Math.min(v.height, v.depth);
    const d = Math.min(maxD, rng.logUniform(...lv.lesionDiameter));
    const r = d / 2;
    const radii: [number, number, number] = [r * rng.uniform(0.75, 1.25), r * rng.uniform(0.75, 1.25), r * rng.uniform(0.75, 1.25)];
    const centre = pointInBody(rng, v, 0.7, 8);
    if (i === 0) {
      centre[2] = rng.uniform(-1, 1);
      radii[2] = Math.max(radii[2], 3.5);
    }
    const kind = (['lytic', 'blastic', 'mixed'] as const)[rng.pick([45, 35, 20])]!;
    out.push({
      kind,
      centre,
      radii,
      edge: rng.uniform(0.6, 2),
      irregular: rng.uniform(0.1, 0.35),
      margin: waves(rng, 4, [4, 12]),
      lyticHU: rng.uniform(...lv.lyticHU),
      blasticHU: rng.uniform(...lv.blasticHU),
      diffuse: kind !== 'lytic' && rng.chance(0.4),
      breach: kind !== 'blastic' && rng.chance(0.3),
      split: waves(rng, 3, [5, 15]),
    });
  }
  return out;
}

/** Benign findings; lateral offsets N(0, 6 mm) so that many fall on the central slices the model sees. */
function sampleMimics(rng: Rng, v: Vertebra, lv: Level): Mimic[] {
  const p = (x: number) => Math.min(0.8, x * lv.mimicScale);
  const out: Mimic[] = [];
  if (rng.chance(p(MIMIC_P.boneIsland))) {
    const count = rng.int(1, 2);
    for (let i = 0; i < count; i++) {
      const spikes = Array.from({ length: rng.int(8, 14) }, () => rng.direction());
      out.push({ kind: 'bone-island', centre: pointInBody(rng, v, 0.7, 6), r: rng.uniform(2, 15) / 2 / 1.3, hu: rng.uniform(1000, 1300), spikes });
    }
  }
  if (rng.chance(p(MIMIC_P.haemangioma))) {
    const r = rng.uniform(5, 13);
    out.push({
      kind: 'haemangioma',
      centre: pointInBody(rng, v, 0.5, 6),
      radii: [r * rng.uniform(0.8, 1.2), r * rng.uniform(0.8, 1.2), r * rng.uniform(0.8, 1.2)],
      fatHU: rng.uniform(-50, 20),
      rodHU: rng.uniform(350, 600),
      spacing: rng.uniform(2.5, 4),
      rodR: rng.uniform(0.6, 0.9),
      jitter: rng.int(0, 1 << 30),
    });
  }
  if (rng.chance(p(MIMIC_P.schmorl))) {
    out.push({ kind: 'schmorl', side: rng.sign(), a: rng.uniform(-0.4, 0.3) * v.depth, l: rng.normal() * 6, r: rng.uniform(3, 7), rim: rng.uniform(1, 2), rimHU: rng.uniform(400, 600) });
  }
  if (rng.chance(p(MIMIC_P.sclerosis))) {
    out.push({ kind: 'endplate-sclerosis', side: rng.sign(), thickness: rng.uniform(2, 6), hu: rng.uniform(420, 520), dome: rng.chance(0.5) });
  }
  if (rng.chance(p(MIMIC_P.osteophyte))) {
    out.push({ kind: 'osteophyte', side: rng.sign(), l: rng.normal() * 6, length: rng.uniform(2, 6), radiusS: rng.uniform(1.5, 3), radiusL: rng.uniform(4, 10), hu: rng.uniform(300, 600) });
  }
  if (rng.chance(p(MIMIC_P.osteoporosis))) {
    // Osteoporotic low density: trabecular 40–90 HU, thinner and fainter cortex.
    v.trabecularHU = rng.uniform(40, 90);
    v.textureSD = 0.3 * v.trabecularHU + 10;
    v.cortex = rng.uniform(0.6, 0.9);
    v.cortexHU = rng.uniform(350, 550);
  }
  return out;
}

/** Disc 60–80 HU, height 6–12 mm; narrowed to 3–6 mm where endplate sclerosis sits next to it. */
function discHeight(rng: Rng, narrowed: boolean): number {
  return narrowed ? rng.uniform(3, 6) : rng.uniform(6, 12);
}

/**
 * A chain of vertebrae along s: `count` bodies, the one at `mainIndex` centred at s = 0 and carrying the
 * label's lesions and the mimics. Soft tissue: fat −100 to −50 HU; psoas muscles 35–50 HU (lumbar-like,
 * 70 %); aorta (radius 9–13 mm) unenhanced 35–50 HU or contrast-enhanced 150–300 HU (50 %);
 * canal (CSF 0–15 HU, 14–18 mm AP, 20–24 mm wide) behind the body.
 */
export function sampleScene(rng: Rng, label: 0 | 1, difficulty: Difficulty, ids: number[], mainIndex: number, mainLesions = true): Scene {
  const lv = LEVELS[difficulty];
  const main = sampleVertebra(rng, ids[mainIndex]!, 0);
  main.mimics = sampleMimics(rng, main, lv);
  if (label === 1 && mainLesions) main.lesions = sampleLesions(rng, main, lv);
  const sclerosisSide = (main.mimics.find((m) => m.kind === 'endplate-sclerosis') as { side: number } | undefined)?.side ?? 0;
  const vertebrae: Vertebra[] = [main];
  const discs: { hu: number }[] = [];
  // Build outwards from the main body in both directions.
  for (const dir of [-1, 1] as const) {
    let prev = main;
    for (let n = mainIndex + dir; n >= 0 && n < ids.length; n += dir) {
      const h = discHeight(rng, prev === main && sclerosisSide === dir);
      const v = sampleVertebra(rng, ids[n]!, 0, main);
      v.s0 = prev.s0 + dir * (prev.height / 2 + h + v.height / 2);
      if (prev === main && sclerosisSide === dir) {
        // Degeneration affects both endplates of the narrowed disc.
        v.mimics.push({ kind: 'endplate-sclerosis', side: -dir as -1 | 1, thickness: rng.uniform(2, 5), hu: rng.uniform(420, 520), dome: rng.chance(0.5) });
      }
      vertebrae.push(v);
      discs.push({ hu: rng.uniform(60, 80) });
      prev = v;
    }
  }
  vertebrae.sort((x, y) => x.s0 - y.s0);
  const psoas = rng.chance(0.7);
  const muscles: Scene['muscles'] = [];
  if (psoas) {
    const r = rng.uniform(7, 12);
    for (const side of [-1, 1]) muscles.push({ a: rng.uniform(-5, 5), l: side * (main.width / 2 + r + rng.uniform(1, 4)), ra: r * rng.uniform(1, 1.4), rl: r, hu: rng.uniform(35, 50) });
  }
  const aortaR = rng.uniform(9, 13);
  return {
    vertebrae,
    discs,
    canal: { front: main.depth / 2 + rng.uniform(0.5, 2), ap: rng.uniform(14, 18), width: rng.uniform(20, 24), hu: rng.uniform(0, 15) },
    fatHU: rng.uniform(-100, -50),
    muscles,
    aorta: rng.chance(0.85)
      ? { a: -main.depth / 2 - aortaR - rng.uniform(1, 4), l: -rng.uniform(3, 15), r: aortaR, hu: rng.chance(0.5) ? rng.uniform(35, 50) : rng.uniform(150, 300) }
      : null,
  };
}

/**
 * Scanner: in-plane resolution sigma 0.35–0.55 mm, slice-profile sigma 0.4–1.0 mm; noise SD from the
 * level (10–40 HU by default) with an FBP-like band-pass spectrum (difference of Gaussians 0.4–0.6 mm and
 * 1.2–1.8 mm in-plane, correlated over 0.4 mm along the spine).
 */
export function sampleScanner(rng: Rng, difficulty: Difficulty): Scanner {
  return {
    blurInPlane: rng.uniform(0.35, 0.55),
    blurAlong: rng.uniform(0.4, 1.0),
    noiseSD: rng.uniform(...LEVELS[difficulty].noise),
    noiseFine: rng.uniform(0.4, 0.6),
    noiseCoarse: rng.uniform(1.2, 1.8),
  };
}

/** Crop pose: tilts ±6° (sagittal), ±4° (axial rotation), ±3° (coronal); centre offset ±1.5 mm per axis. */
export function samplePose(rng: Rng): Pose {
  return {
    tilt: rng.uniform(-6, 6),
    rotation: rng.uniform(-4, 4),
    roll: rng.uniform(-3, 3),
    shift: [rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5)],
  };
}

/** Vertebra levels a crop is drawn from: T8–L5 (VerSe 15–24), uniformly. */
export function sampleLevel(rng: Rng): number {
  return rng.int(15, 24);
}
