// NIfTI-1/2 volumes: reading through nifti-reader-js (header parsing), validation that names the file,
// and hand-written NIfTI-1/2 writers that carry an input's geometry (qform AND sform) unchanged.
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import * as nifti from 'nifti-reader-js';
import { assertNotInput, readInputFile, writeFileAtomic } from './files.js';

export type NiftiDatatype = 'uint8' | 'int16' | 'uint16' | 'int32' | 'float32' | 'float64';

const CODES: Record<NiftiDatatype, number> = { uint8: 2, int16: 4, int32: 8, float32: 16, float64: 64, uint16: 512 };
const BYTES: Record<NiftiDatatype, number> = { uint8: 1, int16: 2, uint16: 2, int32: 4, float32: 4, float64: 8 };
const BY_CODE = new Map<number, NiftiDatatype>(Object.entries(CODES).map(([k, v]) => [v, k as NiftiDatatype]));

/** Everything that places voxels in space; copied verbatim onto masks written on the same grid. */
export interface NiftiGeometry {
  /** pixdim[0..7]; pixdim[0] is qfac. */
  pixdim: number[];
  qformCode: number;
  sformCode: number;
  /** quatern_b, quatern_c, quatern_d. */
  quatern: [number, number, number];
  qoffset: [number, number, number];
  /** srow_x, srow_y, srow_z. */
  srow: [number[], number[], number[]];
  xyztUnits: number;
  dimInfo: number;
  /** Read from a NIfTI-2 file: writers keep that format (double-precision geometry, 64-bit dims). */
  nifti2?: true;
}

/** A 3-D volume; data[i + nx*j + nx*ny*k] is voxel (i, j, k), as nibabel indexes it. Values are scaled. */
export interface Volume {
  dims: [number, number, number];
  data: Float32Array;
  geometry: NiftiGeometry;
}

export interface LoadedVolume extends Volume {
  path: string;
  datatype: NiftiDatatype;
}

// 2^28 voxels (512×512×1024; 1 GiB as float32): above any CT this tool segments, and what bounds the memory
// a small hostile file (a gzip bomb, a header with huge dims) can make it take.
export const MAX_VOXELS = 2 ** 28;
// Decompressed data bytes a .nii.gz may expand to (int16 or float32 at the voxel limit; float64 only below it).
const MAX_DATA_BYTES = 2 ** 30;
// The largest header with its extensions that is decompressed before the dims are known.
const HEADER_PROBE_BYTES = 1 << 16;

export function readNifti(path: string): LoadedVolume {
  return parseNifti(readInputFile(path), path);
}

