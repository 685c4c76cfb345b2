// Turns addon handles into Tensor objects; tensor.ts installs the constructor (it cannot be imported
// here without a cycle with the generated ops).
import type { Tensor } from './tensor.js';
import type { NativeTensor } from './native.js';

let make: ((n: NativeTensor) => Tensor) | undefined;

export function setTensorFactory(f: (n: NativeTensor) => Tensor): void {
  make = f;
}

export function wrap(n: NativeTensor): Tensor {
  return make!(n);
}

export function wrapList(ns: NativeTensor[]): Tensor[] {
  return ns.map((n) => make!(n));
}
