// `hsa segment --ct CT --vertebrae SEG`: every vertebra of a whole CT cropped, segmented (resumable), and the
// results put back on the CT: <out>/lesions.nii.gz, statistics.csv/.json, lesions.seg.dcm for a DICOM CT.
import { join } from 'node:path';
import type { LabelSchemeChoice } from '../../data/vertebra-labels.js';
import { CT_SEG_FILE } from '../../method/attribution/ct-outputs.js';
import { diffaeEngine } from '../../method/attribution/engine.js';
import type { SliceChoice } from '../../method/attribution/inputs.js';
import type { AttributionOptions } from '../../method/attribution/options.js';
import { finishWholeCt, openWholeCt, VERTEBRAE_DIR } from '../../method/attribution/whole-ct.js';
import { placement } from '../device.js';
import { loadModelPair, segmentWithProgress } from './segment-run.js';

interface WholeCtOptions {
  ct: string;
  vertebrae: string;
  series?: string;
  labelScheme: LabelSchemeChoice;
  levels?: string[];
  spacing: number;
  slices: SliceChoice;
  out: string;
  continue?: boolean;
  device?: string;
  precision?: string;
}

export async function segmentWholeCt(o: WholeCtOptions, files: { model: string; classifier: string }, options: AttributionOptions): Promise<void> {
  const { model, classifier } = loadModelPair(files, placement(o));
  try {
    const inputs = { ct: o.ct, vertebrae: o.vertebrae, seriesUid: o.series, labelScheme: o.labelScheme, levels: o.levels, spacing: o.spacing, size: model.config.image_size, slices: o.slices };
    const run = await openWholeCt(o.out, inputs, Boolean(o.continue));
    process.stderr.write(`segment: ${run.crops.length} vertebrae (${run.crops.map((c) => c.level).join(', ')}; ${run.map.scheme} labels) cropped in ${join(o.out, 'crops')}\n`);
    if (run.vertebrae !== 'complete') {
      const r = await segmentWithProgress({
        inputs: run.inputs, engine: diffaeEngine(model), classifier, options, outDir: join(o.out, VERTEBRAE_DIR), resume: run.vertebrae === 'interrupted',
        provenance: { model: files.model, classifier: files.classifier },
      });
      if (!r.complete) return;
    }
    const stats = finishWholeCt(run);
    const withLesions = stats.filter((s) => s.lytic.voxels + s.blastic.voxels > 0).map((s) => s.level);
    const seg = run.ct.dicom && withLesions.length > 0 ? `, ${CT_SEG_FILE}` : '';
    console.log(`segment: ${stats.length} vertebrae, lesions in ${withLesions.join(', ') || 'none'}; results on the CT in ${o.out} (lesions.nii.gz, statistics.csv/.json${seg})`);
  } finally {
    model.dispose();
  }
}
