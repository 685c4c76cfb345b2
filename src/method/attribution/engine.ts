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
  /**
   * DDIM inversion x → x_T conditioned on z (each image its own z); onStep after each of the steps. With tMax
   * below 1000, only the steps below it (a partial encoding).
   */
  invert(x: Tensor, z: Tensor, steps: number, onStep?: () => void, tMax?: number): Tensor;
  /** DDIM render x_T → x conditioned on z (from noise level tMax when given). */
  render(xT: Tensor, z: Tensor, steps: number, onStep?: () => void, tMax?: number): Tensor;
}

/** The Diff-AE with deterministic DDIM (SPEC §3). */
export function diffaeEngine(model: DiffAE): LatentDiffusion {
  return {
    get device() {
      return model.device;
    },
    encode: (x) => model.encode(x),
    invert: (x, z, steps, onStep, tMax) => ddimInvert(model, x, z, { steps, ...(onStep ? { onStep } : {}), ...(tMax !== undefined ? { tMax } : {}) }),
    render: (xT, z, steps, onStep, tMax) => ddimRender(model, xT, z, { steps, ...(onStep ? { onStep } : {}), ...(tMax !== undefined ? { tMax } : {}) }),
  };
}
