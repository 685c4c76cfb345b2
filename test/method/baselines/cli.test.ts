// train-cnn, train-dae --healthy-only/--init, baseline and benchmark run in-process through commander on a
// small phantom data set and micro models (test/fixtures/micro-dae.json, random weights).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readManifest, type ManifestRow } from '../../../src/data/manifest.js';
import { writePhantomDataset } from '../../../src/data/phantom/dataset.js';
import { readSafetensors } from '../../../src/io/safetensors.js';
import { evaluate } from '../../../src/method/evaluation/evaluate.js';
import { loadEvalCases } from '../../../src/method/evaluation/load-cases.js';
import { hsa, MICRO_CONFIG, writeMicroModel } from '../../helpers/cli.js';

let tmp: string;
let manifest: string;
let rows: ManifestRow[];
let modelDir: string;
let initModel: string;

const printed = (spy: typeof console.error) => vi.mocked(spy).mock.calls.map((c) => String(c[0])).join('\n');

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-baselines-'));
  // 13 cases: 10 train, 1 val, 2 test (both malignant for this seed).
  rows = await writePhantomDataset(join(tmp, 'data'), { count: 13, seed: 1, difficulty: 'default' });
  manifest = join(tmp, 'data', 'manifest.csv');
  modelDir = join(tmp, 'dae');
  initModel = writeMicroModel(modelDir);
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(tmp, { recursive: true, force: true });
});

describe('hsa train-cnn', () => {
  it('trains on the train split, scores the val split and writes the model and its report', async () => {
    await hsa('train-cnn', '--manifest', manifest, '--out', join(tmp, 'cnn'), '--epochs', '1', '--batch-size', '8', '--seed', '1');
    expect(readdirSync(join(tmp, 'cnn')).sort()).toEqual(['cnn.json', 'cnn.safetensors']);
    const report = JSON.parse(readFileSync(join(tmp, 'cnn', 'cnn.json'), 'utf8'));
    expect(report).toMatchObject({ trainVertebrae: 10, valVertebrae: 1, options: { epochs: 1, batchSize: 8, seed: 1 } });
    expect(report.validation.n).toBe(1);
    expect(report.healthyMedian).toBeGreaterThan(0);
    expect(readSafetensors(join(tmp, 'cnn', 'cnn.safetensors')).metadata.healthy_median).toBe(String(report.healthyMedian));
  });
});

describe('hsa train-dae --healthy-only --init', () => {
  const args = (out: string) => ['train-dae', '--manifest', manifest, '--out', out, '--config', MICRO_CONFIG, '--samples', '2', '--batch-size', '1', '--preview-every', '0', '--seed', '4'];

  it('trains on the healthy training rows only, from the given weights', async () => {
    const out = join(tmp, 'ad');
    vi.mocked(console.error).mockClear();
    // lr 0: Adam leaves the weights where --init put them, and so does the EMA.
    await hsa(...args(out), '--healthy-only', '--init', initModel, '--lr', '0');
    const healthy = rows.filter((r) => r.split === 'train' && r.label === 0).length;
    expect(healthy).toBeGreaterThan(0);
    expect(healthy).toBeLessThan(10);
    expect(printed(console.error)).toMatch(new RegExp(`loading ${healthy} training vertebrae`));
    expect(printed(console.error)).toMatch(/starting from the weights of/);
    const got = readSafetensors(join(out, 'model.safetensors'));
    expect(got.metadata).toMatchObject({ healthy_only: 'true', init: initModel, finished: 'true' });
    const want = readSafetensors(initModel).tensors;
    for (const [k, t] of want) expect(Array.from(got.tensors.get(k)!.data as Float32Array), k).toEqual(Array.from(t.data as Float32Array));
    // A resume must keep the data set.
    await expect(hsa(...args(out), '--lr', '0', '--resume')).rejects.toThrow(/the run used healthyOnly=true, not false/);
  });

  it('refuses --init weights of another architecture, naming the file', async () => {
    const wrong = join(tmp, 'wrong');
    await expect(hsa('train-dae', '--manifest', manifest, '--out', wrong, '--preset', 'cpu', '--samples', '1', '--batch-size', '1', '--preview-every', '0', '--init', initModel))
      .rejects.toThrow(new RegExp(`${initModel}: these weights do not fit the run's architecture`));
  });
});

