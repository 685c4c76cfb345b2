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

/** Weights and options shared by the convolutions: weight (out, in, ...kernel), PyTorch's default init. */
abstract class Conv extends Layer {
  readonly stride: number;
  readonly padding: number;
  constructor(inChannels: number, outChannels: number, kernel: readonly number[], options: ConvOptions) {
    super();
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    const bound = defaultBound(inChannels * kernel.reduce((a, b) => a * b, 1));
    this.registerParameter('weight', uniform([outChannels, inChannels, ...kernel], bound, options.gen));
    if (options.bias ?? true) this.registerParameter('bias', uniform([outChannels], bound, options.gen));
  }
}

/** nn.Conv2d with square kernels; weight (out, in, k, k). */
export class Conv2d extends Conv {
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: ConvOptions = {},
  ) {
    super(inChannels, outChannels, [kernelSize, kernelSize], options);
  }
  forward(x: Tensor): Tensor {
    return torch.conv2d(x, this.param('weight'), this.optionalParam('bias'), this.stride, this.padding);
  }
}

/** nn.Conv1d on (N, C, L); weight (out, in, k). Runs as a (k × 1) 2-D convolution, as libtorch does internally. */
export class Conv1d extends Conv {
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: ConvOptions = {},
  ) {
    super(inChannels, outChannels, [kernelSize], options);
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() =>
      torch
        .conv2d(x.unsqueeze(-1), this.param('weight').unsqueeze(-1), this.optionalParam('bias'), [this.stride, 1], [this.padding, 0])
        .squeeze(-1),
    );
  }
}
