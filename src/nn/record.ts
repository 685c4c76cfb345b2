// Conversion between file records (src/io: dtype tag, shape, typed array) and engine tensors.
import * as torch from '../tensor/index.js';
import type { DType, Tensor } from '../tensor/index.js';
import type { DType as RecordDType, TensorRecord, TypedArray } from '../io/tensor-record.js';

// F16/BF16 records carry their values in a Float32Array.
const TO_TORCH: Record<RecordDType, DType> = {
  F32: 'float32', F64: 'float64', F16: 'float32', BF16: 'float32', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};
const TO_RECORD: Partial<Record<DType, RecordDType>> = {
  float32: 'F32', float64: 'F64', int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};

export function recordToTensor(r: TensorRecord): Tensor {
  return torch.tensor(r.data, r.shape, TO_TORCH[r.dtype]);
}

/** A record of t's data (copied to the CPU); float16/bfloat16 tensors are stored as F32. */
export function tensorToRecord(t: Tensor): TensorRecord {
  const dtype = TO_RECORD[t.dtype] ?? 'F32';
  const data = (dtype === 'F32' ? t.toFloat32Array() : t.toArray()) as TypedArray;
  return { dtype, shape: t.shape, data };
}
