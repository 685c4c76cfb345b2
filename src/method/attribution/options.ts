// Settings of Hide-and-Seek Attribution (SPEC §5). A schedule fixes how work is batched and how many DDIM
// steps each stage takes: `reference` is the authors' run (one image per model call, 250/100 steps
// everywhere); `fast` batches vertebrae and candidates and cuts the steps that changed the masks least on the
// 20-vertebra benchmark (the inversion's steps are cut least: cutting them moved candidate pixels most); `preview` cuts
// everything for a first look (docs/speed.md). Any explicitly given option overrides the schedule's.
import { HEALTHY_TARGET_P } from '../classifier/healthy-edit.js';
import { NUM_TIMESTEPS } from '../../model/diffusion.js';

export type Schedule = 'fast' | 'preview' | 'reference';
export type DeltaReference = 'latent' | 'harmonised';
export const DELTA_REFERENCES: readonly DeltaReference[] = ['latent', 'harmonised'];
export const SCHEDULES: readonly Schedule[] = ['fast', 'preview', 'reference'];

export interface AttributionOptions {
  /** DDIM steps of the vertebra's inversion (x → x_T), from which recon and edit are rendered. */
  inversionSteps: number;
  /** DDIM steps of the reconstruction and healthy-edit renders. */
  renderSteps: number;
  /** DDIM steps of each composite's inversion in the harmonisation. */
  harmoniseInversionSteps: number;
  /** DDIM steps of each composite's render in the harmonisation. */
  harmoniseRenderSteps: number;
  /** P(malignant) the healthy edit aims at. */
  targetP: number;
  /** Candidates smaller than this many pixels are dropped. */
  minSize: number;
  /** Each difference map is cut at this quantile of its positive values (SPEC §5: 0.5, the median). */
  candidateQuantile: number;
  /**
   * The lytic map's cut instead (when not given: candidateQuantile). The edit fills lytic lesions less
   * completely than it removes blastic ones, so a median cut keeps under half of their area (docs/model.md, eighth session).
   */
  lyticQuantile: number;
  /**
   * Split each lytic candidate that holds two or more cores (components of at least minSize pixels above this
   * quantile of the lytic map's positive values) into one candidate per core; null: no split (SPEC). A low cut
   * merges a lesion with the change around it into one candidate that scores as neither (docs/model.md, ninth session).
   */
  lyticSplitQuantile: number | null;
  /**
   * The vertebra's encoding stops at this noise level (a partial DDIM inversion, from which recon and edit are
   * rendered); 1000: the full inversion to x_T (SPEC). Lower keeps more of the image in the edit (docs/model.md).
   */
  editTMax: number;
  /**
   * Subtract the median of edit − recon over the body before the difference is split into the two maps: a
   * brightness change of the whole body is not lesion evidence (false: SPEC).
   */
  centreMaps: boolean;
  /**
   * The harmonisation's cycle stops at this noise level: each composite is inverted only to it and rendered from
   * there, so the re-encoding keeps more of what was pasted; 1000: the full cycle (SPEC). 'No harmonisation' is
   * the other end (docs/model.md, seventh session).
   */
  harmoniseTMax: number;
  /** Candidates with Δ above this are kept. */
  deltaThreshold: number;
  /**
   * What Δ is measured between. 'latent' (SPEC): p_m = P(malignant | z) and p_h = P(malignant | z_healthy).
   * 'harmonised': the classifier's readings of the reconstruction and of the composite with every candidate
   * healed, each harmonised like the candidates' composites (two images more per vertebra). With a DAE whose
   * edit only partly survives re-encoding, the latent p_h is never reached and every candidate scores near 1
   * (docs/model.md, bench:score-chain); the measured pair puts 0 and 1 where the composites can actually go.
   */
  deltaReference: DeltaReference;
  /**
   * null (SPEC): every candidate's Δ is measured between the vertebra's reference pair. A number s: the composite
   * revealing all candidates of one type is scored too, and a type that alone restores more than s of the
   * malignant reading is a reference of its own: its candidates' Δ is measured up to that reading instead. On a
   * vertebra holding both types one type dominates P(malignant), so a lesion of the other restores little of it
   * (docs/model.md, tenth session).
   */
  typeShare: number | null;
  /**
   * Vertebrae with P(malignant | z) at most this get no lesions and their candidates are not scored (the CAM
   * baselines' gate: an attribution explains a malignant call). 0: every vertebra is scored (SPEC).
   */
  minPMalignant: number;
  /**
   * A scored vertebra (above minPMalignant) none of whose candidates passes deltaThreshold keeps its highest-Δ one:
   * the classifier's malignant call gets the region that explains it best (false: SPEC).
   */
  keepBest: boolean;
  schedule: Schedule;
  /** At most this many images per model call (bounds memory); 1 in the reference schedule. */
  maxBatch: number;
  /** Vertebrae processed together; 1 in the reference schedule. */
  vertebraeBatch: number;
  /** Ablation (false): score the composite itself instead of its DAE re-encoding. */
  harmonise: boolean;
  /** Ablation ('original'): build composites from the input instead of the reconstruction. */
  revealFrom: 'reconstruction' | 'original';
  /** Ablation (true): keep every candidate without scoring (the plain thresholded difference map). */
  keepAll: boolean;
}

