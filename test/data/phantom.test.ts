import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../../src/data/manifest.js';
import { readNifti } from '../../src/data/nifti.js';
import { CROP, generateCase, lesionOnCentralSlices } from '../../src/data/phantom/crop.js';
import { splitOf, writePhantomDataset } from '../../src/data/phantom/dataset.js';
import { blurAxis, blurVolumes, type Dims } from '../../src/data/phantom/filters.js';
import { Rng } from '../../src/data/phantom/random.js';
import { thresholdBaseline } from '../../src/data/phantom/threshold.js';

const cases = Array.from({ length: 16 }, (_, i) => generateCase(11, i, 'default'));

describe('phantom crops', () => {
  it('are bit-identical from the seed and differ across seeds', () => {
    const again = generateCase(11, 3, 'default');
    expect(again.ct).toEqual(cases[3]!.ct);
    expect(again.lesion).toEqual(cases[3]!.lesion);
    expect(generateCase(12, 3, 'default').ct).not.toEqual(cases[3]!.ct);
  });

  it('equal the first generator version voxel for voxel (the speed-ups changed no output)', () => {
    const h = createHash('sha256');
    for (const c of cases) {
      h.update(new Uint8Array(c.ct.buffer));
      h.update(c.body);
      h.update(c.lesion);
    }
    // Digest of these 16 crops from the generator as first committed (85cf065).
    expect(h.digest('hex')).toBe('cee1fd1be725711e02a97a1f819b32ceb774ebbfa325db87cfd1fab5b6f22439');
  });

  it('malignant crops show a lesion on each of the 5 central slices; healthy ones have none', () => {
    expect(cases.some((c) => c.spec.label === 1) && cases.some((c) => c.spec.label === 0)).toBe(true);
    for (const c of cases) {
      if (c.spec.label === 1) expect(lesionOnCentralSlices(c.lesion)).toBe(true);
      else expect(c.lesion.every((v) => v === 0)).toBe(true);
    }
  });

  it('has CT-like numbers: fat, body, trabecular bone, noise', () => {
    for (const c of cases) {
      const body: number[] = [];
      for (let i = 0; i < c.ct.length; i++) if (c.body[i] && !c.lesion[i]) body.push(c.ct[i]!);
      const mean = body.reduce((a, b) => a + b, 0) / body.length;
      // Healthy-bone mean inside the body mask: trabecular 40–230 HU plus cortex and mimics.
      expect(mean).toBeGreaterThan(40);
      expect(mean).toBeLessThan(450);
      // Body of 17–30 mm height × 30–35 mm depth × ~1.2–1.5 × depth width at 0.8 mm: ~15k–60k voxels.
      expect(body.length).toBeGreaterThan(10_000);
      expect(body.length).toBeLessThan(70_000);
      // Corner voxel (anterior, cranial, right) lies in fat or muscle.
      expect(c.ct[0]).toBeLessThan(120);
      expect(c.ct.every((v) => Number.isInteger(v) && v >= -1024 && v <= 3071)).toBe(true);
    }
  });

  it('is not trivially thresholdable (oracle global thresholds)', () => {
    const r = thresholdBaseline(cases);
    expect(r.diceLytic).toBeLessThan(0.7);
    expect(r.diceBlastic).toBeLessThan(0.8);
  });
});

