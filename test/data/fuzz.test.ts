// Thousands of corrupted variants of the real sample: each must either decode to a 3-D volume or throw an
// Error that names the file — never crash, hang or allocate without bound.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { parseNifti } from '../../src/data/nifti.js';
import { REFERENCE_SAMPLE } from '../helpers/fixtures.js';

const sample = readFileSync(join(REFERENCE_SAMPLE, 'sample_ct.nii'));
const sampleGz = gzipSync(sample, { level: 1 });

// mulberry32: a tiny seeded PRNG so that a failure is reproducible from its variant number.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function variant(n: number): Buffer {
  const r = rng(n);
  const pick = (len: number) => Math.floor(r() * len);
  const kind = n % 6;
  if (kind === 0) return sample.subarray(0, pick(sample.length)); // truncation
  if (kind === 5) { // gzip: truncated or with flipped bytes
    const g = Buffer.from(sampleGz);
    for (let i = 0; i < 1 + pick(4); i++) g[pick(g.length)] = pick(256);
    return r() < 0.5 ? g : g.subarray(0, pick(g.length));
  }
  const b = Buffer.from(sample);
  const edits = 1 + pick(8);
  for (let i = 0; i < edits; i++) {
    // Mostly the header (where corruption changes control flow), sometimes the extension flag or data.
    const at = kind <= 3 ? pick(352) : 352 + pick(sample.length - 352);
    if (kind === 3) b.writeInt16LE(pick(65536) - 32768, at & ~1); // a whole int16 field
    else b[at] = pick(256);
  }
  return b;
}

it('survives 2000 corrupted variants of sample_ct.nii', () => {
  const t0 = Date.now();
  let decoded = 0;
  let rejected = 0;
  for (let n = 0; n < 2000; n++) {
    const name = `/fuzz/variant-${n}.nii`;
    try {
      const v = parseNifti(variant(n), name);
      expect(v.data.length).toBe(v.dims[0] * v.dims[1] * v.dims[2]);
      decoded++;
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      if (!(e as Error).message.startsWith(`${name}: `)) throw new Error(`variant ${n}: ${(e as Error).message}`);
      rejected++;
    }
  }
  expect(decoded + rejected).toBe(2000);
  expect(rejected).toBeGreaterThan(600);
  expect(Date.now() - t0).toBeLessThan(20_000);
}, 30_000);
