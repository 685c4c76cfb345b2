import { native, type NativeTensor } from './native.js';
import { TensorOps } from './ops.generated.js';
import { track } from './scope.js';
import { setTensorFactory, wrap } from './wrap.js';
import { dtypeOfArray, type AnyArray, type ArrayOf, type Device, type DType } from './dtype.js';

/**
 * A libtorch tensor. Methods follow PyTorch's names and semantics (camelCase in TS).
 * Native memory is freed by dispose(), by an enclosing tidy(), by `using`, or at the latest by the GC.
 */
export class Tensor extends TensorOps implements Disposable {
  readonly isTensor = true as const;
  readonly native: NativeTensor;

  constructor(handle: NativeTensor) {
    super();
    this.native = handle;
    track(this);
    leaked.register(this, handle, this);
  }

  get shape(): number[] {
    return native.shape(this.native);
  }
  get ndim(): number {
    return this.shape.length;
  }
  size(dim: number): number {
    const s = this.shape;
    const d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length) throw new RangeError(`size(${dim}): tensor has ${s.length} dimensions`);
    return s[d]!;
  }
  get dtype(): DType {
    return native.meta(this.native).dtype as DType;
  }
  get device(): Device {
    return native.meta(this.native).device as Device;
  }
  get requiresGrad(): boolean {
    return native.meta(this.native).requiresGrad;
  }
  get isLeaf(): boolean {
    return native.meta(this.native).isLeaf;
  }
  get disposed(): boolean {
    return !native.isAlive(this.native);
  }

  /** The accumulated gradient (a new handle on the same storage), or undefined. */
  get grad(): Tensor | undefined {
    const g = native.grad(this.native);
    return g === undefined ? undefined : wrap(g);
  }
  set grad(g: Tensor | undefined) {
    native.setGrad(this.native, g?.native);
  }

  backward(gradient?: Tensor, options: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    const create = options.createGraph ?? false;
    native.backward(this.native, gradient?.native, options.retainGraph ?? create, create);
  }

  /** A copy of the data (row-major) in the typed array of this dtype. */
  toArray<D extends DType = DType>(): ArrayOf[D] {
    return native.toArray(this.native) as ArrayOf[D];
  }
  toFloat32Array(): Float32Array {
    if (this.dtype === 'float32') return this.toArray<'float32'>();
    using f = this.toDtype('float32');
    return f.toArray<'float32'>();
  }
  toFloat64Array(): Float64Array {
    if (this.dtype === 'float64') return this.toArray<'float64'>();
    using f = this.toDtype('float64');
    return f.toArray<'float64'>();
  }
  /** The data as plain JS numbers (int64 converted with Number()). */
  toNumbers(): number[] {
    const a = this.toArray();
    return a instanceof BigInt64Array ? Array.from(a, Number) : Array.from(a as ArrayLike<number>);
  }

  to(target: Device | DType): Tensor {
    return isDevice(target) ? this.toDevice(target) : this.toDtype(target);
  }
  float(): Tensor {
    return this.toDtype('float32');
  }
  double(): Tensor {
    return this.toDtype('float64');
  }
  long(): Tensor {
    return this.toDtype('int64');
  }

  dispose(): void {
    if (native.release(this.native)) leaked.unregister(this);
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  override toString(): string {
    return native.describe(this.native);
  }
}

// The safety net: tensors that were never disposed are freed once collected.
const leaked = new FinalizationRegistry<NativeTensor>((handle) => native.release(handle));

function isDevice(s: string): s is Device {
  return s === 'cpu' || s === 'cuda' || s.startsWith('cuda:') || s === 'lazy' || s.startsWith('lazy:');
}

setTensorFactory((n) => new Tensor(n));

/**
 * A new tensor holding a copy of data. shape defaults to [data.length]; dtype to the array's (float32 for number[]);
 * device to the CPU (host data is copied there first, then moved in one transfer).
 */
export function tensor(data: AnyArray | readonly number[], shape?: readonly number[], dtype?: DType, device: Device = 'cpu'): Tensor {
  const dt: DType = dtype ?? (Array.isArray(data) ? 'float32' : dtypeOfArray(data as AnyArray));
  const arr = Array.isArray(data) ? arrayFor(dt, data as readonly number[]) : (data as AnyArray);
  const host = wrap(native.fromArray(arr, shape ?? [arr.length], dt));
  if (device === 'cpu') return host;
  const moved = host.toDevice(device);
  host.dispose();
  return moved;
}

function arrayFor(dtype: DType, values: readonly number[]): AnyArray {
  switch (dtype) {
    case 'float64': return Float64Array.from(values);
    case 'int64': return BigInt64Array.from(values, (v) => BigInt(v));
    case 'int32': return Int32Array.from(values);
    case 'int16': return Int16Array.from(values);
    case 'int8': return Int8Array.from(values);
    case 'uint8':
    case 'bool': return Uint8Array.from(values);
    default: return Float32Array.from(values);
  }
}
