import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../../../src/tensor/index.js';
import { encodeDataset } from '../../../src/method/encode-dataset.js';
import { DiffAE } from '../../../src/model/diffae.js';
import { TINY_CONFIG, tinyModel, writeVertebra } from './fixtures.js';
import { readNifti } from '../../../src/data/nifti.js';
import { extractSlice, normalizeSlice } from '../../../src/data/slice.js';
import { expectClose } from '../../helpers/close.js';

const model = tinyModel();
let tmp: string;
let rows: { image: string; segMsk: string; label: 0 | 1; lesionMsk: string }[];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-encode-'));
  // lesion_msk paths that do not exist: encoding must never need them.
  rows = [0, 1, 2, 3, 4, 5, 6].map((i) => {
    const p = writeVertebra(tmp, `e${i}`, 40 + i);
    return { image: p.image, segMsk: p.mask, label: (i % 2) as 0 | 1, lesionMsk: join(tmp, 'absent', `e${i}_lesion.nii.gz`) };
  });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('encodeDataset', () => {
  it('encodes each row’s normalised centre slice, in uneven batches, in row order, without lesion masks', () => {
    const progress: number[] = [];
    const data = encodeDataset(model, rows, { batchSize: 3, onProgress: (done) => progress.push(done) });
    expect(progress).toEqual([3, 6, 7]);
    expect(Array.from(data.labels)).toEqual([0, 1, 0, 1, 0, 1, 0]);
    rows.forEach((row, i) => {
      const slice = normalizeSlice(extractSlice(readNifti(row.image)));
      const alone = torch.noGrad(() => torch.tidy(() => model.encode(torch.tensor(slice.data, [1, 1, 16, 16])).toFloat32Array()));
      expect(data.z[i]!.length).toBe(16);
      // Batch of 3 vs batch of 1: different float32 kernels, equal up to F32_KERNELS.
      alone.forEach((v, k) => expectClose(data.z[i]![k]!, v, undefined, `row ${i} z[${k}]`));
    });
    // Distinct inputs give distinct codes (a constant encoding would pass the comparison above vacuously).
    expect(data.z[0]).not.toEqual(data.z[1]);
  });

  it('names the image whose slice does not fit the model', () => {
    const wide = DiffAE.fromConfig({ ...TINY_CONFIG, image_size: 32 }).eval();
    expect(() => encodeDataset(wide, rows.slice(0, 2))).toThrow(new RegExp(`${rows[0]!.image}: slice is 16×16; the model takes 32×32`));
  });
});
