import * as torch from '../tensor/index.js';
import type { Generator, Tensor } from '../tensor/index.js';
import { defaultBound, uniform } from './init.js';
import { Layer } from './module.js';

export interface ConvOptions {
  stride?: number;
  padding?: number;
  bias?: boolean;
  gen?: Generator;
}

/** nn.Conv2d with square kernels; weight (out, in, k, k). */
export class Conv2d extends Layer {
  readonly stride: number;
  readonly padding: number;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: ConvOptions = {},
  ) {
    super();
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    const bound = defaultBound(inChannels * kernelSize * kernelSize);
    this.registerParameter('weight', uniform([outChannels, inChannels, kernelSize, kernelSize], bound, options.gen));
    if (options.bias ?? true) this.registerParameter('bias', uniform([outChannels], bound, options.gen));
  }
  forward(x: Tensor): Tensor {
    return torch.conv2d(x, this.param('weight'), this.optionalParam('bias'), this.stride, this.padding);
  }
}

/** nn.Conv1d on (N, C, L); weight (out, in, k). Runs as a (k × 1) 2-D convolution, as libtorch does internally. */
export class Conv1d extends Layer {
  readonly stride: number;
  readonly padding: number;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: ConvOptions = {},
  ) {
    super();
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    const bound = defaultBound(inChannels * kernelSize);
    this.registerParameter('weight', uniform([outChannels, inChannels, kernelSize], bound, options.gen));
    if (options.bias ?? true) this.registerParameter('bias', uniform([outChannels], bound, options.gen));
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() =>
      torch
        .conv2d(x.unsqueeze(-1), this.param('weight').unsqueeze(-1), this.optionalParam('bias'), [this.stride, 1], [this.padding, 0])
        .squeeze(-1),
    );
  }
}
