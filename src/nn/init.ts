// PyTorch's default initialisations, drawn from an explicit generator so that models are reproducible.
import * as torch from '../tensor/index.js';
import type { Generator, Tensor } from '../tensor/index.js';
import type { Module } from './module.js';

/** U(-bound, bound) of the given shape. */
export function uniform(shape: readonly number[], bound: number, gen?: Generator): Tensor {
  return torch.zeros(shape).uniform_(-bound, bound, gen);
}

/**
 * nn.Linear / nn.ConvNd reset_parameters(): kaiming_uniform(a=√5) for the weight and U(±1/√fan_in) for the bias
 * reduce to the same bound 1/√fan_in.
 */
export function defaultBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

/** Zeroes every parameter of m in place (the reference's zero_module). */
export function zeroModule<M extends Module>(m: M): M {
  torch.noGrad(() => {
    for (const p of m.parameters()) p.zero_();
  });
  return m;
}
