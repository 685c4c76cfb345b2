// `hsa reconstruct` on a micro model (random weights) and the reference crop: its two files in a new folder,
// and a clear refusal of an --out that is a file or a folder with something in it.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readSafetensors } from '../../src/io/safetensors.js';
import { hsa, writeMicroModel } from '../helpers/cli.js';
import { REFERENCE_SAMPLE } from '../helpers/fixtures.js';

let tmp: string;
let model: string;
const run = (out: string) =>
  hsa('reconstruct', '--model', model, '--image', join(REFERENCE_SAMPLE, 'sample_ct.nii'), '--out', out, '--inversion-steps', '2', '--render-steps', '2');

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-recon-'));
  model = writeMicroModel(join(tmp, 'model'));
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(tmp, { recursive: true, force: true });
});

describe('hsa reconstruct', () => {
  it('writes the figure and the tensors into a new folder', async () => {
    await run(join(tmp, 'out'));
    expect(readdirSync(join(tmp, 'out')).sort()).toEqual(['reconstruction.png', 'reconstruction.safetensors']);
    const { tensors } = readSafetensors(join(tmp, 'out', 'reconstruction.safetensors'));
    expect([...tensors.keys()].sort()).toEqual(['recon', 'x', 'xT', 'z']);
    expect(tensors.get('x')!.shape).toEqual([1, 1, 64, 64]);
    expect(String(vi.mocked(console.log).mock.calls[0]?.[0])).toMatch(/^mean absolute reconstruction error \d\.\d{5} /);
  });

  it('refuses an --out that is a file, or a folder with files, and leaves them alone', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'mine');
    await expect(run(file)).rejects.toThrow(`${file}: exists and is not a folder`);
    const full = join(tmp, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'reconstruction.png'), 'mine');
    await expect(run(full)).rejects.toThrow(`${full}: output folder exists and is not empty`);
    expect(readdirSync(full)).toEqual(['reconstruction.png']);
  });
});