/** The decompressed bytes of a .nii.gz, never more than its header's dims and vox_offset need (+1, to see extra data). */
function gunzipBounded(bytes: Buffer, fail: (why: string) => never): Buffer {
  let head: Buffer;
  try {
    // A prefix of the stream, flushed without the end-of-stream check, holds the header.
    head = gunzipSync(bytes.subarray(0, HEADER_PROBE_BYTES), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: HEADER_PROBE_BYTES * 1032 });
  } catch (e) {
    return fail(`corrupt gzip stream (${(e as Error).message})`);
  }
  const need = declaredBytes(head);
  if (need === undefined) return fail(head.length < 348 ? 'truncated gzip stream: it ends before a whole NIfTI header' : 'not a NIfTI-1/2 file (bad size field or magic)');
  if (need > MAX_DATA_BYTES + HEADER_PROBE_BYTES) fail(`header declares ${need} bytes of data, more than this tool reads (${MAX_DATA_BYTES} bytes, ${MAX_VOXELS} voxels)`);
  try {
    return gunzipSync(bytes, { maxOutputLength: need + 1 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return fail(`the data does not match dims and datatype: the stream holds more than ${need} bytes`);
    return fail(`corrupt gzip stream (${(e as Error).message})`);
  }
}

/** vox_offset + voxels × bytes per voxel from the raw header (both versions, either byte order), or undefined. */
function declaredBytes(h: Buffer): number | undefined {
  if (h.length < 348) return undefined;
  for (const le of [true, false]) {
    const size = le ? h.readInt32LE(0) : h.readInt32BE(0);
    const v2 = size === 540;
    if (size !== 348 && !(v2 && h.length >= 540)) continue;
    const int = (at: number) => (v2 ? Number(le ? h.readBigInt64LE(at) : h.readBigInt64BE(at)) : le ? h.readInt16LE(at) : h.readInt16BE(at));
    const bitpix = le ? h.readInt16LE(v2 ? 14 : 72) : h.readInt16BE(v2 ? 14 : 72);
    const dimAt = v2 ? 16 : 40;
    const step = v2 ? 8 : 2;
    const n = int(dimAt);
    if (!(n >= 1 && n <= 7)) return undefined;
    let vox = 1;
    for (let i = 1; i <= n; i++) vox *= Math.max(0, int(dimAt + i * step));
    const offset = v2 ? Number(le ? h.readBigInt64LE(168) : h.readBigInt64BE(168)) : le ? h.readFloatLE(108) : h.readFloatBE(108);
    return Math.max(0, offset) + (vox * Math.max(8, bitpix)) / 8;
  }
  return undefined;
}

/** Decodes the bytes of a .nii or .nii.gz; `path` names the source in errors. */
export function parseNifti(bytes: Buffer, path: string): LoadedVolume {
  const fail = (why: string): never => {
    throw new Error(`${path}: ${why}`);
  };
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    bytes = gunzipBounded(bytes, fail);
  }
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  if (!nifti.isNIFTI(buf)) fail('not a NIfTI-1/2 file (bad size field or magic)');
  let hdr: nifti.NIFTI1 | nifti.NIFTI2;
  try {
    hdr = nifti.readHeader(buf);
  } catch (e) {
    return fail(`unreadable header (${(e as Error).message})`);
  }
  const datatype = BY_CODE.get(hdr.datatypeCode) ?? fail(`unsupported datatype code ${hdr.datatypeCode}`);
  const isV2 = hdr instanceof nifti.NIFTI2;
  // NIfTI-2 dims are int64: read them exactly (the header library's numbers lose negative values).
  const rawDims = isV2 ? Array.from({ length: 8 }, (_, i) => new DataView(buf).getBigInt64(16 + 8 * i, hdr.littleEndian)) : hdr.dims.map(BigInt);
  const dims = checkDims(rawDims, fail);
  const nvox = dims[0] * dims[1] * dims[2];
  if (nvox > MAX_VOXELS) fail(`dims ${dims.join('×')} are ${nvox} voxels, more than this tool reads (${MAX_VOXELS})`);
  const offset = hdr.vox_offset;
  if (!Number.isInteger(offset) || offset < (isV2 ? 540 : 348)) fail(`invalid vox_offset ${offset}`);
  const need = offset + nvox * BYTES[datatype];
  if (buf.byteLength < need) fail(`truncated: dims ${dims.join('×')} need ${need} bytes, file has ${buf.byteLength}`);
  if (buf.byteLength > need) fail(`dims ${dims.join('×')} do not match the data: ${buf.byteLength - need} extra bytes`);

  const data = decode(new DataView(buf, offset, nvox * BYTES[datatype]), datatype, hdr.littleEndian, nvox);
  applyScaling(data, hdr.scl_slope, hdr.scl_inter);
  let bad = 0;
  for (let i = 0; i < nvox; i++) if (!Number.isFinite(data[i]!)) bad++;
  if (bad > 0) fail(`${bad} voxels are NaN or infinite`);
  const geometry = readGeometry(hdr, new DataView(buf), isV2);
  checkGeometry(geometry, fail);
  return { path, dims, data, datatype, geometry };
}

