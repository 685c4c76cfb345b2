// safetensors files: 8-byte little-endian header length, a JSON header (dtype, shape, data_offsets per
// tensor and an optional __metadata__ string map), then the raw little-endian tensor bytes.
import { readInputFile, writeFileAtomic } from '../data/files.js';
import { DTYPE_BYTES, assertRecord, decodeElements, encodeElements, numel, type DType, type TensorRecord } from './tensor-record.js';

// The reference implementation's limit; a larger header means a corrupt or hostile file.
const MAX_HEADER_BYTES = 100_000_000;

export interface Safetensors {
  tensors: Map<string, TensorRecord>;
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: DType;
  shape: number[];
  data_offsets: [number, number];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseEntry(name: string, v: unknown): HeaderEntry {
  if (!isRecord(v)) throw new Error(`tensor ${name}: header entry is not an object`);
  const { dtype, shape, data_offsets: off } = v;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) throw new Error(`tensor ${name}: unsupported dtype ${String(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
    throw new Error(`tensor ${name}: bad shape ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[0] > off[1]) {
    throw new Error(`tensor ${name}: bad data_offsets ${JSON.stringify(off)}`);
  }
  return { dtype: dtype as DType, shape, data_offsets: [off[0], off[1]] };
}

/** Parses safetensors bytes; label (usually the path) names the file in every error. */
export function parseSafetensors(bytes: Uint8Array, label: string): Safetensors {
  try {
    if (bytes.length < 8) throw new Error('truncated: shorter than the 8-byte header length');
    const headerLen = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (headerLen > BigInt(MAX_HEADER_BYTES)) throw new Error(`header of ${headerLen} bytes is too large`);
    const dataStart = 8 + Number(headerLen);
    if (dataStart > bytes.length) throw new Error(`truncated: header needs ${headerLen} bytes, file has ${bytes.length - 8}`);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
    } catch (e) {
      throw new Error(`header is not UTF-8 JSON (${(e as Error).message})`);
    }
    if (!isRecord(header)) throw new Error('header is not a JSON object');
    const dataLen = bytes.length - dataStart;
    const metadata: Record<string, string> = {};
    const entries: [string, HeaderEntry][] = [];
    for (const [name, v] of Object.entries(header)) {
      if (name === '__metadata__') {
        if (!isRecord(v) || !Object.values(v).every((s) => typeof s === 'string')) throw new Error('__metadata__ must map strings to strings');
        Object.assign(metadata, v);
        continue;
      }
      const e = parseEntry(name, v);
      const [begin, end] = e.data_offsets;
      const need = numel(e.shape) * DTYPE_BYTES[e.dtype];
      if (end - begin !== need) throw new Error(`tensor ${name}: data_offsets span ${end - begin} bytes, shape and dtype need ${need}`);
      if (end > dataLen) throw new Error(`truncated: tensor ${name} ends at byte ${end}, data has ${dataLen}`);
      entries.push([name, e]);
    }
    // As the reference implementation validates: the tensors tile the data exactly, with no gap, overlap or
    // trailing byte, so a changed header length or offset cannot shift every tensor onto the wrong bytes.
    const byStart = entries.map(([name, e]) => ({ name, begin: e.data_offsets[0], end: e.data_offsets[1] }))
      .filter((r) => r.end > r.begin)
      .sort((a, b) => a.begin - b.begin);
    let covered = 0;
    for (const r of byStart) {
      if (r.begin < covered) throw new Error(`tensor ${r.name} overlaps the tensor before it`);
      if (r.begin > covered) throw new Error(`${r.begin - covered} bytes before tensor ${r.name} belong to no tensor`);
      covered = r.end;
    }
    if (covered !== dataLen) throw new Error(`${dataLen - covered} bytes after the last tensor belong to no tensor (header length or offsets are wrong)`);
    const tensors = new Map<string, TensorRecord>();
    for (const [name, e] of entries) {
      const raw = bytes.subarray(dataStart + e.data_offsets[0], dataStart + e.data_offsets[1]);
      tensors.set(name, { dtype: e.dtype, shape: e.shape, data: decodeElements(e.dtype, raw, numel(e.shape)) });
    }
    return { tensors, metadata };
  } catch (e) {
    throw new Error(`${label}: not a valid safetensors file: ${(e as Error).message}`);
  }
}

export function readSafetensors(path: string): Safetensors {
  const bytes = readInputFile(path);
  return parseSafetensors(bytes, path);
}

/** Serialises tensors in the given order; the header is space-padded to 8 bytes so the data is aligned. */
export function serializeSafetensors(tensors: ReadonlyMap<string, TensorRecord>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, r] of tensors) {
    if (name === '__metadata__') throw new Error('a tensor cannot be named __metadata__');
    assertRecord(`tensor ${name}`, r);
    const bytes = encodeElements(r.dtype, r.data);
    header[name] = { dtype: r.dtype, shape: r.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Writes atomically (temporary file + rename); see writeFileAtomic for what it refuses to replace. */
export function writeSafetensors(path: string, tensors: ReadonlyMap<string, TensorRecord>, metadata: Record<string, string> = {}, options: { replace?: boolean } = {}): void {
  writeFileAtomic(path, serializeSafetensors(tensors, metadata), options);
}
