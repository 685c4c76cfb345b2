// hsa check-model: the diagnostics on a tiny random Diff-AE (values checked where they can be computed
// independently) and the lesion bookkeeping on hand-made arrays.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as torch from '../../../src/tensor/index.js';
import { saveDiffAE } from '../../../src/model/checkpoint.js';
import { rocAuc } from '../../../src/method/classifier/metrics.js';
import { aucByGroup, type CheckVertebra, checkModel, classifierReading, formatAucByGroup, formatCheck, lesionStats, measureZReliance } from '../../../src/method/diagnostics/check-model.js';
import { lesionGroup } from '../../../src/method/evaluation/lesion-group.js';
import { hsa } from '../../helpers/cli.js';
import { tinyClassifier, tinyModel, tinySlice, writeVertebra } from '../attribution/fixtures.js';

const model = tinyModel();
const classifier = tinyClassifier(model);
const steps = { inversionSteps: 3, renderSteps: 2, harmoniseInversionSteps: 2, harmoniseRenderSteps: 2 };

describe('lesionStats', () => {
  it('splits the edit’s change between lesion and other body pixels, and checks its sign per class', () => {
    // 6 body pixels (the 7th is outside): lytic at 0 (brighter: right), blastic at 1 (brighter: wrong), blastic at 2 (darker: right).
    const body = Uint8Array.from([1, 1, 1, 1, 1, 1, 0]);
    const lesions = { rows: 1, cols: 7, data: Uint8Array.from([1, 2, 2, 0, 0, 0, 1]) };
    const recon = Float32Array.from([0, 0, 0, 0, 0, 0, 0]);
    const edit = Float32Array.from([0.5, 0.25, -0.25, 0.5, -0.5, 0, 9]);
    const s = lesionStats({ image: recon, body, label: 1, lesions }, recon, edit, 0)!;
    expect(s.share).toBeCloseTo(1 / 2, 12); // 1.0 of 2.0
    expect(s.area).toBeCloseTo(3 / 6, 12);
    expect(s.sign).toBeCloseTo(0.75, 12); // 0.5 + 0.25 of 1.0
    expect(lesionStats({ image: recon, body, label: 1 }, recon, edit, 0)).toBeNull();
  });
});

describe('checkModel', () => {
  const vertebrae: CheckVertebra[] = [1, 2, 3, 4].map((seed, i) => {
    const s = tinySlice(seed);
    return { image: s.image, body: s.mask, label: (i % 2) as 0 | 1, lesions: { rows: 16, cols: 16, data: s.mask.map((m, p) => (m && p % 5 === 0 ? 2 : 0)) } };
  });
  const r = checkModel(model, classifier, vertebrae, { ...steps, batchSize: 4 });

  it('measures every quantity, finite, on all vertebrae', () => {
    expect(r.vertebrae).toBe(4);
    expect(r.malignant).toBe(2);
    for (const v of [r.reconstruction.body, r.reconstruction.image, r.zSwap.body, r.healthyEdit.body, r.healthyEdit.lesionShare, r.cycle.editDrop, r.cycle.harmonisedDrop]) {
      expect(Number.isFinite(v)).toBe(true);
    }
    expect(r.zSwap.body).toBeGreaterThan(0); // the random model's renders depend on z
    expect(r.healthyEdit.lesionShare!).toBeGreaterThan(0);
    expect(r.healthyEdit.lesionShare!).toBeLessThan(1);
    expect(formatCheck(r)).toMatch(/z swap .* = \d+\.\d\d× the recon error/);
  });

  it('z reliance: 1 when every vertebra is the same image, away from 1 when z differs', () => {
    expect(r.zReliance.map((s) => s.t)).toEqual([100, 300, 500, 700]);
    const same = checkModel(model, classifier, [vertebrae[0]!, vertebrae[0]!, vertebrae[0]!], { ...steps, batchSize: 3 });
    const off = (rs: typeof r.zReliance) => Math.max(...rs.map((s) => Math.abs(s.ratio - 1)));
    // The random model's z moves ε only slightly (~1e-4), but identical codes move it not at all.
    expect(off(same.zReliance)).toBeLessThan(1e-6);
    expect(off(r.zReliance)).toBeGreaterThan(2e-5);
    // The cheap path (no sampling) measures the same thing.
    expect(measureZReliance(model, vertebrae, 4)).toEqual(r.zReliance);
  });

  it('scores the classifier on p_m = P(Enc(x)) of the same batch', () => {
    const flat = new Float32Array(4 * 256);
    vertebrae.forEach((v, i) => flat.set(v.image, i * 256));
    const z = torch.noGrad(() => torch.tidy(() => model.encode(torch.tensor(flat, [4, 1, 16, 16])).toFloat32Array()));
    const p = [0, 1, 2, 3].map((i) => classifier.probability(z.subarray(i * 16, (i + 1) * 16)));
    expect(r.classifierAuc).toBe(rocAuc([0, 1, 0, 1], p));
    // The encoding-only path (--z-only --classifier) scores the same, in any batch size.
    expect(classifierReading(model, classifier, vertebrae, 3).classifierAuc).toBeCloseTo(rocAuc([0, 1, 0, 1], p), 12);
    expect(classifierReading(model, classifier, vertebrae.slice(0, 1), 3).classifierAuc).toBeNull();
  });
});