function checkDims(dim: bigint[], fail: (why: string) => never): [number, number, number] {
  const n = dim[0]!;
  if (n < 1n || n > 7n) fail(`invalid dim[0] = ${n}`);
  const shown = dim.slice(1, Number(n) + 1).join('×');
  const d = [1, 2, 3].map((i) => (i <= n ? dim[i]! : 1n));
  if (d.some((v) => v < 1n || v > BigInt(MAX_VOXELS))) fail(`invalid dims ${shown}`);
  for (let i = 4; i <= n; i++) if (dim[i] !== 1n) fail(`expected a 3-D volume, got dims ${shown}`);
  return d.map(Number) as [number, number, number];
}

/** Spacing and the transforms in use must be finite numbers: NaN geometry would pass every later comparison. */
function checkGeometry(g: NiftiGeometry, fail: (why: string) => never): void {
  const sp = g.pixdim.slice(1, 4);
  if (!sp.every((v) => Number.isFinite(v) && v !== 0)) fail(`voxel spacing (pixdim[1..3]) must be finite and non-zero, got ${sp.join(', ')}`);
  if (g.qformCode > 0 && ![...g.quatern, ...g.qoffset, g.pixdim[0]!].every(Number.isFinite)) fail('qform (quatern_b/c/d, qoffset, qfac) holds NaN or infinity');
  if (g.sformCode > 0 && !g.srow.flat().every(Number.isFinite)) fail('sform (srow_x/y/z) holds NaN or infinity');
}

const ARRAYS = { uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array };

function decode(view: DataView, dt: NiftiDatatype, le: boolean, n: number): Float32Array {
  // Fast path: little-endian data at an aligned offset is viewed in place.
  if (le && view.byteOffset % BYTES[dt] === 0) return Float32Array.from(new ARRAYS[dt](view.buffer as ArrayBuffer, view.byteOffset, n));
  const out = new Float32Array(n);
  const get: (i: number) => number = {
    uint8: (i: number) => view.getUint8(i),
    int16: (i: number) => view.getInt16(i * 2, le),
    uint16: (i: number) => view.getUint16(i * 2, le),
    int32: (i: number) => view.getInt32(i * 4, le),
    float32: (i: number) => view.getFloat32(i * 4, le),
    float64: (i: number) => view.getFloat64(i * 8, le),
  }[dt];
  for (let i = 0; i < n; i++) out[i] = get(i);
  return out;
}

// NIfTI: slope 0 (or not finite) means "no scaling".
function applyScaling(data: Float32Array, slope: number, inter: number): void {
  if (!Number.isFinite(slope) || slope === 0) return;
  const b = Number.isFinite(inter) ? inter : 0;
  if (slope === 1 && b === 0) return;
  for (let i = 0; i < data.length; i++) data[i] = data[i]! * slope + b;
}

function readGeometry(hdr: nifti.NIFTI1 | nifti.NIFTI2, view: DataView, isV2: boolean): NiftiGeometry {
  // srow is read from the raw header: nifti-reader-js replaces its affine by the qform when qform_code ≥ sform_code.
  const le = hdr.littleEndian;
  const srowAt = (r: number, c: number) =>
    isV2 ? view.getFloat64(400 + (r * 4 + c) * 8, le) : view.getFloat32(280 + (r * 4 + c) * 4, le);
  const srow = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => srowAt(r, c))) as NiftiGeometry['srow'];
  return {
    pixdim: Array.from({ length: 8 }, (_, i) => hdr.pixDims[i] ?? 0),
    qformCode: hdr.qform_code,
    sformCode: hdr.sform_code,
    quatern: [hdr.quatern_b, hdr.quatern_c, hdr.quatern_d],
    qoffset: [hdr.qoffset_x, hdr.qoffset_y, hdr.qoffset_z],
    srow,
    xyztUnits: hdr.xyzt_units,
    dimInfo: hdr.dim_info,
    ...(isV2 ? { nifti2: true as const } : {}),
  };
}

