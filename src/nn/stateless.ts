// Parameter-free layers, as modules so that they hold their index in a Sequential (PyTorch numbers them too).
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Layer } from './module.js';

export class Identity extends Layer {
  forward(x: Tensor): Tensor {
    return x;
  }
}

export class SiLU extends Layer {
  forward(x: Tensor): Tensor {
    return torch.silu(x);
  }
}

/** nn.Dropout: active in training mode only (draws from libtorch's global generator, see torch.manualSeed). */
export class Dropout extends Layer {
  constructor(readonly p: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.training && this.p > 0 ? torch.dropout(x, this.p, true) : x;
  }
}

export class AvgPool2d extends Layer {
  constructor(
    readonly kernelSize: number,
    readonly stride = kernelSize,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return torch.avgPool2d(x, this.kernelSize, this.stride);
  }
}

export class AdaptiveAvgPool2d extends Layer {
  constructor(readonly outputSize: [number, number]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return torch.adaptiveAvgPool2d(x, this.outputSize);
  }
}

/** Nearest-neighbour upsampling by an integer factor (F.interpolate(scale_factor=s, mode='nearest')). */
export class UpsampleNearest extends Layer {
  constructor(readonly scale = 2) {
    super();
  }
  forward(x: Tensor): Tensor {
    const [h, w] = x.shape.slice(-2) as [number, number];
    return torch.upsampleNearest2d(x, [h * this.scale, w * this.scale]);
  }
}

export class Flatten extends Layer {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return torch.flatten(x, this.startDim, this.endDim);
  }
}
