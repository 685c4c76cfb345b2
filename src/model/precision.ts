// Mixed precision of the networks: bf16 runs their matmuls and convolutions under autocast and hands float32
// back, so that the DDIM updates, losses and everything downstream stay float32.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

export type Precision = 'fp32' | 'bf16';
export const PRECISIONS: readonly Precision[] = ['fp32', 'bf16'];

/** fn (a network call on input's device) in the given precision; the result is float32. */
export function inPrecision(precision: Precision, input: Tensor, fn: () => Tensor): Tensor {
  if (precision === 'fp32') return fn();
  return torch.tidy(() => torch.autocast(input.device, 'bfloat16', fn).toDtype('float32'));
}
