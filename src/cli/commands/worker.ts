import { InvalidArgumentError, type Command } from 'commander';
import { QUEUE_NAME } from '../../method/queue/payload.js';
import { assertRedisReachable, displayUrl, parseQueueUrl } from '../../method/queue/redis.js';
import { startWorker, WORKER_DEFAULTS, WORKER_NAME } from '../../method/queue/worker.js';
import { addDeviceOptions, placement } from '../device.js';
import { int } from '../options.js';

function atLeast(min: number): (v: string) => number {
  return (v) => {
    const n = int(v);
    if (n < min) throw new InvalidArgumentError(`'${v}' must be at least ${min}`);
    return n;
  };
}

/** `hsa worker`: segments the jobs that `hsa segment --queue` enqueues, until stopped (docs/scale-out.md). */
export function register(program: Command): void {
  const command = program
    .command('worker')
    .description(`take segmentation jobs from the queue (${QUEUE_NAME} on Redis) that \`hsa segment --queue\` fills; runs until SIGTERM/Ctrl-C, which finish the jobs in hand (docs/scale-out.md)`)
    .requiredOption('--queue <url>', 'the Redis holding the queue: redis://HOST:PORT')
    .option('--concurrency <n>', 'jobs at once, each in its own process with HSA_NUM_THREADS libtorch threads', atLeast(1), 1)
    .option('--lock-duration <ms>', "how long a job stays locked to a worker that stops answering before another may take it", atLeast(1000), WORKER_DEFAULTS.lockDurationMs)
    .option('--stalled-interval <ms>', "how often to look for jobs of workers that stopped answering", atLeast(500), WORKER_DEFAULTS.stalledIntervalMs);
  addDeviceOptions(command).action(async (o) => {
    const url = parseQueueUrl(o.queue);
    await assertRedisReachable(url);
    const log = (line: string) => console.log(`worker: ${line}`);
    const worker = startWorker({ url, concurrency: o.concurrency, lockDurationMs: o.lockDuration, stalledIntervalMs: o.stalledInterval, placement: placement(o), log });
    await worker.waitUntilReady();
    log(`${WORKER_NAME} takes jobs from ${displayUrl(url)} (queue ${QUEUE_NAME}, ${o.concurrency} at a time, HSA_NUM_THREADS=${process.env.HSA_NUM_THREADS ?? 'all cores'}, ${o.device}, ${o.precision})`);
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = () => {
        if (stopping) process.exit(130);
        stopping = true;
        log('stopping after the jobs in hand (again to quit at once; their jobs then go to other workers)');
        worker.close().then(resolve, resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    log('stopped');
  });
}
