import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { register } from '../../src/cli/commands/convert.js';
import { loadDiffAE } from '../../src/model/checkpoint.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { GOLDEN_DAE as GOLDEN } from '../helpers/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'hsa-convert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): Promise<Command> {
  const program = new Command('hsa').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  register(program);
  return program.parseAsync(['node', 'hsa', ...args]);
}

describe('hsa convert-checkpoint', () => {
  it('writes the chosen weights with the config, loadable without a config', async () => {
    const out = join(tmp, 'raw.safetensors');
    await cli('convert-checkpoint', join(GOLDEN, 'model.ckpt'), out, '--prefix', 'model.', '--config', join(GOLDEN, 'config.json'));
    const file = readSafetensors(out);
    expect(file.tensors.size).toBe(498);
    expect(file.metadata.prefix).toBe('model.');
    const converted = loadDiffAE(out);
    const direct = loadDiffAE(join(GOLDEN, 'model.ckpt'), { prefix: 'model.' });
    const a = converted.stateDict();
    for (const [k, t] of direct.stateDict()) expect(t.sub(a.get(k)!).abs().max().item(), k).toBe(0);
    converted.dispose();
    direct.dispose();
  });
  it('refuses an unknown prefix', async () => {
    await expect(cli('convert-checkpoint', join(GOLDEN, 'model.ckpt'), join(tmp, 'x.safetensors'), '--prefix', 'foo.')).rejects.toThrow(/ema_model\./);
  });
});
