// `hsa prepare`: whole CT (NIfTI or DICOM) + vertebra label map (+ label table) → 64³ vertebra crops and a manifest.
import { type Command, Option } from 'commander';
import { prepareDataset } from '../../data/prepare.js';
import { LABEL_SCHEME_CHOICES } from '../../data/vertebra-labels.js';

/** --vertebrae / --seg and --label-scheme: how a vertebra label map is named and read; shared with segment --ct. */
export const LABEL_SCHEME_HELP = 'ids of the vertebra label map: verse (1–7 C, 8–19 T, 20–25 L, 28 T13), totalseg (TotalSegmentator v2 "total" multilabel ids, or its folder of vertebrae_<level>.nii.gz masks), auto (from the ids or the folder; asks when both fit)';

export function register(program: Command): void {
  program
    .command('prepare')
    .description('crop every vertebra of a whole CT (HU) around its body centre, resampled to the reference layout')
    .requiredOption('--ct <path>', 'CT in Hounsfield units: a .nii / .nii.gz file, or a folder holding a DICOM CT series')
    .option('--series <uid>', 'SeriesInstanceUID of the CT series to read when the DICOM folder holds several')
    .requiredOption('--seg <path>', 'vertebra label map on the CT grid (NIfTI), or a TotalSegmentator output folder')
    .addOption(new Option('--label-scheme <scheme>', LABEL_SCHEME_HELP).choices(LABEL_SCHEME_CHOICES).default('auto'))
    .option('--labels <table>', 'CSV/JSON with columns vertebra (level name such as L1, or the scheme\'s id) and label (0/1); only these vertebrae are cropped. Without it every vertebra is cropped, labels unknown (for segment only)')
    .requiredOption('--out <dir>', 'output folder (must not exist or be empty)')
    .option('--spacing <mm>', 'output voxel size', (v) => Number(v), 0.8)
    .action(async (o: { ct: string; series?: string; seg: string; labelScheme: (typeof LABEL_SCHEME_CHOICES)[number]; labels?: string; out: string; spacing: number }) => {
      if (!(o.spacing > 0)) throw new Error('--spacing must be a positive number of mm');
      const r = await prepareDataset(o.ct, o.seg, o.labels, o.out, { spacing: o.spacing, seriesUid: o.series, labelScheme: o.labelScheme });
      process.stderr.write(`prepare: wrote ${r.rows.length} crops (${r.rows.map((x) => x.level).join(', ')}) and ${o.out}/manifest.csv${o.labels ? '' : ' without labels'}\n`);
      if (r.notInTable.length) process.stderr.write(`prepare: skipped (no label in the table): ${r.notInTable.join(', ')}\n`);
      if (r.notInMap.length) process.stderr.write(`prepare: in the table but not in the label map: ${r.notInMap.join(', ')}\n`);
    });
}
