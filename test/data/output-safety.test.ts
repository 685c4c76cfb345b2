// Nothing of the user's is lost: outputs never replace inputs or files the command did not create, and an
// output folder is never removed or merged into.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readInputFile, withOutputDir, writeFileAtomic } from '../../src/data/files.js';
import { saveDiffAE } from '../../src/model/checkpoint.js';
import { hsa } from '../helpers/cli.js';
import { tinyModel, TINY_CONFIG, writeVertebra } from '../method/attribution/fixtures.js';
import { writeSegmentFixture } from '../report/segment-fixture.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-safety-'));
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(tmp, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates new files only, unless the caller replaces its own; never an input', () => {
    const p = join(tmp, 'a.txt');
    writeFileAtomic(p, 'one');
    expect(() => writeFileAtomic(p, 'two')).toThrow(/a\.txt: exists; refusing to replace a file this command did not create/);
    writeFileAtomic(p, 'three', { replace: true });
    expect(readFileSync(p, 'utf8')).toBe('three');
    readInputFile(p);
    expect(() => writeFileAtomic(p, 'four', { replace: true })).toThrow(/a\.txt: refusing to overwrite an input file/);
    expect(readFileSync(p, 'utf8')).toBe('three');
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('withOutputDir', () => {
  it('keeps a file that appears in the output folder during the run, and says where the results are', async () => {
    const out = join(tmp, 'out1');
    mkdirSync(out);
    const run = withOutputDir(out, async (dir) => {
      writeFileSync(join(dir, 'result.txt'), 'mine');
      writeFileSync(join(out, 'theirs.txt'), 'theirs'); // someone else writes there mid-run
    });
    await expect(run).rejects.toThrow(/out1: something else wrote there during the run \(ENOTEMPTY\); the results are in .*out1\.partial-/);
    expect(readFileSync(join(out, 'theirs.txt'), 'utf8')).toBe('theirs');
    const staging = readdirSync(tmp).find((f) => f.startsWith('out1.partial-'))!;
    expect(readFileSync(join(tmp, staging, 'result.txt'), 'utf8')).toBe('mine');
  });
  it('two runs on one folder: the first to finish wins, the other cannot clobber it', async () => {
    const out = join(tmp, 'out2');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = withOutputDir(out, async (dir) => {
      await gate;
      writeFileSync(join(dir, 'who'), 'slow');
    });
    await withOutputDir(out, (dir) => writeFileSync(join(dir, 'who'), 'fast'));
    release();
    await expect(slow).rejects.toThrow(/something else wrote there/);
    expect(readFileSync(join(out, 'who'), 'utf8')).toBe('fast');
  });
  it('names a file given as the folder', async () => {
    const f = join(tmp, 'plain-file');
    writeFileSync(f, 'x');
    await expect(withOutputDir(f, () => undefined)).rejects.toThrow(/plain-file: exists and is not a folder/);
    await expect(withOutputDir(join(f, 'sub', 'out'), () => undefined)).rejects.toThrow(/plain-file\/sub\/out: cannot be created: .*plain-file is a file, not a folder/);
  });
});

describe('commands do not write over what they read', () => {
  it('convert-checkpoint refuses to write its output over the config it read', async () => {
    const dir = join(tmp, 'conv');
    mkdirSync(dir);
    const model = join(dir, 'model.safetensors');
    saveDiffAE(tinyModel(), model);
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify(TINY_CONFIG));
    const before = readFileSync(config);
    await expect(hsa('convert-checkpoint', model, config, '--config', config)).rejects.toThrow(/config\.json: refusing to overwrite an input file/);
    expect(readFileSync(config)).toEqual(before);
    await expect(hsa('convert-checkpoint', model, model)).rejects.toThrow(/model\.safetensors: refusing to overwrite an input file/);
  });
  it('train-classifier refuses --out naming its manifest, before any work', async () => {
    const dir = join(tmp, 'tc');
    mkdirSync(dir);
    saveDiffAE(tinyModel(), join(dir, 'model.safetensors'));
    const rows = [0, 1, 2, 3].map((i) => writeVertebra(dir, `c${i}`, 30 + i));
    const manifest = join(dir, 'm.csv');
    writeFileSync(manifest, `image,seg_msk,label\n${rows.map((r, i) => `${r.image},${r.mask},${i % 2}`).join('\n')}\n`);
    const before = readFileSync(manifest);
    await expect(hsa('train-classifier', '--manifest', manifest, '--model', dir, '--out', manifest)).rejects.toThrow(/m\.csv: refusing to overwrite an input file/);
    expect(readFileSync(manifest)).toEqual(before);
  });
  it('report refuses to write the HTML over a result it read', async () => {
    const seg = join(tmp, 'seg');
    writeSegmentFixture(seg, ['case-a']);
    const target = join(seg, 'case-a', 'result.json');
    const before = readFileSync(target);
    await expect(hsa('report', '--seg', seg, '--out', target)).rejects.toThrow(/result\.json: refusing to overwrite an input file/);
    expect(readFileSync(target)).toEqual(before);
  });
  it('train-dae does not start a new run over a model file that is already in --out', async () => {
    const dir = join(tmp, 'run');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.safetensors'), 'precious');
    const rows = [0, 1].map((i) => writeVertebra(tmp, `t${i}`, 20 + i));
    writeFileSync(join(tmp, 'm.csv'), `image,seg_msk,label\n${rows.map((r) => `${r.image},${r.mask},0`).join('\n')}\n`);
    writeFileSync(join(tmp, 'tiny.json'), JSON.stringify(TINY_CONFIG));
    const args = ['train-dae', '--manifest', join(tmp, 'm.csv'), '--out', dir, '--config', join(tmp, 'tiny.json'), '--samples', '1', '--batch-size', '1', '--preview-every', '0'];
    await expect(hsa(...args)).rejects.toThrow(/run: already holds model\.safetensors but no checkpoint\.safetensors/);
    expect(readFileSync(join(dir, 'model.safetensors'), 'utf8')).toBe('precious');
    rmSync(join(dir, 'model.safetensors'));
    await hsa(...args); // the same run in a folder without it
    expect(existsSync(join(dir, 'model.safetensors'))).toBe(true);
  });
});
