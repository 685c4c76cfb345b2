import { describe, expect, it } from 'vitest';
import * as torch from '../../src/tensor/index.js';
import { DiffusionSchedule, type EpsModel, ddimInvert, ddimRender, ddimTimesteps, diffusionLoss, linearBetas, lossWeights } from '../../src/model/diffusion.js';

/** The exact ε-predictor for data concentrated at x0*: ε = (x_t − √ᾱ x0*) / √(1−ᾱ), recording its calls. */
class PointModel implements EpsModel {
  readonly calls: number[][] = [];
  readonly ac = DiffusionSchedule.linear().alphasCumprod;
  constructor(readonly target: torch.Tensor) {}
  forward(xt: torch.Tensor, t: torch.Tensor, z: torch.Tensor): torch.Tensor {
    expect(z.size(0)).toBe(xt.size(0));
    const steps = t.toNumbers();
    this.calls.push(steps);
    const a = this.ac[steps[0]!]!;
    return xt.sub(this.target.mul(Math.sqrt(a))).div(Math.sqrt(1 - a));
  }
}

describe('schedule', () => {
  it('has the linear β of the reference in float64', () => {
    const b = linearBetas();
    expect(b).toBeInstanceOf(Float64Array);
    expect(b.length).toBe(1000);
    expect(b[0]).toBe(1e-4);
    expect(b[999]).toBe(0.02);
    expect(b[500]).toBeCloseTo(1e-4 + (500 * (0.02 - 1e-4)) / 999, 15);
    const ac = DiffusionSchedule.linear().alphasCumprod;
    expect(ac[0]).toBeCloseTo(1 - 1e-4, 15);
    expect(ac[999]).toBeGreaterThan(3e-5);
    expect(ac[999]).toBeLessThan(5e-5);
  });
  it('spaces DDIM steps with the integer stride s, len(range(0, 1000, s)) == N', () => {
    expect(ddimTimesteps(250)).toEqual(Array.from({ length: 250 }, (_, i) => 4 * i));
    expect(ddimTimesteps(100).slice(0, 3)).toEqual([0, 10, 20]);
    expect(ddimTimesteps(100).at(-1)).toBe(990);
    expect(ddimTimesteps(3)).toEqual([0, 334, 668]);
    expect(() => ddimTimesteps(999)).toThrow(/integer stride/);
  });
  it('keeps ᾱ of the retained steps when respacing', () => {
    const full = DiffusionSchedule.linear();
    const s = DiffusionSchedule.ddim(10);
    expect(s.timesteps).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    s.timesteps.forEach((t, i) => expect(Math.abs(s.alphasCumprod[i]! - full.alphasCumprod[t]!)).toBeLessThan(1e-15));
    expect(s.alphasCumprodPrev[0]).toBe(1);
    expect(s.alphasCumprodNext[9]).toBe(0);
  });
  it('q_sample mixes x0 and noise with √ᾱ and √(1−ᾱ) per sample', () => {
    const s = DiffusionSchedule.linear();
    const x0 = torch.ones([2, 1, 2, 2]);
    const noise = torch.full([2, 1, 2, 2], 2);
    const xt = s.qSample(x0, torch.tensor(new BigInt64Array([0n, 999n])), noise).toNumbers();
    const expected = (t: number) => Math.sqrt(s.alphasCumprod[t]!) + 2 * Math.sqrt(1 - s.alphasCumprod[t]!);
    xt.slice(0, 4).forEach((v) => expect(v).toBeCloseTo(expected(0), 6));
    xt.slice(4).forEach((v) => expect(v).toBeCloseTo(expected(999), 6));
  });
});

describe('DDIM', () => {
  it('renders the data point from any x_T, calling the model with the original steps, high to low', () => {
    const target = torch.tensor([0.5, -0.25, 0.75, 0], [2, 1, 1, 2]);
    const model = new PointModel(target);
    const progress: number[] = [];
    const out = ddimRender(model, torch.randn([2, 1, 1, 2], new torch.Generator(1)), torch.zeros([2, 8]), {
      steps: 10,
      onStep: (done, total) => progress.push(done / total),
    });
    expect(out.sub(target).abs().max().item()).toBeLessThan(1e-5);
    expect(model.calls.map((c) => c[0])).toEqual([900, 800, 700, 600, 500, 400, 300, 200, 100, 0]);
    expect(model.calls.every((c) => c.length === 2 && c[0] === c[1])).toBe(true);
    expect(progress).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  });
  it('clamps the predicted x0 to [-1, 1]', () => {
    const out = ddimRender(new PointModel(torch.full([1, 1, 2, 2], 1.5)), torch.randn([1, 1, 2, 2]), torch.zeros([1, 4]), { steps: 20 });
    expect(out.sub(1).abs().max().item()).toBeLessThan(1e-5);
  });
  it('inverts low to high and reaches √ᾱ_next·x0 + √(1−ᾱ_next)·ε at the last step (ᾱ_next = 0: x_T = ε)', () => {
    const target = torch.full([1, 1, 2, 2], 0.5);
    const model = new PointModel(target);
    const x0 = target.clone();
    const xT = ddimInvert(model, x0, torch.zeros([1, 4]), { steps: 5 });
    expect(model.calls.map((c) => c[0])).toEqual([0, 200, 400, 600, 800]);
    // The exact ε at the last step from the previous iterate.
    expect(xT.isfinite().all().item()).toBe(1);
    const back = ddimRender(model, xT, torch.zeros([1, 4]), { steps: 5 });
    expect(back.sub(target).abs().max().item()).toBeLessThan(1e-5);
  });
  it('with tMax runs only the steps below it: a partial encoding to √ᾱ(tMax)·x0 + √(1−ᾱ(tMax))·ε and back', () => {
    const target = torch.full([1, 1, 2, 2], 0.5);
    const model = new PointModel(target);
    const xt = ddimInvert(model, target.clone(), torch.zeros([1, 4]), { steps: 10, tMax: 400 });
    expect(model.calls.map((c) => c[0])).toEqual([0, 100, 200, 300]);
    // x0 is the data point, so ε ≈ 0 (0.0025 from reading x0 at t = 0) and the partial encoding is ≈ √ᾱ(400)·x0;
    // √ᾱ(300)·x0 would be 0.09 away.
    const ac = DiffusionSchedule.linear().alphasCumprod[400]!;
    expect(xt.sub(target.mul(Math.sqrt(ac))).abs().max().item()).toBeLessThan(5e-3);
    model.calls.length = 0;
    const back = ddimRender(model, xt, torch.zeros([1, 4]), { steps: 10, tMax: 400 });
    expect(model.calls.map((c) => c[0])).toEqual([300, 200, 100, 0]);
    expect(back.sub(target).abs().max().item()).toBeLessThan(1e-5);
    expect(() => ddimRender(model, xt, torch.zeros([1, 4]), { steps: 10, tMax: 0 })).toThrow(/tMax/);
    expect(() => ddimInvert(model, xt, torch.zeros([1, 4]), { steps: 10, tMax: 1001 })).toThrow(/tMax/);
  });
  it('does not grow memory over a long loop', () => {
    const model = new PointModel(torch.zeros([1, 1, 4, 4]));
    const x = torch.randn([1, 1, 4, 4]);
    const z = torch.zeros([1, 2]);
    ddimRender(model, x, z, { steps: 10 }).dispose();
    const before = torch.liveTensors();
    const out = ddimRender(model, x, z, { steps: 250 });
    expect(torch.liveTensors() - before).toBe(1);
    out.dispose();
  });
});

