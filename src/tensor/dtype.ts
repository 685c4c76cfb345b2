export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';
// 'lazy': libtorch's lazy-tensor device, used by the tests to prove device placement without a GPU.
export type Device = 'cpu' | 'cuda' | `cuda:${number}` | 'lazy' | `lazy:${number}`;

/** The typed array that carries each dtype's data to and from JS. */
export interface ArrayOf {
  float32: Float32Array;
  float64: Float64Array;
  float16: Float32Array;
  bfloat16: Float32Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int16: Int16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}
export type AnyArray = ArrayOf[DType];

export function dtypeOfArray(a: AnyArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  throw new TypeError('unsupported typed array');
}
