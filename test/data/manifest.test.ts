import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('writes CSV with paths relative to its folder, quoting commas and quotes', async () => {
    const dir = folder();
    writeManifestCsv(join(dir, 'out.csv'), [
      { image: join(dir, 'img/a,"1".nii.gz'), segMsk: join(dir, 'img/a_seg.nii.gz'), label: 1, split: 'test' },
      { image: join(dir, 'b.nii.gz'), segMsk: join(dir, 'b_seg.nii.gz'), label: 0, lesionMsk: join(dir, 'b_les.nii.gz') },
    ]);
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe(
      'image,seg_msk,label,lesion_msk,split\n"img/a,""1"".nii.gz",img/a_seg.nii.gz,1,,test\nb.nii.gz,b_seg.nii.gz,0,b_les.nii.gz,\n',
    );
  });

  it('reports every bad row at once, naming the file', async () => {
    const dir = folder();
    const p = join(dir, 'bad.csv');
    writeFileSync(p, 'image,seg_msk,label,split\nimg/a.nii.gz,img/a_seg.nii.gz,2,train\nimg/missing.nii.gz,img/a_seg.nii.gz,1,\n,img/a_seg.nii.gz,0,holdout\nimg/b.nii.gz,img/b_seg.nii.gz,1,val\n');
    const err = await readManifest(p).then(() => null, (e: Error) => e.message);
    expect(err).toContain(`${p}: 3 bad row(s)`);
    expect(err).toContain('line 2: label "2" is not 0 or 1');
    expect(err).toMatch(/line 3: image file not found: .*missing\.nii\.gz/);
    expect(err).toContain('line 4: image is empty; split "holdout" is not train, val or test');
    expect(err).not.toContain('line 5');
  });

  it('numbers CSV rows by the file line they start on, past empty lines and quoted line breaks', async () => {
    const dir = folder();
    const p = join(dir, 'm.csv');
    const lines = ['image,seg_msk,label,split', '', 'img/a.nii.gz,img/a_seg.nii.gz,0,"tr', 'ain"', '', ' ', 'img/b.nii.gz,img/b_seg.nii.gz,7,', 'img/a.nii.gz,"img/a_seg.nii.gz",x,'];
    for (const eol of ['\n', '\r\n']) {
      writeFileSync(p, lines.join(eol));
      const err = await readManifest(p).then(() => null, (e: Error) => e.message);
      expect(err).toContain(`line 3: split "tr${eol}ain" is not train, val or test`);
      expect(err).toContain('line 7: label "7" is not 0 or 1');
      expect(err).toContain('line 8: label "x" is not 0 or 1');
    }
  });

  it("checks only image and seg_msk with checkFiles 'inputs', naming the row of a missing one", async () => {
    const dir = folder();
    const p = join(dir, 'm.csv');
    writeFileSync(p, 'image,seg_msk,label,lesion_msk\nimg/a.nii.gz,img/a_seg.nii.gz,0,img/gone_les.nii.gz\nimg/b.nii.gz,img/gone_seg.nii.gz,1,\n');
    await expect(readManifest(p, { checkFiles: 'inputs' })).rejects.toThrow(/m\.csv: 1 bad row\(s\):\n {2}line 3: seg_msk file not found: .*gone_seg\.nii\.gz$/);
    writeFileSync(p, 'image,seg_msk,label,lesion_msk\nimg/a.nii.gz,img/a_seg.nii.gz,0,img/gone_les.nii.gz\n');
    expect((await readManifest(p, { checkFiles: 'inputs' }))[0]?.lesionMsk).toBe(join(dir, 'img/gone_les.nii.gz'));
    await expect(readManifest(p)).rejects.toThrow(/line 2: lesion_msk file not found/);
  });

  it('refuses a duplicated column, in any case, naming it', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'm.csv'), 'image,seg_msk,label,Label\nimg/a.nii.gz,img/a_seg.nii.gz,0,1\n');
    await expect(readManifest(join(dir, 'm.csv'))).rejects.toThrow(/m\.csv: cannot read manifest \(duplicated column\(s\) label\)/);
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1').addRows([['image', 'seg_msk', 'label', 'image'], ['img/a.nii.gz', 'img/a_seg.nii.gz', 0, 'img/b.nii.gz']]);
    await wb.xlsx.writeFile(join(dir, 'm.xlsx'));
    await expect(readManifest(join(dir, 'm.xlsx'))).rejects.toThrow(/m\.xlsx: cannot read manifest \(duplicated column\(s\) image\)/);
  });

  it('names a UTF-16 CSV instead of failing on its records', async () => {
    const dir = folder();
    const body = 'image,seg_msk,label\nimg/a.nii.gz,img/a_seg.nii.gz,0\n';
    writeFileSync(join(dir, 'bom.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')]));
    writeFileSync(join(dir, 'nobom.csv'), Buffer.from(body, 'utf16le'));
    for (const f of ['bom.csv', 'nobom.csv']) {
      await expect(readManifest(join(dir, f))).rejects.toThrow(`${join(dir, f)}: cannot read manifest (the file is UTF-16 (or binary), not UTF-8 text; save it as "CSV UTF-8")`);
    }
  });

  it('rejects missing columns and unknown formats', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'm.csv'), 'image,label\nimg/a.nii.gz,0\n');
    await expect(readManifest(join(dir, 'm.csv'))).rejects.toThrow(/m\.csv: .*missing column\(s\) seg_msk/);
    writeFileSync(join(dir, 'm.tsv'), '');
    await expect(readManifest(join(dir, 'm.tsv'))).rejects.toThrow(/m\.tsv: .*unknown manifest type/);
  });
});
