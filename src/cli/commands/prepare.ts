// `hsa prepare`: whole CT (NIfTI or DICOM) + vertebra label map + label table → 64³ vertebra crops and a manifest.
import type { Command } from 'commander';
import { prepareDataset, vertebraName } from '../../data/prepare.js';

export function register(program: Command): void {
  program
    .command('prepare')
    .description('crop every vertebra of a whole CT (HU) around its body centre, resampled to the reference layout')
    .requiredOption('--ct <path>', 'CT in Hounsfield units: a .nii / .nii.gz file, or a folder holding a DICOM CT series')
    .option('--series <uid>', 'SeriesInstanceUID of the CT series to read when the DICOM folder holds several')
    .requiredOption('--seg <nii>', 'vertebra label map on the CT grid (VerSe labels: 1–7 C, 8–19 T, 20–25 L, 28 T13)')
    .requiredOption('--labels <table>', 'CSV/JSON with columns vertebra (id or name, e.g. L1) and label (0/1)')
    .requiredOption('--out <dir>', 'output folder (must not exist or be empty)')
    .option('--spacing <mm>', 'output voxel size', (v) => Number(v), 0.8)
    .action(async (o: { ct: string; series?: string; seg: string; labels: string; out: string; spacing: number }) => {
      if (!(o.spacing > 0)) throw new Error('--spacing must be a positive number of mm');
      const r = await prepareDataset(o.ct, o.seg, o.labels, o.out, { spacing: o.spacing, seriesUid: o.series });
      process.stderr.write(`prepare: wrote ${r.rows.length} crops and ${o.out}/manifest.csv\n`);
      if (r.notInTable.length) process.stderr.write(`prepare: skipped (no label in the table): ${r.notInTable.map(vertebraName).join(', ')}\n`);
      if (r.notInMap.length) process.stderr.write(`prepare: in the table but not in the label map: ${r.notInMap.map(vertebraName).join(', ')}\n`);
    });
}
