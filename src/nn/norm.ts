import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Layer } from './module.js';

/** nn.GroupNorm over (N, C, *) with an affine weight (ones) and bias (zeros). */
export class GroupNorm extends Layer {
  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    readonly eps = 1e-5,
  ) {
    super();
    if (numChannels % numGroups !== 0) throw new Error(`GroupNorm: ${numChannels} channels not divisible into ${numGroups} groups`);
    this.registerParameter('weight', torch.ones([numChannels]));
    this.registerParameter('bias', torch.zeros([numChannels]));
  }
  forward(x: Tensor): Tensor {
    return torch.groupNorm(x, this.numGroups, this.param('weight'), this.param('bias'), this.eps);
  }
}

/** The reference's GroupNorm32: normalises in float32 whatever the input dtype, returns the input dtype. */
export class GroupNorm32 extends GroupNorm {
  override forward(x: Tensor): Tensor {
    if (x.dtype === 'float32') return super.forward(x);
    return torch.tidy(() => super.forward(x.toDtype('float32')).toDtype(x.dtype));
  }
}

/** The reference's normalization(channels): GroupNorm32 with min(32, channels) groups. */
export function normalization(channels: number): GroupNorm32 {
  return new GroupNorm32(Math.min(32, channels), channels);
}
