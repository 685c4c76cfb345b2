// PyTorch `torch.save` zip archives (and Lightning checkpoints, which are such archives): `<root>/data.pkl`
// holds the object graph, and each persistent id ('storage', <StorageClass>, key, location, numel) names the
// raw little-endian elements in `<root>/data/<key>`. Tensors come back as TensorRecords in C order.
import { unzipSync } from 'fflate';
import { readInputFile } from '../data/files.js';
import { NUMPY_HANDLERS } from './numpy-pickle.js';
import { PyGlobal, unpickle, type ClassHandler, type Handlers } from './pickle.js';
import { DTYPE_BYTES, decodeElements, numel, type DType, type TensorRecord, type TypedArray } from './tensor-record.js';

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'F32', DoubleStorage: 'F64', HalfStorage: 'F16', BFloat16Storage: 'BF16', LongStorage: 'I64',
  IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
};

interface Storage {
  dtype: DType;
  data: TypedArray;
}

function isStorage(v: unknown): v is Storage {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'data' in v && !('shape' in v);
}

function isTensor(v: unknown): v is TensorRecord {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'data' in v && 'shape' in v;
}

function isIntArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isSafeInteger(x));
}

/** Tensor view (offset, size, stride) of a storage, copied to a fresh C-order array. */
function gather(storage: Storage, offset: number, size: number[], stride: number[]): TensorRecord {
  const n = numel(size);
  if (size.length !== stride.length || size.some((s) => s < 0) || stride.some((s) => s < 0) || offset < 0) {
    throw new Error(`bad tensor view: offset ${offset}, size [${size.join(',')}], stride [${stride.join(',')}]`);
  }
  const last = n === 0 ? offset - 1 : size.reduce((acc, s, k) => acc + (s - 1) * stride[k]!, offset);
  if (last >= storage.data.length) throw new Error(`tensor view reaches element ${last} of a storage of ${storage.data.length}`);
  let contiguous = true;
  for (let k = size.length - 1, expect = 1; k >= 0; expect *= size[k]!, k--) if (size[k]! > 1 && stride[k] !== expect) contiguous = false;
  if (contiguous) return { dtype: storage.dtype, shape: size, data: storage.data.slice(offset, offset + n) };
  const out = new (storage.data.constructor as new (len: number) => TypedArray)(n);
  const idx = new Array<number>(size.length).fill(0);
  let src = offset;
  for (let i = 0; i < n; i++) {
    out[i] = storage.data[src]!;
    for (let k = size.length - 1; k >= 0; k--) {
      src += stride[k]!;
      if (++idx[k]! < size[k]!) break;
      src -= size[k]! * stride[k]!;
      idx[k] = 0;
    }
  }
  return { dtype: storage.dtype, shape: size, data: out };
}

// _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata]); the older
// _rebuild_tensor has the first four arguments only.
const rebuildTensor: ClassHandler = {
  construct: ([storage, offset, size, stride]) => {
    if (!isStorage(storage) || !Number.isSafeInteger(offset) || !isIntArray(size) || !isIntArray(stride)) {
      throw new Error('_rebuild_tensor arguments are not (storage, offset, size, stride)');
    }
    return gather(storage, offset as number, size, stride);
  },
};

// nn.Parameter(data, requires_grad, hooks[, state]) is just its tensor here.
const rebuildParameter: ClassHandler = { construct: ([data]) => data };

const TORCH_HANDLERS: Handlers = {
  ...NUMPY_HANDLERS,
  'torch._utils._rebuild_tensor_v2': rebuildTensor,
  'torch._utils._rebuild_tensor': rebuildTensor,
  'torch._utils._rebuild_parameter': rebuildParameter,
  'torch._utils._rebuild_parameter_with_state': rebuildParameter,
};

// torch.save stores its entries uncompressed; a compressed entry that expands more than this (and beyond
// 1 MiB) is a zip bomb. The declared sizes bound what is inflated (fflate allocates exactly those).
const MAX_RATIO = 100;
const MAX_ARCHIVE_BYTES = 2 ** 32 - 1;

