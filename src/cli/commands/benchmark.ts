// `hsa benchmark`: every baseline and Hide-and-Seek on one held-out split, scored with `hsa evaluate`'s rules
// into one table (benchmark.md / .csv / .json) and a comparison figure (benchmark.png).
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type ManifestRow, readManifest, SPLITS } from '../../data/manifest.js';
import { loadDiffAE } from '../../model/checkpoint.js';
import { NUM_TIMESTEPS } from '../../model/diffusion.js';
import type { DiffAE } from '../../model/diffae.js';
import { LatentClassifier } from '../../method/classifier/latent-classifier.js';
import { diffaeEngine } from '../../method/attribution/engine.js';
import { loadVertebrae } from '../../method/attribution/inputs.js';
import { DEFAULT_SCHEDULE, DELTA_REFERENCES, resolveOptions, SCHEDULES } from '../../method/attribution/options.js';
import { RUN_FILE, runSegmentation } from '../../method/attribution/segment.js';
import { caseId } from '../../method/evaluation/prediction-path.js';
import { type BenchmarkMethod, runBenchmark } from '../../method/baselines/benchmark.js';
import { DEFAULT_BOOTSTRAP } from '../../method/evaluation/bootstrap.js';
import { BASELINE_LABELS, type BaselineName, BASELINES } from '../../method/baselines/methods.js';
import { runBaseline } from '../../method/baselines/run.js';
import { CAM_METHODS, type CamMethod } from '../../method/cnn/cam.js';
import type { CnnFile } from '../../method/cnn/resnet.js';
import type { Scores } from '../../method/cnn/train-cnn.js';
import { int, num, vertebraeProgress } from '../options.js';
import { addDeviceOptions, placement } from '../device.js';
import { loadAdModel, loadCnnOption, makeBaseline, requirePositive, sliceSizeOf } from './baseline.js';
import { attributionOptionsFrom, CLASSIFIER_FILE, resolveModelFiles } from './segment.js';
import { modelSettingsIn, SETTINGS_FILE, withModelSettings } from './model-settings.js';
import { readInputText } from '../../data/files.js';

const OURS = 'hsa';
const METHODS = [...BASELINES, OURS] as const;
type MethodKey = (typeof METHODS)[number];

const CNN = { key: 'cnn', flag: '--cnn' } as const;
function collectPair(v: string, previous: [string, string][]): [string, string][] {
  const at = v.indexOf('=');
  if (at < 1 || at === v.length - 1) throw new InvalidArgumentError(`'${v}' must be label=folder`);
  return [...previous, [v.slice(0, at), v.slice(at + 1)]];
}

/** A row from an earlier run's output folder: its case folders are copied (inputs are never touched). */
function copiedPredictions(label: string, folder: string, rows: readonly ManifestRow[]): BenchmarkMethod {
  const runFile = join(folder, RUN_FILE);
  if (!existsSync(runFile)) throw new Error(`--predictions ${label}=${folder}: ${runFile} not found (not a segment or baseline output folder)`);
  const run = JSON.parse(readInputText(runFile)) as { seconds?: unknown; vertebrae?: unknown };
  if (typeof run.seconds !== 'number' || typeof run.vertebrae !== 'number' || run.vertebrae < 1) throw new Error(`${runFile}: no seconds / vertebrae`);
  const perVertebra = run.seconds / run.vertebrae;
  const key = label.toLowerCase().replace(/[^a-z0-9+-]+/g, '-');
  return {
    key, label,
    run: async (dir) => {
      mkdirSync(dir);
      for (const r of rows) {
        const id = caseId(r.image);
        if (!existsSync(join(folder, id))) throw new Error(`--predictions ${label}=${folder}: no prediction for case ${id}`);
        cpSync(join(folder, id), join(dir, id), { recursive: true });
      }
      return perVertebra * rows.length;
    },
  };
}

/** The option giving each method's model (Otsu needs none). */
const MODEL_OPTION: Record<MethodKey, { key: 'cnn' | 'adModel' | 'model'; flag: string } | undefined> = {
  otsu: undefined, gradcam: CNN, 'gradcam++': CNN, layercam: CNN, eigencam: CNN, ad: { key: 'adModel', flag: '--ad-model' }, hsa: { key: 'model', flag: '--model' },
};

/** One method's run with a per-vertebra progress bar (rate and ETA of this method; plain lines in a log). */
async function withProgress(label: string, work: (onProgress: (done: number, total: number) => void) => Promise<unknown>): Promise<void> {
  const bar = vertebraeProgress(`benchmark ${label}`);
  try {
    await work((done, total) => bar.update(done, total));
  } finally {
    bar.stop();
  }
}

