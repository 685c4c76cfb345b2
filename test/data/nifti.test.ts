import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  affine, assertSameGrid, axisAlignedGeometry, encodeNifti1, encodeNifti2, geometryFromAffine, parseNifti, qformAffine, readNifti, spacing, writeNifti,
  type NiftiDatatype, type Volume,
} from '../../src/data/nifti.js';
import { REFERENCE_SAMPLE } from '../helpers/fixtures.js';

const SAMPLE = join(REFERENCE_SAMPLE, 'sample_ct.nii');
const SEG = join(REFERENCE_SAMPLE, 'sample_seg.nii');
const tmp = () => mkdtempSync(join(tmpdir(), 'hsa-nifti-'));

function ramp(dims: [number, number, number], f: (i: number) => number): Volume {
  const n = dims[0] * dims[1] * dims[2];
  return { dims, data: Float32Array.from({ length: n }, (_, i) => f(i)), geometry: axisAlignedGeometry([0.5, 0.75, 1.5], [10, -20, 30]) };
}

describe('readNifti on the reference sample', () => {
  it('reads dims, datatype, spacing and both transforms as ECOSYSTEM.md states them', () => {
    const v = readNifti(SAMPLE);
    expect(v.dims).toEqual([64, 64, 64]);
    expect(v.datatype).toBe('float32');
    expect(spacing(v.geometry).map((s) => +s.toFixed(4))).toEqual([0.8, 0.675, 0.8]);
    // sform = diag(0.8, 0.675, 0.8)
    expect(affine(v.geometry).map((r) => r.map((x) => +x.toFixed(4)))).toEqual([
      [0.8, 0, 0, 0], [0, 0.675, 0, 0], [0, 0, 0.8, 0], [0, 0, 0, 1],
    ]);
    // qform: quaternion (a,b,c,d) = (0.5, 0.5, -0.5, -0.5), qfac = -1, worked out by hand.
    expect(qformAffine(v.geometry).map((r) => r.map((x) => +x.toFixed(4) + 0))).toEqual([
      [0, 0, 0.8, 0], [-0.8, 0, 0, 0], [0, 0.675, 0, 0], [0, 0, 0, 1],
    ]);
    let lo = Infinity, hi = -Infinity;
    for (const x of v.data) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
    expect(lo).toBeGreaterThan(0);
    expect(hi).toBeCloseTo(1.18, 2);
  });

  it('a mask written on the sample grid keeps its header geometry byte for byte', () => {
    const dir = tmp();
    const ct = readNifti(SAMPLE);
    const out = join(dir, 'mask.nii.gz');
    writeNifti(out, { dims: ct.dims, data: ct.data.map((x) => (x > 0.5 ? 1 : 0)), geometry: ct.geometry }, 'uint8');
    const m = readNifti(out);
    expect(m.geometry).toEqual(ct.geometry);
    assertSameGrid(ct, m);
    // Geometry bytes (pixdim 76..108, qform/sform 252..344) identical to the input's.
    const a = readFileSync(SAMPLE);
    const b = Buffer.from(encodeNifti1({ dims: ct.dims, data: new Float32Array(ct.data.length), geometry: ct.geometry }, 'uint8'));
    expect(b.subarray(76, 108)).toEqual(a.subarray(76, 108));
    expect(b.subarray(252, 344)).toEqual(a.subarray(252, 344));
  });
});

// Every writable datatype with values that use its range (and survive float32 storage exactly).
const DATATYPE_CASES: [NiftiDatatype, (i: number) => number][] = [
  ['uint8', (i) => i % 256],
  ['int16', (i) => (i % 3000) - 1024],
  ['uint16', (i) => (i * 7) % 65536],
  ['int32', (i) => i * 1000 - 5_000_000],
  ['float32', (i) => Math.fround(Math.sin(i) * 1e3)],
  ['float64', (i) => Math.fround(i / 7)],
];