/** Voxel sizes along the three array axes (mm). */
export function spacing(g: NiftiGeometry): [number, number, number] {
  return [Math.abs(g.pixdim[1]!), Math.abs(g.pixdim[2]!), Math.abs(g.pixdim[3]!)];
}

/** The quaternion (qform) voxel → world matrix, NIfTI-1 method 2. */
export function qformAffine(g: NiftiGeometry): number[][] {
  const [b, c, d] = g.quatern;
  const a = Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d));
  const qfac = g.pixdim[0]! < 0 ? -1 : 1;
  const R = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const s = [g.pixdim[1]!, g.pixdim[2]!, qfac * g.pixdim[3]!];
  return [
    ...R.map((row, r) => [row[0]! * s[0]!, row[1]! * s[1]!, row[2]! * s[2]!, g.qoffset[r]!]),
    [0, 0, 0, 1],
  ];
}

/** Voxel → world (mm) the way nibabel, NiiVue and ITK pick it: sform if set, else qform, else pixdim. */
export function affine(g: NiftiGeometry): number[][] {
  if (g.sformCode > 0) return [...g.srow.map((r) => [...r]), [0, 0, 0, 1]];
  if (g.qformCode > 0) return qformAffine(g);
  const s = spacing(g);
  return [
    [s[0], 0, 0, 0],
    [0, s[1], 0, 0],
    [0, 0, s[2], 0],
    [0, 0, 0, 1],
  ];
}

/** A geometry whose qform and sform both say: axis-aligned voxels of the given spacing at origin. */
export function axisAlignedGeometry(sp: [number, number, number], origin: [number, number, number] = [0, 0, 0]): NiftiGeometry {
  return {
    pixdim: [1, sp[0], sp[1], sp[2], 0, 0, 0, 0],
    qformCode: 1,
    sformCode: 1,
    quatern: [0, 0, 0],
    qoffset: [...origin],
    srow: [
      [sp[0], 0, 0, origin[0]],
      [0, sp[1], 0, origin[1]],
      [0, 0, sp[2], origin[2]],
    ],
    xyztUnits: 2, // mm
    dimInfo: 0,
  };
}

/** Throws unless mask lies on image's grid (same dims, same world placement within 1e-3 mm). */
export function assertSameGrid(image: LoadedVolume, mask: LoadedVolume): void {
  const where = `${mask.path} does not lie on the grid of ${image.path}`;
  if (image.dims.some((d, i) => d !== mask.dims[i])) {
    throw new Error(`${where}: dims ${mask.dims.join('×')} vs ${image.dims.join('×')}`);
  }
  const a = affine(image.geometry);
  const b = affine(mask.geometry);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      if (Math.abs(a[r]![c]! - b[r]![c]!) > 1e-3) throw new Error(`${where}: affines differ at [${r},${c}]`);
    }
  }
}

// Header sizes and data offsets (header + 4-byte extension flag, all zero: no extensions).
const HDR1 = 348;
const VOX_OFFSET1 = 352;
const HDR2 = 540;
const VOX_OFFSET2 = 544;

function checkLength(vol: Volume, who: string): number {
  const n = vol.dims[0] * vol.dims[1] * vol.dims[2];
  if (vol.data.length !== n) throw new Error(`${who}: ${vol.data.length} values for dims ${vol.dims.join('×')}`);
  return n;
}

