import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { readManifest, SPLITS } from '../../data/manifest.js';
import { LABEL_SCHEME_CHOICES, levelId, levelName } from '../../data/vertebra-labels.js';
import { MODEL_FILE } from '../../method/training/train-dae.js';
import { diffaeEngine } from '../../method/attribution/engine.js';
import { loadVertebrae, type SliceChoice } from '../../method/attribution/inputs.js';
import { type AttributionOptions, DEFAULT_SCHEDULE, DELTA_REFERENCES, resolveOptions, SCHEDULE_SETTINGS, SCHEDULES } from '../../method/attribution/options.js';
import { int, num } from '../options.js';
import { addDeviceOptions, placement } from '../device.js';
import { LABEL_SCHEME_HELP } from './prepare.js';
import { segmentWholeCt } from './segment-ct.js';
import { loadModelPair, segmentWithProgress } from './segment-run.js';
import { segmentQueued } from './segment-queue.js';
import { parseShard, shardRows } from '../shard.js';
import { modelSettingsIn, SETTINGS_FILE, withModelSettings } from './model-settings.js';

/** Where the shipped model lives (the folder holds model.safetensors and classifier.json). */
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../../models', import.meta.url));
export const CLASSIFIER_FILE = 'classifier.json';
/** Voxel size (mm) of the vertebra crops cut from a whole CT (prepare's default). */
export const CROP_SPACING_MM = 0.8;

function mustExist(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`${path}: ${what} not found`);
  return path;
}

/** --model is a model file or a folder with model.safetensors; the classifier defaults to classifier.json beside it. */
export function resolveModelFiles(model: string, classifier?: string): { model: string; classifier: string; dir: string } {
  const isDir = existsSync(model) && statSync(model).isDirectory();
  const modelFile = isDir ? join(model, MODEL_FILE) : model;
  const dir = isDir ? model : dirname(model);
  return {
    model: mustExist(modelFile, 'DAE model (--model)'),
    classifier: classifier ?? join(dir, CLASSIFIER_FILE),
    dir,
  };
}

function positive(v: string): number {
  const n = int(v);
  if (n < 1) throw new InvalidArgumentError(`'${v}' must be at least 1`);
  return n;
}

/**
 * The method's settings as options (schedule, step counts, thresholds, ablations); shared by segment and demo.
 * Defaults are the SPEC's, except where the model folder's attribution.json sets them (model-settings.ts).
 */
export function addAttributionOptions(command: Command): Command {
  const d = resolveOptions();
  const per = (key: keyof (typeof SCHEDULE_SETTINGS)['fast']) => `(default: ${SCHEDULES.map((s) => `${SCHEDULE_SETTINGS[s][key]} ${s}`).join(', ')})`;
  return command
    .addOption(new Option('--schedule <name>', 'fast: batched, fewer render and harmonisation steps, masks within 0.96 Dice of the reference (about 10× faster on 2 cores); preview: fewest steps (16×, masks differ more); reference: one image per model call and 250/100 steps, as the authors ran it (docs/speed.md)').choices(SCHEDULES).default(DEFAULT_SCHEDULE))
    .option('--inversion-steps <n>', `DDIM steps of the vertebra's inversion ${per('inversionSteps')}`, positive)
    .option('--render-steps <n>', `DDIM steps of the reconstruction and healthy-edit renders ${per('renderSteps')}`, positive)
    .option('--harmonise-inversion-steps <n>', `DDIM steps of each candidate's inversion ${per('harmoniseInversionSteps')}`, positive)
    .option('--harmonise-render-steps <n>', `DDIM steps of each candidate's render ${per('harmoniseRenderSteps')}`, positive)
    .option('--target-p <p>', 'P(malignant) the healthy edit aims at', num, d.targetP)
    .option('--min-size <px>', 'smallest candidate in pixels', positive, d.minSize)
    .option('--candidate-quantile <q>', 'cut each difference map at this quantile of its positive values (0.5: the median, SPEC)', num, d.candidateQuantile)
    .option('--lytic-quantile <q>', 'cut the lytic map at this quantile instead (default: --candidate-quantile)', num)
    .option('--lytic-split-quantile <q>', 'split a lytic candidate holding several cores (parts above this quantile of the lytic map) into one per core (default: no split, SPEC)', num)
    .option('--edit-t-max <t>', 'partial encoding: the vertebra is inverted only to this noise level, and recon and edit rendered from there (1000: full, SPEC)', positive, d.editTMax)
    .option('--harmonise-t-max <t>', "partial harmonisation: each candidate's composite is inverted only to this noise level and rendered from there (1000: full, SPEC)", positive, d.harmoniseTMax)
    .option('--centre-maps', 'subtract the median of edit − recon over the body before splitting it into the lytic and blastic maps (not in the SPEC; default: off)')
    .option('--no-centre-maps', 'do not (when the model folder\'s attribution.json turns it on)')
    .option('--delta <x>', 'keep candidates with Δ above this', num, d.deltaThreshold)
    .addOption(new Option('--delta-reference <ref>', 'what Δ is measured between: latent (p_m, p_h of z and z_healthy; SPEC) or harmonised (the harmonised reconstruction and all-healed composite; docs/model.md)').choices(DELTA_REFERENCES).default(d.deltaReference))
    .option('--type-share <s>', "a lesion type whose candidates together restore more than s of the malignant reading is Δ's reference for its own candidates (default: off, SPEC)", num)
    .option('--min-p-malignant <p>', 'vertebrae with P(malignant | z) at most p get no lesions (0: none, SPEC)', num, d.minPMalignant)
    .option('--keep-best', 'a scored vertebra none of whose candidates passes --delta keeps its highest-Δ one (not in the SPEC; default: off)')
    .option('--no-keep-best', 'do not (when the model folder\'s attribution.json turns it on)')
    .option('--batch-size <n>', `most images per model call ${per('maxBatch')}`, positive)
    .option('--vertebrae-batch <n>', `vertebrae processed together ${per('vertebraeBatch')}`, positive)
    .option('--no-harmonise', 'ablation: score each composite directly, without DAE re-encoding')
    .addOption(new Option('--reveal-from <base>', "ablation 'original': build composites from the input instead of the reconstruction").choices(['reconstruction', 'original']).default(d.revealFrom))
    .option('--keep-all', 'ablation: keep every candidate unscored (the plain thresholded difference map)');
}

