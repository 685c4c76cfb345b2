// `hsa train-classifier` and `hsa segment`, run in-process through commander, on tiny NIfTI crops and a
// tiny random model saved to disk.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { saveDiffAE } from '../../../src/model/checkpoint.js';
import { LatentClassifier } from '../../../src/method/classifier/latent-classifier.js';
import { LogisticRegression } from '../../../src/method/classifier/logistic.js';
import { StandardScaler } from '../../../src/method/classifier/scaler.js';
import { hsa } from '../../helpers/cli.js';
import { TINY_CONFIG, tinyClassifier, tinyModel, writeVertebra } from './fixtures.js';

let tmp: string;
let modelDir: string;
let manifest: string;
let rows: { image: string; mask: string; label: number }[];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-cli-'));
  modelDir = join(tmp, 'model');
  mkdirSync(modelDir);
  const model = tinyModel();
  saveDiffAE(model, join(modelDir, 'model.safetensors'));
  tinyClassifier(model).save(join(modelDir, 'classifier.json'));
  mkdirSync(join(tmp, 'data'));
  rows = Array.from({ length: 18 }, (_, i) => ({ ...writeVertebra(join(tmp, 'data'), `c${i}`, 100 + i), label: i % 2 }));
  // lesion_msk points at files that do not exist: neither command may need them.
  const lines = rows.map((r, i) => `${r.image},${r.mask},${r.label},${join(tmp, 'nowhere', `l${i}.nii.gz`)},${i < 16 ? 'train' : 'test'}`);
  manifest = join(tmp, 'manifest.csv');
  writeFileSync(manifest, `image,seg_msk,label,lesion_msk,split\n${lines.join('\n')}\n`);
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(tmp, { recursive: true, force: true });
});