describe('round trip', () => {
  for (const [dt, f] of DATATYPE_CASES) {
    for (const ext of ['.nii', '.nii.gz']) {
      it(`${dt} ${ext}`, () => {
        const vol = ramp([5, 6, 7], f);
        const path = join(tmp(), `v${ext}`);
        writeNifti(path, vol, dt);
        const back = readNifti(path);
        expect(back.datatype).toBe(dt);
        expect(back.dims).toEqual([5, 6, 7]);
        expect(Array.from(back.data)).toEqual(Array.from(vol.data));
        expect(back.geometry).toEqual(vol.geometry);
        expect(affine(back.geometry)).toEqual([[0.5, 0, 0, 10], [0, 0.75, 0, -20], [0, 0, 1.5, 30], [0, 0, 0, 1]]);
      });
    }
  }

  it('applies scl_slope / scl_inter', () => {
    const buf = encodeNifti1(ramp([2, 2, 2], (i) => i), 'int16');
    buf.writeFloatLE(2.5, 112);
    buf.writeFloatLE(-100, 116);
    expect(Array.from(parseNifti(buf, 'x.nii').data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => i * 2.5 - 100));
  });

  it('reads NIfTI-2 (a header built here by hand from the standard) and writes the same bytes back', () => {
    const n = 2 * 3 * 4;
    const buf = Buffer.alloc(544 + n * 2);
    buf.writeInt32LE(540, 0);
    buf.write('n+2\0\r\n\x1a\n', 4, 'latin1');
    buf.writeInt16LE(4, 12); // int16
    buf.writeInt16LE(16, 14);
    [3, 2, 3, 4, 1, 1, 1, 1].forEach((d, i) => buf.writeBigInt64LE(BigInt(d), 16 + 8 * i));
    [1, 0.9, 1.1, 2.5, 0, 0, 0, 0].forEach((p, i) => buf.writeDoubleLE(p, 104 + 8 * i));
    buf.writeBigInt64LE(544n, 168);
    buf.writeDoubleLE(1, 176);
    buf.writeInt32LE(0, 344); // qform_code
    buf.writeInt32LE(2, 348); // sform_code
    [[0.9, 0, 0, -5], [0, 1.1, 0, 6], [0, 0, 2.5, 7]].flat().forEach((s, i) => buf.writeDoubleLE(s, 400 + 8 * i));
    for (let i = 0; i < n; i++) buf.writeInt16LE(i - 10, 544 + 2 * i);
    const v = parseNifti(buf, 'v2.nii');
    expect(v.dims).toEqual([2, 3, 4]);
    expect(Array.from(v.data)).toEqual(Array.from({ length: n }, (_, i) => i - 10));
    expect(affine(v.geometry)).toEqual([[0.9, 0, 0, -5], [0, 1.1, 0, 6], [0, 0, 2.5, 7], [0, 0, 0, 1]]);
    expect(v.geometry.nifti2).toBe(true);
    expect(encodeNifti2(v, 'int16')).toEqual(buf);
  });
});

describe('NIfTI-2 writing', () => {
  // Double-precision geometry that float32 (NIfTI-1) would round: 0.1 mm steps, a rotation, a far origin.
  const c = Math.cos(0.3), s = Math.sin(0.3);
  const geometry = { ...geometryFromAffine([[0.1 * c, -0.7 * s, 0, 123456.789], [0.1 * s, 0.7 * c, 0, -0.3], [0, 0, -1.1, 1e-7], [0, 0, 0, 1]]), nifti2: true as const };
  for (const [dt, f] of DATATYPE_CASES) {
    for (const ext of ['.nii', '.nii.gz']) {
      it(`round trip ${dt} ${ext}: header, affine and data`, () => {
        const n = 5 * 6 * 7;
        const vol: Volume = { dims: [5, 6, 7], data: Float32Array.from({ length: n }, (_, i) => f(i)), geometry };
        const path = join(tmp(), `v${ext}`);
        writeNifti(path, vol, dt, { description: 'round trip' });
        let raw = readFileSync(path);
        if (ext === '.nii.gz') raw = gunzipSync(raw);
        expect(raw.readInt32LE(0)).toBe(540);
        expect(raw.toString('latin1', 4, 12)).toBe('n+2\0\r\n\x1a\n');
        expect(raw.readBigInt64LE(168)).toBe(544n);
        expect(raw.length).toBe(544 + n * { uint8: 1, int16: 2, uint16: 2, int32: 4, float32: 4, float64: 8 }[dt]);
        const back = readNifti(path);
        expect(back.datatype).toBe(dt);
        expect(back.dims).toEqual([5, 6, 7]);
        expect(Array.from(back.data)).toEqual(Array.from(vol.data));
        expect(back.geometry).toEqual(geometry);
        expect(affine(back.geometry)).toEqual(affine(geometry));
        expect(qformAffine(back.geometry)).toEqual(qformAffine(geometry));
        // The same volume through NIfTI-1 loses the doubles.
        expect(affine(parseNifti(encodeNifti1(vol, dt), 'v1.nii').geometry)[0]![3]).not.toBe(123456.789);
      });
    }
  }

  it('a mask written on the grid of a NIfTI-2 image is NIfTI-2 with the same geometry', () => {
    const dir = tmp();
    const ct = join(dir, 'ct.nii.gz');
    writeNifti(ct, { dims: [4, 5, 6], data: Float32Array.from({ length: 120 }, (_, i) => i * 10 - 500), geometry }, 'int16', { version: 2 });
    const image = readNifti(ct);
    const out = join(dir, 'mask.nii');
    writeNifti(out, { dims: image.dims, data: image.data.map((x) => (x > 0 ? 1 : 0)), geometry: image.geometry }, 'uint8');
    expect(readFileSync(out).readInt32LE(0)).toBe(540);
    const mask = readNifti(out);
    expect(mask.geometry).toEqual(image.geometry);
    assertSameGrid(image, mask);
    // And a NIfTI-1 input still gives NIfTI-1.
    writeNifti(join(dir, 'm1.nii'), readNifti(SEG), 'uint8');
    expect(readFileSync(join(dir, 'm1.nii')).readInt32LE(0)).toBe(348);
  });
});

