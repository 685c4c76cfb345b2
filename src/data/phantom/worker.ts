// Worker thread of writePhantomDataset: runs one writeCase per message and answers with its description.
import { parentPort } from 'node:worker_threads';
import { writeCase, type CaseJob } from './dataset.js';

parentPort!.on('message', ({ slot, job }: { slot: number; job: CaseJob }) => {
  parentPort!.postMessage({ slot, description: writeCase(job) });
});
