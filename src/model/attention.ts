// The reference's AttentionBlock: GroupNorm → 1×1 qkv → multi-head self-attention over positions in the legacy
// QKV order (heads split before q/k/v) → zero-initialised 1×1 projection, residual.
import * as torch from '../tensor/index.js';
import type { Generator, Tensor } from '../tensor/index.js';
import { Conv1d, type GroupNorm32, Layer, normalization, zeroModule } from '../nn/index.js';

export class AttentionBlock extends Layer {
  readonly numHeads: number;
  private readonly norm: GroupNorm32;
  private readonly qkv: Conv1d;
  private readonly projOut: Conv1d;

  constructor(
    readonly channels: number,
    options: { numHeads?: number; numHeadChannels?: number; gen?: Generator } = {},
  ) {
    super();
    const headChannels = options.numHeadChannels ?? -1;
    if (headChannels !== -1 && channels % headChannels !== 0) throw new Error(`attention: ${channels} channels not divisible by ${headChannels} per head`);
    this.numHeads = headChannels === -1 ? (options.numHeads ?? 1) : channels / headChannels;
    this.norm = this.registerModule('norm', normalization(channels));
    this.qkv = this.registerModule('qkv', new Conv1d(channels, channels * 3, 1, { gen: options.gen }));
    this.projOut = this.registerModule('proj_out', zeroModule(new Conv1d(channels, channels, 1, { gen: options.gen })));
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const [b, c] = x.shape as [number, number];
      const flat = x.reshape([b, c, -1]);
      const h = this.projOut.forward(legacyAttention(this.qkv.forward(this.norm.forward(flat)), this.numHeads));
      return flat.add(h).reshape(x.shape);
    });
  }
}

/** QKVAttentionLegacy: qkv (N, H·3·C, T) → (N, H·C, T); q and k each scaled by C^-1/4, softmax in float32. */
export function legacyAttention(qkv: Tensor, numHeads: number): Tensor {
  return torch.tidy(() => {
    const [bs, width, length] = qkv.shape as [number, number, number];
    if (width % (3 * numHeads) !== 0) throw new Error(`attention: width ${width} not divisible by 3·${numHeads}`);
    const ch = width / (3 * numHeads);
    // narrow, not split: libtorch 1.13's lazy device (the tests' stand-in for a GPU) hands list results back on the CPU.
    const heads = qkv.reshape([bs * numHeads, ch * 3, length]);
    const [q, k, v] = [0, 1, 2].map((i) => heads.narrow(1, i * ch, ch)) as [Tensor, Tensor, Tensor];
    const scale = 1 / Math.sqrt(Math.sqrt(ch));
    const logits = torch.einsum('bct,bcs->bts', [q.mul(scale), k.mul(scale)]);
    const weight = logits.toDtype('float32').softmax(-1).toDtype(logits.dtype);
    return torch.einsum('bts,bcs->bct', [weight, v]).reshape([bs, -1, length]);
  });
}
