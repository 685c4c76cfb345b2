import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/tensor/index.js';
import { CPU, PAPER, parseConfig, type DiffAEConfig } from '../../src/model/config.js';
import { DiffAE } from '../../src/model/diffae.js';
import { loadDiffAE, saveDiffAE } from '../../src/model/checkpoint.js';
import { diffusionLoss } from '../../src/model/diffusion.js';
import { GOLDEN_DAE as GOLDEN } from '../helpers/fixtures.js';

const TINY: DiffAEConfig = parseConfig(JSON.parse(readFileSync(join(GOLDEN, 'config.json'), 'utf8')));
const tmp = mkdtempSync(join(tmpdir(), 'hsa-dae-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('config', () => {
  it('reads the golden config.json in the reference names, defaults from the reference', () => {
    expect(TINY.model_channels).toBe(32);
    expect(TINY.enc_num_res_block).toBe(2);
    expect(TINY.enc_channel_mult).toEqual([1, 1, 2, 2, 2]);
    expect(TINY.in_channels).toBe(1);
    expect(TINY.resblock_updown).toBe(true);
  });
  it('rejects unknown fields and inconsistent sizes', () => {
    expect(() => parseConfig({ model_channel: 32 })).toThrow(/unknown model config field 'model_channel'/);
    expect(() => parseConfig({ enc_out_channels: 64 })).toThrow(/must match/);
    expect(() => parseConfig({ channel_mult: [] })).toThrow(/channel_mult/);
  });
});

describe('DiffAE', () => {
  const model = DiffAE.fromConfig(TINY, { seed: 3 });

  it('has the reference module tree and parameter shapes', () => {
    const sd = model.stateDict();
    expect(sd.size).toBe(498);
    const shape = (k: string) => sd.get(k)?.shape;
    expect(shape('time_embed.time_embed.0.weight')).toEqual([64, 32]);
    expect(shape('input_blocks.0.0.weight')).toEqual([32, 1, 3, 3]);
    expect(shape('input_blocks.1.0.emb_layers.1.weight')).toEqual([64, 64]);
    expect(shape('input_blocks.1.0.cond_emb_layers.1.weight')).toEqual([32, 64]);
    expect(shape('input_blocks.4.0.skip_connection.weight')).toEqual([64, 32, 1, 1]);
    expect(shape('input_blocks.7.1.qkv.weight')).toEqual([192, 64, 1]);
    expect(shape('middle_block.1.proj_out.weight')).toEqual([64, 64, 1]);
    expect(shape('output_blocks.0.0.in_layers.0.weight')).toEqual([128]);
    expect(shape('output_blocks.2.1.in_layers.2.weight')).toEqual([64, 64, 3, 3]);
    expect(shape('output_blocks.5.2.in_layers.2.weight')).toEqual([64, 64, 3, 3]);
    expect(shape('out.2.weight')).toEqual([1, 32, 3, 3]);
    expect(shape('encoder.out.3.weight')).toEqual([64, 64, 1, 1]);
    expect([...sd.keys()].filter((k) => k.includes('.h_upd') || k.includes('.x_upd') || k.includes('style'))).toEqual([]);
  });

  it('predicts zero ε at initialisation (zero-initialised output conv) and encodes to z', () => {
    torch.noGrad(() => {
      const x = torch.randn([3, 1, 64, 64], new torch.Generator(1));
      const z = model.encode(x);
      expect(z.shape).toEqual([3, 64]);
      const eps = model.forward(x, torch.tensor(new BigInt64Array([0n, 500n, 999n])), z);
      expect(eps.shape).toEqual([3, 1, 64, 64]);
      expect(eps.abs().max().item()).toBe(0);
    });
  });

  // Zero-initialised convs block the gradient at first: step 1 trains the output conv, step 2 the ResBlocks'
  // last convs, and from step 3 on the time embedding and the encoder (through z) receive gradients.
  it('trains the encoder jointly with the UNet', () => {
    const m = DiffAE.fromConfig(TINY, { seed: 4 });
    const opt = torch.Adam(m.parameters(), { lr: 1e-3 });
    const x = torch.rand([2, 1, 64, 64], new torch.Generator(2)).mul(2).sub(1);
    const gen = new torch.Generator(5);
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      torch.tidy(() => diffusionLoss(m, x, gen).backward());
      if (step < 2) opt.step();
    }
    const gradNorm = (k: string) => {
      const g = m.stateDict().get(k)!.grad;
      return g === undefined ? 0 : g.abs().sum().item();
    };
    expect(gradNorm('out.2.weight')).toBeGreaterThan(0);
    expect(gradNorm('encoder.input_blocks.0.0.weight')).toBeGreaterThan(0);
    expect(gradNorm('time_embed.time_embed.0.weight')).toBeGreaterThan(0);
    m.dispose();
  }, 60_000);

  it('saves and loads our safetensors with the config inside', () => {
    const path = join(tmp, 'm.safetensors');
    saveDiffAE(model, path);
    const back = loadDiffAE(path);
    expect(back.config).toEqual(TINY);
    expect(back.training).toBe(false);
    const loaded = back.stateDict();
    for (const [k, t] of model.stateDict()) expect(t.sub(loaded.get(k)!).abs().max().item(), k).toBe(0);
    back.dispose();
  });

  it('loads the EMA or raw weights of a reference checkpoint and names every mismatch', () => {
    const ema = loadDiffAE(join(GOLDEN, 'model.ckpt'), { config: join(GOLDEN, 'config.json') });
    const raw = loadDiffAE(join(GOLDEN, 'model.ckpt'), { prefix: 'model.' });
    expect(ema.stateDict().get('out.2.weight')!.abs().sum().item()).toBeGreaterThan(0);
    expect(raw.stateDict().size).toBe(498);
    expect(() => loadDiffAE(join(GOLDEN, 'model.ckpt'), { config: { ...TINY, embed_channels: 32, enc_out_channels: 32 } })).toThrow(
      /shape mismatch for time_embed\.time_embed\.0\.weight: expected \[32,32\], got \[64,32\]/,
    );
    ema.dispose();
    raw.dispose();
  });

  it('builds the presets', () => {
    expect(PAPER.enc_channel_mult).toEqual([1, 2, 4, 8, 8]);
    const cpu = DiffAE.fromConfig(CPU);
    expect(cpu.numParameters()).toBeLessThan(5e6);
    cpu.dispose();
  });
});
