// Class activation maps of the CNN's malignant logit at its last stage, with pytorch-grad-cam's formulas
// (jacobgil/pytorch-grad-cam: grad_cam.py, grad_cam_plusplus.py, layer_cam.py, eigen_cam.py, base_cam.py).
// A = activations (N, K, h, w), G = ∂logit/∂A (torch.grad; each image's logit depends on its own A only):
// - GradCAM:   Σ_k mean_ij(G_k) · A_k
// - GradCAM++: Σ_k w_k A_k, w_k = Σ_ij relu(G) · a, a = G² / (2G² + Σ_ij(A_k) · G³ + 1e-6), a = 0 where G = 0
// - LayerCAM:  Σ_k relu(G_k) · A_k
// - EigenCAM:  projection of the pixel-by-channel matrix, centred per channel, on its first principal axis
//              (power iteration from a seeded start; SVD's sign is arbitrary, so we orient the projection to
//              correlate positively with Σ_k A_k).
// Then, as BaseCAM does for one target layer: relu → per-image (x − min) / (1e-7 + max) → bilinear resize
// to the slice (cv2.resize = half-pixel bilinear, align_corners false) → (x − min) / (1e-7 + max) again.
import * as torch from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import type { CnnClassifier } from './resnet.js';

export const CAM_METHODS = ['gradcam', 'gradcam++', 'layercam', 'eigencam'] as const;
export type CamMethod = (typeof CAM_METHODS)[number];

const POWER_ITERATIONS = 2000;
const POWER_TOLERANCE = 1e-12;

/** EigenCAM's projection (N, h, w) of activations (N, K, h, w), in float64 arithmetic. */
export function principalProjection(a: Tensor): Tensor {
  const [n, k, h, w] = a.shape as [number, number, number, number];
  return torch.tidy(() => {
    const x = a.toDtype('float64').reshape([n, k, h * w]).transpose(1, 2);
    const xc = x.sub(x.mean(1, true));
    const cov = xc.transpose(1, 2).bmm(xc);
    const unit = (v: Tensor) => v.div(v.norm(2, 1, true).clamp(1e-300));
    // A seeded random start: almost surely not orthogonal to the first axis (a constant start can be).
    let v = unit(torch.randn([n, k, 1], new torch.Generator(0), 'float64', a.device));
    for (let i = 0; i < POWER_ITERATIONS; i++) {
      const next = unit(cov.bmm(v));
      const change = next.sub(v).abs().max().item();
      v = next;
      if (change < POWER_TOLERANCE) break;
    }
    const proj = xc.bmm(v).squeeze(2);
    const agree = proj.mul(x.sum(2)).sum(1, true);
    return proj.mul(torch.where(agree.lt(0), -1, 1)).reshape([n, h, w]).toDtype('float32');
  });
}

/** The CAM (N, h, w) before relu and scaling; G is required except for EigenCAM. */
export function rawCam(method: CamMethod, a: Tensor, g?: Tensor): Tensor {
  if (method === 'eigencam') return principalProjection(a);
  if (g === undefined) throw new Error(`${method} needs the gradients`);
  return torch.tidy(() => {
    switch (method) {
      case 'gradcam':
        return a.mul(g.mean([2, 3], true)).sum(1);
      case 'gradcam++': {
        const g2 = g.square();
        const aij = g2.div(g2.mul(2).add(a.sum([2, 3], true).mul(g2.mul(g))).add(1e-6));
        const weights = g.relu().mul(torch.where(g.ne(0), aij, 0)).sum([2, 3], true);
        return a.mul(weights).sum(1);
      }
      case 'layercam':
        return g.relu().mul(a).sum(1);
    }
  });
}

/** pytorch-grad-cam's scale_cam_image without resize: (x − min) / (1e-7 + max) per image of (N, 1, h, w). */
function minMax(x: Tensor): Tensor {
  return torch.tidy(() => {
    const shifted = x.sub(x.amin([1, 2, 3], true));
    return shifted.div(shifted.amax([1, 2, 3], true).add(1e-7));
  });
}

/** Raw CAMs (N, h, w) → maps (N, rows, cols) in [0, 1]. */
export function scaleCams(raw: Tensor, size: readonly [number, number]): Tensor {
  return torch.tidy(() => minMax(torch.upsampleBilinear2d(minMax(raw.relu().unsqueeze(1)), size, false)).squeeze(1));
}

export interface CamResult {
  /** One map per image, rows × cols of the input, in [0, 1]. */
  maps: Float32Array[];
  /** The CNN's P(malignant) per image. */
  pMalignant: number[];
}

/** CAMs of a batch of SPEC §2 slices (N, 1, rows, cols). */
export function computeCams(model: CnnClassifier, x: Tensor, method: CamMethod): CamResult {
  const [n, , rows, cols] = x.shape as [number, number, number, number];
  return torch.tidy(() =>
    torch.enableGrad(() => {
      const a = model.features(x);
      const logit = model.head(a);
      const g = method === 'eigencam' ? undefined : torch.grad(logit.sum(), a)[0];
      const flat = scaleCams(rawCam(method, a.detach(), g), [rows, cols]).toFloat32Array();
      const px = rows * cols;
      return { maps: Array.from({ length: n }, (_, i) => flat.slice(i * px, (i + 1) * px)), pMalignant: logit.sigmoid().toNumbers() };
    }),
  );
}
