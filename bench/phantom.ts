// npx tsx bench/phantom.ts [count] [workers ...] — `hsa phantom` throughput: crops/s (generate + write the three
// .nii.gz files) with 1 thread and with worker threads, alternating rounds (BENCH_ROUNDS, default 2) so that
// a noisy machine affects every setting alike. Also CPU time per crop (all threads), which a machine shared
// with other jobs changes far less than the rate. Default: 200 crops, workers 1 and 2, seed 1, default difficulty.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePhantomDataset } from '../src/data/phantom/dataset.js';

const count = Number(process.argv[2] ?? 200);
const settings = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [1, 2];
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const base = mkdtempSync(join(tmpdir(), 'hsa-bench-phantom-'));
const runs = new Map<number, { rate: number; cpuMs: number }[]>(settings.map((w) => [w, []]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const workers of settings) {
      const out = join(base, `r${r}-w${workers}`);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      await writePhantomDataset(out, { count, seed: 1, difficulty: 'default', workers });
      const cpu = process.cpuUsage(cpu0);
      const run = { rate: count / ((performance.now() - t0) / 1000), cpuMs: (cpu.user + cpu.system) / 1000 / count };
      runs.get(workers)!.push(run);
      console.log(`round ${r + 1}: ${workers} worker(s): ${run.rate.toFixed(2)} crops/s, ${run.cpuMs.toFixed(1)} ms CPU/crop`);
      rmSync(out, { recursive: true });
    }
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
for (const [workers, rs] of runs) {
  const best = Math.max(...rs.map((x) => x.rate));
  const cpu = Math.min(...rs.map((x) => x.cpuMs));
  console.log(`${workers} worker(s): best ${best.toFixed(2)} crops/s, ${cpu.toFixed(1)} ms CPU/crop over ${rs.length} round(s) of ${count} crops`);
}
