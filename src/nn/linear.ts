import * as torch from '../tensor/index.js';
import type { Generator, Tensor } from '../tensor/index.js';
import { defaultBound, uniform } from './init.js';
import { Layer } from './module.js';

/** nn.Linear: y = x Wᵀ + b, weight (out, in). */
export class Linear extends Layer {
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: { bias?: boolean; gen?: Generator } = {},
  ) {
    super();
    const bound = defaultBound(inFeatures);
    this.registerParameter('weight', uniform([outFeatures, inFeatures], bound, options.gen));
    if (options.bias ?? true) this.registerParameter('bias', uniform([outFeatures], bound, options.gen));
  }
  forward(x: Tensor): Tensor {
    return torch.linear(x, this.param('weight'), this.optionalParam('bias'));
  }
}
