import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeNifti } from '../../../src/data/nifti.js';
import { register } from '../../../src/cli/commands/evaluate.js';
import { evaluate } from '../../../src/method/evaluation/evaluate.js';
import { evaluatedSlice } from '../../../src/method/evaluation/label-slice.js';
import { caseId, predictionPath } from '../../../src/method/evaluation/prediction-path.js';
import { formatReport, metricsCsv, writeEvaluation } from '../../../src/method/evaluation/report.js';
import { labels, volumeWith } from './label-maps.js';

const tmp = mkdtempSync(join(tmpdir(), 'hsa-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('evaluated slice', () => {
  it('takes index floor(D/2) of the third axis, rows = first axis', () => {
    const map = labels('012', '200');
    // depth 5 → slice 2; the other slices hold 1s that must not leak in
    expect(evaluatedSlice(volumeWith(map, 5, 1), 'x')).toEqual(map);
    expect(evaluatedSlice(volumeWith(map, 1), 'x')).toEqual(map);
  });

  it('rejects values other than 0, 1, 2, naming the source', () => {
    expect(() => evaluatedSlice(volumeWith(labels('03'), 3), 'pred.nii.gz')).toThrow(/pred\.nii\.gz: lesion label map holds 3/);
  });
});

describe('prediction path', () => {
  it('is <dir>/<image name without .nii/.nii.gz>/lesions.nii.gz', () => {
    expect(caseId('/d/images/case_00007.nii.gz')).toBe('case_00007');
    expect(caseId('sample_ct.nii')).toBe('sample_ct');
    expect(predictionPath('/p', '/d/images/case_00007.nii.gz')).toBe('/p/case_00007/lesions.nii.gz');
  });
});

describe('report', () => {
  // lytic: one 2 px truth lesion found exactly; blastic: a 1 px false positive on a healthy vertebra
  const r = evaluate([
    { id: 'a', label: 1, truth: labels('110', '000'), pred: labels('110', '000') },
    { id: 'b,c', label: 0, truth: labels('000', '000'), pred: labels('000', '002') },
  ]);

  it('prints the numbers and the rules', () => {
    const text = formatReport(r);
    expect(text).toMatch(/^lytic\s+1\.000\s+1\s+1\.000$/m);
    expect(text).toMatch(/^blastic\s+0\.000\s+1\s+0\.000$/m);
    expect(text).toMatch(/^blastic IoU≥0\.5\s+0\s+1\s+0\s+0\.000\s+n\/a\s+0\.000$/m);
    expect(text).toMatch(/^malignant\s+1\s+1\s+0\s+0\s+1\.000\s+0\.000$/m);
    expect(text).toContain('F1 = TP/(TP + ½FP + ½FN)');
    expect(text).toContain('IoU ≥ 0.5');
  });

  it('writes JSON (nulls for n/a), a one-row metrics CSV and a per-vertebra CSV', () => {
    const dir = join(tmp, 'report');
    mkdirSync(dir);
    writeEvaluation(dir, r);
    const json = JSON.parse(readFileSync(join(dir, 'evaluation.json'), 'utf8'));
    expect(json.blastic.lesions).toEqual({ tp: 0, fp: 1, fn: 0, precision: 0, recall: null, f1: 0 });
    expect(json.rules.length).toBeGreaterThan(3);
    const [head, row, ...rest] = metricsCsv(r).trim().split('\n');
    expect(rest).toEqual([]);
    const rec = Object.fromEntries(head!.split(',').map((k, i) => [k, row!.split(',')[i]]));
    expect(rec).toMatchObject({ cases: '2', dice_mean_lytic: '1', lesion_f1_lytic: '1', lesion_recall_blastic: '', sensitivity: '1', specificity: '0' });
    const cases = readFileSync(join(dir, 'cases.csv'), 'utf8').trim().split('\n');
    expect(cases).toHaveLength(3);
    expect(cases[2]!.startsWith('"b,c",0,label,1,')).toBe(true);
  });
});

describe('hsa evaluate', () => {
  const data = join(tmp, 'data');
  const pred = join(tmp, 'pred');
  const write = (path: string, map: ReturnType<typeof labels>, sp: [number, number, number] = [1, 1, 1]) => {
    mkdirSync(dirname(path), { recursive: true });
    writeNifti(path, volumeWith(map, 4, 0, 2, sp), 'uint8');
  };
  const truthA = labels('0110', '0110', '0000');
  const truthB = labels('0000', '0000', '0000');
  for (const [id, truth] of [['a', truthA], ['b', truthB]] as const) {
    write(join(data, `${id}.nii.gz`), truth);
    write(join(data, `${id}_seg.nii.gz`), labels('1111', '1111', '1111'));
    write(join(data, `${id}_lesion.nii.gz`), truth);
  }
  const manifest = join(data, 'manifest.csv');
  writeFileSync(manifest, 'image,seg_msk,label,lesion_msk,split\na.nii.gz,a_seg.nii.gz,1,a_lesion.nii.gz,test\nb.nii.gz,b_seg.nii.gz,0,b_lesion.nii.gz,train\n');

  async function hsa(...args: string[]): Promise<string> {
    const program = new Command().exitOverride();
    register(program);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await program.parseAsync(['node', 'hsa', 'evaluate', ...args]);
      return log.mock.calls.map((c) => String(c[0])).join('\n');
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  }

  it('names every case whose prediction is missing', async () => {
    await expect(hsa('--manifest', manifest, '--pred', pred)).rejects.toThrow(/case a: prediction not found: .*pred\/a\/lesions\.nii\.gz[\s\S]*case b: prediction not found/);
  });

  it('scores predictions at predictionPath and writes the files', async () => {
    write(predictionPath(pred, join(data, 'a.nii.gz')), truthA);
    write(predictionPath(pred, join(data, 'b.nii.gz')), labels('0000', '0000', '0022'));
    const out = join(tmp, 'out');
    const text = await hsa('--manifest', manifest, '--pred', pred, '--out', out);
    expect(text).toContain('Evaluation of 2 vertebrae');
    expect(text).toMatch(/^malignant\s+1\s+1\s+0\s+0\s+1\.000\s+0\.000$/m);
    const json = JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8'));
    expect(json.lytic.dicePooled).toBe(1);
    expect(json.blastic.lesions).toMatchObject({ tp: 0, fp: 1, fn: 0 });
    // --split restricts the rows
    expect(await hsa('--manifest', manifest, '--pred', pred, '--split', 'test')).toContain('Evaluation of 1 vertebrae');
  });

  it('refuses a prediction on another grid, naming the case', async () => {
    const other = join(tmp, 'pred-other-grid');
    write(predictionPath(other, join(data, 'a.nii.gz')), truthA);
    write(predictionPath(other, join(data, 'b.nii.gz')), truthB, [1, 1, 2]);
    await expect(hsa('--manifest', manifest, '--pred', other)).rejects.toThrow(/case b: .*does not lie on the grid/);
  });
});
