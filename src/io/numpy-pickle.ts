// numpy objects inside pickles: dtypes, arrays (ndarray.__reduce__ = _reconstruct + BUILD state) and scalars,
// under both module paths (numpy.core before numpy 2, numpy._core after). Arrays become TensorRecords.
import { pythonInt, type ClassHandler, type Handlers } from './pickle.js';
import { decodeElements, numel, type DType, type TensorRecord, type TypedArray } from './tensor-record.js';

/** A numpy dtype as pickled: its type code ('f8', 'i8', 'b1', ...) and byte order ('<', '>', '|', '='). */
export class NumpyDtype {
  constructor(readonly code: string, public byteorder = '=') {}
}

const CODES: Record<string, DType> = {
  f2: 'F16', f4: 'F32', f8: 'F64', i1: 'I8', i2: 'I16', i4: 'I32', i8: 'I64', u1: 'U8', b1: 'BOOL',
};

/** The TensorRecord dtype of a numpy dtype; other numpy types (strings, objects, unsigned wider than 8 bits) are refused. */
export function recordDtype(dt: NumpyDtype): DType {
  const d = CODES[dt.code];
  if (!d) throw new Error(`numpy dtype '${dt.code}' is not supported`);
  if (dt.byteorder === '>') throw new Error(`big-endian numpy dtype '>${dt.code}' is not supported`);
  return d;
}

/** C order from a Fortran-order buffer: element (i0, ..., ik) sits at i0 + n0*(i1 + n1*(...)). */
function fortranToC(data: TypedArray, shape: readonly number[]): TypedArray {
  const out = data.slice();
  const n = data.length;
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let c = 0; c < n; c++) {
    let f = 0;
    for (let k = rank - 1; k >= 0; k--) f = f * shape[k]! + idx[k]!;
    out[c] = data[f]!;
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k]! < shape[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** An array from its raw little-endian bytes, as numpy and joblib store them. */
export function arrayFromBytes(dt: NumpyDtype, shape: number[], bytes: Uint8Array, fortranOrder: boolean): TensorRecord {
  const dtype = recordDtype(dt);
  const data = decodeElements(dtype, bytes, numel(shape));
  return { dtype, shape, data: fortranOrder && shape.length > 1 ? fortranToC(data, shape) : data };
}

function isDtype(v: unknown): v is NumpyDtype {
  return v instanceof NumpyDtype;
}

const dtypeHandler: ClassHandler = {
  // numpy.dtype('f8', align, copy); the byte order arrives with BUILD state (version, byteorder, ...).
  construct: ([code]) => {
    if (typeof code !== 'string') throw new Error('numpy.dtype needs a type code');
    return new NumpyDtype(code);
  },
  build: (obj, state) => {
    const byteorder = Array.isArray(state) ? state[1] : undefined;
    if (!isDtype(obj) || typeof byteorder !== 'string') throw new Error('numpy.dtype state without a byte order');
    obj.byteorder = byteorder;
    return obj;
  },
};

/** Placeholder for an array between _reconstruct and its BUILD. */
class PendingArray {}

const reconstructHandler: ClassHandler = {
  construct: () => new PendingArray(),
  // State: (version, shape, dtype, is_fortran, raw bytes) — latin1 text when pickled by protocol 2 on Python 2.
  build: (_obj, state) => {
    if (!Array.isArray(state) || state.length !== 5) throw new Error('numpy array state is not a 5-tuple');
    const [, shape, dt, fortran, raw] = state;
    if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s))) throw new Error('numpy array shape is not a tuple of ints');
    if (!isDtype(dt)) throw new Error('numpy array state has no dtype');
    if (!(raw instanceof Uint8Array)) throw new Error(`numpy array of dtype '${dt.code}' has no raw data (object arrays are not supported)`);
    return arrayFromBytes(dt, shape as number[], raw, fortran === true);
  },
};

const scalarHandler: ClassHandler = {
  construct: ([dt, raw]) => {
    if (!isDtype(dt) || !(raw instanceof Uint8Array)) throw new Error('numpy scalar needs a dtype and bytes');
    const v = arrayFromBytes(dt, [], raw, false).data[0]!;
    if (typeof v === 'bigint') return pythonInt(v);
    return dt.code === 'b1' ? v !== 0 : v;
  },
};

export const NUMPY_HANDLERS: Handlers = {
  'numpy.dtype': dtypeHandler,
  'numpy.core.multiarray._reconstruct': reconstructHandler,
  'numpy._core.multiarray._reconstruct': reconstructHandler,
  'numpy.core.multiarray.scalar': scalarHandler,
  'numpy._core.multiarray.scalar': scalarHandler,
};