/** The bytes of a NIfTI-1 single file (.nii) holding vol as the given datatype (values rounded for integer types). */
export function encodeNifti1(vol: Volume, datatype: NiftiDatatype, description = ''): Buffer {
  const n = checkLength(vol, 'encodeNifti1');
  const buf = Buffer.alloc(VOX_OFFSET1 + n * BYTES[datatype]);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const g = vol.geometry;
  v.setInt32(0, HDR1, true);
  v.setUint8(39, g.dimInfo);
  [3, vol.dims[0], vol.dims[1], vol.dims[2], 1, 1, 1, 1].forEach((d, i) => v.setInt16(40 + 2 * i, d, true));
  v.setInt16(70, CODES[datatype], true);
  v.setInt16(72, BYTES[datatype] * 8, true);
  g.pixdim.forEach((p, i) => v.setFloat32(76 + 4 * i, p, true));
  v.setFloat32(108, VOX_OFFSET1, true);
  v.setFloat32(112, 1, true); // scl_slope
  v.setFloat32(116, 0, true); // scl_inter
  v.setUint8(123, g.xyztUnits);
  buf.write(description.slice(0, 79), 148, 'latin1');
  v.setInt16(252, g.qformCode, true);
  v.setInt16(254, g.sformCode, true);
  [...g.quatern, ...g.qoffset].forEach((q, i) => v.setFloat32(256 + 4 * i, q, true));
  g.srow.flat().forEach((s, i) => v.setFloat32(280 + 4 * i, s, true));
  buf.write('n+1\0', 344, 'latin1');
  encodeData(buf, VOX_OFFSET1, vol.data, datatype);
  return buf;
}

/** The bytes of a NIfTI-2 single file (.nii): 540-byte header, 64-bit dims, geometry in double precision. */
export function encodeNifti2(vol: Volume, datatype: NiftiDatatype, description = ''): Buffer {
  const n = checkLength(vol, 'encodeNifti2');
  const buf = Buffer.alloc(VOX_OFFSET2 + n * BYTES[datatype]);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const g = vol.geometry;
  v.setInt32(0, HDR2, true);
  buf.write('n+2\0\r\n\x1a\n', 4, 'latin1');
  v.setInt16(12, CODES[datatype], true);
  v.setInt16(14, BYTES[datatype] * 8, true);
  [3, vol.dims[0], vol.dims[1], vol.dims[2], 1, 1, 1, 1].forEach((d, i) => v.setBigInt64(16 + 8 * i, BigInt(d), true));
  g.pixdim.forEach((p, i) => v.setFloat64(104 + 8 * i, p, true));
  v.setBigInt64(168, BigInt(VOX_OFFSET2), true);
  v.setFloat64(176, 1, true); // scl_slope
  v.setFloat64(184, 0, true); // scl_inter
  buf.write(description.slice(0, 79), 240, 'latin1');
  v.setInt32(344, g.qformCode, true);
  v.setInt32(348, g.sformCode, true);
  [...g.quatern, ...g.qoffset].forEach((q, i) => v.setFloat64(352 + 8 * i, q, true));
  g.srow.flat().forEach((s, i) => v.setFloat64(400 + 8 * i, s, true));
  v.setInt32(500, g.xyztUnits, true);
  v.setUint8(524, g.dimInfo);
  encodeData(buf, VOX_OFFSET2, vol.data, datatype);
  return buf;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const BOUNDS: Partial<Record<NiftiDatatype, [number, number]>> = { uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535], int32: [-(2 ** 31), 2 ** 31 - 1] };

/** Writes data little-endian at offset (a multiple of 8 in a fresh Buffer.alloc, so the typed view is aligned). */
function encodeData(buf: Buffer, offset: number, data: Float32Array, dt: NiftiDatatype): void {
  const out = new ARRAYS[dt](buf.buffer as ArrayBuffer, buf.byteOffset + offset, data.length);
  const b = BOUNDS[dt];
  if (b) for (let i = 0; i < data.length; i++) out[i] = clampRound(data[i]!, b[0], b[1]);
  else out.set(data);
  const swap = ({ 2: 'swap16', 4: 'swap32', 8: 'swap64' } as const)[BYTES[dt] as 2 | 4 | 8];
  if (!LITTLE_ENDIAN_HOST && swap) buf.subarray(offset)[swap]();
}

function clampRound(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(x)));
}

/**
 * Writes vol (.nii, or gzip for .nii.gz) atomically; refuses to replace a file this process read. NIfTI-2
 * when the geometry came from a NIfTI-2 file (or options.version = 2), else NIfTI-1.
 * gzipLevel trades size for speed (the phantom writes thousands of files at level 1).
 */
