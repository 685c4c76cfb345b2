import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

/**
 * Sinusoidal embedding of (N) step indices → (N, dim): [cos(t·f), sin(t·f)] with f_i = exp(-ln(maxPeriod)·i/half),
 * computed in float32 in the reference's order (a zero column is appended for odd dim).
 */
export function timestepEmbedding(t: Tensor, dim: number, maxPeriod = 10000): Tensor {
  return torch.tidy(() => {
    const half = Math.floor(dim / 2);
    const freqs = torch.arange(0, half, 1, 'float32', t.device).mul(-Math.log(maxPeriod)).div(half).exp();
    const args = t.unsqueeze(1).toDtype('float32').mul(freqs.unsqueeze(0));
    const emb = torch.cat([args.cos(), args.sin()], -1);
    return dim % 2 ? torch.cat([emb, torch.zerosLike(emb.narrow(1, 0, 1))], -1) : emb;
  });
}
