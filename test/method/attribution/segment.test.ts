// A whole segmentation run on NIfTI inputs: what lands in which file, on which grid, and that an interrupted
// or failed run leaves only complete vertebrae, which --continue checks and completes.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { affine, readNifti, writeNifti } from '../../../src/data/nifti.js';
import { readSafetensors } from '../../../src/io/safetensors.js';
import { diffaeEngine } from '../../../src/method/attribution/engine.js';
import { loadVertebrae, type VertebraInput } from '../../../src/method/attribution/inputs.js';
import { PENDING_FILE, runSegmentation, runSegmentationResumable } from '../../../src/method/attribution/segment.js';
import { figureLayout, LYTIC_COLOUR } from '../../../src/method/figures/attribution-figure.js';
import { AFFINE, DEPTH, PIXEL_AREA_MM2, tinyClassifier, tinyModel, writeVertebra } from './fixtures.js';

const model = tinyModel();
const classifier = tinyClassifier(model);
const options = { inversionSteps: 3, renderSteps: 2, harmoniseInversionSteps: 3, harmoniseRenderSteps: 2, minSize: 2 };
let tmp: string;
let items: { image: string; mask: string; label?: 0 | 1 }[];
let inputs: VertebraInput[];
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-segment-'));
  items = [
    { ...writeVertebra(tmp, 'v1', 1), label: 1 },
    { ...writeVertebra(tmp, 'v2', 2), label: 0 },
  ];
  inputs = loadVertebrae(items, 16);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loading vertebrae', () => {
  it('takes the centre slice, the pixel area from the voxel spacing and the case id from the file name', () => {
    expect(inputs.map((v) => v.caseId)).toEqual(['v1', 'v2']);
    expect(inputs[0]!.sliceIndex).toBe(Math.floor(DEPTH / 2));
    expect(inputs[0]!.pixelAreaMm2).toBeCloseTo(PIXEL_AREA_MM2, 5);
    expect(inputs[0]!.slice.image.length).toBe(256);
    expect(inputs[1]!.label).toBe(0);
  });

  it('names the file when a mask is empty, off-grid, or an image has the wrong size; refuses clashing case ids', () => {
    const empty = writeVertebra(tmp, 'empty', 3, { emptyMask: true });
    expect(() => loadVertebrae([empty], 16)).toThrow(new RegExp(`${empty.mask}.*empty`));
    const off = join(tmp, 'off_seg.nii.gz');
    const m = readNifti(items[0]!.mask);
    writeNifti(off, { dims: [16, 16, DEPTH], data: m.data, geometry: { ...m.geometry, srow: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]] } }, 'uint8');
    expect(() => loadVertebrae([{ image: items[0]!.image, mask: off }], 16)).toThrow(new RegExp(`${off} does not lie on the grid`));
    expect(() => loadVertebrae([items[0]!], 32)).toThrow(new RegExp(`${items[0]!.image}: slice is 16×16; the model takes 32×32`));
    expect(() => loadVertebrae([items[0]!, items[0]!], 16)).toThrow(/case id 'v1'/);
    expect(() => loadVertebrae([{ image: join(tmp, 'missing.nii.gz'), mask: items[0]!.mask }], 16)).toThrow(/missing\.nii\.gz/);
  });
});

