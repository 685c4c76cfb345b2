// Preview of what the DAE has learned: originals (top row) and their reconstructions (encode, DDIM-invert,
// render) with the EMA weights, as one grey PNG.
import * as torch from '../../tensor/index.js';
import type { DiffAE } from '../../model/diffae.js';
import { ddimInvert, ddimRender } from '../../model/diffusion.js';
import { writeFileAtomic } from '../../data/files.js';
import { Canvas } from '../figures/canvas.js';

/** Reconstructs x (N,1,H,W): z = Enc(x), x_T = invert(x, z), render(x_T, z). */
export function reconstruct(model: DiffAE, x: torch.Tensor, inversionSteps: number, renderSteps: number): { z: torch.Tensor; xT: torch.Tensor; recon: torch.Tensor } {
  return torch.noGrad(() =>
    torch.tidy(() => {
      const z = model.encode(x);
      const xT = ddimInvert(model, x, z, { steps: inversionSteps });
      const recon = ddimRender(model, xT, z, { steps: renderSteps });
      return { z, xT, recon };
    }),
  );
}

/** Writes rows of (N,1,H,W) images side by side, each row a batch, grey levels mapped from [0, 1]. */
export function writeImageRows(path: string, rows: readonly torch.Tensor[], options: { replace?: boolean } = {}): void {
  const [n, , h, w] = rows[0]!.shape as [number, number, number, number];
  const gap = 2;
  const canvas = new Canvas(n * (w + gap) - gap, rows.length * (h + gap) - gap, [255, 255, 255]);
  rows.forEach((t, r) => {
    const px = t.toFloat32Array();
    for (let i = 0; i < n; i++) {
      canvas.image(i * (w + gap), r * (h + gap), h, w, 1, (k) => {
        const v = Math.round(255 * Math.min(1, Math.max(0, px[i * h * w + k]!)));
        return [v, v, v];
      });
    }
  });
  writeFileAtomic(path, canvas.toPng(), options);
}