/** AttributionOptions from the parsed options of addAttributionOptions. */
export function attributionOptionsFrom(o: Record<string, any>): AttributionOptions {
  return resolveOptions({
    inversionSteps: o.inversionSteps, renderSteps: o.renderSteps, harmoniseInversionSteps: o.harmoniseInversionSteps, harmoniseRenderSteps: o.harmoniseRenderSteps,
    targetP: o.targetP, minSize: o.minSize, candidateQuantile: o.candidateQuantile, lyticQuantile: o.lyticQuantile, lyticSplitQuantile: o.lyticSplitQuantile, editTMax: o.editTMax, harmoniseTMax: o.harmoniseTMax, centreMaps: o.centreMaps, deltaThreshold: o.delta, deltaReference: o.deltaReference, typeShare: o.typeShare, minPMalignant: o.minPMalignant, keepBest: o.keepBest,
    schedule: o.schedule, maxBatch: o.batchSize, vertebraeBatch: o.vertebraeBatch,
    harmonise: o.harmonise, revealFrom: o.revealFrom, keepAll: Boolean(o.keepAll),
  });
}

/** --slices centre|all|N. */
function sliceChoice(v: string): SliceChoice {
  if (v === 'centre' || v === 'center') return 'centre';
  if (v === 'all') return 'all';
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`'${v}' is not centre, all or a number of slices`);
  return n;
}

/** --levels L1,T12: level names, checked and written as LEVELS spells them. */
export function levelList(v: string): string[] {
  return v.split(',').map((name) => {
    const id = levelId(name);
    if (id === undefined) throw new InvalidArgumentError(`'${name.trim()}' is not a vertebra level (C1–C7, T1–T13, L1–L6, S1)`);
    return levelName(id);
  });
}

