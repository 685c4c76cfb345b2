// NIfTI headers that lie: dims far beyond the data (a gzip bomb's shape), NaN geometry, negative NIfTI-2 dims.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { axisAlignedGeometry, encodeNifti1, encodeNifti2, parseNifti, readNifti } from '../../src/data/nifti.js';

const tmp = mkdtempSync(join(tmpdir(), 'hsa-nifti-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const vol = { dims: [4, 4, 4] as [number, number, number], data: new Float32Array(64), geometry: axisAlignedGeometry([1, 1, 1]) };

describe('NIfTI headers that lie', () => {
  it('a .nii.gz whose dims need gigabytes is refused from its header, before inflating', () => {
    const b = encodeNifti1(vol, 'uint8');
    b.writeInt16LE(2048, 42); // dim[1..3] = 2048³ (8 G voxels) on 64 bytes of data
    b.writeInt16LE(2048, 44);
    b.writeInt16LE(2048, 46);
    const p = join(tmp, 'bomb.nii.gz');
    writeFileSync(p, gzipSync(b));
    const t0 = performance.now();
    expect(() => readNifti(p)).toThrow(/bomb\.nii\.gz: header declares \d+ bytes of data, more than this tool reads/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
  it('a .nii.gz whose stream holds more than its dims is refused without inflating all of it', () => {
    const big = Buffer.concat([encodeNifti1(vol, 'uint8'), Buffer.alloc(100 << 20)]);
    expect(() => parseNifti(gzipSync(big, { level: 1 }), '/x/extra.nii.gz')).toThrow(/\/x\/extra\.nii\.gz: the data does not match dims and datatype/);
  });
  it('NaN spacing, NaN sform and NaN qform are errors', () => {
    const nanPixdim = encodeNifti1(vol, 'uint8');
    nanPixdim.writeFloatLE(Number.NaN, 80); // pixdim[1]
    expect(() => parseNifti(nanPixdim, '/x/p.nii')).toThrow(/\/x\/p\.nii: voxel spacing \(pixdim\[1\.\.3\]\) must be finite and non-zero, got NaN, 1, 1/);
    const nanSrow = encodeNifti1(vol, 'uint8');
    expect(nanSrow.readInt16LE(254)).toBeGreaterThan(0); // sform_code set by the writer
    nanSrow.writeFloatLE(Number.NaN, 280 + 12); // srow_x[3]
    expect(() => parseNifti(nanSrow, '/x/s.nii')).toThrow(/\/x\/s\.nii: sform \(srow_x\/y\/z\) holds NaN/);
    const nanQ = encodeNifti1(vol, 'uint8');
    nanQ.writeFloatLE(Number.NaN, 256); // quatern_b
    expect(() => parseNifti(nanQ, '/x/q.nii')).toThrow(/\/x\/q\.nii: qform .* holds NaN/);
  });
  it('a negative NIfTI-2 dim is printed as the header holds it', () => {
    const b = encodeNifti2(vol, 'uint8');
    b.writeBigInt64LE(-18n, 16 + 8 * 2);
    expect(() => parseNifti(b, '/x/neg.nii')).toThrow(/\/x\/neg\.nii: invalid dims 4×-18×4/);
  });
});
