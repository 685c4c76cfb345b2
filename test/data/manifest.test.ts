import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readManifest, writeManifestCsv } from '../../src/data/manifest.js';

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hsa-man-'));
  mkdirSync(join(dir, 'img'));
  for (const f of ['a.nii.gz', 'a_seg.nii.gz', 'b.nii.gz', 'b_seg.nii.gz', 'b_les.nii.gz']) writeFileSync(join(dir, 'img', f), '');
  return dir;
}

describe('readManifest', () => {
  it('reads CSV with relative paths against the manifest folder', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'm.csv'), 'Image,seg_msk,label,lesion_msk,split\nimg/a.nii.gz,img/a_seg.nii.gz,0,,train\nimg/b.nii.gz,img/b_seg.nii.gz,1,img/b_les.nii.gz,TEST\n');
    const rows = await readManifest(join(dir, 'm.csv'));
    expect(rows).toEqual([
      { image: join(dir, 'img/a.nii.gz'), segMsk: join(dir, 'img/a_seg.nii.gz'), label: 0, split: 'train' },
      { image: join(dir, 'img/b.nii.gz'), segMsk: join(dir, 'img/b_seg.nii.gz'), label: 1, lesionMsk: join(dir, 'img/b_les.nii.gz'), split: 'test' },
    ]);
  });

  it('reads .xlsx as the reference writes it (an unnamed index column, numeric labels)', async () => {
    const dir = folder();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.addRow(['', 'image', 'seg_msk', 'label']);
    ws.addRow([0, 'img/a.nii.gz', 'img/a_seg.nii.gz', 0]);
    ws.addRow([1, join(dir, 'img/b.nii.gz'), 'img/b_seg.nii.gz', 1]);
    await wb.xlsx.writeFile(join(dir, 'm.xlsx'));
    const rows = await readManifest(join(dir, 'm.xlsx'));
    expect(rows.map((r) => [r.image, r.label])).toEqual([[join(dir, 'img/a.nii.gz'), 0], [join(dir, 'img/b.nii.gz'), 1]]);
  });

  it('reads JSON and round-trips through writeManifestCsv', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'm.json'), JSON.stringify({ rows: [{ image: 'img/b.nii.gz', seg_msk: 'img/b_seg.nii.gz', label: 1, lesion_msk: 'img/b_les.nii.gz', split: 'val' }] }));
    const rows = await readManifest(join(dir, 'm.json'));
    writeManifestCsv(join(dir, 'out.csv'), rows);
    expect(await readManifest(join(dir, 'out.csv'))).toEqual(rows);
  });

  it('reports every bad row at once, naming the file', async () => {
    const dir = folder();
    const p = join(dir, 'bad.csv');
    writeFileSync(p, 'image,seg_msk,label,split\nimg/a.nii.gz,img/a_seg.nii.gz,2,train\nimg/missing.nii.gz,img/a_seg.nii.gz,1,\n,img/a_seg.nii.gz,0,holdout\nimg/b.nii.gz,img/b_seg.nii.gz,1,val\n');
    const err = await readManifest(p).then(() => null, (e: Error) => e.message);
    expect(err).toContain(`${p}: 3 bad row(s)`);
    expect(err).toContain('row 2: label "2" is not 0 or 1');
    expect(err).toMatch(/row 3: image file not found: .*missing\.nii\.gz/);
    expect(err).toContain('row 4: image is empty; split "holdout" is not train, val or test');
    expect(err).not.toContain('row 5');
  });

  it('rejects missing columns and unknown formats', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'm.csv'), 'image,label\nimg/a.nii.gz,0\n');
    await expect(readManifest(join(dir, 'm.csv'))).rejects.toThrow(/m\.csv: .*missing column\(s\) seg_msk/);
    writeFileSync(join(dir, 'm.tsv'), '');
    await expect(readManifest(join(dir, 'm.tsv'))).rejects.toThrow(/m\.tsv: .*unknown manifest type/);
  });
});