/** The CNN's validation scores as train-cnn recorded them. */
function cnnValidation(cnn: CnnFile): string {
  const v = JSON.parse(cnn.metadata.validation ?? 'null') as Scores | null;
  return v === null ? 'none' : `accuracy ${v.accuracy.toFixed(3)}, ROC-AUC ${v.auc === null ? 'n/a' : v.auc.toFixed(3)} on ${v.n} vertebrae`;
}

function parseMethods(v: string): MethodKey[] {
  if (v.trim() === 'none') return [];
  const keys = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = keys.filter((k) => !METHODS.includes(k as MethodKey));
  if (unknown.length > 0 || keys.length === 0) throw new Error(`--methods: unknown ${unknown.join(', ') || '(empty list)'}; choose from ${METHODS.join(', ')} (or none)`);
  return [...new Set(keys as MethodKey[])];
}

export function register(program: Command): void {
  const d = resolveOptions();
  addDeviceOptions(program
    .command('benchmark')
    .description('run every baseline and Hide-and-Seek on one split, score them against the lesion masks and write benchmark.md/.csv/.json and benchmark.png')
    .requiredOption('--manifest <file>', 'manifest with image, seg_msk, label and lesion_msk columns')
    .option('--split <name>', `rows of this split (${SPLITS.join(', ')})`, 'test')
    .requiredOption('--out <dir>', 'output folder (must not exist or be empty); each method writes into <out>/<method>/')
    .option('--model <dir-or-file>', `Hide-and-Seek: DAE model file or folder (with ${CLASSIFIER_FILE}; its ${SETTINGS_FILE}, if any, sets Hide-and-Seek's defaults)`)
    .option('--classifier <file>', `Hide-and-Seek: latent classifier (default: ${CLASSIFIER_FILE} beside the model)`)
    .option('--cnn <dir-or-file>', `${CAM_METHODS.join(', ')}: the CNN from hsa train-cnn`)
    .option('--ad-model <dir-or-file>', 'ad: DAE trained on healthy vertebrae only (hsa train-dae --healthy-only)')
    .option('--methods <list>', `comma-separated subset of ${METHODS.join(', ')}, or none (only --predictions rows) (default: every method whose model is given)`)
    .option('--limit <n>', 'only the first n rows of the split', int)
    .option('--figure-cases <n>', 'vertebrae (rows) in benchmark.png', int, 4)
    .option('--min-size <px>', 'smallest lesion component in pixels (every method)', int, d.minSize)
    .addOption(new Option('--schedule <name>', 'Hide-and-Seek schedule (see segment); its step counts and batch sizes also serve ad and the CAMs').choices(SCHEDULES).default(DEFAULT_SCHEDULE))
    .option('--batch-size <n>', 'most images per model call (every model; default: the schedule\'s)', int)
    .option('--inversion-steps <n>', 'DDIM steps of a vertebra\'s inversion (Hide-and-Seek, ad; default: the schedule\'s)', int)
    .option('--render-steps <n>', 'DDIM steps of a vertebra\'s renders (Hide-and-Seek, ad; default: the schedule\'s)', int)
    .option('--harmonise-inversion-steps <n>', 'Hide-and-Seek: DDIM steps of each candidate\'s inversion (default: the schedule\'s)', int)
    .option('--harmonise-render-steps <n>', 'Hide-and-Seek: DDIM steps of each candidate\'s render (default: the schedule\'s)', int)
    .option('--vertebrae-batch <n>', 'Hide-and-Seek: vertebrae processed together (default: the schedule\'s)', int)
    .option('--target-p <p>', 'Hide-and-Seek: P(malignant) the healthy edit aims at', num, d.targetP)
    .option('--candidate-quantile <q>', 'Hide-and-Seek: cut each difference map at this quantile of its positive values (0.5: the median, SPEC)', num, d.candidateQuantile)
    .option('--lytic-quantile <q>', 'Hide-and-Seek: cut the lytic map at this quantile instead (default: --candidate-quantile)', num)
    .option('--lytic-split-quantile <q>', 'Hide-and-Seek: split a lytic candidate holding several cores (parts above this quantile of the lytic map) into one per core (default: no split, SPEC)', num)
    .option('--edit-t-max <t>', 'Hide-and-Seek: partial encoding to this noise level (1000: full, SPEC)', int, d.editTMax)
    .option('--harmonise-t-max <t>', 'Hide-and-Seek: partial harmonisation to this noise level (1000: full, SPEC)', int, d.harmoniseTMax)
    .option('--centre-maps', 'Hide-and-Seek: subtract the body median of edit − recon before splitting the maps (not in the SPEC)')
    .option('--no-centre-maps', 'Hide-and-Seek: do not (when the model folder\'s attribution.json turns it on)')
    .option('--delta <x>', 'Hide-and-Seek: keep candidates with Δ above this', num, d.deltaThreshold)
    .addOption(new Option('--delta-reference <ref>', 'Hide-and-Seek: what Δ is measured between: latent (p_m, p_h of z and z_healthy; SPEC) or harmonised (the harmonised reconstruction and all-healed composite; docs/model.md)').choices(DELTA_REFERENCES).default(d.deltaReference))
    .option('--type-share <s>', "Hide-and-Seek: a lesion type whose candidates together restore more than s of the malignant reading is Δ's reference for its own candidates (default: off, SPEC)", num)
    .option('--min-p-malignant <p>', 'Hide-and-Seek: vertebrae with P(malignant | z) at most p get no lesions (0: none, SPEC)', num, d.minPMalignant)
    .option('--keep-best', 'Hide-and-Seek: a scored vertebra none of whose candidates passes --delta keeps its highest-Δ one (not in the SPEC)')
    .option('--no-keep-best', 'Hide-and-Seek: do not (when the model folder\'s attribution.json turns it on)')
    .option('--bootstrap <n>', 'resamples of the paired bootstrap of every row against Hide-and-Seek (else the first row); 0: none', int, DEFAULT_BOOTSTRAP.resamples)
    .option('--seed <n>', 'seed of the bootstrap resamples', int, DEFAULT_BOOTSTRAP.seed)
    .option('--predictions <label=dir>', 'also score an existing segment/baseline output folder as a row named label (repeatable; e.g. an ablation run); its seconds come from its run.json', collectPair, []))
    .action(async (o, command: Command) => {
      requirePositive(o, ['minSize', 'figureCases']);
      if (!(o.bootstrap >= 0)) throw new Error(`--bootstrap must be 0 or more, got ${o.bootstrap}`);
      // Explicit values override the model folder's settings and the schedule's (validated there).
      const withModel = withModelSettings(o, command, o.model === undefined ? undefined : modelSettingsIn(resolveModelFiles(o.model, o.classifier).dir));
      if (withModel.note) console.error(`benchmark: Hide-and-Seek ${withModel.note}`);
      const hs = attributionOptionsFrom(withModel.options);
      const settings = { minSize: hs.minSize, batchSize: hs.maxBatch, inversionSteps: hs.inversionSteps, renderSteps: hs.renderSteps };
      if (!SPLITS.includes(o.split)) throw new Error(`--split must be one of ${SPLITS.join(', ')}`);
      const given = (k: MethodKey) => MODEL_OPTION[k] === undefined || o[MODEL_OPTION[k].key] !== undefined;
      const flag = (k: MethodKey) => MODEL_OPTION[k]?.flag;
      const requested = o.methods !== undefined ? parseMethods(o.methods) : undefined;
      const missing = (requested ?? []).filter((k) => !given(k));
      if (missing.length > 0) throw new Error(`--methods asks for ${missing.join(', ')} but ${[...new Set(missing.map(flag))].join(', ')} is not given`);
      const keys = requested ?? METHODS.filter(given);
      const skipped = requested ? [] : METHODS.filter((k) => !given(k)).map((k) => `${k === OURS ? 'Hide-and-Seek' : BASELINE_LABELS[k as BaselineName]}: no ${flag(k)} given`);
      skipped.forEach((s) => console.error(`benchmark: skipping ${s}`));

      let rows = (await readManifest(o.manifest, { checkFiles: 'inputs' })).filter((r) => r.split === o.split);
      if (o.limit !== undefined) rows = rows.slice(0, o.limit);
      if (rows.length === 0) throw new Error(`${o.manifest}: no rows in split '${o.split}'`);
      const problems = rows.flatMap((r) => [r.image, r.segMsk, r.lesionMsk].filter((p) => p === undefined || !existsSync(p)).map((p) => `${r.image}: ${p === undefined ? 'no lesion_msk' : `${p} not found`}`));
      if (problems.length > 0) throw new Error(`${o.manifest}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);

      let cnn: CnnFile | undefined;
      let ad: { file: string; model: DiffAE } | undefined;
      let ours: { model: DiffAE; classifier: LatentClassifier; files: { model: string; classifier: string } } | undefined;
      try {
        if (keys.some((k) => CAM_METHODS.includes(k as CamMethod))) cnn = loadCnnOption(o.cnn, o.device);
        if (keys.includes('ad')) ad = loadAdModel(o.adModel, placement(o));
        if (keys.includes(OURS)) {
          const files = resolveModelFiles(o.model, o.classifier);
          if (!existsSync(files.classifier)) throw new Error(`${files.classifier}: latent classifier (--classifier) not found`);
          const classifier = LatentClassifier.load(files.classifier);
          const model = loadDiffAE(files.model, placement(o));
          ours = { model, classifier, files };
          if (classifier.scaler.features !== model.config.enc_out_channels) {
            throw new Error(`${files.classifier}: classifier takes ${classifier.scaler.features}-d latents, the model ${files.model} makes ${model.config.enc_out_channels}-d`);
          }
        }
        const sizes = [...new Set([ad?.model.config.image_size, ours?.model.config.image_size].filter((s) => s !== undefined))];
        if (sizes.length > 1) throw new Error(`--ad-model takes ${ad!.model.config.image_size}×${ad!.model.config.image_size} slices, --model ${ours!.model.config.image_size}×${ours!.model.config.image_size}`);
        const inputs = loadVertebrae(rows.map((r) => ({ image: r.image, mask: r.segMsk, label: r.label })), sizes[0] ?? sliceSizeOf(rows[0]!.image));

        const methods: BenchmarkMethod[] = keys.map((k): BenchmarkMethod => {
          if (k === OURS) {
            const { model, classifier, files } = ours!;
            return {
              key: k, label: 'Hide-and-Seek (ours)',
              run: async (dir) => withProgress('Hide-and-Seek', (onProgress) => runSegmentation({ inputs, engine: diffaeEngine(model), classifier, options: hs, outDir: dir, provenance: { model: files.model, classifier: files.classifier }, onProgress })),
            };
          }
          const baseline = makeBaseline(k, settings, { cnn, ad });
          return { key: k, label: BASELINE_LABELS[k], run: async (dir) => withProgress(BASELINE_LABELS[k], (onProgress) => runBaseline({ baseline, inputs, outDir: dir, onProgress })) };
        });
        for (const [label, folder] of o.predictions as [string, string][]) methods.push(copiedPredictions(label, folder, rows));
        const description: Record<string, string> = { manifest: o.manifest, split: o.split, ...(o.limit !== undefined ? { limit: `first ${o.limit} rows` } : {}) };
        description['smallest lesion'] = `${hs.minSize} pixels (every method's components)`;
        if (cnn) description.cnn = `${o.cnn} (validation: ${cnnValidation(cnn)})`;
        if (ad) description['ad model'] = `${ad.file}; ${hs.inversionSteps}/${hs.renderSteps} inversion/render steps`;
        if (ours) description['Hide-and-Seek model'] = `${ours.files.model}, ${ours.files.classifier}; schedule ${hs.schedule}: ${hs.inversionSteps}/${hs.renderSteps} inversion/render steps, ${hs.harmoniseInversionSteps}/${hs.harmoniseRenderSteps} per candidate${hs.harmoniseTMax < NUM_TIMESTEPS ? ` to t ${hs.harmoniseTMax}` : ''}; target p ${hs.targetP}, quantile ${hs.candidateQuantile}${hs.lyticQuantile !== hs.candidateQuantile ? ` (lytic ${hs.lyticQuantile})` : ''}${hs.lyticSplitQuantile !== null ? `, lytic candidates split at ${hs.lyticSplitQuantile}` : ''}, t-max ${hs.editTMax}${hs.centreMaps ? ', centred maps' : ''}, Δ > ${hs.deltaThreshold} (${hs.deltaReference}${hs.typeShare !== null ? `, per type above a share of ${hs.typeShare}` : ''}), gate p > ${hs.minPMalignant}${hs.keepBest ? ', keep best' : ''}`;
        const results = await runBenchmark({
          methods, cases: inputs.map((input, i) => ({ input, row: rows[i]! })), outDir: o.out, description, skipped, figureCases: o.figureCases,
          ...(o.bootstrap > 0 ? { bootstrap: { ...DEFAULT_BOOTSTRAP, resamples: o.bootstrap, seed: o.seed, referenceKey: OURS } } : {}),
          onMethod: (label, i, n) => console.error(`benchmark: [${i + 1}/${n}] ${label} on ${inputs.length} vertebrae`),
        });
        for (const r of results) console.error(`benchmark: ${r.label}: ${r.secondsPerVertebra.toFixed(3)} s/vertebra`);
        console.log(`benchmark: ${results.length} methods on ${inputs.length} vertebrae; table in ${o.out}/benchmark.md`);
      } finally {
        cnn?.model.dispose();
        ad?.model.dispose();
        ours?.model.dispose();
      }
    });
}
