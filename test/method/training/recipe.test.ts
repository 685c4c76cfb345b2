// train-dae --recipe: the CPU recipe's settings reach the run (and its checkpoint); explicit flags win.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readSafetensors } from '../../../src/io/safetensors.js';
import { hsa } from '../../helpers/cli.js';
import { TINY_CONFIG, writeVertebra } from '../attribution/fixtures.js';

let tmp: string;
let args: (out: string) => string[];
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-recipe-'));
  const rows = [0, 1].map((i) => writeVertebra(tmp, `r${i}`, 60 + i));
  writeFileSync(join(tmp, 'm.csv'), `image,seg_msk,label\n${rows.map((r) => `${r.image},${r.mask},0`).join('\n')}\n`);
  writeFileSync(join(tmp, 'tiny.json'), JSON.stringify({ ...TINY_CONFIG, dropout: 0.1 }));
  args = (out) => ['train-dae', '--manifest', join(tmp, 'm.csv'), '--out', join(tmp, out), '--config', join(tmp, 'tiny.json'), '--samples', '8', '--preview-every', '0'];
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(tmp, { recursive: true, force: true });
});

const runOf = (out: string) => {
  const meta = readSafetensors(join(tmp, out, 'checkpoint.safetensors')).metadata;
  return { options: JSON.parse(meta.options!), config: JSON.parse(meta.config!) };
};

describe('train-dae --recipe', () => {
  it('cpu: batch 8, lr 2e-4, trunc-snr γ 200, dropout 0', async () => {
    await hsa(...args('cpu'), '--recipe', 'cpu');
    const { options, config } = runOf('cpu');
    expect(options).toMatchObject({ batchSize: 8, lr: 2e-4, lossWeighting: 'trunc-snr', snrGamma: 200 });
    expect(config.dropout).toBe(0);
  });
  it('reference is the default; explicit flags override a recipe', async () => {
    await hsa(...args('ref'), '--batch-size', '4');
    expect(runOf('ref').options).toMatchObject({ batchSize: 4, lr: 1e-4, lossWeighting: 'eps' });
    expect(runOf('ref').config.dropout).toBe(0.1);
    await hsa(...args('mixed'), '--recipe', 'cpu', '--lr', '5e-4', '--dropout', '0.2');
    expect(runOf('mixed').options).toMatchObject({ batchSize: 8, lr: 5e-4, lossWeighting: 'trunc-snr' });
    expect(runOf('mixed').config.dropout).toBe(0.2);
  });
});
