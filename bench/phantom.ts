// npx tsx bench/phantom.ts [count] [workers ...] — `hsa phantom` throughput: crops/s (generate + write the three
// .nii.gz files) with 1 thread and with worker threads, alternating rounds (BENCH_ROUNDS, default 2) so that
// a noisy machine affects every setting alike. Default: 200 crops, workers 1 and 2, seed 1, default difficulty.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePhantomDataset } from '../src/data/phantom/dataset.js';

const count = Number(process.argv[2] ?? 200);
const settings = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [1, 2];
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const base = mkdtempSync(join(tmpdir(), 'hsa-bench-phantom-'));
const rates = new Map<number, number[]>(settings.map((w) => [w, []]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const workers of settings) {
      const out = join(base, `r${r}-w${workers}`);
      const t0 = performance.now();
      await writePhantomDataset(out, { count, seed: 1, difficulty: 'default', workers });
      const rate = count / ((performance.now() - t0) / 1000);
      rates.get(workers)!.push(rate);
      console.log(`round ${r + 1}: ${workers} worker(s): ${rate.toFixed(2)} crops/s`);
      rmSync(out, { recursive: true });
    }
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
for (const [workers, rs] of rates) console.log(`${workers} worker(s): best ${Math.max(...rs).toFixed(2)} crops/s over ${rs.length} round(s) of ${count} crops`);
