import { describe, expect, it } from 'vitest';
import * as torch from '../../../src/tensor/index.js';
import { computeCams, principalProjection, rawCam, scaleCams } from '../../../src/method/cnn/cam.js';
import { CnnClassifier } from '../../../src/method/cnn/resnet.js';

const close = (got: ArrayLike<number>, want: readonly number[], digits = 6) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
};

// One image, K = 2 channels of 2×2 (row-major), hand-made activations and gradients.
const A = [[1, 2, 3, 4], [0, 1, 0, 2]];
const G = [[1, -1, 2, 0], [-1, -1, 0.5, 0.5]];
const t = (v: number[][]) => torch.tensor(v.flat(), [1, 2, 2, 2]);

describe('CAM formulas (pytorch-grad-cam)', () => {
  it('GradCAM weighs each channel by its mean gradient', () => {
    // w = (mean G0, mean G1) = (0.5, −0.25): cam = 0.5·A0 − 0.25·A1.
    close(rawCam('gradcam', t(A), t(G)).toFloat32Array(), [0.5, 0.75, 1.5, 1.5]);
  });

  it('LayerCAM weighs every activation by its positive gradient', () => {
    // relu(G0)·A0 + relu(G1)·A1 = (1·1, 0, 2·3, 0) + (0, 0, 0.5·0, 0.5·2).
    close(rawCam('layercam', t(A), t(G)).toFloat32Array(), [1, 0, 6, 1]);
  });

  it('GradCAM++ uses equation 19 with Σ A per channel, relu(G) and a = 0 where G = 0', () => {
    // Channel 0 (ΣA = 10): g = 1 → a = 1/(2 + 10 + 1e-6); g = 2 → a = 4/(8 + 80 + 1e-6); g = −1 and g = 0 add 0.
    const w0 = 1 / 12.000001 + (2 * 4) / 88.000001;
    // Channel 1 (ΣA = 3): g = 0.5 twice → 0.5 · 0.25/(0.5 + 0.375 + 1e-6) each; g = −1 adds 0.
    const w1 = (2 * 0.5 * 0.25) / 0.875001;
    close(rawCam('gradcam++', t(A), t(G)).toFloat32Array(), A[0]!.map((a0, i) => w0 * a0 + w1 * A[1]![i]!), 5);
  });

  it('the gradient methods refuse to run without gradients', () => {
    expect(() => rawCam('gradcam', t(A))).toThrow(/needs the gradients/);
  });

  it('EigenCAM projects on the first principal axis, oriented along the summed activations', () => {
    // A_k = 3·s1·u1_k + s2·u2_k + c_k with zero-mean orthogonal s1, s2 of equal norm and orthonormal u1, u2:
    // the centred matrix is 3·s1·u1ᵀ + s2·u2ᵀ, its first axis u1, the projection 3·s1.
    const s1 = [1, 1, -1, -1];
    const s2 = [1, -1, 1, -1];
    const acts = (u1: number[], u2: number[]) => torch.tensor([0, 1].flatMap((k) => s1.map((v, p) => 3 * v * u1[k]! + s2[p]! * u2[k]! + [5, 7][k]!)), [1, 2, 2, 2]);
    close(principalProjection(acts([0.6, 0.8], [0.8, -0.6])).toFloat32Array(), [3, 3, -3, -3], 5);
    // With u1 negated Σ_k A_k runs along −s1, and so does the oriented projection.
    close(principalProjection(acts([-0.6, -0.8], [0.8, -0.6])).toFloat32Array(), [-3, -3, 3, 3], 5);
    close(rawCam('eigencam', acts([0.6, 0.8], [0.8, -0.6])).toFloat32Array(), [3, 3, -3, -3], 5);
  });

  it('EigenCAM orients every projection along Σ_k A_k (an unoriented axis would fail about half of these)', () => {
    for (let seed = 0; seed < 20; seed++) {
      const a = torch.randn([1, 3, 4, 4], new torch.Generator(seed));
      const agree = principalProjection(a).reshape([16]).mul(a.sum(1).reshape([16])).sum().item();
      expect(agree, `seed ${seed}`).toBeGreaterThan(0);
    }
  });

  it('scales as BaseCAM: relu, min-max, half-pixel bilinear resize, min-max', () => {
    // relu → (0, 2, 0, 4) → /4 → rows (0, 0.5), (0, 1); ×2 bilinear (align_corners false, edges clamped):
    // columns sample at 0, 0.25, 0.75, 1 of the way, rows likewise.
    const out = scaleCams(torch.tensor([0, 2, -1, 4], [1, 2, 2]), [4, 4]);
    expect(out.shape).toEqual([1, 4, 4]);
    close(out.toFloat32Array(), [
      0, 0.125, 0.375, 0.5,
      0, 0.15625, 0.46875, 0.625,
      0, 0.21875, 0.65625, 0.875,
      0, 0.25, 0.75, 1,
    ]);
    // A CAM that relu zeroes stays 0 (no division by zero).
    expect(Array.from(scaleCams(torch.tensor([-1, -2, -3, -4], [1, 2, 2]), [4, 4]).toFloat32Array()).every((v) => v === 0)).toBe(true);
  });
});

describe('computeCams on the CNN', () => {
  // Logit = b + Σ_k w_k · mean_ij F_k: ∂logit/∂F_k = w_k / (h·w) everywhere, so GradCAM is the classic CAM
  // Σ_k w_k F_k / (h·w) and LayerCAM Σ_k relu(w_k / (h·w)) F_k; torch.grad must reproduce both.
  const model = new CnnClassifier({ channels: [4, 8], groups: 2 }, { seed: 1 });
  const x = torch.randn([2, 1, 16, 16], new torch.Generator(4));
  const f = torch.noGrad(() => model.features(x));
  const w = model.stateDict().get('fc.weight')!.detach().reshape([1, 8, 1, 1]).div(64);
  const expected = (weights: torch.Tensor) => scaleCams(f.mul(weights).sum(1), [16, 16]).toFloat32Array();

  it('GradCAM and LayerCAM match their closed forms for a global-average-pool head', () => {
    expect(f.shape).toEqual([2, 8, 8, 8]);
    for (const [method, weights] of [['gradcam', w], ['layercam', w.relu()]] as const) {
      const r = computeCams(model, x, method);
      expect(r.maps).toHaveLength(2);
      close(Float32Array.from(r.maps.flatMap((m) => Array.from(m))), Array.from(expected(weights)), 5);
      close(r.pMalignant, torch.noGrad(() => model.forward(x).sigmoid().toNumbers()), 6);
    }
  });

  it('every method gives maps in [0, 1] on the input grid', () => {
    for (const method of ['gradcam++', 'eigencam'] as const) {
      const { maps } = computeCams(model, x, method);
      for (const m of maps) {
        expect(m.length).toBe(256);
        expect(Math.min(...m)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...m)).toBeLessThanOrEqual(1);
      }
    }
  });
});
