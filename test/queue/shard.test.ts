// --shard i/n: rows i, i+n, …; the parts disjoint and together the whole manifest; bad parts refused.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseShard, shardRows } from '../../src/cli/shard.js';
import { hsa } from '../helpers/cli.js';
import { writeRunInputs } from './fixtures.js';

describe('shardRows', () => {
  const rows = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  it('takes every n-th row from the i-th, the same on every call', () => {
    expect([0, 1, 2].map((i) => shardRows(rows, { index: i, count: 3 }))).toEqual([['a', 'd', 'g'], ['b', 'e', 'h'], ['c', 'f']]);
    expect(shardRows(rows, { index: 0, count: 1 })).toEqual(rows);
    expect(shardRows(rows, { index: 9, count: 10 })).toEqual([]);
  });

  it('parses i/n counted from 0 and names what is wrong', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(() => parseShard('5/5')).toThrow("'5/5': i counts from 0, so it must be below n (5)");
    expect(() => parseShard('0/0')).toThrow("'0/0': n must be at least 1");
    expect(() => parseShard('1-4')).toThrow("'1-4' is not i/n");
    expect(() => parseShard('-1/4')).toThrow("'-1/4' is not i/n");
  });
});

describe('hsa segment --shard', () => {
  let tmp: string;
  let inputs: ReturnType<typeof writeRunInputs>;
  const fast = ['--inversion-steps', '3', '--render-steps', '2', '--harmonise-inversion-steps', '3', '--harmonise-render-steps', '2', '--min-size', '2'];
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'hsa-shard-'));
    inputs = writeRunInputs(tmp, 5);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('segments its part of the manifest; the parts together are every row once', async () => {
    const parts = [0, 1].map((i) => join(tmp, `part-${i}`));
    for (const [i, out] of parts.entries()) await hsa('segment', '--manifest', inputs.manifest, '--model', inputs.modelDir, '--out', out, ...fast, '--shard', `${i}/2`);
    const cases = parts.map((out) => readdirSync(out).filter((e) => e.startsWith('c')).sort());
    expect(cases).toEqual([['c0', 'c2', 'c4'], ['c1', 'c3']]);
  });

  it('refuses a part with no rows, and --shard without a manifest', async () => {
    const out = join(tmp, 'never');
    await expect(hsa('segment', '--manifest', inputs.manifest, '--model', inputs.modelDir, '--out', out, '--shard', '6/7')).rejects.toThrow('--shard 6/7: no rows in this part (5 rows in all)');
    await expect(hsa('segment', '--image', inputs.images[0]!, '--mask', inputs.images[0]!, '--model', inputs.modelDir, '--out', out, '--shard', '0/2')).rejects.toThrow('--shard and --queue go with --manifest');
  });
});
