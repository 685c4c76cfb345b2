// Training augmentation of SPEC §2, seeded and batched on tensors. Rotation, column flip and row zoom are
// composed into ONE affine per sample and resampled once (bilinear, border = edge padding, size kept), which
// blurs less than three successive resamplings; noise is added afterwards.
import * as torch from '../tensor/index.js';

export interface AugmentOptions {
  /** Probability of each random transform (SPEC: 0.5 each). */
  p: { rotate: number; flip: number; zoom: number; noise: number };
  rotationDeg: [number, number];
  zoom: [number, number];
  noiseStd: number;
}

export const SPEC_AUGMENT: AugmentOptions = {
  p: { rotate: 0.5, flip: 0.5, zoom: 0.5, noise: 0.5 },
  rotationDeg: [-33, 33],
  zoom: [0.85, 1.15],
  noiseStd: 0.015,
};

/** For each of n samples a slice index drawn uniformly from the 5 central slices of a depth-`depth` volume. */
export function drawSliceIndices(n: number, depth: number, gen: torch.Generator): number[] {
  const c = Math.floor(depth / 2);
  if (c - 2 < 0 || c + 2 >= depth) throw new RangeError(`depth ${depth} has no 5 central slices`);
  return torch.tidy(() => torch.randint(c - 2, c + 3, [n], gen).toNumbers());
}

/**
 * Augments a batch (N, 1, H, W). Positive angles turn the image counter-clockwise as displayed (row 0 on top).
 * Draw order per call is fixed, so a seed reproduces the batch exactly.
 */
export function augmentBatch(x: torch.Tensor, gen: torch.Generator, opt: AugmentOptions = SPEC_AUGMENT): torch.Tensor {
  const [n, , h, w] = x.shape as [number, number, number, number];
  return torch.tidy(() => {
    const u = torch.rand([n, 7], gen, 'float64').toFloat64Array();
    const theta = new Float32Array(n * 6);
    const noisy: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = (k: number) => u[i * 7 + k]!;
      const deg = r(0) < opt.p.rotate ? opt.rotationDeg[0] + r(1) * (opt.rotationDeg[1] - opt.rotationDeg[0]) : 0;
      const flip = r(2) < opt.p.flip ? -1 : 1;
      const f = r(3) < opt.p.zoom ? opt.zoom[0] + r(4) * (opt.zoom[1] - opt.zoom[0]) : 1;
      noisy.push(r(5) < opt.p.noise ? 1 : 0);
      // Output → input sampling map in normalised (x = column, y = row) coordinates: rotate⁻¹ · flip · zoom⁻¹.
      // Pixel aspect matters for rotation on non-square images, hence the w/h factors.
      const a = (deg * Math.PI) / 180;
      const c = Math.cos(a);
      const s = Math.sin(a);
      theta.set([c * flip, ((-s * h) / w) / f, 0, ((s * w) / h) * flip, c / f, 0], i * 6);
    }
    const grid = torch.affineGrid(torch.tensor(theta, [n, 2, 3]), [n, 1, h, w], false);
    const warped = torch.gridSample(x, grid, { mode: 'bilinear', paddingMode: 'border', alignCorners: false });
    const noise = torch.randn([n, 1, h, w], gen).mul(opt.noiseStd).mul(torch.tensor(noisy, [n, 1, 1, 1]));
    return warped.add(noise);
  });
}