/** Gaussian blur as first written: each output Σ_t k[t]·x[clamped i+t−r] in double, taps in order, then float32. */
function referenceBlur(x: Float32Array, dims: Dims, axis: 0 | 1 | 2, sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp((-0.5 * i * i) / (sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  const stride = [1, dims[0], dims[0] * dims[1]][axis]!;
  const out = new Float32Array(x.length);
  for (let idx = 0; idx < x.length; idx++) {
    const pos = Math.floor(idx / stride) % dims[axis];
    let acc = 0;
    for (let t = 0; t < k.length; t++) acc += k[t]! * x[idx + (Math.min(dims[axis] - 1, Math.max(0, pos + t - r)) - pos) * stride]!;
    out[idx] = acc;
  }
  return out;
}

describe('phantom blur', () => {
  it('gives the scalar sums bit for bit: SIMD runs of 8 outputs, the rest of each row, in place along axis 0', () => {
    const dims: Dims = [13, 10, 9]; // no axis a multiple of 8
    const [x, out] = blurVolumes(13 * 10 * 9, 2) as [Float32Array, Float32Array];
    const rng = new Rng(3);
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-100, 100);
    const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (const axis of [0, 1, 2] as const) {
      for (const sigma of [0.5, 1.7]) expect(bytes(blurAxis(x, dims, axis, sigma, out))).toEqual(bytes(referenceBlur(x, dims, axis, sigma)));
    }
    const ref = referenceBlur(x, dims, 0, 1.1);
    expect(bytes(blurAxis(x, dims, 0, 1.1, x))).toEqual(bytes(ref));
    expect(() => blurAxis(x, dims, 1, 1, x)).toThrow(/in place/);
    expect(() => blurAxis(new Float32Array(x.length), dims, 0, 1, out)).toThrow(/blurVolumes/);
  });
});

describe('writePhantomDataset', () => {
  it('writes a readable manifest and files, identically for the same seed', async () => {
    const base = mkdtempSync(join(tmpdir(), 'hsa-ph-'));
    const rows = await writePhantomDataset(join(base, 'a'), { count: 3, seed: 5, difficulty: 'easy' });
    await writePhantomDataset(join(base, 'b'), { count: 3, seed: 5, difficulty: 'easy' });
    const back = await readManifest(join(base, 'a', 'manifest.csv'));
    expect(back).toEqual(rows);
    expect(back.map((r) => r.split)).toEqual([splitOf(0), splitOf(1), splitOf(2)]);
    for (const r of back) {
      const img = readNifti(r.image);
      expect(img.dims).toEqual([CROP, CROP, CROP]);
      expect(img.datatype).toBe('int16');
      expect(readFileSync(r.image)).toEqual(readFileSync(r.image.replace(`${join(base, 'a')}`, join(base, 'b'))));
    }
    // The files hold the generated volumes (+ 0: int16 has no −0).
    const c = generateCase(5, 0, 'easy');
    expect(readNifti(back[0]!.image).data).toEqual(c.ct.map((v) => v + 0));
    expect(readNifti(back[0]!.segMsk).data).toEqual(Float32Array.from(c.body));
    expect(readNifti(back[0]!.lesionMsk!).data).toEqual(Float32Array.from(c.lesion));
    await expect(writePhantomDataset(join(base, 'a'), { count: 1, seed: 5, difficulty: 'easy' })).rejects.toThrow(/not empty/);
  });

  it('writes the same bytes with 2 worker threads as in one thread', async () => {
    const base = mkdtempSync(join(tmpdir(), 'hsa-ph-'));
    await writePhantomDataset(join(base, 'one'), { count: 5, seed: 9, difficulty: 'default', workers: 1 });
    // No onCase: the pool must finish without a progress callback (it once hung there).
    await writePhantomDataset(join(base, 'two'), { count: 5, seed: 9, difficulty: 'default', workers: 2 });
    const files = (root: string) => readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length)).sort();
    expect(files(join(base, 'two'))).toEqual(files(join(base, 'one')));
    expect(files(join(base, 'one'))).toHaveLength(3 * 5 + 2);
    for (const f of files(join(base, 'one'))) expect(readFileSync(join(base, 'two', f)), f).toEqual(readFileSync(join(base, 'one', f)));
   }, 60_000);

  it('splits 2 600 cases into 2 000 / 200 / 400', () => {
    const n = { train: 0, val: 0, test: 0 };
    for (let i = 0; i < 2600; i++) n[splitOf(i)]++;
    expect(n).toEqual({ train: 2000, val: 200, test: 400 });
  });
});
