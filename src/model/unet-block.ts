import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Layer, Module } from '../nn/index.js';

/** What a UNet block receives besides x: the time embedding (N, E), z (N, Z) and a lateral feature map. */
export interface BlockInputs {
  emb?: Tensor;
  cond?: Tensor;
  lateral?: Tensor;
}

/** A block that takes the conditions (the reference's TimestepBlock). */
export abstract class UNetBlock extends Module {
  abstract forward(x: Tensor, inputs: BlockInputs): Tensor;
}

/** The reference's TimestepEmbedSequential: children '0', '1', …; conditions go to the UNetBlocks among them. */
export class TimestepSequential extends UNetBlock {
  readonly layers: readonly (Layer | UNetBlock)[];
  constructor(...layers: (Layer | UNetBlock)[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }
  forward(x: Tensor, inputs: BlockInputs): Tensor {
    return torch.tidy(() =>
      this.layers.reduce((h, layer) => (layer instanceof UNetBlock ? layer.forward(h, inputs) : layer.forward(h)), x),
    );
  }
}
