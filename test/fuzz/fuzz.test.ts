// The fuzz corpus in CI (bounded): damaged NIfTI, model, checkpoint and manifest files must each be read or
// refused with an error naming the file — never a crash or a hang. `npm run fuzz` runs ≥ 10 000 per format.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formats, runCase } from './corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'hsa-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CASES: Record<string, number> = { nifti: 1500, safetensors: 250, 'torch-checkpoint': 400, manifest: 400 };

describe('fuzz corpus', () => {
  for (const f of formats(dir)) {
    it(`${f.name}: ${CASES[f.name]} damaged files, each read or refused naming the file`, async () => {
      const counts = { clean: 0, crash: 0, hang: 0, silent: 0 };
      const bad: string[] = [];
      for (let n = 0; n < CASES[f.name]!; n++) {
        const r = await runCase(f, n, 3000);
        counts[r.outcome]++;
        if (r.outcome === 'crash' || r.outcome === 'hang') bad.push(`case ${n}: ${r.outcome} after ${r.ms.toFixed(0)} ms: ${r.message}`);
      }
      expect(bad.slice(0, 5)).toEqual([]);
      // Most damage must be noticed; a flipped byte in the data may still be a valid file.
      expect(counts.clean).toBeGreaterThan(CASES[f.name]! * 0.3);
    }, 120_000);
  }
});
