// npm run bench:queue [-- --model DIR --count N --seed S --vertebrae-batch N --schedule fast --noop-jobs N]
// Scale-out on this machine, everything on 127.0.0.1 (a private redis-server on a free port): the same phantom
// vertebrae segmented by one local process with 2 libtorch threads, through the queue by 1 worker × 2 threads,
// and by 2 workers × 1 thread. Prints vertebrae/s of each (wall time from the command's start to its exit,
// workers already waiting), whether the queued labels equal the local ones byte for byte (same thread count),
// the queue's cost per job (queued 1×2 minus local, per job: job hand-over, progress polling, the worker's
// child process and model load) and BullMQ's own round trip for an empty job. Runs the built CLI (dist/).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { writePhantomDataset } from '../src/data/phantom/dataset.js';
import { caseId } from '../src/method/evaluation/prediction-path.js';
import { startRedis } from '../test/queue/servers.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: resolve('models') },
    count: { type: 'string', default: '8' },
    seed: { type: 'string', default: '9191' },
    /** Vertebrae per job (and per local group, so that both batch alike). */
    'vertebrae-batch': { type: 'string', default: '2' },
    schedule: { type: 'string', default: 'fast' },
    'noop-jobs': { type: 'string', default: '200' },
  },
});

const HSA = resolve('bin/hsa.js');
if (!existsSync(resolve('dist/cli/commands/worker.js'))) throw new Error('bench:queue runs the built CLI: npm run build:ts first');

/** Runs `hsa args` to its exit; resolves its wall seconds, rejects with its output on failure. */
function hsa(cmd: string[], threads: number): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [HSA, ...cmd], { env: { ...process.env, HSA_NUM_THREADS: String(threads) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((ok, fail) => child.on('exit', (code) => (code === 0 ? ok((performance.now() - started) / 1000) : fail(new Error(`hsa ${cmd.join(' ')}: exit ${code}\n${out}`)))));
}

/** Starts `hsa worker` processes and resolves once all wait for jobs; stop() ends them (SIGTERM). */
async function workers(url: string, count: number, threads: number): Promise<{ stop(): Promise<void> }> {
  const procs = Array.from({ length: count }, () => spawn(process.execPath, [HSA, 'worker', '--queue', url], { env: { ...process.env, HSA_NUM_THREADS: String(threads) }, stdio: ['ignore', 'pipe', 'inherit'] }));
  await Promise.all(procs.map((p) => new Promise<void>((ok) => p.stdout.on('data', (d: Buffer) => String(d).includes('takes jobs') && ok()))));
  return { stop: async () => void (await Promise.all(procs.map((p) => new Promise((ok) => (p.once('exit', ok), p.kill('SIGTERM')))))) };
}

/** Mean ms from add to completion of an empty job, one at a time, and empty jobs/s when many wait. */
async function noopRoundTrip(url: string, n: number): Promise<{ latencyMs: number; perSecond: number }> {
  const connection = { url, maxRetriesPerRequest: null };
  const queue = new Queue('bench-noop', { connection });
  const events = new QueueEvents('bench-noop', { connection });
  const worker = new Worker('bench-noop', async () => 0, { connection });
  await Promise.all([events.waitUntilReady(), worker.waitUntilReady()]);
  queue.setMaxListeners(n + 10); // waitUntilFinished listens on the queue once per job
  let t = performance.now();
  for (let i = 0; i < n; i++) await (await queue.add('noop', { i })).waitUntilFinished(events);
  const latencyMs = (performance.now() - t) / n;
  t = performance.now();
  const jobs = await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'noop', data: { i } })));
  await Promise.all(jobs.map((j) => j.waitUntilFinished(events)));
  const perSecond = n / ((performance.now() - t) / 1000);
  await Promise.all([worker.close(), events.close(), queue.close()]);
  return { latencyMs, perSecond };
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** CPU seconds of this process's finished children and their children (cutime + cstime), which other jobs on the machine disturb less than wall time. */
function childrenCpu(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ is 100 on Linux
}

const dir = mkdtempSync(join(tmpdir(), 'hsa-bench-queue-'));
const redis = await startRedis();
try {
  const count = Number(args.count);
  const batch = Number(args['vertebrae-batch']);
  const rows = await writePhantomDataset(join(dir, 'set'), { count, seed: Number(args.seed), difficulty: 'default' });
  const jobs = Math.ceil(count / batch);
  const common = ['segment', '--manifest', join(dir, 'set', 'manifest.csv'), '--model', args.model!, '--schedule', args.schedule!, '--vertebrae-batch', String(batch)];
  console.log(`bench:queue: ${count} phantom vertebrae, ${jobs} jobs of ${batch}, schedule ${args.schedule}, model ${args.model}, redis ${redis.url}`);

  const cpu0 = childrenCpu();
  const local = await hsa([...common, '--out', join(dir, 'local')], 2);
  console.log(`local 1 process x 2 threads: ${local.toFixed(1)} s, vertebrae_per_s=${(count / local).toFixed(4)}, cpu_s_per_vertebra=${((childrenCpu() - cpu0) / count).toFixed(2)}`);
  const queued = async (name: string, n: number, threads: number) => {
    const w = await workers(redis.url, n, threads);
    const cpu = childrenCpu();
    let s = 0;
    try {
      s = await hsa([...common, '--out', join(dir, name), '--queue', redis.url], 1);
    } finally {
      await w.stop();
    }
    // CPU of the workers (counted once they exit), their job processes and the submitter.
    console.log(`queue ${n} worker(s) x ${threads} thread(s): ${s.toFixed(1)} s, vertebrae_per_s=${(count / s).toFixed(4)}, cpu_s_per_vertebra=${((childrenCpu() - cpu) / count).toFixed(2)}`);
    return s;
  };
  const oneByTwo = await queued('q1x2', 1, 2);
  const twoByOne = await queued('q2x1', 2, 1);
  const caseIds = rows.map((r) => caseId(r.image));
  const same = (run: string) => (caseIds.every((c) => sha(join(dir, run, c, 'lesions.nii.gz')) === sha(join(dir, 'local', c, 'lesions.nii.gz'))) ? 'yes' : 'no');
  console.log(`identical_labels_1x2_vs_local=${same('q1x2')} (both 2 threads), identical_labels_2x1_vs_local=${same('q2x1')} (1 thread against 2)`);
  console.log(`speedup_2x1_over_1x2=${(oneByTwo / twoByOne).toFixed(3)}`);
  console.log(`queue_cost_per_job_s=${((oneByTwo - local) / jobs).toFixed(2)} (queued 1x2 minus local, per job)`);
  const noop = await noopRoundTrip(redis.url, Number(args['noop-jobs']));
  console.log(`bullmq_noop_round_trip_ms=${noop.latencyMs.toFixed(2)} (one at a time), bullmq_noop_jobs_per_s=${noop.perSecond.toFixed(0)} (${args['noop-jobs']} waiting)`);
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