describe('runSegmentation', () => {
  let out: string;
  let hashes: string[];
  beforeAll(async () => {
    hashes = items.flatMap((i) => [sha(i.image), sha(i.mask)]);
    out = join(tmp, 'out');
    await runSegmentation({ inputs, engine: diffaeEngine(model), classifier, options, outDir: out, provenance: { model: 'tiny' } });
  });

  it('writes the four files per vertebra, summary.csv and run.json, and leaves the inputs untouched', () => {
    expect(readdirSync(out).sort()).toEqual(['run.json', 'summary.csv', 'v1', 'v2']);
    for (const c of ['v1', 'v2']) expect(readdirSync(join(out, c)).sort()).toEqual(['figure.png', 'lesions.nii.gz', 'maps.safetensors', 'result.json']);
    expect(items.flatMap((i) => [sha(i.image), sha(i.mask)])).toEqual(hashes);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ model: 'tiny', vertebrae: 2, options: { inversionSteps: 3, renderSteps: 2, minSize: 2, deltaThreshold: 0.5 } });
  });

  it('puts the label map in the centre slice of a volume on the input grid, other slices 0', () => {
    let lesionVoxels = 0;
    for (const [i, c] of ['v1', 'v2'].entries()) {
      const vol = readNifti(join(out, c, 'lesions.nii.gz'));
      expect(vol.dims).toEqual([16, 16, DEPTH]);
      expect(affine(vol.geometry)).toEqual(affine(inputs[i]!.geometry));
      affine(vol.geometry).slice(0, 3).forEach((row, r) => row.forEach((v, k) => expect(v).toBeCloseTo(AFFINE[r]![k]!, 5)));
      const labels = readSafetensors(join(out, c, 'maps.safetensors')).tensors.get('labels')!.data;
      const k = Math.floor(DEPTH / 2);
      for (let z = 0; z < DEPTH; z++) {
        for (let r = 0; r < 16; r++) {
          for (let col = 0; col < 16; col++) {
            const v = vol.data[r + 16 * col + 256 * z]!;
            expect(v).toBe(z === k ? labels[r * 16 + col] : 0);
            if (v > 0) lesionVoxels++;
          }
        }
      }
    }
    expect(lesionVoxels).toBeGreaterThan(0);
  });

  it('reports probabilities, every candidate and lesion areas in mm² in result.json, one summary row per vertebra', () => {
    const vol = readNifti(join(out, 'v1', 'lesions.nii.gz'));
    const count = (v: number) => vol.data.filter((x) => x === v).length;
    const res = JSON.parse(readFileSync(join(out, 'v1', 'result.json'), 'utf8'));
    expect(res.pMalignant).toBeGreaterThan(0);
    expect(res.pHealthy).toBeCloseTo(1e-5, 9);
    expect(res.lesions.lytic.pixels).toBe(count(1));
    expect(res.lesions.blastic.pixels).toBe(count(2));
    expect(res.lesions.lytic.areaMm2).toBeCloseTo(count(1) * PIXEL_AREA_MM2, 4);
    expect(res.candidates.length).toBeGreaterThan(0);
    for (const c of res.candidates) {
      expect(Object.keys(c).sort()).toEqual(['areaMm2', 'centroid', 'delta', 'id', 'kept', 'meanDifference', 'pCandidate', 'pixels', 'type']);
      expect(c.kept).toBe(c.delta > 0.5);
    }
    const kept = res.candidates.filter((c: { kept: boolean; type: string }) => c.kept && c.type === 'lytic');
    expect(kept.reduce((a: number, c: { pixels: number }) => a + c.pixels, 0)).toBe(count(1));
    const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[0]).toBe('case_id,image,label,p_malignant,p_healthy,candidates,kept_lytic,kept_blastic,lytic_px,blastic_px,lytic_mm2,blastic_mm2,slices,lytic_mm3,blastic_mm3,lytic_lesions_3d,blastic_lesions_3d');
    expect(csv[1]!.split(',').slice(0, 3)).toEqual(['v1', items[0]!.image, '1']);
    expect(Number(csv[1]!.split(',')[8])).toBe(count(1));
  });

  it('draws the figure with red lytic contours in the result panel exactly when there are lytic lesions', () => {
    const { scale, panel } = figureLayout(16, 16);
    const { x, y } = panel(2, 1);
    for (const c of ['v1', 'v2']) {
      const png = PNG.sync.read(readFileSync(join(out, c, 'figure.png')));
      let red = false;
      for (let py = y; py < y + 16 * scale; py++) {
        for (let px = x; px < x + 16 * scale; px++) red ||= LYTIC_COLOUR.every((v, k) => png.data[(py * png.width + px) * 4 + k] === v);
      }
      const res = JSON.parse(readFileSync(join(out, c, 'result.json'), 'utf8'));
      expect(red).toBe(res.lesions.lytic.pixels > 0);
    }
  });

  it('refuses an output folder that is not empty', async () => {
    await expect(runSegmentation({ inputs, engine: diffaeEngine(model), classifier, options, outDir: out })).rejects.toThrow(/not empty/);
  });

  it('a run that fails part-way leaves only complete vertebrae; --continue checks them and finishes the rest', async () => {
    const dir = join(tmp, 'failed');
    const real = diffaeEngine(model);
    let encodes = 0;
    // One vertebra per group, all its composites in one call: 3 encodes (input, composites, harmonised)
    // finish v1; the 4th starts v2.
    const engine = { ...real, encode: (x: Parameters<typeof real.encode>[0]) => (++encodes <= 3 ? real.encode(x) : (() => { throw new Error('device lost'); })()) };
    const one = { ...options, vertebraeBatch: 1, maxBatch: 64 };
    await expect(runSegmentation({ inputs, engine, classifier, options: one, outDir: dir })).rejects.toThrow(/device lost/);
    expect(readdirSync(dir).sort()).toEqual([PENDING_FILE, 'v1']);
    expect(readdirSync(join(dir, 'v1')).sort()).toEqual(['figure.png', 'lesions.nii.gz', 'maps.safetensors', 'result.json']);
    const v1 = sha(join(dir, 'v1', 'result.json'));

    await expect(runSegmentation({ inputs, engine: real, classifier, options: { ...one, minSize: 3 }, outDir: dir, resume: true })).rejects.toThrow(/other inputs, model or options/);
    const r = await runSegmentationResumable({ inputs, engine: real, classifier, options: one, outDir: dir, resume: true });
    expect(r).toMatchObject({ complete: true, reused: 1 });
    expect(readdirSync(dir).sort()).toEqual(['run.json', 'summary.csv', 'v1', 'v2']);
    expect(sha(join(dir, 'v1', 'result.json'))).toBe(v1);
    // The same summary as the uninterrupted run with these options.
    const fresh = join(tmp, 'fresh');
    await runSegmentation({ inputs, engine: real, classifier, options: one, outDir: fresh });
    expect(readFileSync(join(dir, 'summary.csv'), 'utf8')).toBe(readFileSync(join(fresh, 'summary.csv'), 'utf8'));
    await expect(runSegmentation({ inputs, engine: real, classifier, options: one, outDir: dir, resume: true })).rejects.toThrow(/already complete/);
  });

  it('stops between groups when signalled, and refuses to continue in a folder with foreign files', async () => {
    const dir = join(tmp, 'stopped');
    const abort = new AbortController();
    const progress: number[] = [];
    const r = await runSegmentationResumable({
      inputs, engine: diffaeEngine(model), classifier, options: { ...options, vertebraeBatch: 1 }, outDir: dir, signal: abort.signal,
      onProgress: (done) => {
        progress.push(done);
        if (done >= 1) abort.abort();
      },
    });
    expect(r).toMatchObject({ complete: false, reused: 0 });
    expect(r.rows.map((row) => row.caseId)).toEqual(['v1']);
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true); // moves within a vertebra
    expect(readdirSync(dir).sort()).toEqual([PENDING_FILE, 'v1']);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await expect(runSegmentation({ inputs, engine: diffaeEngine(model), classifier, options: { ...options, vertebraeBatch: 1 }, outDir: dir, resume: true })).rejects.toThrow(/notes\.txt: not part of this run/);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
