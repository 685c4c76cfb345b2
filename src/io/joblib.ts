// joblib pickles (joblib.dump): an ordinary pickle in which every numpy array is a NumpyArrayWrapper whose
// BUILD is followed, in the stream itself, by the array's raw bytes (after 1 + n alignment padding bytes).
import { readInputFile } from '../data/files.js';
import { NUMPY_HANDLERS, NumpyDtype, arrayFromBytes, recordDtype } from './numpy-pickle.js';
import { unpickle, type ClassHandler } from './pickle.js';
import { DTYPE_BYTES, numel } from './tensor-record.js';

const arrayWrapper: ClassHandler = {
  build: (_obj, state, ctx) => {
    if (!(state instanceof Map)) throw new Error('NumpyArrayWrapper state is not a dict');
    const shape = state.get('shape');
    const dtype = state.get('dtype');
    if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s)) || !(dtype instanceof NumpyDtype)) {
      throw new Error('NumpyArrayWrapper state lacks shape or dtype');
    }
    const bytesPerElement = DTYPE_BYTES[recordDtype(dtype)];
    if (state.get('numpy_array_alignment_bytes') != null) ctx.readRaw(ctx.readRaw(1)[0]!);
    const raw = ctx.readRaw(numel(shape as number[]) * bytesPerElement);
    return arrayFromBytes(dtype, shape as number[], raw, state.get('order') === 'F');
  },
};

/** The object graph of a joblib file; numpy arrays become TensorRecords, unknown classes PyObjects. */
export function readJoblib(path: string): unknown {
  const bytes = readInputFile(path);
  if (bytes.length === 0) throw new Error(`${path}: empty file (0 bytes); expected a joblib pickle`);
  if (bytes[0] !== 0x80) throw new Error(`${path}: not an uncompressed joblib pickle (compressed joblib files are not supported)`);
  return unpickle(bytes, {
    label: path,
    handlers: { ...NUMPY_HANDLERS, 'joblib.numpy_pickle.NumpyArrayWrapper': arrayWrapper },
  });
}