function unzipBounded(bytes: Uint8Array): Record<string, Uint8Array> {
  let total = 0;
  return unzipSync(bytes, {
    filter: (f) => {
      total += f.originalSize;
      if (total > MAX_ARCHIVE_BYTES) throw new Error(`the archive expands to more than ${MAX_ARCHIVE_BYTES} bytes`);
      if (f.compression !== 0 && f.originalSize > 1 << 20 && f.originalSize > MAX_RATIO * f.size) {
        throw new Error(`entry ${f.name} expands ${f.size} bytes to ${f.originalSize} (a zip bomb?)`);
      }
      return true;
    },
  });
}

/** The object graph of a torch.save archive: dicts are Maps, tensors TensorRecords, unknown classes PyObjects. */
export function readTorchCheckpoint(path: string): unknown {
  let files: Record<string, Uint8Array>;
  try {
    const bytes = readInputFile(path);
    if (bytes.length === 0) throw new Error('empty file (0 bytes)');
    if (bytes[0] === 0x80) throw new Error('legacy (non-zip) torch.save format is not supported; re-save with torch >= 1.6');
    files = unzipBounded(bytes);
  } catch (e) {
    throw new Error(`${path}: cannot read torch checkpoint: ${(e as Error).message}`);
  }
  const pkl = Object.keys(files).filter((k) => /^[^/]+\/data\.pkl$/.test(k));
  if (pkl.length !== 1) throw new Error(`${path}: not a torch.save archive (expected one <root>/data.pkl, found ${pkl.length})`);
  const root = pkl[0]!.slice(0, -'data.pkl'.length);
  const storages = new Map<string, Storage>();
  const persistentLoad = (pid: unknown): Storage => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || !(pid[1] instanceof PyGlobal)) throw new Error(`unsupported persistent id ${JSON.stringify(pid)}`);
    const [, type, key, , count] = pid as [string, PyGlobal, string, string, number];
    const dtype = STORAGE_DTYPES[type.name];
    if (type.module !== 'torch' || !dtype) throw new Error(`unsupported storage type ${type.qualified}`);
    const cached = storages.get(key);
    if (cached) return cached;
    const raw = files[`${root}data/${key}`];
    if (!raw) throw new Error(`storage ${key} is missing from the archive`);
    if (!Number.isSafeInteger(count) || count < 0 || raw.length !== count * DTYPE_BYTES[dtype]) {
      throw new Error(`storage ${key} claims ${String(count)} elements of ${dtype}, the archive holds ${raw.length} bytes for it`);
    }
    const storage = { dtype, data: decodeElements(dtype, raw, count) };
    storages.set(key, storage);
    return storage;
  };
  return unpickle(files[pkl[0]!]!, { label: `${path} (${pkl[0]})`, persistentLoad, handlers: TORCH_HANDLERS });
}

export interface StateDictOptions {
  /** Keys with this prefix are returned, prefix stripped; '' keeps every key. Default 'ema_model.'. */
  prefix?: string;
}

/** The tensors of a checkpoint's state_dict (Lightning) or of a saved state dict itself, for one prefix. */
export function loadStateDict(path: string, { prefix = 'ema_model.' }: StateDictOptions = {}): Map<string, TensorRecord> {
  const root = readTorchCheckpoint(path);
  const sd = root instanceof Map && root.get('state_dict') instanceof Map ? (root.get('state_dict') as Map<unknown, unknown>) : root;
  if (!(sd instanceof Map)) throw new Error(`${path}: holds no state dict`);
  const out = new Map<string, TensorRecord>();
  for (const [k, v] of sd) {
    if (typeof k !== 'string' || !k.startsWith(prefix)) continue;
    if (isTensor(v)) out.set(k.slice(prefix.length), v);
  }
  if (out.size === 0) {
    const prefixes = [...new Set([...sd.keys()].map((k) => String(k).split('.')[0] + '.'))].slice(0, 10);
    throw new Error(`${path}: no tensors under prefix '${prefix}' (found: ${prefixes.join(', ')})`);
  }
  return out;
}
