// npm run fuzz [-- --count N --budget-ms M]: N damaged files per format (default 10 000) through the readers;
// prints, per format, how many were refused with a clean error, crashed, hung (over the budget) or loaded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formats, runCase } from '../test/fuzz/corpus.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '10000' }, 'budget-ms': { type: 'string', default: '3000' } } });
const count = Number(values.count);
const budget = Number(values['budget-ms']);
if (!Number.isInteger(count) || count < 1 || !(budget > 0)) throw new Error('--count must be a positive integer and --budget-ms positive');
const dir = mkdtempSync(join(tmpdir(), 'hsa-fuzz-'));
try {
  for (const f of formats(dir)) {
    const counts = { clean: 0, crash: 0, hang: 0, silent: 0 };
    let slowest = 0;
    const t0 = performance.now();
    for (let n = 0; n < count; n++) {
      const r = await runCase(f, n, budget);
      counts[r.outcome]++;
      slowest = Math.max(slowest, r.ms);
      if (r.outcome === 'crash' || r.outcome === 'hang') console.log(`  ${f.name} case ${n}: ${r.outcome} (${r.ms.toFixed(0)} ms): ${r.message}`);
    }
    const s = ((performance.now() - t0) / 1000).toFixed(0);
    console.log(`${f.name}: ${count} cases in ${s} s — clean error ${counts.clean}, crash ${counts.crash}, hang ${counts.hang}, silent success ${counts.silent}; slowest ${slowest.toFixed(0)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
