// A queue that cannot be reached, or is not named right, fails at once with one line and leaves nothing
// behind; no redis-server is needed for these.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hsa } from '../helpers/cli.js';
import { STEPS, writeRunInputs } from './fixtures.js';
import { freePort, startWorker } from './servers.js';

let tmp: string;
let inputs: ReturnType<typeof writeRunInputs>;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-queue-errors-'));
  inputs = writeRunInputs(tmp, 2);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('an unreachable or wrong queue', () => {
  it('hsa worker against a port where no Redis listens exits non-zero within seconds, saying so in one line', async () => {
    const port = await freePort();
    const started = Date.now();
    const w = startWorker(['--queue', `redis://127.0.0.1:${port}`, '--device', 'cpu']);
    const code = await w.exited;
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    // The first line is --device's choice, printed by every network command.
    expect(w.output().trim()).toBe(`worker: device cpu\nhsa: redis://127.0.0.1:${port}: cannot reach Redis (connect ECONNREFUSED 127.0.0.1:${port})`);
  }, 60_000);

  it('hsa segment --queue fails the same way before writing anything', async () => {
    const port = await freePort();
    const out = join(tmp, 'never');
    await expect(hsa('segment', '--manifest', inputs.manifest, '--model', inputs.modelDir, '--out', out, ...STEPS, '--queue', `redis://127.0.0.1:${port}`)).rejects.toThrow(
      `redis://127.0.0.1:${port}: cannot reach Redis (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a queue that is not a redis:// URL, and --queue or --shard without a manifest or together', async () => {
    const out = join(tmp, 'never');
    const base = ['segment', '--model', inputs.modelDir, '--out', out];
    await expect(hsa(...base, '--manifest', inputs.manifest, '--queue', 'http://127.0.0.1:6379')).rejects.toThrow("--queue 'http://127.0.0.1:6379': the queue is Redis, give redis://HOST:PORT (or rediss:// for TLS)");
    await expect(hsa(...base, '--manifest', inputs.manifest, '--queue', '127.0.0.1:6379')).rejects.toThrow(/the queue is Redis|is not a URL/);
    await expect(hsa(...base, '--image', inputs.images[0]!, '--mask', inputs.images[0]!, '--queue', 'redis://127.0.0.1:1')).rejects.toThrow('--shard and --queue go with --manifest');
    await expect(hsa(...base, '--manifest', inputs.manifest, '--shard', '0/2', '--queue', 'redis://127.0.0.1:1')).rejects.toThrow('--shard and --queue split a run two ways; give one');
    expect(existsSync(out)).toBe(false);
  });
});