describe('malformed input names the file', () => {
  const good = () => encodeNifti1(ramp([4, 4, 4], (i) => i), 'float32');
  const bad: [string, () => Buffer, RegExp][] = [
    ['bad magic', () => { const b = good(); b.write('xx1\0', 344, 'latin1'); return b; }, /not a NIfTI/],
    ['truncated', () => good().subarray(0, 352 + 100), /truncated/],
    ['extra data', () => Buffer.concat([good(), Buffer.alloc(8)]), /do not match the data/],
    ['unsupported datatype', () => { const b = good(); b.writeInt16LE(32, 70); return b; }, /unsupported datatype/],
    ['NaN voxels', () => { const b = good(); b.writeFloatLE(NaN, 360); b.writeFloatLE(Infinity, 364); return b; }, /2 voxels are NaN/],
    ['negative dim', () => { const b = good(); b.writeInt16LE(-4, 42); return b; }, /invalid dims/],
    ['4-D', () => { const b = good(); b.writeInt16LE(4, 40); b.writeInt16LE(2, 48); return b; }, /3-D volume/],
    ['corrupt gzip', () => gzipSync(good()).subarray(0, 60), /gzip/],
  ];
  for (const [what, make, re] of bad) {
    it(what, () => {
      expect(() => parseNifti(make(), '/data/case7.nii')).toThrow(/^\/data\/case7\.nii: /);
      expect(() => parseNifti(make(), '/data/case7.nii')).toThrow(re);
    });
  }

  it('missing file and grid mismatch', () => {
    expect(() => readNifti('/nonexistent/a.nii')).toThrow(/\/nonexistent\/a\.nii: file not found/);
    const dir = tmp();
    const p = join(dir, 'small.nii');
    writeFileSync(p, encodeNifti1(ramp([64, 64, 63], () => 0), 'uint8'));
    expect(() => assertSameGrid(readNifti(SAMPLE), readNifti(p))).toThrow(/small\.nii does not lie on the grid of .*sample_ct\.nii/);
    // Same dims, but the sample's mask has the sample's geometry; shift it.
    const seg = readNifti(SEG);
    const moved = join(dir, 'moved.nii');
    writeNifti(moved, { ...seg, geometry: { ...seg.geometry, srow: [[0.8, 0, 0, 1], seg.geometry.srow[1], seg.geometry.srow[2]] } }, 'uint8');
    expect(() => assertSameGrid(readNifti(SAMPLE), readNifti(moved))).toThrow(/affines differ/);
  });
});

describe('writes are safe', () => {
  it('refuses to overwrite an input and leaves no temp files', () => {
    const dir = tmp();
    const p = join(dir, 'in.nii');
    writeFileSync(p, encodeNifti1(ramp([2, 2, 2], (i) => i), 'uint8'));
    const v = readNifti(p);
    expect(() => writeNifti(p, v, 'uint8')).toThrow(/refusing to overwrite an input/);
    writeNifti(join(dir, 'out.nii'), v, 'uint8');
    expect(readdirSync(dir).sort()).toEqual(['in.nii', 'out.nii']);
    expect(existsSync(join(dir, 'out.nii'))).toBe(true);
  });
});
