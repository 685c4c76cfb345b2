// `hsa demo`: the main job out of the box. Generates held-out synthetic vertebrae (a phantom seed the bundled
// model never saw), segments them and the real reference CT crop with the bundled model, evaluates the
// synthetic ones against their lesion masks and writes one HTML report.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { assertEmptyOutputDir, withOutputDir } from '../../data/files.js';
import { writePhantomDataset } from '../../data/phantom/dataset.js';
import { loadDiffAE } from '../../model/checkpoint.js';
import { diffaeEngine } from '../../method/attribution/engine.js';
import { loadVertebrae } from '../../method/attribution/inputs.js';
import { runSegmentation } from '../../method/attribution/segment.js';
import { readWholeCtInputs } from '../../method/attribution/whole-ct.js';
import { LatentClassifier } from '../../method/classifier/latent-classifier.js';
import { evaluate } from '../../method/evaluation/evaluate.js';
import { loadEvalCases } from '../../method/evaluation/load-cases.js';
import { formatReport, writeEvaluation } from '../../method/evaluation/report.js';
import { writeReport } from '../../report/write-report.js';
import { int, vertebraeProgress } from '../options.js';
import { addDeviceOptions, placement } from '../device.js';
import { modelSettingsIn, withModelSettings } from './model-settings.js';
import { addAttributionOptions, attributionOptionsFrom, CROP_SPACING_MM, DEFAULT_MODEL_DIR, levelList, resolveModelFiles } from './segment.js';
import { segmentWholeCt } from './segment-ct.js';

/** The real CT sample kept in the repository (samples/reference; same relative path from src/ and dist/). */
const SAMPLE_DIR = fileURLToPath(new URL('../../../samples/reference', import.meta.url));
/** Phantom seed of the demo's vertebrae; the bundled model was trained on seed 2026. */
export const DEMO_SEED = 777;

const NOTICE =
  'The bundled model was trained on synthetic vertebrae only (hsa phantom). On the synthetic cases the metrics below ' +
  'measure the method; on the real CT crop (sample_ct) the output demonstrates the pipeline and is not a diagnosis.';

function timestamped(): string {
  return join('out', `demo-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`);
}

export function register(program: Command): void {
  const command = program
    .command('demo')
    .description('segment held-out synthetic vertebrae and the real sample CT with the bundled model, evaluate, and write report.html')
    .option('--out <dir>', 'output folder (must not exist or be empty; default: out/demo-<date-time>)')
    .option('--model <dir>', 'model folder with model.safetensors and classifier.json (and attribution.json: the method settings chosen for it)', DEFAULT_MODEL_DIR)
    .option('--count <n>', 'synthetic vertebrae to generate and segment', int, 8)
    .option('--sample-ct <file>', 'a real CT vertebra crop (NIfTI) to segment too', join(SAMPLE_DIR, 'sample_ct.nii'))
    .option('--sample-mask <file>', 'its vertebral-body mask', join(SAMPLE_DIR, 'sample_seg.nii'))
    .option('--ct <path>', 'also a whole CT (NIfTI file or DICOM series folder), with --vertebrae: every vertebra segmented and the results put on the CT in <out>/ct, as segment --ct does')
    .option('--vertebrae <path>', 'with --ct: its vertebra label map (VerSe or TotalSegmentator ids) or a TotalSegmentator output folder')
    .option('--series <uid>', 'with --ct: SeriesInstanceUID of the CT series when the DICOM folder holds several')
    .option('--levels <list>', 'with --ct: only these vertebrae, e.g. L1,L2 (default: every labelled one)', levelList);
  addDeviceOptions(addAttributionOptions(command)).action(async (o) => {
    if (o.count < 1) throw new Error('--count must be at least 1');
    if ((o.ct === undefined) !== (o.vertebrae === undefined)) throw new Error('--ct and --vertebrae go together');
    const files = resolveModelFiles(o.model);
    const withModel = withModelSettings(o, command, modelSettingsIn(files.dir));
    if (withModel.note) process.stderr.write(`demo: ${withModel.note}\n`);
    const options = attributionOptionsFrom(withModel.options);
    const outDir = resolve(o.out ?? timestamped());
    const classifier = LatentClassifier.load(files.classifier);
    // The project's sample is optional; a sample the user named must exist.
    const sampleGiven = command.getOptionValueSource('sampleCt') !== 'default' || command.getOptionValueSource('sampleMask') !== 'default';
    const hasSample = existsSync(o.sampleCt) && existsSync(o.sampleMask);
    if (sampleGiven && !hasSample) throw new Error(`${existsSync(o.sampleCt) ? o.sampleMask : o.sampleCt}: not found (--sample-ct / --sample-mask)`);
    const ct = o.ct === undefined ? undefined : { ...o, labelScheme: 'auto' as const, spacing: CROP_SPACING_MM, slices: 'centre' as const, out: join(outDir, 'ct') };
    if (ct) readWholeCtInputs({ ...ct, seriesUid: o.series });
    assertEmptyOutputDir(outDir);
    const started = Date.now();
    // Each step writes its own subfolder atomically, so the paths recorded in them stay valid.
    mkdirSync(outDir, { recursive: true });
    const rows = await writePhantomDataset(join(outDir, 'synthetic'), { count: o.count, seed: DEMO_SEED, difficulty: 'default' });
    process.stderr.write(`demo: ${rows.length} synthetic vertebrae (phantom seed ${DEMO_SEED}) in ${join(outDir, 'synthetic')}\n`);
    const items: { image: string; mask: string; label?: 0 | 1 }[] = rows.map((r) => ({ image: r.image, mask: r.segMsk, label: r.label }));
    if (hasSample) items.push({ image: o.sampleCt, mask: o.sampleMask });
    else process.stderr.write(`demo: ${o.sampleCt} not found; segmenting the synthetic vertebrae only\n`);

    const model = loadDiffAE(files.model, placement(o));
    try {
      const inputs = loadVertebrae(items, model.config.image_size);
      const bar = vertebraeProgress('segment');
      bar.update(0, inputs.length);
      await runSegmentation({
        inputs, engine: diffaeEngine(model), classifier, options, outDir: join(outDir, 'segment'),
        provenance: { model: files.model, classifier: files.classifier },
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.stop();
    } finally {
      model.dispose();
    }
    if (ct) await segmentWholeCt(ct, files, options);
    const results = evaluate(loadEvalCases(rows, join(outDir, 'segment')));
    console.log(formatReport(results));
    await withOutputDir(join(outDir, 'evaluation'), (evalDir) => writeEvaluation(evalDir, results));
    writeReport({ seg: join(outDir, 'segment'), eval: join(outDir, 'evaluation'), out: join(outDir, 'report.html'), notice: NOTICE, title: 'Hide-and-Seek Attribution demo' });
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    console.log(`demo: done in ${minutes} min; open ${join(outDir, 'report.html')} (or: node bin/hsa.js view ${join(outDir, 'segment')})`);
  });
}
