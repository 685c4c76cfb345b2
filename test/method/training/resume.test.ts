// A training run killed with SIGKILL resumes from its last checkpoint and continues the same loss curve,
// step for step, as a run that was never interrupted.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePhantomDataset } from '../../../src/data/phantom/dataset.js';
import { readSafetensors } from '../../../src/io/safetensors.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(root, 'test/helpers/hsa-cli.ts');
const config = join(root, 'test/fixtures/micro-dae.json');
let tmp: string;

const args = (out: string) => [
  '--import', 'tsx', cli, 'train-dae', '--manifest', join(tmp, 'data/manifest.csv'), '--out', out, '--config', config,
  '--samples', '16', '--batch-size', '2', '--checkpoint-every', '2', '--log-every', '1', '--preview-every', '0', '--seed', '5',
];
const losses = (dir: string) =>
  readFileSync(join(dir, 'train-log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { step, loss } = JSON.parse(l) as { step: number; loss: number };
      return { step, loss };
    });

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-resume-'));
  await writePhantomDataset(join(tmp, 'data'), { count: 13, seed: 1, difficulty: 'default' });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('train-dae resume', () => {
  it('continues the loss curve exactly after SIGKILL', async () => {
    const a = spawnSync(process.execPath, args(join(tmp, 'a')), { cwd: root, encoding: 'utf8' });
    expect(a.status, a.stderr).toBe(0);
    const full = losses(join(tmp, 'a'));
    expect(full.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const bDir = join(tmp, 'b');
    const child = spawn(process.execPath, args(bDir), { cwd: root, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    // Kill between checkpoints: after step 5 is logged, the last checkpoint is step 4.
    while (!(existsSync(join(bDir, 'train-log.jsonl')) && losses(bDir).length >= 5)) {
      if (child.exitCode !== null) throw new Error('training ended before it could be killed');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;
    expect(readSafetensors(join(bDir, 'model.safetensors')).metadata.finished).toBe('false');

    const again = spawnSync(process.execPath, args(bDir), { cwd: root, encoding: 'utf8' });
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/pass --resume/);

    const resumed = spawnSync(process.execPath, [...args(bDir), '--resume'], { cwd: root, encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming at step [46]/);
    expect(losses(bDir)).toEqual(full);
    expect(readSafetensors(join(bDir, 'model.safetensors')).metadata).toMatchObject({ finished: 'true', trained_steps: '8' });
  });

  it('refuses to resume with a different seed', () => {
    const r = spawnSync(process.execPath, [...args(join(tmp, 'a')).map((v) => (v === '5' ? '6' : v)), '--resume'], { cwd: root, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/seed=5, not 6/);
  });
});
