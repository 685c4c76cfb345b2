// Native memory is released deterministically: tidy() frees what it does not return, and a long training
// loop keeps both the live-tensor count and the process RSS bounded (the soak test).
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/tensor/index.js';

describe('deterministic release', () => {
  it('tidy disposes intermediates and keeps returned tensors', () => {
    const before = torch.liveTensors();
    const out = torch.tidy(() => {
      const a = torch.ones([10]);
      const b = a.mul(2);
      return { sum: b.sum(), list: [b.add(1)] };
    });
    expect(torch.liveTensors()).toBe(before + 2);
    expect(out.sum.item()).toBe(20);
    torch.dispose(out);
    expect(torch.liveTensors()).toBe(before);
  });
  it('tidy releases everything when its function throws', () => {
    const before = torch.liveTensors();
    expect(() =>
      torch.tidy(() => {
        torch.ones([5]).mul(3);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(torch.liveTensors()).toBe(before);
  });
  it('keep() lets a tensor outlive its scope, and `using` disposes at block end', () => {
    const before = torch.liveTensors();
    let kept: torch.Tensor | undefined;
    torch.tidy(() => {
      kept = torch.keep(torch.ones([2]));
      torch.ones([3]);
    });
    expect(kept!.disposed).toBe(false);
    kept!.dispose();
    {
      using t = torch.zeros([4]);
      expect(t.disposed).toBe(false);
    }
    expect(torch.liveTensors()).toBe(before);
  });
});

describe('soak', () => {
  it('runs 10 000 training steps with bounded live tensors and RSS', () => {
    const gen = new torch.Generator(0);
    const w = torch.randn([64, 32], gen).mul(0.1).requiresGrad_();
    const b = torch.zeros([64]).requiresGrad_();
    const opt = torch.Adam([w, b], { lr: 1e-3 });
    const x = torch.randn([16, 32], gen);
    const y = torch.randn([16, 64], gen);
    const step = () =>
      torch.tidy(() => {
        opt.zeroGrad();
        const loss = torch.mseLoss(torch.linear(x, w, b).silu(), y);
        loss.backward();
        torch.clipGradNorm_([w, b], 1);
        opt.step();
        return loss.item();
      });
    for (let i = 0; i < 1000; i++) step();
    const live = torch.liveTensors();
    const rss = process.memoryUsage().rss;
    let last = 0;
    for (let i = 0; i < 9000; i++) last = step();
    expect(torch.liveTensors()).toBe(live);
    const growthMb = (process.memoryUsage().rss - rss) / 2 ** 20;
    expect(growthMb).toBeLessThan(40);
    expect(Number.isFinite(last)).toBe(true);
  }, 120_000);
});

describe('persist', () => {
  it('lets a tensor outlive every enclosing scope', () => {
    let t: torch.Tensor | undefined;
    torch.tidy(() => torch.tidy(() => void (t = torch.persist(torch.ones([2])))));
    expect(t!.disposed).toBe(false);
    t!.dispose();
  });
});
