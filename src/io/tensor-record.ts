// The plain tensor value shared by every reader and writer in src/io: a dtype tag, a shape and a typed
// array in C (row-major) order. Half-precision data lives in Float32Array; only the tag remembers it.
import { endianness } from 'node:os';

// Typed arrays use the host byte order and every format read here is little-endian.
if (endianness() !== 'LE') throw new Error('src/io needs a little-endian host');

export type DType = 'F32' | 'F64' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export type TypedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export interface TensorRecord {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

/** Bytes per element as stored on disk. */
export const DTYPE_BYTES: Record<DType, number> = {
  F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

// Round-to-nearest-even, as numpy and torch convert.
function floatToHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rem = m & ((1 << shift) - 1);
    let v = m >>> shift;
    if (rem > half || (rem === half && v & 1)) v++;
    return sign | v;
  }
  const rem = mant & 0x1fff;
  let v = (e << 10) | (mant >>> 13);
  if (rem > 0x1000 || (rem === 0x1000 && v & 1)) v++;
  return sign | v;
}

function bf16ToFloat(h: number): number {
  u32[0] = h << 16;
  return f32[0]!;
}

function floatToBf16(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  if ((bits & 0x7fffffff) > 0x7f800000) return (bits >>> 16) | 0x40;
  return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
}

/** Decodes count little-endian elements of dtype from bytes (copied, so the result owns its memory). */
export function decodeElements(dtype: DType, bytes: Uint8Array, count: number): TypedArray {
  const n = count * DTYPE_BYTES[dtype];
  if (bytes.length < n) throw new Error(`need ${n} bytes for ${count} ${dtype} elements, have ${bytes.length}`);
  // Copy into a fresh buffer: Node Buffers share pools and may sit at unaligned offsets.
  const copy = new Uint8Array(n);
  copy.set(bytes.subarray(0, n));
  const buf = copy.buffer;
  switch (dtype) {
    case 'F32': return new Float32Array(buf);
    case 'F64': return new Float64Array(buf);
    case 'I64': return new BigInt64Array(buf);
    case 'I32': return new Int32Array(buf);
    case 'I16': return new Int16Array(buf);
    case 'I8': return new Int8Array(buf);
    case 'U8': case 'BOOL': return new Uint8Array(buf);
    case 'F16': case 'BF16': {
      const raw = new Uint16Array(buf);
      const convert = dtype === 'F16' ? halfToFloat : bf16ToFloat;
      return Float32Array.from(raw, convert);
    }
  }
}

/** The little-endian bytes of data stored as dtype (F16/BF16 are rounded from the Float32Array). */
export function encodeElements(dtype: DType, data: TypedArray): Uint8Array {
  if (dtype === 'F16' || dtype === 'BF16') {
    const convert = dtype === 'F16' ? floatToHalf : floatToBf16;
    const raw = Uint16Array.from(data as Float32Array, convert);
    return new Uint8Array(raw.buffer);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Checks that data's array type and length fit dtype and shape; label names the tensor in errors. */
export function assertRecord(label: string, r: TensorRecord): void {
  const expected: Record<DType, string> = {
    F32: 'Float32Array', F64: 'Float64Array', F16: 'Float32Array', BF16: 'Float32Array', I64: 'BigInt64Array',
    I32: 'Int32Array', I16: 'Int16Array', I8: 'Int8Array', U8: 'Uint8Array', BOOL: 'Uint8Array',
  };
  if (!(r.dtype in expected)) throw new Error(`${label}: unsupported dtype ${String(r.dtype)}`);
  if (r.data.constructor.name !== expected[r.dtype]) {
    throw new Error(`${label}: dtype ${r.dtype} needs a ${expected[r.dtype]}, got ${r.data.constructor.name}`);
  }
  if (!r.shape.every((s) => Number.isInteger(s) && s >= 0)) throw new Error(`${label}: bad shape [${r.shape.join(',')}]`);
  if (r.data.length !== numel(r.shape)) {
    throw new Error(`${label}: shape [${r.shape.join(',')}] needs ${numel(r.shape)} elements, data has ${r.data.length}`);
  }
}
