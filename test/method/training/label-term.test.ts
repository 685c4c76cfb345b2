// train-dae --label-weight: the loss is the diffusion loss plus λ·BCE(z₀, label) on the same encoding, the
// option is recorded and fixed for a resume, and it refuses healthy-only training (one class).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as torch from '../../../src/tensor/index.js';
import { DiffusionSchedule, diffusionLoss } from '../../../src/model/diffusion.js';
import { labelledLoss } from '../../../src/method/training/train-dae.js';
import { readSafetensors } from '../../../src/io/safetensors.js';
import { hsa } from '../../helpers/cli.js';
import { tinyModel, tinySlice, writeVertebra } from '../attribution/fixtures.js';

describe('labelledLoss', () => {
  it('adds λ·BCE of z₀ against the labels to the diffusion loss of the same draw', () => {
    const model = tinyModel();
    const x = torch.tensor(Float32Array.from([1, 2, 3].flatMap((s) => Array.from(tinySlice(s).image))), [3, 1, 16, 16]);
    const labels = Float32Array.from([1, 0, 1]);
    const z0 = torch.noGrad(() => torch.tidy(() => Array.from(model.encode(x).toFloat32Array()).filter((_, i) => i % 16 === 0)));
    // BCE with logits by hand: softplus(z) − y·z.
    const bce = z0.reduce((s, z, i) => s + Math.log1p(Math.exp(z)) - labels[i]! * z, 0) / 3;
    const schedule = DiffusionSchedule.linear();
    const plain = torch.noGrad(() => diffusionLoss(model, x, new torch.Generator(5), schedule).item());
    const withLabels = torch.noGrad(() => labelledLoss(model, x, labels, new torch.Generator(5), schedule, undefined, 0.25));
    expect(bce).toBeGreaterThan(0.1);
    expect(withLabels.bce).toBeCloseTo(bce, 5);
    expect(withLabels.loss.item() - plain).toBeCloseTo(0.25 * bce, 5);
    model.dispose();
  });
});

describe('train-dae --label-weight', () => {
  let tmp: string;
  let args: (out: string) => string[];
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'hsa-label-'));
    const rows = [0, 1].map((i) => writeVertebra(tmp, `r${i}`, 60 + i));
    writeFileSync(join(tmp, 'm.csv'), `image,seg_msk,label\n${rows.map((r, i) => `${r.image},${r.mask},${i}`).join('\n')}\n`);
    args = (out) => ['train-dae', '--manifest', join(tmp, 'm.csv'), '--out', join(tmp, out), '--preset', 'small', '--samples', '2', '--batch-size', '2', '--preview-every', '0'];
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterAll(() => {
    vi.restoreAllMocks();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('is recorded in the checkpoint and the model file, and a resume must keep it', async () => {
    await hsa(...args('a'), '--label-weight', '0.001');
    expect(JSON.parse(readSafetensors(join(tmp, 'a', 'checkpoint.safetensors')).metadata.options!).labelWeight).toBe(0.001);
    expect(readSafetensors(join(tmp, 'a', 'model.safetensors')).metadata.label_weight).toBe('0.001');
    const log = JSON.parse(readFileSync(join(tmp, 'a', 'train-log.jsonl'), 'utf8').trim());
    expect(log.labelBce).toBeGreaterThan(0);
    await expect(hsa(...args('a'), '--samples', '4', '--resume')).rejects.toThrow(/labelWeight=0.001, not 0/);
  });
  it('refuses healthy-only training and a negative weight', async () => {
    await expect(hsa(...args('b'), '--label-weight', '0.001', '--healthy-only')).rejects.toThrow(/both classes/);
    await expect(hsa(...args('c'), '--label-weight', '-1')).rejects.toThrow(/≥ 0/);
  });
});