export function writeNifti(path: string, vol: Volume, datatype: NiftiDatatype, options: { gzipLevel?: number; description?: string; version?: 1 | 2 } = {}): void {
  assertNotInput(path);
  const version = options.version ?? (vol.geometry.nifti2 ? 2 : 1);
  const raw = (version === 2 ? encodeNifti2 : encodeNifti1)(vol, datatype, options.description);
  const bytes = path.endsWith('.gz') ? gzipSync(raw, { level: options.gzipLevel ?? 6 }) : raw;
  writeFileAtomic(path, bytes);
}

/** Geometry (qform and sform agreeing) for an affine whose columns are orthogonal: spacing × rotation (± flip). */
export function geometryFromAffine(aff: number[][]): NiftiGeometry {
  const col = (c: number) => [aff[0]![c]!, aff[1]![c]!, aff[2]![c]!];
  const sp = [0, 1, 2].map((c) => Math.hypot(...col(c)));
  const R = [0, 1, 2].map((r) => [0, 1, 2].map((c) => aff[r]![c]! / sp[c]!));
  const det = R[0]![0]! * (R[1]![1]! * R[2]![2]! - R[1]![2]! * R[2]![1]!) - R[0]![1]! * (R[1]![0]! * R[2]![2]! - R[1]![2]! * R[2]![0]!) + R[0]![2]! * (R[1]![0]! * R[2]![1]! - R[1]![1]! * R[2]![0]!);
  const qfac = det < 0 ? -1 : 1;
  for (let r = 0; r < 3; r++) R[r]![2]! *= qfac;
  // Rotation matrix → unit quaternion with a ≥ 0 (NIfTI mat44_to_quatern).
  const [r00, r11, r22] = [R[0]![0]!, R[1]![1]!, R[2]![2]!];
  let a = 0.5 * Math.sqrt(Math.max(0, 1 + r00 + r11 + r22));
  let b: number, c: number, d: number;
  if (a > 0.1) {
    b = (0.25 * (R[2]![1]! - R[1]![2]!)) / a;
    c = (0.25 * (R[0]![2]! - R[2]![0]!)) / a;
    d = (0.25 * (R[1]![0]! - R[0]![1]!)) / a;
  } else if (r00 >= r11 && r00 >= r22) {
    b = 0.5 * Math.sqrt(1 + r00 - r11 - r22);
    c = (0.25 * (R[0]![1]! + R[1]![0]!)) / b;
    d = (0.25 * (R[0]![2]! + R[2]![0]!)) / b;
    a = (0.25 * (R[2]![1]! - R[1]![2]!)) / b;
  } else if (r11 >= r22) {
    c = 0.5 * Math.sqrt(1 - r00 + r11 - r22);
    b = (0.25 * (R[0]![1]! + R[1]![0]!)) / c;
    d = (0.25 * (R[1]![2]! + R[2]![1]!)) / c;
    a = (0.25 * (R[0]![2]! - R[2]![0]!)) / c;
  } else {
    d = 0.5 * Math.sqrt(1 - r00 - r11 + r22);
    b = (0.25 * (R[0]![2]! + R[2]![0]!)) / d;
    c = (0.25 * (R[1]![2]! + R[2]![1]!)) / d;
    a = (0.25 * (R[1]![0]! - R[0]![1]!)) / d;
  }
  if (a < 0) [b, c, d] = [-b, -c, -d];
  return {
    pixdim: [qfac, sp[0]!, sp[1]!, sp[2]!, 0, 0, 0, 0],
    qformCode: 1,
    sformCode: 1,
    quatern: [b, c, d],
    qoffset: [aff[0]![3]!, aff[1]![3]!, aff[2]![3]!],
    srow: [aff[0]!.slice(0, 4), aff[1]!.slice(0, 4), aff[2]!.slice(0, 4)] as NiftiGeometry['srow'],
    xyztUnits: 2,
    dimInfo: 0,
  };
}
