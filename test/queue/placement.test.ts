// `hsa worker --device/--precision`: the placement reaches the job processes BullMQ forks (through their
// environment, not the job payload), is checked there, and a device this machine lacks stops the worker
// before it connects to the queue.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { placementEnv, placementFromEnv } from '../../src/method/queue/placement.js';
import { hsa } from '../helpers/cli.js';
import { STEPS, writeRunInputs } from './fixtures.js';
import { freePort, redisMissing, type RedisServer, startRedis, startWorker, type WorkerProcess } from './servers.js';

const missing = redisMissing();

describe('the handoff of a worker placement to its job processes', () => {
  it('reads back what the worker sets, cpu and fp32 where unset, and names the variable of a bad value', () => {
    expect(placementFromEnv(placementEnv({ device: 'cpu', precision: 'bf16' }))).toEqual({ device: 'cpu', precision: 'bf16' });
    expect(placementFromEnv({})).toEqual({ device: 'cpu', precision: 'fp32' });
    expect(() => placementFromEnv({ HSA_PRECISION: 'fp16' })).toThrow("HSA_PRECISION='fp16' (hsa worker --precision): not a precision (fp32, bf16)");
    expect(() => placementFromEnv({ HSA_DEVICE: 'gpu' })).toThrow("HSA_DEVICE='gpu' (hsa worker --device): 'gpu' is not a device (auto, cpu, cuda or cuda:N)");
  });

  it('hsa worker --device with a GPU that is not there fails in one line before connecting to the queue', async () => {
    const port = await freePort();
    const w = startWorker(['--queue', `redis://127.0.0.1:${port}`, '--device', 'cuda:999']);
    expect(await w.exited).toBe(1);
    // Not the ECONNREFUSED line: the device is resolved first. No CUDA here, or fewer than 1000 GPUs there.
    expect(w.output().trim()).toMatch(/^hsa: --device cuda:999: (CUDA is not available \(.*\); use --device cpu or auto|only \d+ CUDA devices? \(.*\))$/);
  }, 60_000);
});

describe.skipIf(missing !== undefined)('hsa worker --device cpu --precision bf16', () => {
  let tmp: string | undefined;
  let redis: RedisServer | undefined;
  let worker: WorkerProcess | undefined;
  afterAll(async () => {
    worker?.kill();
    await redis?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('runs its jobs with the model in bf16 on the CPU', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'hsa-queue-placement-'));
    const inputs = writeRunInputs(tmp, 2);
    redis = await startRedis();
    worker = startWorker(['--queue', redis.url, '--device', 'cpu', '--precision', 'bf16']);
    await worker.waitFor(/takes jobs from .*, cpu, bf16\)/);
    await hsa('segment', '--manifest', inputs.manifest, '--model', inputs.modelDir, '--out', join(tmp, 'run'), ...STEPS, '--queue', redis.url);
    // The job process reports the loaded model's device and precision.
    expect(worker.output()).toMatch(/job \S+: done in [\d.]+ s \(c0, c1; 2 written\) on cpu, bf16$/m);
  }, 180_000);
});
