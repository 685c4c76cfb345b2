import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as torch from '../../../src/tensor/index.js';
import { DiffusionSchedule } from '../../../src/model/diffusion.js';
import { CF_HEALTHY_LOGIT, CF_PROXIMITY, CF_T_MAX, CF_T_MIN, counterfactualLoss } from '../../../src/method/training/counterfactual.js';
import { readSafetensors } from '../../../src/io/safetensors.js';
import { hsa } from '../../helpers/cli.js';
import { tinyModel, tinySlice, writeVertebra } from '../attribution/fixtures.js';

const batch = () => torch.tensor(Float32Array.from([1, 2, 3].flatMap((s) => Array.from(tinySlice(s).image))), [3, 1, 16, 16]);
const softplus = (v: number) => Math.log1p(Math.exp(v));

describe('counterfactualLoss', () => {
  it('is nothing for a batch without malignant images', () => {
    const model = tinyModel();
    const x = batch();
    const z = torch.noGrad(() => model.encode(x));
    expect(counterfactualLoss(model, model, x, z, Float32Array.from([0, 0, 0]), new torch.Generator(1), DiffusionSchedule.linear(), 1)).toBeNull();
    model.dispose();
  });

  it('is μ·(BCE(judge z₀ of the healthy-z₀ x0 prediction, 0) + proximity·L1 to the own-z prediction) over the malignant rows', () => {
    const model = tinyModel(3);
    const judge = tinyModel(4);
    const x = batch();
    const labels = Float32Array.from([1, 0, 1]);
    const schedule = DiffusionSchedule.linear();
    const z = torch.noGrad(() => model.encode(x));
    const got = torch.noGrad(() => counterfactualLoss(model, judge, x, z, labels, new torch.Generator(9), schedule, 0.5))!;
    // By hand, with the same draws: t for the 2 malignant rows, then their noise.
    const gen = new torch.Generator(9);
    const t = torch.randint(CF_T_MIN, CF_T_MAX, [2], gen).toNumbers();
    const noise = torch.randn([2, 1, 16, 16], gen);
    const want = torch.noGrad(() => torch.tidy(() => {
      const zf = z.toFloat32Array();
      const d = z.size(1);
      const rows = [0, 2];
      const xm = torch.tensor(Float32Array.from(rows.flatMap((r) => Array.from(tinySlice(r + 1).image))), [2, 1, 16, 16]);
      const zOwn = torch.tensor(Float32Array.from(rows.flatMap((r) => Array.from(zf.subarray(r * d, (r + 1) * d)))), [2, d]);
      const zHealthy = torch.tensor(Float32Array.from(rows.flatMap((r) => [CF_HEALTHY_LOGIT, ...Array.from(zf.subarray(r * d + 1, (r + 1) * d))])), [2, d]);
      const ab = t.map((s) => schedule.alphasCumprod[s]!);
      const col = (f: (a: number) => number) => torch.tensor(Float32Array.from(ab, f), [2, 1, 1, 1]);
      const xt = xm.mul(col(Math.sqrt)).add(noise.mul(col((a) => Math.sqrt(1 - a))));
      const tt = torch.tensor(BigInt64Array.from(t, BigInt), [2], 'int64');
      const x0 = (zz: torch.Tensor) => xt.sub(model.forward(xt, tt, zz).mul(col((a) => Math.sqrt(1 - a)))).div(col(Math.sqrt)).clamp(-1, 1);
      const healthy = x0(zHealthy);
      const l1 = healthy.sub(x0(zOwn)).abs().mean().item();
      const judged = Array.from(judge.encode(healthy).toFloat32Array()).filter((_, i) => i % d === 0);
      const bce = judged.reduce((s, v) => s + softplus(v), 0) / 2;
      return { bce, l1 };
    }));
    expect(want.bce).toBeGreaterThan(0.01);
    expect(got.bce).toBeCloseTo(want.bce, 5);
    expect(got.l1).toBeCloseTo(want.l1, 5);
    expect(got.loss.item()).toBeCloseTo(0.5 * (want.bce + CF_PROXIMITY * want.l1), 5);
    model.dispose();
    judge.dispose();
  });

  it('trains the decoder only: no gradient reaches the encoder or the judge', () => {
    const model = tinyModel(3).train();
    const judge = tinyModel(4);
    for (const p of judge.parameters()) p.requiresGrad_(false);
    const x = batch();
    const z = model.encode(x);
    const { loss } = counterfactualLoss(model, judge, x, z, Float32Array.from([1, 1, 0]), new torch.Generator(2), DiffusionSchedule.linear(), 1)!;
    loss.backward();
    const gradAbs = (ps: torch.Tensor[]) => ps.reduce((s, p) => s + (p.grad ? p.grad.abs().sum().item() : 0), 0);
    expect(gradAbs(model.encoder.parameters())).toBe(0);
    expect(gradAbs(model.parameters())).toBeGreaterThan(0);
    expect(judge.parameters().every((p) => p.grad === undefined)).toBe(true);
    model.dispose();
    judge.dispose();
  });
});

describe('train-dae --counterfactual-weight', () => {
  let tmp: string;
  let args: (out: string) => string[];
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'hsa-cf-'));
    const rows = [0, 1].map((i) => writeVertebra(tmp, `r${i}`, 70 + i));
    writeFileSync(join(tmp, 'm.csv'), `image,seg_msk,label\n${rows.map((r, i) => `${r.image},${r.mask},${i}`).join('\n')}\n`);
    args = (out) => ['train-dae', '--manifest', join(tmp, 'm.csv'), '--out', join(tmp, out), '--preset', 'small', '--samples', '4', '--batch-size', '2', '--preview-every', '0', '--log-every', '1'];
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterAll(() => {
    vi.restoreAllMocks();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('logs the term, records it in the model file, and a resume must keep it', async () => {
    await hsa(...args('a'), '--label-weight', '0.001', '--counterfactual-weight', '0.002');
    expect(readSafetensors(join(tmp, 'a', 'model.safetensors')).metadata.counterfactual_weight).toBe('0.002');
    const log = readFileSync(join(tmp, 'a', 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.some((e) => e.cfBce > 0 && e.cfL1 >= 0)).toBe(true);
    await expect(hsa(...args('a'), '--samples', '8', '--label-weight', '0.001', '--resume')).rejects.toThrow(/counterfactualWeight=0.002, not 0/);
  });

  it('needs a label weight and refuses a negative weight', async () => {
    await expect(hsa(...args('b'), '--counterfactual-weight', '0.001')).rejects.toThrow(/needs a label weight/);
    await expect(hsa(...args('c'), '--label-weight', '0.001', '--counterfactual-weight', '-1')).rejects.toThrow(/≥ 0/);
  });
});
