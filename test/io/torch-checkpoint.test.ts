import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PyGlobal, PyObject } from '../../src/io/pickle.js';
import { loadStateDict, readTorchCheckpoint } from '../../src/io/torch-checkpoint.js';
import { GOLDEN_DAE } from '../helpers/fixtures.js';

const CKPT = join(GOLDEN_DAE, 'model.ckpt');
const TINY = fileURLToPath(new URL('../fixtures/io/tiny-torch.ckpt', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ckpt-'));

describe('torch checkpoint: hand-made archive (test/fixtures/io/make_fixtures.py)', () => {
  it('rebuilds contiguous, strided, int64 and 0-d tensors', () => {
    const sd = loadStateDict(TINY, { prefix: '' });
    expect(sd.get('net.w')).toEqual({ dtype: 'F32', shape: [2, 4], data: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]) });
    // offset 1, stride (1, 2): t[i, j] = 1 + i + 2j.
    expect(sd.get('net.wT')).toEqual({ dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 3, 5, 2, 4, 6]) });
    expect(sd.get('net.steps')).toEqual({ dtype: 'I64', shape: [2], data: BigInt64Array.from([5n, -6n]) });
    expect(sd.get('other.b')).toEqual({ dtype: 'F32', shape: [], data: Float32Array.from([7]) });
  });

  it('selects and strips a prefix, and says which prefixes exist when none match', () => {
    expect([...loadStateDict(TINY, { prefix: 'net.' }).keys()]).toEqual(['w', 'wT', 'steps']);
    expect(() => loadStateDict(TINY)).toThrow(/tiny-torch\.ckpt: no tensors under prefix 'ema_model\.' \(found: net\., other\.\)/);
  });

  it('names the file when it is not an archive', () => {
    const bad = join(tmp, 'bad.ckpt');
    writeFileSync(bad, 'not a zip');
    expect(() => readTorchCheckpoint(bad)).toThrow(/bad\.ckpt: cannot read torch checkpoint/);
  });
});

describe('torch checkpoint: golden Lightning checkpoint (dae-tiny64)', () => {
  // Architecture facts from config.json: model_channels 32, channel_mult (1,2,2,2), 2 res blocks, attention at
  // 16x16, embed 64, z 64, encoder channel_mult (1,1,2,2,2).
  const root = readTorchCheckpoint(CKPT) as Map<string, unknown>;
  const ema = loadStateDict(CKPT);
  const shape = (k: string) => ema.get(k)?.shape;

  it('holds an ema_model.* and a model.* copy of every parameter', () => {
    const sd = root.get('state_dict') as Map<string, unknown>;
    const model = loadStateDict(CKPT, { prefix: 'model.' });
    expect(ema.size).toBeGreaterThan(0);
    expect(sd.size).toBe(2 * ema.size);
    expect([...model.keys()].sort()).toEqual([...ema.keys()].sort());
  });

  it('has UNet shapes that follow from the config', () => {
    expect(shape('input_blocks.0.0.weight')).toEqual([32, 1, 3, 3]);
    expect(shape('time_embed.time_embed.0.weight')).toEqual([64, 32]);
    expect(shape('time_embed.time_embed.2.weight')).toEqual([64, 64]);
    expect(shape('out.2.weight')).toEqual([1, 32, 3, 3]);
    // 4 levels x (2 res blocks + 1 down/up block), less the last down: inputs 0..11; outputs 0..11.
    const blocks = (tree: string) => new Set([...ema.keys()].filter((k) => k.startsWith(`${tree}.`)).map((k) => Number(k.split('.')[1])));
    expect(Math.max(...blocks('input_blocks'))).toBe(11);
    expect(Math.max(...blocks('output_blocks'))).toBe(11);
    // Attention only at 16x16 (level 2: input blocks 7 and 8), 64 channels, 1 head: qkv is a 1-D conv to 3C.
    const attn = [...ema.keys()].filter((k) => k.startsWith('input_blocks.') && k.endsWith('.qkv.weight'));
    expect(attn).toEqual(['input_blocks.7.1.qkv.weight', 'input_blocks.8.1.qkv.weight']);
    expect(shape('input_blocks.7.1.qkv.weight')).toEqual([192, 64, 1]);
    expect(shape('middle_block.1.qkv.weight')).toEqual([192, 64, 1]);
  });

  it('has encoder shapes that follow from the config', () => {
    expect(shape('encoder.input_blocks.0.0.weight')).toEqual([32, 1, 3, 3]);
    // Last encoder level has 32 * 2 channels; GroupNorm, SiLU, pool, then a 1x1 conv to the 64-d z.
    expect(shape('encoder.out.0.weight')).toEqual([64]);
    expect(shape('encoder.out.3.weight')).toEqual([64, 64, 1, 1]);
    // Level 1 -> 2 doubles 32 to 64 channels, so the first level-2 block needs a 1x1 skip conv.
    expect(shape('encoder.input_blocks.7.0.skip_connection.weight')).toEqual([64, 32, 1, 1]);
    expect(Math.max(...[...ema.keys()].filter((k) => k.startsWith('encoder.input_blocks.')).map((k) => Number(k.split('.')[2])))).toBe(14);
  });

  it('tolerates the pickled config class and its enum', () => {
    const conf = (root.get('hyper_parameters') as Map<string, unknown>).get('conf') as PyObject;
    expect(conf.__class__).toBe('config.TrainConfig');
    const state = conf.state as Map<string, unknown>;
    expect(state.get('net_ch')).toBe(32);
    expect(state.get('net_ch_mult')).toEqual([1, 2, 2, 2]);
    expect((state.get('model_name') as PyGlobal).qualified).toBe('config.ModelName.beatgans_autoenc');
  });
});
