// hsa segment --queue with three `hsa worker`s (one libtorch thread each) on a private redis-server: one
// worker killed mid-job, its job retried by another, and every vertebra once in the run folder, byte for byte
// what a single-process run writes; malformed jobs rejected unrun.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/method/attribution/options.js';
import { hsa } from '../helpers/cli.js';
import { STEPS, writeRunInputs } from './fixtures.js';
import { redisMissing, type RedisServer, startRedis, startWorker, type WorkerProcess } from './servers.js';

const missing = redisMissing();
if (missing) console.warn(`test/queue: ${missing}`);

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const CASES = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
const CASE_FILES = ['figure.png', 'lesions.nii.gz', 'maps.safetensors', 'result.json'];

describe.skipIf(missing !== undefined)('hsa segment --queue with hsa worker', () => {
  let tmp: string;
  let redis: RedisServer;
  let inputs: ReturnType<typeof writeRunInputs>;
  let workers: WorkerProcess[] = [];
  let queue: Queue;
  const local = () => join(tmp, 'local');
  const queued = () => join(tmp, 'queued');

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'hsa-queue-'));
    inputs = writeRunInputs(tmp, CASES.length);
    redis = await startRedis();
    // Short locks: a killed worker's job goes back to the queue within seconds, not the default minute.
    workers = [0, 1, 2].map(() => startWorker(['--queue', redis.url, '--lock-duration', '2000', '--stalled-interval', '1000']));
    queue = new Queue('hsa-segment', { connection: { url: redis.url } });
    await hsa('segment', '--manifest', inputs.manifest, '--model', inputs.modelDir, '--out', local(), ...STEPS);
    await Promise.all(workers.map((w) => w.waitFor(/takes jobs from/)));
  }, 180_000);

  afterAll(async () => {
    for (const w of workers) w.kill();
    await queue?.close();
    await redis?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('retries the job of a worker killed mid-job elsewhere; each vertebra once, labels byte for byte the single-process run', async () => {
    const submitted = hsa('segment', '--manifest', inputs.manifest, '--model', inputs.modelDir, '--out', queued(), ...STEPS, '--queue', redis.url);
    // The first worker to start a job is killed (with its job process) once the job reports progress.
    let victim: WorkerProcess | undefined;
    let jobId = '';
    while (!victim) {
      for (const w of workers) {
        const m = /job (\S+) \(2 vertebrae, attempt 1\/3\): started/.exec(w.output());
        if (m && !victim) [victim, jobId] = [w, m[1]!];
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    while (!(Number((await queue.getJob(jobId))?.progress ?? 0) > 0)) await new Promise((r) => setTimeout(r, 50));
    expect(await (await queue.getJob(jobId))!.getState()).toBe('active');
    victim.kill();
    // It dies with its scratch folder in the run folder and no result of its job there.
    expect(readdirSync(queued()).some((e) => e.startsWith('.tmp-'))).toBe(true);
    await submitted;

    const others = workers.filter((w) => w !== victim);
    expect(victim.output()).not.toMatch(new RegExp(`job ${jobId}: done`));
    expect(others.map((w) => w.output()).join('\n')).toMatch(new RegExp(`job ${jobId}: done in [\\d.]+ s \\(c\\d, c\\d; 2 written\\)`));
    expect(readdirSync(queued()).sort()).toEqual([...CASES, 'run.json', 'summary.csv']);
    for (const c of CASES) {
      expect(readdirSync(join(queued(), c)).sort()).toEqual(CASE_FILES);
      for (const f of ['lesions.nii.gz', 'result.json']) expect(sha(join(queued(), c, f)), `${c}/${f}`).toBe(sha(join(local(), c, f)));
    }
    expect(readFileSync(join(queued(), 'summary.csv'), 'utf8')).toBe(readFileSync(join(local(), 'summary.csv'), 'utf8'));
    const run = JSON.parse(readFileSync(join(queued(), 'run.json'), 'utf8'));
    const localRun = JSON.parse(readFileSync(join(local(), 'run.json'), 'utf8'));
    expect({ ...run, seconds: 0 }).toEqual({ ...localRun, seconds: 0 });
    expect(run.vertebrae).toBe(6);
    // The gathered run's jobs are gone from the queue.
    expect(await queue.getJobCounts('completed', 'failed', 'wait', 'active')).toEqual({ completed: 0, failed: 0, wait: 0, active: 0 });
  }, 240_000);

  it('rejects malformed jobs without running or retrying them, and keeps taking jobs', async () => {
    const good = {
      version: 1, outDir: queued(), model: join(inputs.modelDir, 'model.safetensors'), modelSha256: sha(join(inputs.modelDir, 'model.safetensors')),
      classifier: join(inputs.modelDir, 'classifier.json'), classifierSha256: sha(join(inputs.modelDir, 'classifier.json')),
      options: resolveOptions({ vertebraeBatch: 2 }), items: [{ image: inputs.images[0]!, mask: inputs.images[0]!.replace('.nii.gz', '_seg.nii.gz') }],
    };
    const bad: [string, unknown, RegExp][] = [
      ['not-an-object', 'segment everything', /^malformed job payload: not an object$/],
      ['relative-path', { ...good, items: [{ image: 'c0.nii.gz', mask: good.items[0]!.mask }] }, /^malformed job payload: items\[0\]\.image must be an absolute path$/],
      ['extra-field', { ...good, command: 'rm -rf /' }, /^malformed job payload: the job has unknown field\(s\) command$/],
      ['too-many', { ...good, items: [good.items[0], good.items[0], good.items[0]] }, /more than options\.vertebraeBatch \(2\)/],
      ['bad-option', { ...good, options: { ...good.options, minSize: -1 } }, /^malformed job payload: attribution: minSize must be a positive integer, got -1$/],
      // Well formed, but for a run that is complete: a stale job must not write into it.
      ['finished-run', good, /the run is already complete \(run\.json\)/],
    ];
    const before = readdirSync(queued()).sort();
    for (const [id, data] of bad) await queue.add('segment', data, { jobId: `bad-${id}`, attempts: 3 });
    for (const [id, , reason] of bad) {
      for (let state = ''; state !== 'failed'; state = await queue.getJobState(`bad-${id}`)) {
        expect(state, id).not.toBe('completed');
        await new Promise((r) => setTimeout(r, 100));
      }
      const job = await queue.getJob(`bad-${id}`);
      expect(job!.failedReason, id).toMatch(reason);
      expect(job!.attemptsMade, id).toBe(1);
    }
    expect(readdirSync(queued()).sort()).toEqual(before);
    const survivors = workers.filter((w) => w.proc.exitCode === null && w.proc.signalCode === null);
    expect(survivors).toHaveLength(2);
    expect(survivors.map((w) => w.output()).join('\n')).toMatch(/job bad-not-an-object: attempt 1\/3 failed \(rejected, not retried\): malformed job payload: not an object/);
    // A new run is still taken and completed by the workers that rejected the bad jobs.
    const again = join(tmp, 'again');
    await hsa('segment', '--manifest', inputs.manifest, '--model', inputs.modelDir, '--out', again, ...STEPS, '--queue', redis.url);
    expect(sha(join(again, 'c3', 'lesions.nii.gz'))).toBe(sha(join(local(), 'c3', 'lesions.nii.gz')));
    expect(existsSync(join(again, '.hsa-segment.json'))).toBe(false);
  }, 240_000);
});