describe('hsa baseline', () => {
  it('writes segment\'s layout for a manifest split, which evaluate reads', async () => {
    const test = (await readManifest(manifest)).filter((r) => r.split === 'test');
    const out = join(tmp, 'b-otsu');
    await hsa('baseline', 'otsu', '--manifest', manifest, '--split', 'test', '--out', out);
    expect(readdirSync(out).sort()).toEqual(['case_00000', 'case_00001', 'run.json', 'summary.csv']);
    expect(readdirSync(join(out, 'case_00001')).sort()).toEqual(['figure.png', 'lesions.nii.gz', 'result.json']);
    expect(JSON.parse(readFileSync(join(out, 'case_00001', 'result.json'), 'utf8'))).toMatchObject({ method: 'otsu', label: rows[1]!.label });
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))).toMatchObject({ method: 'otsu', vertebrae: 2 });
    expect(readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(loadEvalCases(test, out)).toHaveLength(2);
  });

  it('runs a CAM and ad on one image with --image/--mask', async () => {
    const one = ['--image', rows[1]!.image, '--mask', rows[1]!.segMsk];
    for (const [name, extra] of [['gradcam++', ['--cnn', join(tmp, 'cnn')]], ['ad', ['--model', initModel, '--inversion-steps', '2', '--render-steps', '2']]] as const) {
      const out = join(tmp, `b-${name}`);
      await hsa('baseline', name, ...one, '--out', out, ...extra);
      expect(readdirSync(out).sort()).toEqual(['case_00001', 'run.json', 'summary.csv']);
      const result = JSON.parse(readFileSync(join(out, 'case_00001', 'result.json'), 'utf8'));
      expect(result.method).toBe(name);
      expect(result.label).toBeUndefined();
      expect(name === 'ad' ? result.candidates : result.regions).toBeInstanceOf(Array);
    }
    expect(JSON.parse(readFileSync(join(tmp, 'b-ad', 'run.json'), 'utf8'))).toMatchObject({ inversionSteps: 2, renderSteps: 2, model: initModel });
  });

  it('names the missing model and refuses unknown methods', async () => {
    const out = join(tmp, 'none');
    await expect(hsa('baseline', 'gradcam', '--manifest', manifest, '--out', out)).rejects.toThrow(/baseline gradcam needs --cnn/);
    await expect(hsa('baseline', 'ad', '--manifest', manifest, '--out', out)).rejects.toThrow(/baseline ad needs --model/);
    await expect(hsa('baseline', 'eigencam', '--manifest', manifest, '--out', out, '--cnn', initModel)).rejects.toThrow(/not an hsa-cnn model file/);
    await expect(hsa('baseline', 'medsam', '--manifest', manifest, '--out', out)).rejects.toThrow(/Allowed choices are otsu, gradcam/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('hsa benchmark', () => {
  const steps = ['--inversion-steps', '2', '--render-steps', '2', '--harmonise-inversion-steps', '2', '--harmonise-render-steps', '2'];

  it('runs every method on the split and writes one table and the comparison figure', async () => {
    const out = join(tmp, 'bench');
    vi.mocked(process.stderr.write).mockClear();
    await hsa('benchmark', '--manifest', manifest, '--out', out, '--model', modelDir, '--cnn', join(tmp, 'cnn'), '--ad-model', initModel, ...steps);
    // Each method shows its own per-vertebra progress (plain lines here: stderr is not a terminal).
    const progress = vi.mocked(process.stderr.write).mock.calls.map((c) => String(c[0])).join('');
    for (const label of ['Otsu', 'AD', 'Hide-and-Seek']) expect(progress).toMatch(new RegExp(`benchmark ${label} \\[.*\\] [\\d.]+/2 vertebrae`));
    const methods = ['otsu', 'gradcam', 'gradcam++', 'layercam', 'eigencam', 'ad', 'hsa'];
    expect(readdirSync(out).sort()).toEqual([...methods, 'benchmark.csv', 'benchmark.json', 'benchmark.md', 'benchmark.png'].sort());
    const md = readFileSync(join(out, 'benchmark.md'), 'utf8');
    for (const label of ['Otsu', 'GradCAM', 'GradCAM++', 'LayerCAM', 'EigenCAM', 'AD', 'Hide-and-Seek (ours)']) expect(md).toContain(`| ${label} | `);
    expect(md).toMatch(/- cnn: .*cnn \(validation: accuracy \d\.\d{3}, ROC-AUC n\/a on 1 vertebrae\)/);
    expect(md).toMatch(/\| Method \| Dice lytic \| Dice blastic \| F1 lytic \| F1 blastic \| Sensitivity \| Specificity \| s \/ vertebra \|/);
    const csv = readFileSync(join(out, 'benchmark.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^method,label,seconds_per_vertebra,cases,dice_mean_lytic,/);
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(methods);
    const json = JSON.parse(readFileSync(join(out, 'benchmark.json'), 'utf8'));
    expect(json.cases).toBe(2);
    expect(json.methods.map((m: { key: string }) => m.key)).toEqual(methods);
    // The table's numbers are evaluate's on the method's folder.
    const test = (await readManifest(manifest)).filter((r) => r.split === 'test');
    for (const [k, key] of methods.entries()) {
      const { perCase: _perCase, rules: _rules, ...summary } = evaluate(loadEvalCases(test, join(out, key)));
      expect(json.methods[k].summary).toEqual(summary);
    }
    // Rows = the two vertebrae (both hold a blastic lesion), columns = image, truth and the 7 methods.
    const png = PNG.sync.read(readFileSync(join(out, 'benchmark.png')));
    expect(png.height).toBe(12 + 22 + 2 * (128 + 16 + 12));
    expect(png.width).toBeGreaterThan(9 * 128);
  });

  it('skips methods whose model is not given, and refuses a requested one without it', async () => {
    const out = join(tmp, 'bench-otsu');
    await hsa('benchmark', '--manifest', manifest, '--out', out, '--limit', '1');
    const md = readFileSync(join(out, 'benchmark.md'), 'utf8');
    expect(md).toContain('| Otsu | ');
    expect(md).toMatch(/Not run:\n- GradCAM: no --cnn given/);
    expect(md).toContain('- Hide-and-Seek: no --model given');
    expect(JSON.parse(readFileSync(join(out, 'benchmark.json'), 'utf8')).cases).toBe(1);
    await expect(hsa('benchmark', '--manifest', manifest, '--out', join(tmp, 'x'), '--methods', 'otsu,ad')).rejects.toThrow(/--methods asks for ad but --ad-model is not given/);
    await expect(hsa('benchmark', '--manifest', manifest, '--out', join(tmp, 'x'), '--methods', 'otsu,sam')).rejects.toThrow(/unknown sam/);
  });

  it('scores an earlier output folder as an extra row, with the seconds of its run.json', async () => {
    const earlier = join(tmp, 'bench', 'hsa');
    const run = JSON.parse(readFileSync(join(earlier, 'run.json'), 'utf8')) as { seconds: number; vertebrae: number };
    const out = join(tmp, 'bench-reuse');
    await hsa('benchmark', '--manifest', manifest, '--out', out, '--methods', 'otsu', '--predictions', 'HS again=' + earlier);
    const json = JSON.parse(readFileSync(join(out, 'benchmark.json'), 'utf8'));
    expect(json.methods.map((m: { label: string }) => m.label)).toEqual(['Otsu', 'HS again']);
    expect(json.methods[1].secondsPerVertebra).toBeCloseTo(run.seconds / run.vertebrae, 9);
    const test = (await readManifest(manifest)).filter((r) => r.split === 'test');
    const { perCase: _perCase, rules: _rules, ...summary } = evaluate(loadEvalCases(test, earlier));
    expect(json.methods[1].summary).toEqual(summary);
    await expect(hsa('benchmark', '--manifest', manifest, '--out', join(tmp, 'y'), '--methods', 'otsu', '--predictions', `x=${tmp}`)).rejects.toThrow(/run\.json not found/);
  });

  it('with --methods none scores only the given folders, each against the first with a paired bootstrap', async () => {
    const [hs, otsu] = [join(tmp, 'bench', 'hsa'), join(tmp, 'bench', 'otsu')];
    const out = join(tmp, 'bench-only');
    await hsa('benchmark', '--manifest', manifest, '--out', out, '--methods', 'none', '--bootstrap', '50', '--seed', '3',
      '--predictions', `HS=${hs}`, '--predictions', `Same=${hs}`, '--predictions', `O=${otsu}`);
    const json = JSON.parse(readFileSync(join(out, 'benchmark.json'), 'utf8'));
    expect(json.methods.map((m: { label: string }) => m.label)).toEqual(['HS', 'Same', 'O']);
    expect(json.bootstrap).toMatchObject({ resamples: 50, seed: 3, level: 0.95, reference: 'hs' });
    expect(json.methods[0].againstReference).toBeUndefined();
    expect(json.methods[1].againstReference.diceBlastic).toEqual({ difference: 0, low: 0, high: 0, resamples: 50 });
    const [h, o] = [json.methods[0].summary, json.methods[2].summary];
    expect(json.methods[2].againstReference.diceBlastic.difference).toBeCloseTo(o.blastic.diceMean - h.blastic.diceMean, 12);
    const md = readFileSync(join(out, 'benchmark.md'), 'utf8');
    expect(md).toContain('| HS minus | Dice lytic | Dice blastic | F1 lytic | F1 blastic | Sensitivity | Specificity |');
    expect(md).toContain('| Same | n/a | +0.000 [+0.000, +0.000] | n/a |');
    expect(md).toMatch(/50 resamples of the 2 vertebrae, seed 3/);
    await expect(hsa('benchmark', '--manifest', manifest, '--out', join(tmp, 'z'), '--methods', 'none')).rejects.toThrow(/no method to run/);
  });
});
