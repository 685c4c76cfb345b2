// Device placement without a GPU: test/helpers/device-probe.ts runs the model, the DDIM loops, training steps
// (one after loading CPU-written optimizer state), Hide-and-Seek (with the classifier's healthy edit and the
// harmonisation) and the CAMs on libtorch's lazy device, where a tensor created on the CPU and mixed into the
// work aborts the process. The same probe on the CPU gives the reference numbers: the lazy device must have
// computed the same thing, not skipped it.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface Probe {
  skipped?: string;
  devices: string[];
  z: number[];
  eps: number[];
  xT: number[];
  render: number[];
  loopReads: number;
  train: { loss: number; gradNorm: number };
  resumed: { loss: number; gradNorm: number };
  attribution: { pMalignant: number }[];
  candidates: number[];
  attributionReads: number;
  segmented: number[];
  cams: { maps: number[][]; p: number[] }[];
}

function probe(device: 'cpu' | 'lazy'): Probe {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/device-probe.ts', device], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, HSA_NUM_THREADS: '1' } });
  // A stray CPU tensor ends the lazy run in libtorch's check ("Input tensor is not a lazy tensor").
  if (r.status !== 0) throw new Error(`device probe on ${device} exited ${r.status ?? r.signal}:\n${r.stderr.split('\n').filter((l) => !l.startsWith('    @')).slice(0, 20).join('\n')}`);
  return JSON.parse(r.stdout) as Probe;
}

function maxDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe('device placement', () => {
  it('runs model, DDIM, training steps (one resumed from CPU-written state), attribution (also through runSegmentation) and CAMs on a non-CPU device with no stray CPU tensor', () => {
    const lazy = probe('lazy');
    if (lazy.skipped) return void console.warn(`device placement: ${lazy.skipped}`);
    const cpu = probe('cpu');
    expect(lazy.devices).toEqual(['lazy:0', 'lazy:0', 'lazy:0', 'lazy:0']);
    expect(cpu.devices).toEqual(['cpu', 'cpu', 'cpu', 'cpu']);
    // The DDIM loops read nothing back; one group of the attribution reads z, the two renders, the composites' z.
    expect(lazy.loopReads).toBe(0);
    expect(lazy.attributionReads).toBe(3);
    expect(lazy.candidates.some((n) => n > 0)).toBe(true);
    // Same numbers within float32 rounding (the lazy device runs fused TorchScript kernels). The loops
    // amplify differences by 1/√ᾱ near t = T, hence the looser tolerance there.
    expect(maxDiff(lazy.z, cpu.z)).toBeLessThan(1e-5);
    expect(maxDiff(lazy.eps, cpu.eps)).toBeLessThan(1e-4);
    expect(maxDiff(lazy.xT, cpu.xT)).toBeLessThan(1e-3);
    expect(maxDiff(lazy.render, cpu.render)).toBeLessThan(5e-3);
    expect(lazy.train.loss).toBeCloseTo(cpu.train.loss, 4);
    expect(lazy.train.gradNorm).toBeCloseTo(cpu.train.gradNorm, 3);
    // After loading optimizer state written on the CPU (a resumed checkpoint).
    expect(lazy.resumed.loss).toBeCloseTo(cpu.resumed.loss, 4);
    expect(maxDiff(lazy.attribution.map((a) => a.pMalignant), cpu.attribution.map((a) => a.pMalignant))).toBeLessThan(1e-5);
    // runSegmentation (files written from the device's results) gives the attribution's p_m of the same vertebra.
    expect(maxDiff(lazy.segmented, [cpu.attribution[0]!.pMalignant])).toBeLessThan(1e-5);
    lazy.cams.forEach((c, k) => {
      expect(maxDiff(c.p, cpu.cams[k]!.p)).toBeLessThan(1e-5);
      expect(maxDiff(c.maps.flat(), cpu.cams[k]!.maps.flat())).toBeLessThan(1e-4);
    });
  }, 300_000);
});
