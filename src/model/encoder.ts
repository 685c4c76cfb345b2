// The semantic encoder (the reference's BeatGANsEncoderModel without time conditioning, pool 'adaptivenonzero'):
// conv → unconditioned ResBlocks (attention at the listed resolutions, ResBlock downsampling) → middle
// → GroupNorm → SiLU → global average pool → 1×1 conv → flatten.
import * as torch from '../tensor/index.js';
import type { Generator, Tensor } from '../tensor/index.js';
import { AdaptiveAvgPool2d, Conv2d, Flatten, Layer, ModuleList, Sequential, SiLU, normalization } from '../nn/index.js';
import { AttentionBlock } from './attention.js';
import type { DiffAEConfig } from './config.js';
import { ResBlock } from './resblock.js';
import { TimestepSequential } from './unet-block.js';

export class SemanticEncoder extends Layer {
  readonly inputBlocks: ModuleList<TimestepSequential>;
  readonly middleBlock: TimestepSequential;
  readonly out: Sequential;

  constructor(cfg: DiffAEConfig, gen?: Generator) {
    super();
    const mc = cfg.model_channels;
    const attn = cfg.enc_attn_resolutions ?? cfg.attention_resolutions;
    const heads = { numHeads: cfg.num_heads, numHeadChannels: cfg.num_head_channels, gen };
    const res = (channels: number, outChannels = channels, down = false): ResBlock =>
      new ResBlock({ channels, outChannels, dropout: cfg.dropout, down, gen });

    let ch = cfg.enc_channel_mult[0]! * mc;
    const blocks = [new TimestepSequential(new Conv2d(cfg.in_channels, ch, 3, { padding: 1, gen }))];
    let resolution = cfg.image_size;
    cfg.enc_channel_mult.forEach((mult, level) => {
      for (let i = 0; i < cfg.enc_num_res_block; i++) {
        const layers: (ResBlock | AttentionBlock)[] = [res(ch, mult * mc)];
        ch = mult * mc;
        if (attn.includes(resolution)) layers.push(new AttentionBlock(ch, heads));
        blocks.push(new TimestepSequential(...layers));
      }
      if (level !== cfg.enc_channel_mult.length - 1) {
        resolution /= 2;
        blocks.push(new TimestepSequential(res(ch, ch, true)));
      }
    });
    this.inputBlocks = this.registerModule('input_blocks', new ModuleList(blocks));
    this.middleBlock = this.registerModule('middle_block', new TimestepSequential(res(ch), new AttentionBlock(ch, heads), res(ch)));
    this.out = this.registerModule(
      'out',
      new Sequential(normalization(ch), new SiLU(), new AdaptiveAvgPool2d([1, 1]), new Conv2d(ch, cfg.enc_out_channels, 1, { gen }), new Flatten()),
    );
  }

  /** x (N, C, H, W) → z (N, enc_out_channels). */
  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      let h = x;
      for (const block of this.inputBlocks.items) h = block.forward(h, {});
      return this.out.forward(this.middleBlock.forward(h, {}));
    });
  }
}
