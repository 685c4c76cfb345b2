// The reference's ResBlock (model/blocks.py): norm → SiLU → [up/down] → conv; then, when conditioned,
// norm → h·(1 + scale_t) + shift_t → h·(1 + s_z) → SiLU → dropout → conv (zero-initialised); plus the skip path.
import * as torch from '../tensor/index.js';
import type { Generator, Tensor } from '../tensor/index.js';
import { AvgPool2d, Conv2d, Dropout, Identity, type Layer, Linear, Sequential, SiLU, UpsampleNearest, normalization, zeroModule } from '../nn/index.js';
import { type BlockInputs, UNetBlock } from './unet-block.js';

export interface ResBlockOptions {
  channels: number;
  outChannels?: number;
  dropout: number;
  /** Width of the time embedding; omit for an unconditioned block (the semantic encoder's). */
  embChannels?: number;
  /** Width of the z input (the reference's two_cond); omit for time conditioning only. */
  condEmbChannels?: number;
  up?: boolean;
  down?: boolean;
  /** x is concatenated with the lateral input first (channels counts both). */
  hasLateral?: boolean;
  useZeroModule?: boolean;
  gen?: Generator;
}

export class ResBlock extends UNetBlock {
  readonly outChannels: number;
  readonly hasLateral: boolean;
  readonly updown: boolean;
  private readonly inLayers: Sequential;
  private readonly hUpd: Layer;
  private readonly xUpd: Layer;
  private readonly embLayers?: Sequential;
  private readonly condEmbLayers?: Sequential;
  private readonly outLayers?: Sequential;
  private readonly skip: Layer;

  constructor(o: ResBlockOptions) {
    super();
    const out = (this.outChannels = o.outChannels ?? o.channels);
    const gen = o.gen;
    this.hasLateral = o.hasLateral ?? false;
    this.inLayers = this.registerModule(
      'in_layers',
      new Sequential(normalization(o.channels), new SiLU(), new Conv2d(o.channels, out, 3, { padding: 1, gen })),
    );
    this.updown = (o.up ?? false) || (o.down ?? false);
    const resample = (): Layer => (o.up ? new UpsampleNearest(2) : o.down ? new AvgPool2d(2) : new Identity());
    this.hUpd = this.registerModule('h_upd', resample());
    this.xUpd = this.registerModule('x_upd', resample());
    if (o.embChannels !== undefined) {
      this.embLayers = this.registerModule('emb_layers', new Sequential(new SiLU(), new Linear(o.embChannels, 2 * out, { gen })));
      if (o.condEmbChannels !== undefined) {
        this.condEmbLayers = this.registerModule('cond_emb_layers', new Sequential(new SiLU(), new Linear(o.condEmbChannels, out, { gen })));
      }
      const conv = new Conv2d(out, out, 3, { padding: 1, gen });
      this.outLayers = this.registerModule(
        'out_layers',
        new Sequential(normalization(out), new SiLU(), new Dropout(o.dropout), (o.useZeroModule ?? true) ? zeroModule(conv) : conv),
      );
    }
    this.skip = this.registerModule('skip_connection', out === o.channels ? new Identity() : new Conv2d(o.channels, out, 1, { gen }));
  }

  forward(input: Tensor, { emb, cond, lateral }: BlockInputs): Tensor {
    return torch.tidy(() => {
      let x = input;
      if (this.hasLateral) {
        if (lateral === undefined) throw new Error('ResBlock: a lateral input is required');
        x = torch.cat([x, lateral], 1);
      }
      let h: Tensor;
      if (this.updown) {
        h = this.inLayers.at(1).forward(this.inLayers.at(0).forward(x));
        h = this.inLayers.at(2).forward(this.hUpd.forward(h));
        x = this.xUpd.forward(x);
      } else {
        h = this.inLayers.forward(x);
      }
      if (this.outLayers !== undefined) {
        if (emb === undefined) throw new Error('ResBlock: the time embedding is required');
        h = this.outLayers.at(0).forward(h);
        // narrow, not chunk: see legacyAttention.
        const e = this.embLayers!.forward(emb).unsqueeze(-1).unsqueeze(-1);
        const half = e.size(1) / 2;
        const [scale, shift] = [e.narrow(1, 0, half), e.narrow(1, half, half)];
        h = h.mul(scale.add(1)).add(shift);
        if (this.condEmbLayers !== undefined) {
          if (cond === undefined) throw new Error('ResBlock: z is required');
          h = h.mul(this.condEmbLayers.forward(cond).unsqueeze(-1).unsqueeze(-1).add(1));
        }
        for (let i = 1; i < 4; i++) h = this.outLayers.at(i).forward(h);
      }
      return this.skip.forward(x).add(h);
    });
  }
}
