// Op families with hand-computed expectations.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/tensor/index.js';

const nums = (t: torch.Tensor) => t.toNumbers();

describe('creation and data transfer', () => {
  it('round-trips every dtype through its typed array', () => {
    expect(Array.from(torch.tensor(new Float64Array([1.5, -2])).toArray() as Float64Array)).toEqual([1.5, -2]);
    expect(torch.tensor(new BigInt64Array([3n, -4n])).dtype).toBe('int64');
    expect(nums(torch.tensor(new BigInt64Array([3n, -4n])))).toEqual([3, -4]);
    expect(nums(torch.tensor(new Int16Array([-300, 7])))).toEqual([-300, 7]);
    expect(nums(torch.tensor(new Uint8Array([0, 2, 255])))).toEqual([0, 2, 255]);
    const b = torch.tensor(new Uint8Array([0, 3, 1]), [3], 'bool');
    expect(b.dtype).toBe('bool');
    expect(nums(b)).toEqual([0, 1, 1]);
    expect(nums(torch.tensor([1, 2, 3, 4, 5, 6], [2, 3]).select(0, 1))).toEqual([4, 5, 6]);
  });
  it('creates zeros, ones, full, arange, linspace, eye', () => {
    expect(nums(torch.zeros([2, 2]))).toEqual([0, 0, 0, 0]);
    expect(torch.ones([2, 3], 'float64').dtype).toBe('float64');
    expect(nums(torch.full([2], 7))).toEqual([7, 7]);
    expect(nums(torch.arange(0, 10, 3, 'int64'))).toEqual([0, 3, 6, 9]);
    expect(nums(torch.linspace(0, 1, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(nums(torch.eye(2))).toEqual([1, 0, 0, 1]);
  });
  it('seeded generators reproduce their draws and differ between seeds', () => {
    const a = torch.randn([100], new torch.Generator(7)).toNumbers();
    const b = torch.randn([100], new torch.Generator(7)).toNumbers();
    const c = torch.randn([100], new torch.Generator(8)).toNumbers();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.35);
    const g = new torch.Generator(1);
    const state = g.getState();
    const first = torch.rand([5], g).toNumbers();
    g.setState(state);
    expect(torch.rand([5], g).toNumbers()).toEqual(first);
    const r = torch.randint(0, 1000, [50], new torch.Generator(3)).toNumbers();
    expect(Math.min(...r)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...r)).toBeLessThan(1000);
  });
});

describe('elementwise', () => {
  it('broadcasts arithmetic and follows PyTorch scalar promotion', () => {
    const a = torch.tensor([1, 2, 3], [3, 1]);
    const b = torch.tensor([10, 20], [1, 2]);
    expect(a.add(b).shape).toEqual([3, 2]);
    expect(nums(a.add(b))).toEqual([11, 21, 12, 22, 13, 23]);
    expect(nums(a.sub(b, 2))).toEqual([-19, -39, -18, -38, -17, -37]);
    expect(nums(a.mul(0.5).reshape([3]))).toEqual([0.5, 1, 1.5]);
    expect(a.mul(0.5).dtype).toBe('float32');
    expect(torch.tensor(new BigInt64Array([4n])).mul(2).dtype).toBe('int64');
    expect(nums(a.rsub(1).reshape([3]))).toEqual([0, -1, -2]);
    expect(nums(a.pow(2).reshape([3]))).toEqual([1, 4, 9]);
    expect(nums(torch.tensor([-1.5, 0, 2]).abs())).toEqual([1.5, 0, 2]);
    expect(nums(torch.tensor([-2, 0.5, 3]).clamp(-1, 1))).toEqual([-1, 0.5, 1]);
    expect(nums(torch.tensor([-2, 0.5, 3]).clamp(0))).toEqual([0, 0.5, 3]);
  });
  it('computes unary functions', () => {
    const x = torch.tensor([0, 1], [2], 'float64');
    expect(nums(x.exp())).toEqual([1, Math.E]);
    expect(nums(x.sigmoid())).toEqual([0.5, 1 / (1 + Math.exp(-1))]);
    expect(nums(x.silu())).toEqual([0, 1 / (1 + Math.exp(-1))]);
    expect(nums(torch.tensor([4, 9], [2], 'float64').sqrt())).toEqual([2, 3]);
    expect(nums(torch.tensor([1, Math.E], [2], 'float64').log())).toEqual([0, 1]);
  });
  it('compares and selects', () => {
    const x = torch.tensor([1, 5, 3]);
    expect(nums(x.gt(2))).toEqual([0, 1, 1]);
    expect(x.gt(2).dtype).toBe('bool');
    expect(nums(x.eq(torch.tensor([1, 0, 3])))).toEqual([1, 0, 1]);
    expect(nums(torch.where(x.gt(2), x, 0))).toEqual([0, 5, 3]);
    expect(nums(x.maskedFill(x.lt(4), -1))).toEqual([-1, 5, -1]);
    expect(nums(x.maskedSelect(x.ge(3)))).toEqual([5, 3]);
    expect(nums(torch.tensor([1, 0, 1], [3], 'bool').logicalAnd(torch.tensor([1, 1, 0], [3], 'bool')))).toEqual([1, 0, 0]);
  });
});

describe('reductions', () => {
  const m = () => torch.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  it('sums and means over dims with keepdim', () => {
    expect(nums(m().sum())).toEqual([21]);
    expect(nums(m().sum(0))).toEqual([5, 7, 9]);
    expect(m().sum(1, true).shape).toEqual([2, 1]);
    expect(nums(m().mean(1))).toEqual([2, 5]);
    expect(nums(m().mean([0, 1]))).toEqual([3.5]);
  });
  it('finds extremes, arg-extremes, quantiles and medians', () => {
    expect(m().max().item()).toBe(6);
    expect(m().min().item()).toBe(1);
    const [v, i] = m().maxDim(1);
    expect(nums(v!)).toEqual([3, 6]);
    expect(nums(i!)).toEqual([2, 2]);
    expect(nums(m().argmax(0))).toEqual([1, 1, 1]);
    expect(m().argmax().item()).toBe(5);
    expect(nums(m().amax(0))).toEqual([4, 5, 6]);
    // numpy/torch linear interpolation: position q*(n-1)
    expect(torch.tensor([1, 2, 3, 4]).quantile(0.5).item()).toBeCloseTo(2.5, 6);
    expect(torch.tensor([1, 2, 3, 4]).quantile(0.995).item()).toBeCloseTo(3.985, 5);
    expect(torch.tensor([4, 1, 3, 2]).median().item()).toBe(2); // lower median, as torch
    expect(torch.tensor([1, 2, 3, 4], [4], 'float64').var().item()).toBeCloseTo(5 / 3, 12);
    expect(torch.tensor([1, 2, 3, 4], [4], 'float64').var(undefined, false).item()).toBeCloseTo(1.25, 12);
  });
});

describe('shapes and indexing', () => {
  const m = () => torch.arange(0, 6).reshape([2, 3]);
  it('reshapes, permutes and squeezes', () => {
    expect(m().transpose(0, 1).shape).toEqual([3, 2]);
    expect(nums(m().transpose(0, 1).contiguous())).toEqual([0, 3, 1, 4, 2, 5]);
    expect(m().permute([1, 0]).shape).toEqual([3, 2]);
    expect(m().unsqueeze(0).shape).toEqual([1, 2, 3]);
    expect(m().unsqueeze(0).squeeze().shape).toEqual([2, 3]);
    expect(m().unsqueeze(2).squeeze(2).shape).toEqual([2, 3]);
    expect(m().view([3, 2]).shape).toEqual([3, 2]);
    expect(m().flatten().shape).toEqual([6]);
    expect(torch.tensor([1, 2], [2, 1]).expand([2, 3]).shape).toEqual([2, 3]);
    expect(nums(torch.tensor([1, 2]).repeat([2]))).toEqual([1, 2, 1, 2]);
  });
  it('joins and splits', () => {
    expect(torch.cat([m(), m()], 0).shape).toEqual([4, 3]);
    expect(torch.stack([m(), m()], 1).shape).toEqual([2, 2, 3]);
    const [a, b] = m().chunk(2, 0);
    expect(nums(b!)).toEqual([3, 4, 5]);
    expect(a!.shape).toEqual([1, 3]);
    expect(m().split(2, 1).map((t) => t.shape)).toEqual([[2, 2], [2, 1]]);
    expect(m().splitSizes([1, 2], 1).map((t) => t.shape)).toEqual([[2, 1], [2, 2]]);
  });
  it('slices and gathers', () => {
    expect(nums(m().narrow(1, 1, 2))).toEqual([1, 2, 4, 5]);
    expect(nums(m().slice(1, 0, undefined, 2))).toEqual([0, 2, 3, 5]);
    expect(nums(m().indexSelect(1, torch.tensor(new BigInt64Array([2n, 0n]))))).toEqual([2, 0, 5, 3]);
    expect(nums(m().flip([1]))).toEqual([2, 1, 0, 5, 4, 3]);
    expect(nums(torch.tensor([1, 2, 3]).pad([1, 2], 9))).toEqual([9, 1, 2, 3, 9, 9]);
  });
});

describe('autograd', () => {
  it('accumulates gradients and honours noGrad', () => {
    const w = torch.tensor([2, -3]).requiresGrad_();
    w.mul(w).sum().backward();
    expect(nums(w.grad!)).toEqual([4, -6]);
    w.mul(3).sum().backward();
    expect(nums(w.grad!)).toEqual([7, -3]);
    const y = torch.noGrad(() => w.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
    expect(w.detach().requiresGrad).toBe(false);
  });
  it('takes gradients of gradients (createGraph)', () => {
    const x = torch.tensor([3], [1], 'float64').requiresGrad_();
    const y = x.pow(3);
    const [dy] = torch.grad(y, x, { createGraph: true });
    expect(dy!.item()).toBe(27);
    const [d2y] = torch.grad(dy!, x);
    expect(d2y!.item()).toBe(18);
  });
});

describe('optimizers and parameter updates', () => {
  it('SGD takes w - lr * grad', () => {
    const w = torch.tensor([1, 2]).requiresGrad_();
    const opt = torch.SGD([w], { lr: 0.1 });
    w.mul(w).sum().backward(); // grad 2w
    opt.step();
    expect(nums(w)).toEqual([0.8, 1.6].map(Math.fround));
    opt.zeroGrad();
    const g = w.grad;
    expect(g === undefined || g.abs().sum().item() === 0).toBe(true);
  });
  it('Adam moves each weight by lr on its first step, and its saved state resumes exactly', () => {
    const run = (resumeAt?: number) => {
      const w = torch.tensor([1, -2, 3]).requiresGrad_();
      let opt = torch.Adam([w], { lr: 0.01 });
      const out: number[][] = [];
      for (let i = 0; i < 4; i++) {
        if (i === resumeAt) {
          const state = opt.saveState();
          opt = torch.Adam([w], { lr: 0.01 });
          opt.loadState(state);
        }
        opt.zeroGrad();
        w.pow(2).sum().backward();
        opt.step();
        out.push(w.toNumbers());
      }
      return out;
    };
    const plain = run();
    expect(plain[0]![0]).toBeCloseTo(0.99, 6);
    expect(plain[0]![1]).toBeCloseTo(-1.99, 6);
    expect(run(2)).toEqual(plain);
  });
  it('clips the global gradient norm and updates an EMA copy in place', () => {
    const a = torch.tensor([0, 0]).requiresGrad_();
    a.mul(torch.tensor([3, 4])).sum().backward(); // grad (3,4), norm 5
    expect(torch.clipGradNorm_([a], 1)).toBeCloseTo(5, 5);
    expect(a.grad!.toNumbers().map((v) => Math.round(v * 1e5) / 1e5)).toEqual([0.6, 0.8]);
    const ema = torch.tensor([1, 1]);
    const p = torch.tensor([3, 5]);
    ema.lerp_(p, 0.25); // ema + 0.25 (p - ema)
    expect(nums(ema)).toEqual([1.5, 2]);
    ema.mul_(2).add_(1);
    expect(nums(ema)).toEqual([4, 5]);
    ema.copy_(p);
    expect(nums(ema)).toEqual([3, 5]);
  });
});

describe('runtime', () => {
  it('uses all available cores by default and reports CUDA availability', () => {
    expect(torch.getNumThreads()).toBeGreaterThanOrEqual(1);
    expect(typeof torch.cuda.isAvailable()).toBe('boolean');
    expect(torch.torchVersion()).toMatch(/^\d+\.\d+/);
  });
});