describe('training loss', () => {
  it('is MSE(ε, ε_θ) with seeded t and noise', () => {
    const zeroModel = { encode: (x: torch.Tensor) => torch.zeros([x.size(0), 4]), forward: (xt: torch.Tensor) => torch.zerosLike(xt) };
    const x0 = torch.zeros([8, 1, 16, 16]);
    const a = diffusionLoss(zeroModel, x0, new torch.Generator(3)).item();
    const b = diffusionLoss(zeroModel, x0, new torch.Generator(3)).item();
    const c = diffusionLoss(zeroModel, x0, new torch.Generator(4)).item();
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toBeGreaterThan(0.9);
    expect(a).toBeLessThan(1.1);
  });
  it('weights each image by weights[t] with the same draws of t and ε', () => {
    const zeroModel = { encode: (x: torch.Tensor) => torch.zeros([x.size(0), 4]), forward: (xt: torch.Tensor) => torch.zerosLike(xt) };
    const x0 = torch.zeros([8, 1, 16, 16]);
    const w = Float64Array.from({ length: 1000 }, (_, t) => t / 100);
    const got = diffusionLoss(zeroModel, x0, new torch.Generator(3), DiffusionSchedule.linear(), w).item();
    // The same draws by hand: t first, then ε; with ε_θ = 0 each image's MSE is mean(ε²).
    const g = new torch.Generator(3);
    const t = torch.randint(0, 1000, [8], g).toNumbers();
    const eps = torch.randn([8, 1, 16, 16], g).toFloat32Array();
    const perImage = t.map((_, i) => eps.slice(i * 256, (i + 1) * 256).reduce((a, v) => a + v * v, 0) / 256);
    const want = perImage.reduce((a, m, i) => a + (m * t[i]!) / 100, 0) / 8;
    expect(Math.abs(got - want)).toBeLessThan(1e-5 * want);
    const plain = diffusionLoss(zeroModel, x0, new torch.Generator(3)).item();
    expect(Math.abs(got - plain)).toBeGreaterThan(1e-3);
  });
});

describe('loss weightings', () => {
  const snr = (t: number) => {
    const ac = DiffusionSchedule.linear().alphasCumprod[t]!;
    return ac / (1 - ac);
  };
  it('have mean 1 over the 1000 steps; eps is uniform', () => {
    for (const name of ['eps', 'min-snr', 'trunc-snr'] as const) {
      const w = lossWeights(name, 5);
      expect(Math.abs(w.reduce((a, b) => a + b, 0) / 1000 - 1)).toBeLessThan(1e-12);
    }
    expect(new Set(lossWeights('eps', 5)).size).toBe(1);
  });
  it('min-snr down-weights the low-noise steps by γ/SNR, high-noise steps keep 1', () => {
    const w = lossWeights('min-snr', 5);
    // t = 0: SNR ≈ 1e4 → 5/SNR; t = 999: SNR ≈ 4e-5 < 5 → 1.
    expect(w[0]! / w[999]!).toBeCloseTo(5 / snr(0), 12);
    expect(w[900]! / w[999]!).toBe(1);
  });
  it('trunc-snr weights by max(1, 1/SNR), capped at γ', () => {
    const w = lossWeights('trunc-snr', 200);
    expect(w[999]! / w[0]!).toBeCloseTo(200, 9);
    expect(w[400]! / w[0]!).toBeCloseTo(1 / snr(400), 9); // SNR(400) ≈ 0.24
    expect(w[100]! / w[0]!).toBe(1); // SNR(100) ≈ 8.5 > 1
    expect(() => lossWeights('trunc-snr', 0)).toThrow(/gamma/);
  });
});