describe('aucByGroup', () => {
  const v = (label: 0 | 1, lesions?: number[]): CheckVertebra => ({ image: new Float32Array(3), body: new Uint8Array(3), label, ...(lesions ? { lesions: { rows: 1, cols: 3, data: Uint8Array.from(lesions) } } : {}) });
  it('scores each group of malignant vertebrae against every healthy one', () => {
    const vertebrae = [v(0, [0, 0, 0]), v(0, [0, 0, 0]), v(1, [1, 0, 0]), v(1, [0, 1, 1]), v(1, [2, 0, 0]), v(1, [1, 2, 0]), v(1, [0, 0, 0]), v(1)];
    // healthy 0.3, 0.6; lytic only 0.5, 0.7; blastic only 0.9; both 0.2; a malignant vertebra with no lesion
    // pixels, and one without a mask, are in no group.
    const pM = [0.3, 0.6, 0.5, 0.7, 0.9, 0.2, 0.99, 0.99];
    const r = aucByGroup(vertebrae, pM)!;
    // lytic only: pairs (0.5 vs 0.3 win, 0.5 vs 0.6 loss, 0.7 vs both wins) = 3 of 4.
    expect(r['lytic only']).toEqual({ vertebrae: 2, rocAuc: 0.75 });
    expect(r['blastic only']).toEqual({ vertebrae: 1, rocAuc: 1 });
    expect(r.both).toEqual({ vertebrae: 1, rocAuc: 0 });
    expect(formatAucByGroup(r)).toBe('; against the healthy ones, malignant holding lytic only 0.750 (2), blastic only 1.000 (1), both 0.000 (1)');
    expect(aucByGroup([v(0), v(1)], [0.1, 0.9])).toBeNull();
    expect(formatAucByGroup(null)).toBe('');
    // A group with no member, or no healthy vertebra: no AUC.
    expect(aucByGroup([v(1, [1, 0, 0])], [0.5])!['lytic only']).toEqual({ vertebrae: 1, rocAuc: null });
  });
  it('groups a label map by the lesion types it holds', () => {
    expect([[0, 0], [1, 0], [2, 2], [2, 1], [0, 3]].map(lesionGroup)).toEqual(['neither', 'lytic only', 'blastic only', 'both', 'neither']);
  });
});

describe('hsa check-model', () => {
  let tmp: string;
  let manifest: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'hsa-check-'));
    const dir = join(tmp, 'model');
    mkdirSync(dir);
    saveDiffAE(model, join(dir, 'model.safetensors'));
    classifier.save(join(dir, 'classifier.json'));
    const rows = [0, 1, 2].map((i) => ({ ...writeVertebra(tmp, `v${i}`, 50 + i), label: i % 2 }));
    manifest = join(tmp, 'm.csv');
    writeFileSync(manifest, `image,seg_msk,label,split\n${rows.map((r) => `${r.image},${r.mask},${r.label},val`).join('\n')}\n`);
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterAll(() => {
    vi.restoreAllMocks();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('writes the diagnostics as JSON and never replaces an existing file', async () => {
    const out = join(tmp, 'check.json');
    const args = ['check-model', '--manifest', manifest, '--model', join(tmp, 'model'), '--steps', '2,2', '--harmonise-steps', '2,2', '--json', out];
    await hsa(...args);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.vertebrae).toBe(3);
    expect(j.healthyEdit.lesionShare).toBeNull(); // no lesion_msk column
    expect(Number.isFinite(j.zSwap.body)).toBe(true);
    await expect(hsa(...args)).rejects.toThrow(/check\.json: exists/);
    expect(existsSync(out)).toBe(true);
    await expect(hsa('check-model', '--manifest', manifest, '--model', join(tmp, 'model'), '--steps', '2')).rejects.toThrow(/--steps must be two positive integers/);
    // --z-only needs no classifier.
    const bare = join(tmp, 'bare.safetensors');
    saveDiffAE(model, bare);
    const zOut = join(tmp, 'z.json');
    await hsa('check-model', '--manifest', manifest, '--model', bare, '--z-only', '--json', zOut);
    expect(JSON.parse(readFileSync(zOut, 'utf8')).zReliance.map((s: { t: number }) => s.t)).toEqual([100, 300, 500, 700]);
    expect(JSON.parse(readFileSync(zOut, 'utf8')).classifierAuc).toBeUndefined();
    const zcOut = join(tmp, 'zc.json');
    await hsa('check-model', '--manifest', manifest, '--model', bare, '--classifier', join(tmp, 'model', 'classifier.json'), '--z-only', '--json', zcOut);
    expect(JSON.parse(readFileSync(zcOut, 'utf8')).classifierAuc).toBe(j.classifierAuc);
  });
});
