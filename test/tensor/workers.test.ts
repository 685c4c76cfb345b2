// The addon keeps its state per JS environment, so worker threads can run the engine side by side.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/tensor/index.js';

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const native = require(workerData.addon);
const h = native.ops.full([1000], workerData.value, 'float32', 'cpu');
let sum = 0;
for (let i = 0; i < 2000; i++) {
  const t = native.ops.mul(h, 2);
  const s = native.ops.sum(t, undefined, false);
  sum = native.ops.item(s);
  native.release(t);
  native.release(s);
}
parentPort.postMessage({ sum, live: native.liveTensors() });
`;

describe('worker threads', () => {
  it('run the engine in parallel with separate tensor tables', async () => {
    const addon = new URL('../../build/Release/hsa_torch.node', import.meta.url).pathname;
    const mainTensor = torch.ones([3]);
    const results = await Promise.all(
      [1, 2].map(
        (value) =>
          new Promise<{ sum: number; live: number }>((resolve, reject) => {
            const w = new Worker(workerSource, { eval: true, workerData: { addon, value } });
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    expect(results).toEqual([
      { sum: 2000, live: 1 },
      { sum: 4000, live: 1 },
    ]);
    expect(mainTensor.sum().item()).toBe(3);
  });
});
