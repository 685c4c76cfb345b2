// The Diff-AE "BeatGANs autoencoder" (the reference's BeatGANsAutoencModel): a UNet ε_θ(x_t, t, z) whose
// ResBlocks are conditioned on the time embedding (scale/shift) and on z (scale), plus the semantic encoder
// z = Enc(x). Module tree and parameter names are the reference's, so its checkpoints load by key.
import * as torch from '../tensor/index.js';
import { Generator, type Tensor } from '../tensor/index.js';
import { Conv2d, Identity, Linear, Module, ModuleList, Sequential, SiLU, normalization, zeroModule } from '../nn/index.js';
import { AttentionBlock } from './attention.js';
import { type DiffAEConfig, validateConfig } from './config.js';
import { SemanticEncoder } from './encoder.js';
import { inPrecision, type Precision } from './precision.js';
import { ResBlock } from './resblock.js';
import { timestepEmbedding } from './timestep-embedding.js';
import { TimestepSequential } from './unet-block.js';

/** The reference's TimeStyleSeperateEmbed: an MLP on the sinusoidal time embedding; z passes unchanged. */
class TimeStyleSeparateEmbed extends Module {
  readonly mlp: Sequential;
  constructor(timeChannels: number, outChannels: number, gen: Generator) {
    super();
    this.mlp = this.registerModule(
      'time_embed',
      new Sequential(new Linear(timeChannels, outChannels, { gen }), new SiLU(), new Linear(outChannels, outChannels, { gen })),
    );
    this.registerModule('style', new Identity());
  }
}

export class DiffAE extends Module {
  readonly config: DiffAEConfig;
  /** Precision of encode and forward (their outputs are float32 either way). */
  precision: Precision = 'fp32';
  readonly timeEmbed: TimeStyleSeparateEmbed;
  readonly inputBlocks: ModuleList<TimestepSequential>;
  readonly middleBlock: TimestepSequential;
  readonly outputBlocks: ModuleList<TimestepSequential>;
  readonly out: Sequential;
  readonly encoder: SemanticEncoder;
  /** Blocks per resolution level on the way down (each one's output is a lateral input on the way up). */
  private readonly inputNumBlocks: number[];

  constructor(config: DiffAEConfig, gen: Generator) {
    super();
    const cfg = (this.config = validateConfig(structuredClone(config)));
    const mc = cfg.model_channels;
    const levels = cfg.channel_mult.length;
    const heads = { numHeads: cfg.num_heads, numHeadChannels: cfg.num_head_channels, gen };
    const res = (channels: number, outChannels: number, extra: { up?: boolean; down?: boolean; hasLateral?: boolean } = {}): ResBlock =>
      new ResBlock({
        channels,
        outChannels,
        dropout: cfg.dropout,
        embChannels: cfg.embed_channels,
        condEmbChannels: cfg.resnet_cond_channels ?? cfg.embed_channels,
        useZeroModule: cfg.resnet_use_zero_module,
        gen,
        ...extra,
      });

    this.timeEmbed = this.registerModule('time_embed', new TimeStyleSeparateEmbed(mc, cfg.embed_channels, gen));

    const inputCh = cfg.channel_mult[0]! * mc;
    let ch = inputCh;
    const inputs = [new TimestepSequential(new Conv2d(cfg.in_channels, ch, 3, { padding: 1, gen }))];
    const lateralChans: number[][] = cfg.channel_mult.map(() => []);
    lateralChans[0]!.push(ch);
    this.inputNumBlocks = cfg.channel_mult.map((_, l) => (l === 0 ? 1 : 0));
    let resolution = cfg.image_size;
    cfg.channel_mult.forEach((mult, level) => {
      for (let i = 0; i < cfg.num_res_blocks; i++) {
        const layers: (ResBlock | AttentionBlock)[] = [res(ch, mult * mc)];
        ch = mult * mc;
        if (cfg.attention_resolutions.includes(resolution)) layers.push(new AttentionBlock(ch, heads));
        inputs.push(new TimestepSequential(...layers));
        lateralChans[level]!.push(ch);
        this.inputNumBlocks[level]!++;
      }
      if (level !== levels - 1) {
        resolution /= 2;
        inputs.push(new TimestepSequential(res(ch, ch, { down: true })));
        lateralChans[level + 1]!.push(ch);
        this.inputNumBlocks[level + 1]!++;
      }
    });
    this.inputBlocks = this.registerModule('input_blocks', new ModuleList(inputs));
    this.middleBlock = this.registerModule('middle_block', new TimestepSequential(res(ch, ch), new AttentionBlock(ch, heads), res(ch, ch)));

    const outputs: TimestepSequential[] = [];
    for (let level = levels - 1; level >= 0; level--) {
      const mult = cfg.channel_mult[level]!;
      for (let i = 0; i <= cfg.num_res_blocks; i++) {
        const ich = lateralChans[level]!.pop() ?? 0;
        const layers: (ResBlock | AttentionBlock)[] = [res(ch + ich, mc * mult, { hasLateral: ich > 0 })];
        ch = mc * mult;
        if (cfg.attention_resolutions.includes(resolution)) layers.push(new AttentionBlock(ch, heads));
        if (level > 0 && i === cfg.num_res_blocks) {
          resolution *= 2;
          layers.push(res(ch, ch, { up: true }));
        }
        outputs.push(new TimestepSequential(...layers));
      }
    }
    this.outputBlocks = this.registerModule('output_blocks', new ModuleList(outputs));
    const outConv = new Conv2d(inputCh, cfg.out_channels, 3, { padding: 1, gen });
    this.out = this.registerModule('out', new Sequential(normalization(ch), new SiLU(), cfg.resnet_use_zero_module ? zeroModule(outConv) : outConv));
    this.encoder = this.registerModule('encoder', new SemanticEncoder(cfg, gen));
  }

  /** A freshly initialised model (PyTorch's default initialisations, zero-initialised output convs), seeded. */
  static fromConfig(config: DiffAEConfig, options: { seed?: number } = {}): DiffAE {
    return new DiffAE(config, new Generator(options.seed ?? 0));
  }

  /** x (N, in_channels, H, W) in [-1, 1] → z (N, enc_out_channels). */
  encode(x: Tensor): Tensor {
    return inPrecision(this.precision, x, () => this.encoder.forward(x));
  }

  /** ε_θ(x_t, t, z): xt (N, C, H, W), t int64 (N) original step indices, z (N, enc_out_channels) → (N, out_channels, H, W). */
  forward(xt: Tensor, t: Tensor, z: Tensor): Tensor {
    return inPrecision(this.precision, xt, () => this.unet(xt, t, z));
  }

  private unet(xt: Tensor, t: Tensor, z: Tensor): Tensor {
    return torch.tidy(() => {
      const emb = this.timeEmbed.mlp.forward(timestepEmbedding(t, this.config.model_channels));
      const inputs = { emb, cond: z };
      const hs: Tensor[][] = this.inputNumBlocks.map(() => []);
      let h = xt;
      let k = 0;
      this.inputNumBlocks.forEach((n, level) => {
        for (let j = 0; j < n; j++) {
          h = this.inputBlocks.at(k++).forward(h, inputs);
          hs[level]!.push(h);
        }
      });
      h = this.middleBlock.forward(h, inputs);
      for (let level = hs.length - 1, k = 0; level >= 0; level--) {
        for (let i = 0; i <= this.config.num_res_blocks; i++) {
          h = this.outputBlocks.at(k++).forward(h, { ...inputs, lateral: hs[level]!.pop() });
        }
      }
      return this.out.forward(h);
    });
  }
}
