// A stand-in diffusion autoencoder whose every output is known in closed form, for testing the attribution
// logic without a trained model. On a 16×16 grid, z_j = mean of x over the core of region j (A, B, C, D);
// invert(x, z) = x − Σ z_j P_j and render(x_T, z) = x_T + Σ z_j P_j + BIAS, where P_j is 1 on region j's core
// (plus, for A, a separate 2×2 patch) and 1/16 on its halo. Values are dyadic, so the arithmetic is exact.
import * as torch from '../../../src/tensor/index.js';
import type { Tensor } from '../../../src/tensor/index.js';
import type { LatentDiffusion } from '../../../src/method/attribution/engine.js';
import { LatentClassifier } from '../../../src/method/classifier/latent-classifier.js';
import { LogisticRegression } from '../../../src/method/classifier/logistic.js';
import { StandardScaler } from '../../../src/method/classifier/scaler.js';

export const N = 16;
export const BIAS = 0.125;

type Rect = [r0: number, r1: number, c0: number, c1: number];
const cells = ([r0, r1, c0, c1]: Rect): number[] => {
  const out: number[] = [];
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) out.push(r * N + c);
  return out;
};

/** Pixel indices of every region, by name. */
export const REGION = {
  coreA: cells([1, 2, 1, 3]), // 6 px, blastic
  patchA: cells([5, 6, 8, 9]), // 4 px, moves with A: above threshold but under the 5 px minimum
  haloA: cells([12, 12, 0, 7]),
  coreB: cells([5, 6, 1, 3]), // 6 px, lytic
  haloB: cells([13, 13, 0, 7]),
  coreC: cells([9, 10, 1, 3]), // 6 px, blastic
  haloC: cells([14, 14, 0, 7]),
  coreD: cells([1, 3, 12, 14]), // outside the body mask
};

/** Body mask: columns 0..10. */
export const MASK = { rows: N, cols: N, data: Uint8Array.from({ length: N * N }, (_, i) => (i % N <= 10 ? 1 : 0)) };

/** The input: 1/2 everywhere, core values chosen so that z = (1/2, 1/4, 3/4, 1/2). */
export function stubImage(): Float32Array {
  const x = new Float32Array(N * N).fill(0.5);
  for (const i of REGION.coreB) x[i] = 0.25;
  for (const i of REGION.coreC) x[i] = 0.75;
  return x;
}
export const Z = [0.5, 0.25, 0.75, 0.5];

function patterns(): Float32Array {
  const p = new Float32Array(4 * N * N);
  const set = (j: number, idx: number[], v: number) => idx.forEach((i) => (p[j * N * N + i] = v));
  set(0, REGION.coreA, 1);
  set(0, REGION.patchA, 1);
  set(0, REGION.haloA, 1 / 16);
  set(1, REGION.coreB, 1);
  set(1, REGION.haloB, 1 / 16);
  set(2, REGION.coreC, 1);
  set(2, REGION.haloC, 1 / 16);
  set(3, REGION.coreD, 1);
  return p;
}

export interface StubCall {
  op: 'encode' | 'invert' | 'render';
  batch: number;
  /** The images (encode, invert) or x_T (render) of the call, N × 256 values. */
  input: Float32Array;
  /** DDIM steps asked for (invert, render). */
  steps?: number;
  /** The noise level asked for (invert, render), when given. */
  tMax?: number;
}

/** The stub; every call is recorded with its batch size. */
export function stubEngine(calls: StubCall[] = []): LatentDiffusion {
  const P = patterns();
  const pattern = () => torch.tensor(P, [4, N * N]);
  const offset = (z: Tensor) => torch.tidy(() => z.matmul(pattern()).reshape([z.size(0), 1, N, N]));
  const cores = [REGION.coreA, REGION.coreB, REGION.coreC, REGION.coreD];
  const weights = torch.tidy(() =>
    torch.cat(cores.map((idx) => torch.tensor(Float32Array.from({ length: N * N }, (_, i) => (idx.includes(i) ? 1 / idx.length : 0)), [N * N, 1])), 1),
  );
  const record = (op: StubCall['op'], x: Tensor, steps?: number, tMax?: number) =>
    calls.push({ op, batch: x.size(0), input: x.toFloat32Array(), ...(steps !== undefined ? { steps } : {}), ...(tMax !== undefined ? { tMax } : {}) });
  return {
    encode: (x) => {
      record('encode', x);
      return torch.tidy(() => x.reshape([x.size(0), N * N]).matmul(weights));
    },
    invert: (x, z, steps, _onStep, tMax) => {
      record('invert', x, steps, tMax);
      return torch.tidy(() => x.sub(offset(z)));
    },
    render: (xT, z, steps, _onStep, tMax) => {
      record('render', xT, steps, tMax);
      return torch.tidy(() => xT.add(offset(z)).add(BIAS));
    },
  };
}

/** Identity scaler, w = (6, −1, 1, 1), b = −2: P(malignant | Z) = σ(2). */
export const W = [6, -1, 1, 1];
export const B = -2;
export function stubClassifier(): LatentClassifier {
  return new LatentClassifier(new StandardScaler(new Float64Array(4), Float64Array.from([1, 1, 1, 1])), new LogisticRegression(Float64Array.from(W), B));
}