/** `hsa segment`: Hide-and-Seek Attribution (SPEC §5) for one vertebra, a manifest, or every vertebra of a whole CT. */
export function register(program: Command): void {
  const command = program
    .command('segment')
    .description('segment lytic and blastic lesions by Hide-and-Seek Attribution (SPEC §5); writes <out>/<case-id>/{lesions.nii.gz,maps.safetensors,figure.png,result.json} and summary.csv; with --ct also the lesions on the CT, statistics and a DICOM SEG')
    .option('--manifest <file>', 'manifest of vertebrae (.csv/.xlsx/.json)')
    .option('--split <name>', `with --manifest: only rows of this split (${SPLITS.join(', ')})`)
    .option('--image <file>', 'one CT vertebra crop (NIfTI), with --mask')
    .option('--mask <file>', 'its vertebral-body mask (NIfTI on the same grid)')
    .option('--ct <path>', 'a whole CT in HU (NIfTI file or DICOM series folder), with --vertebrae: every vertebra is cropped as prepare does and segmented')
    .option('--vertebrae <path>', 'with --ct: its vertebra label map (NIfTI on the CT grid) or a TotalSegmentator output folder')
    .option('--series <uid>', 'with --ct: SeriesInstanceUID of the CT series when the DICOM folder holds several')
    .addOption(new Option('--label-scheme <scheme>', `with --ct: ${LABEL_SCHEME_HELP}`).choices(LABEL_SCHEME_CHOICES).default('auto'))
    .option('--levels <list>', 'with --ct: only these vertebrae, e.g. L1,L2 (default: every labelled one)', levelList)
    .option('--spacing <mm>', 'with --ct: crop voxel size', num, CROP_SPACING_MM)
    .option('--slices <which>', 'sagittal slices of each vertebra to segment: centre (the paper), all (every slice through the body) or N around the centre; several are batched together and stacked into a 3-D mask with volumes', sliceChoice, 'centre')
    .option('--model <dir-or-file>', `DAE model file, or a folder with ${MODEL_FILE} (and ${CLASSIFIER_FILE}; its ${SETTINGS_FILE}, if any, sets the method's defaults)`, DEFAULT_MODEL_DIR)
    .option('--classifier <file>', `latent classifier JSON (default: ${CLASSIFIER_FILE} beside the model)`)
    .requiredOption('--out <dir>', 'output folder (must not exist or be empty); each vertebra appears whole as it finishes, summary.csv and run.json when all have')
    .option('--continue', 'finish an interrupted run in --out: its complete vertebrae are checked and kept, the rest segmented (same inputs and options)')
    .option('--shard <i/n>', 'with --manifest: only part i of n (rows i, i+n, …; 0 ≤ i < n), each part into its own --out, for array jobs (docs/scale-out.md)', parseShard)
    .option('--queue <url>', 'with --manifest: hand the vertebrae to `hsa worker`s through the Redis at redis://HOST:PORT and gather their results in --out, a folder all workers share (docs/scale-out.md)');
  addDeviceOptions(addAttributionOptions(command)).action(async (o) => {
    const single = o.image !== undefined || o.mask !== undefined;
    const whole = o.ct !== undefined || o.vertebrae !== undefined;
    if ([single, whole, o.manifest !== undefined].filter(Boolean).length !== 1) throw new Error('give one of --manifest, --image with --mask, or --ct with --vertebrae');
    if (single && (o.image === undefined || o.mask === undefined)) throw new Error('--image and --mask go together');
    if (whole && (o.ct === undefined || o.vertebrae === undefined)) throw new Error('--ct and --vertebrae go together');
    if (o.split !== undefined && !SPLITS.includes(o.split)) throw new Error(`--split must be one of ${SPLITS.join(', ')}`);
    if (!(o.spacing > 0)) throw new Error('--spacing must be a positive number of mm');
    if ((o.shard || o.queue !== undefined) && !o.manifest) throw new Error('--shard and --queue go with --manifest');
    if (o.shard && o.queue !== undefined) throw new Error('--shard and --queue split a run two ways; give one');
    const files = resolveModelFiles(o.model, o.classifier);
    mustExist(files.classifier, 'latent classifier (--classifier)');
    const withModel = withModelSettings(o, command, modelSettingsIn(files.dir));
    if (withModel.note) console.error(`segment: ${withModel.note}`);
    const options = attributionOptionsFrom(withModel.options);
    if (whole) return segmentWholeCt(o, files, options);

    let items: { image: string; mask: string; label?: 0 | 1 }[];
    if (single) {
      items = [{ image: mustExist(o.image, 'image (--image)'), mask: mustExist(o.mask, 'mask (--mask)') }];
    } else {
      // Only image and seg_msk are needed; lesion_msk may be absent, and so may labels (crops prepared without --labels).
      const rows = (await readManifest(o.manifest, { checkFiles: 'inputs', labels: 'optional' })).filter((r) => o.split === undefined || r.split === o.split);
      if (rows.length === 0) throw new Error(`${o.manifest}: no rows${o.split ? ` in split '${o.split}'` : ''}`);
      items = rows.map((r) => ({ image: mustExist(r.image, 'image'), mask: mustExist(r.segMsk, 'seg_msk'), ...(r.label !== undefined ? { label: r.label } : {}) }));
      if (o.shard) items = shardRows(items, o.shard);
      if (items.length === 0) throw new Error(`--shard ${o.shard.index}/${o.shard.count}: no rows in this part (${rows.length} rows in all)`);
    }
    if (o.queue !== undefined) {
      if (o.slices !== undefined && o.slices !== 'centre') throw new Error('--queue segments the centre slice only (--slices is not supported with --queue yet)');
      return void (await segmentQueued({ queue: o.queue, items, files, options, outDir: o.out, resume: Boolean(o.continue) }));
    }

    const { model, classifier } = loadModelPair(files, placement(o));
    try {
      const inputs = loadVertebrae(items, model.config.image_size, o.slices);
      const r = await segmentWithProgress({
        inputs, engine: diffaeEngine(model), classifier, options, outDir: o.out, resume: Boolean(o.continue),
        provenance: { model: files.model, classifier: files.classifier },
      });
      const lesions = r.rows.filter((row) => row.pixels.lytic + row.pixels.blastic > 0).length;
      const reused = r.reused ? ` (${r.reused} from the earlier run)` : '';
      if (r.complete) console.log(`segment: ${r.rows.length} vertebrae${reused}, ${lesions} with lesions; results in ${o.out} (summary.csv)`);
    } finally {
      model.dispose();
    }
  });
}
