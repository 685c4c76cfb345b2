// Several sagittal slices per vertebra (--slices): which slices, all of them through the same batched calls, and
// the stacked 3-D mask with its volumes. The fixture's slices are all the same image, so every segmented slice
// must carry the centre slice's labels.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axisAlignedGeometry, readNifti, type Volume } from '../../../src/data/nifti.js';
import { diffaeEngine } from '../../../src/method/attribution/engine.js';
import { loadVertebrae, sliceIndices } from '../../../src/method/attribution/inputs.js';
import { runSegmentation, runSegmentationResumable } from '../../../src/method/attribution/segment.js';
import { countComponents3d } from '../../../src/method/regions/components.js';
import { DEPTH, PIXEL_AREA_MM2, tinyClassifier, tinyModel, writeVertebra } from './fixtures.js';

const model = tinyModel();
const classifier = tinyClassifier(model);
const options = { inversionSteps: 3, renderSteps: 2, harmoniseInversionSteps: 3, harmoniseRenderSteps: 2, minSize: 2 };
let tmp: string;
let items: { image: string; mask: string }[];
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-slices-'));
  items = [writeVertebra(tmp, 'v1', 1), writeVertebra(tmp, 'v2', 2)];
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A 4 × 4 × 12 mask with body on slices 3..8 only. */
function bodyOn(first: number, last: number): Volume {
  const data = new Float32Array(4 * 4 * 12);
  for (let k = first; k <= last; k++) data[5 + 16 * k] = 1;
  return { dims: [4, 4, 12], data, geometry: axisAlignedGeometry([1, 1, 1], [0, 0, 0]) };
}

describe('slice choice', () => {
  it('takes the centre, n around it (within the volume and the body), or every slice through the body', () => {
    const seg = bodyOn(3, 8); // centre: 6
    expect(sliceIndices(seg, 'centre')).toEqual([6]);
    expect(sliceIndices(seg, 1)).toEqual([6]);
    expect(sliceIndices(seg, 3)).toEqual([5, 6, 7]);
    expect(sliceIndices(seg, 4)).toEqual([5, 6, 7, 8]);
    expect(sliceIndices(seg, 9)).toEqual([3, 4, 5, 6, 7, 8]); // 2..10, less the slices without body
    expect(sliceIndices(seg, 'all')).toEqual([3, 4, 5, 6, 7, 8]);
    expect(sliceIndices(bodyOn(0, 11), 50)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(() => sliceIndices(seg, 0)).toThrow(/positive integer/);
  });

  it('counts 6-connected components in 3-D', () => {
    const d = new Uint8Array(27);
    // two voxels touching by a face, one touching them only by an edge, one apart
    [0, 1, 1 + 3 + 9, 26].forEach((p) => (d[p] = 1));
    expect(countComponents3d(d, [3, 3, 3])).toBe(3);
  });
});

describe('segmenting several slices', () => {
  let out: string;
  const k = Math.floor(DEPTH / 2);
  beforeAll(async () => {
    out = join(tmp, 'three');
    const inputs = loadVertebrae(items, 16, 3);
    expect(inputs.map((v) => v.planes.map((p) => p.sliceIndex))).toEqual([[k - 1, k, k + 1], [k - 1, k, k + 1]]);
    await runSegmentation({ inputs, engine: diffaeEngine(model), classifier, options, outDir: out });
  });

  it('stacks the slices into the lesion volume (every one the centre slice here), other slices 0', () => {
    for (const c of ['v1', 'v2']) {
      const vol = readNifti(join(out, c, 'lesions.nii.gz'));
      const at = (r: number, col: number, z: number) => vol.data[r + 16 * col + 256 * z]!;
      let lesion = 0;
      for (let z = 0; z < DEPTH; z++) for (let r = 0; r < 16; r++) for (let col = 0; col < 16; col++) {
        expect(at(r, col, z)).toBe(Math.abs(z - k) <= 1 ? at(r, col, k) : 0);
        if (at(r, col, z) > 0) lesion++;
      }
      if (c === 'v1') expect(lesion).toBeGreaterThan(0);
    }
  });

  it('records each slice and the 3-D volumes in result.json and summary.csv', () => {
    const res = JSON.parse(readFileSync(join(out, 'v1', 'result.json'), 'utf8'));
    expect(res.sliceIndex).toBe(k);
    expect(res.slices.map((s: { sliceIndex: number }) => s.sliceIndex)).toEqual([k - 1, k, k + 1]);
    for (const s of res.slices) expect(s.lesions.lytic.pixels).toBe(res.lesions.lytic.pixels);
    const lytic = 3 * res.lesions.lytic.pixels;
    const voxelMm3 = PIXEL_AREA_MM2 * 2; // the fixture's third-axis spacing is 2 mm
    expect(res.volume.slices).toBe(3);
    expect(res.volume.lytic.voxels).toBe(lytic);
    expect(res.volume.lytic.volumeMm3).toBeCloseTo(lytic * voxelMm3, 3);
    const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const col = (name: string) => csv[1]![csv[0]!.indexOf(name)]!;
    expect(col('slices')).toBe('3');
    expect(Number(col('lytic_mm3'))).toBeCloseTo(lytic * voxelMm3, 3);
    expect(Number(col('lytic_lesions_3d'))).toBe(res.volume.lytic.lesions);
    expect(res.volume.lytic.lesions).toBeLessThanOrEqual(res.candidates.filter((c: { kept: boolean; type: string }) => c.kept && c.type === 'lytic').length);
  });

  it('stops between vertebrae when signalled, and refuses to continue the run with other slices', async () => {
    const dir = join(tmp, 'stopped');
    const abort = new AbortController();
    const one = { ...options, vertebraeBatch: 3 };
    const r = await runSegmentationResumable({
      inputs: loadVertebrae(items, 16, 3), engine: diffaeEngine(model), classifier, options: one, outDir: dir, signal: abort.signal,
      onProgress: (done) => done >= 1 && abort.abort(),
    });
    expect(r.rows.map((row) => row.caseId)).toEqual(['v1']);
    const centre = { inputs: loadVertebrae(items, 16), engine: diffaeEngine(model), classifier, options: one, outDir: dir, resume: true };
    await expect(runSegmentation(centre)).rejects.toThrow(/other inputs, model or options/);
    const done = await runSegmentationResumable({ ...centre, inputs: loadVertebrae(items, 16, 3) });
    expect(done).toMatchObject({ complete: true, reused: 1 });
    expect(readFileSync(join(dir, 'summary.csv'), 'utf8')).toBe(readFileSync(join(out, 'summary.csv'), 'utf8'));
  });
});
