// Preview of what the DAE has learned: originals (top row) and their reconstructions (encode, DDIM-invert,
// render) with the EMA weights, as one grey PNG.
import { PNG } from 'pngjs';
import * as torch from '../../tensor/index.js';
import type { DiffAE } from '../../model/diffae.js';
import { ddimInvert, ddimRender } from '../../model/diffusion.js';
import { writeFileAtomic } from '../../data/files.js';

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
export function writeImageRows(path: string, rows: readonly torch.Tensor[]): void {
  const [n, , h, w] = rows[0]!.shape as [number, number, number, number];
  const gap = 2;
  const png = new PNG({ width: n * (w + gap) - gap, height: rows.length * (h + gap) - gap });
  png.data.fill(255);
  rows.forEach((t, r) => {
    const px = t.toFloat32Array();
    for (let i = 0; i < n; i++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const v = Math.round(255 * Math.min(1, Math.max(0, px[(i * h + y) * w + x]!)));
          const o = ((r * (h + gap) + y) * png.width + i * (w + gap) + x) * 4;
          png.data[o] = png.data[o + 1] = png.data[o + 2] = v;
          png.data[o + 3] = 255;
        }
      }
    }
  });
  writeFileAtomic(path, PNG.sync.write(png));
}