type ScheduleSettings = Pick<AttributionOptions, 'inversionSteps' | 'renderSteps' | 'harmoniseInversionSteps' | 'harmoniseRenderSteps' | 'maxBatch' | 'vertebraeBatch'>;

export const SCHEDULE_SETTINGS: Readonly<Record<Schedule, Readonly<ScheduleSettings>>> = Object.freeze({
  reference: { inversionSteps: 250, renderSteps: 100, harmoniseInversionSteps: 250, harmoniseRenderSteps: 100, maxBatch: 1, vertebraeBatch: 1 },
  fast: { inversionSteps: 200, renderSteps: 40, harmoniseInversionSteps: 25, harmoniseRenderSteps: 10, maxBatch: 16, vertebraeBatch: 16 },
  preview: { inversionSteps: 100, renderSteps: 50, harmoniseInversionSteps: 10, harmoniseRenderSteps: 5, maxBatch: 16, vertebraeBatch: 16 },
});

/** The method's own numbers (the reference's), independent of the schedule. */
const METHOD_DEFAULTS = {
  targetP: HEALTHY_TARGET_P,
  minSize: 5,
  candidateQuantile: 0.5,
  lyticSplitQuantile: null,
  editTMax: NUM_TIMESTEPS,
  centreMaps: false,
  harmoniseTMax: NUM_TIMESTEPS,
  deltaThreshold: 0.5,
  deltaReference: 'latent',
  typeShare: null,
  minPMalignant: 0,
  keepBest: false,
  harmonise: true,
  revealFrom: 'reconstruction',
  keepAll: false,
} as const;

export const DEFAULT_SCHEDULE: Schedule = 'fast';

/** Full, validated options: the schedule's settings (fast unless given), then every explicitly given value. */
export function resolveOptions(given: Partial<AttributionOptions> = {}): AttributionOptions {
  const schedule = given.schedule ?? DEFAULT_SCHEDULE;
  if (!SCHEDULES.includes(schedule)) throw new Error(`attribution: schedule must be ${SCHEDULES.join(' or ')}, got ${String(schedule)}`);
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const merged = { ...METHOD_DEFAULTS, ...SCHEDULE_SETTINGS[schedule], ...defined };
  const o: AttributionOptions = { lyticQuantile: merged.candidateQuantile, ...merged, schedule };
  const positiveInt = (name: keyof AttributionOptions) => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`attribution: ${name} must be a positive integer, got ${String(v)}`);
  };
  (['inversionSteps', 'renderSteps', 'harmoniseInversionSteps', 'harmoniseRenderSteps', 'minSize', 'maxBatch', 'vertebraeBatch'] as const).forEach(positiveInt);
  if (!(o.targetP > 0 && o.targetP < 1)) throw new Error(`attribution: targetP must be in (0, 1), got ${o.targetP}`);
  for (const k of ['candidateQuantile', 'lyticQuantile'] as const) {
    if (!(o[k] >= 0 && o[k] < 1)) throw new Error(`attribution: ${k} must be in [0, 1), got ${o[k]}`);
  }
  if (o.lyticSplitQuantile !== null && !(o.lyticSplitQuantile > o.lyticQuantile && o.lyticSplitQuantile < 1)) {
    throw new Error(`attribution: lyticSplitQuantile must be above lyticQuantile (${o.lyticQuantile}) and below 1, got ${o.lyticSplitQuantile}`);
  }
  for (const k of ['editTMax', 'harmoniseTMax'] as const) {
    if (!(Number.isInteger(o[k]) && o[k] >= 1 && o[k] <= NUM_TIMESTEPS)) throw new Error(`attribution: ${k} must be an integer in 1..${NUM_TIMESTEPS}, got ${o[k]}`);
  }
  for (const k of ['centreMaps', 'keepBest'] as const) if (typeof o[k] !== 'boolean') throw new Error(`attribution: ${k} must be true or false, got ${String(o[k])}`);
  if (!(o.minPMalignant >= 0 && o.minPMalignant < 1)) throw new Error(`attribution: minPMalignant must be in [0, 1), got ${o.minPMalignant}`);
  if (!DELTA_REFERENCES.includes(o.deltaReference)) throw new Error(`attribution: deltaReference must be ${DELTA_REFERENCES.join(' or ')}, got ${String(o.deltaReference)}`);
  if (o.typeShare !== null && !(o.typeShare >= 0 && o.typeShare < 1)) throw new Error(`attribution: typeShare must be in [0, 1) or null, got ${o.typeShare}`);
  if (!Number.isFinite(o.deltaThreshold)) throw new Error(`attribution: deltaThreshold must be a number, got ${o.deltaThreshold}`);
  return o;
}
