// The three operations Hide-and-Seek needs from a diffusion autoencoder, behind an interface so that the
// attribution logic can be tested with a stand-in whose outputs are known exactly.
import type { Device, Tensor } from '../../tensor/index.js';
import type { DiffAE } from '../../model/diffae.js';
import { ddimInvert, ddimRender } from '../../model/diffusion.js';

export interface LatentDiffusion {
  /** Where the model runs; the images are put there once per batch (default: the CPU). */
  readonly device?: Device;
  /** (N, 1, H, W) → z (N, D). */
  encode(x: Tensor): Tensor;
  /** DDIM inversion x → x_T conditioned on z (each image its own z); onStep after each of the steps. */
  invert(x: Tensor, z: Tensor, steps: number, onStep?: () => void): Tensor;
  /** DDIM render x_T → x conditioned on z. */
  render(xT: Tensor, z: Tensor, steps: number, onStep?: () => void): Tensor;
}

/** The Diff-AE with deterministic DDIM (SPEC §3). */
export function diffaeEngine(model: DiffAE): LatentDiffusion {
  return {
    get device() {
      return model.device;
    },
    encode: (x) => model.encode(x),
    invert: (x, z, steps, onStep) => ddimInvert(model, x, z, { steps, ...(onStep ? { onStep } : {}) }),
    render: (xT, z, steps, onStep) => ddimRender(model, xT, z, { steps, ...(onStep ? { onStep } : {}) }),
  };
}
