import { native, type NativeGenerator } from './native.js';
import { wrap } from './wrap.js';
import type { Tensor } from './tensor.js';

/** A seeded random-number generator (torch.Generator on the CPU): every random process takes one. */
export class Generator {
  readonly native: NativeGenerator;
  constructor(seed: number) {
    this.native = new native.NativeGenerator(seed);
  }
  /** The generator's state as a uint8 tensor, to save in a checkpoint. */
  getState(): Tensor {
    return wrap(this.native.getState());
  }
  setState(state: Tensor): void {
    this.native.setState(state.native);
  }
}

/** Seeds libtorch's global generator (used by dropout). */
export function manualSeed(seed: number): void {
  native.manualSeed(seed);
}