describe('hsa train-classifier', () => {
  it('fits on the non-test rows without lesion masks and saves a classifier for the model latents', async () => {
    const out = join(tmp, 'clf.json');
    await hsa('train-classifier', '--manifest', manifest, '--model', modelDir, '--out', out, '--seed', '1', '--batch-size', '5');
    const clf = LatentClassifier.load(out);
    expect(clf.scaler.features).toBe(TINY_CONFIG.enc_out_channels);
    const printed = vi.mocked(console.log).mock.calls.map((c) => String(c[0])).join('\n');
    expect(printed).toMatch(/model selection on 16 vertebrae/);
    expect(printed).toMatch(/hold-out \(\d+ vertebrae.*accuracy [\d.]+ {2}F1 [\d.]+ {2}ROC-AUC [\d.]+/);
    expect(printed.match(/ l[12] /g)).toHaveLength(24);
  });

  it('searches only the grid values given (--C, --penalty, --class-weight) and rejects invalid ones', async () => {
    const out = join(tmp, 'clf-fixed.json');
    vi.mocked(console.log).mockClear();
    await hsa('train-classifier', '--manifest', manifest, '--model', modelDir, '--out', out, '--C', '0.01', '5', '--penalty', 'l2', '--class-weight', 'balanced');
    const printed = vi.mocked(console.log).mock.calls.map((c) => String(c[0])).join('\n');
    const rowsPrinted = printed.split('\n').filter((l) => / l[12] /.test(l));
    expect(rowsPrinted.map((l) => l.trim().split(/\s+/).slice(0, 3))).toEqual([
      ['0.01', 'l2', 'balanced'],
      ['5', 'l2', 'balanced'],
    ]);
    expect(printed).toMatch(/classifier \(C (0\.01|5), l2, class_weight balanced/);
    await expect(hsa('train-classifier', '--manifest', manifest, '--model', modelDir, '--out', out, '--C', '0')).rejects.toThrow(/'0' is not a positive number/);
    await expect(hsa('train-classifier', '--manifest', manifest, '--model', modelDir, '--out', out, '--penalty', 'l3')).rejects.toThrow(/'l3' is invalid\. Allowed choices are l1, l2\./);
  });
});

describe('hsa segment', () => {
  const fast = ['--inversion-steps', '3', '--render-steps', '2', '--harmonise-inversion-steps', '3', '--harmonise-render-steps', '2', '--min-size', '2'];

  it('segments one image with --image/--mask and a model folder, recording the ablation switches', async () => {
    const out = join(tmp, 'one');
    await hsa('segment', '--image', rows[0]!.image, '--mask', rows[0]!.mask, '--model', modelDir, '--out', out, ...fast, '--no-harmonise', '--reveal-from', 'original', '--edit-t-max', '600', '--harmonise-t-max', '500', '--centre-maps');
    expect(readdirSync(out).sort()).toEqual(['c0', 'run.json', 'summary.csv']);
    const res = JSON.parse(readFileSync(join(out, 'c0', 'result.json'), 'utf8'));
    expect(res.options).toMatchObject({ harmonise: false, revealFrom: 'original', keepAll: false, inversionSteps: 3, renderSteps: 2, schedule: 'fast', editTMax: 600, harmoniseTMax: 500, centreMaps: true });
    expect(res.label).toBeUndefined();
  });

  it('segments the rows of one split of a manifest, with the reference schedule and keep-all', async () => {
    const out = join(tmp, 'split');
    await hsa('segment', '--manifest', manifest, '--split', 'test', '--model', join(modelDir, 'model.safetensors'), '--out', out, ...fast, '--schedule', 'reference', '--keep-all');
    expect(readdirSync(out).sort()).toEqual(['c16', 'c17', 'run.json', 'summary.csv']);
    const res = JSON.parse(readFileSync(join(out, 'c17', 'result.json'), 'utf8'));
    expect(res.label).toBe(1);
    expect(res.options).toMatchObject({ schedule: 'reference', keepAll: true, editTMax: 1000, harmoniseTMax: 1000, centreMaps: false });
    expect(res.candidates.every((c: { kept: boolean; delta: unknown }) => c.kept && c.delta === null)).toBe(true);
  });

  it('fails with the file named and writes nothing when an input is bad', async () => {
    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, `image,seg_msk,label\n${rows[0]!.image},${rows[0]!.mask},1\n${rows[1]!.image},${join(tmp, 'gone_seg.nii.gz')},0\n`);
    const out = join(tmp, 'bad-out');
    await expect(hsa('segment', '--manifest', bad, '--model', modelDir, '--out', out, ...fast)).rejects.toThrow(/bad\.csv: 1 bad row\(s\):\n  line 3: seg_msk file not found: .*gone_seg\.nii\.gz/);
    expect(existsSync(out)).toBe(false);
    const empty = writeVertebra(tmp, 'hollow', 7, { emptyMask: true });
    await expect(hsa('segment', '--image', empty.image, '--mask', empty.mask, '--model', modelDir, '--out', out, ...fast)).rejects.toThrow(/hollow_seg\.nii\.gz.*empty/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a classifier for other latents, a missing model, and ambiguous inputs', async () => {
    const wrong = join(tmp, 'wrong.json');
    new LatentClassifier(new StandardScaler(new Float64Array(3), new Float64Array(3).fill(1)), new LogisticRegression(Float64Array.from([1, 1, 1]), 0)).save(wrong);
    const out = join(tmp, 'never');
    await expect(hsa('segment', '--image', rows[0]!.image, '--mask', rows[0]!.mask, '--model', modelDir, '--classifier', wrong, '--out', out)).rejects.toThrow(/3-d latents.*16-d/);
    await expect(hsa('segment', '--image', rows[0]!.image, '--mask', rows[0]!.mask, '--model', join(tmp, 'nomodel'), '--out', out)).rejects.toThrow(/nomodel: DAE model \(--model\) not found/);
    await expect(hsa('segment', '--image', rows[0]!.image, '--manifest', manifest, '--mask', rows[0]!.mask, '--model', modelDir, '--out', out)).rejects.toThrow('give one of --manifest, --image with --mask, or --ct with --vertebrae');
    await expect(hsa('segment', '--image', rows[0]!.image, '--model', modelDir, '--out', out)).rejects.toThrow(/--image and --mask go together/);
    expect(existsSync(out)).toBe(false);
  });
});
