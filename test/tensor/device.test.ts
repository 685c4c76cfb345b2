// Device names, autocast regions and the bf16 precision of the networks, on the CPU.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/tensor/index.js';
import { native } from '../../src/tensor/native.js';
import { inPrecision } from '../../src/model/precision.js';

describe('sameDevice', () => {
  it("treats 'cuda' as 'cuda:0' (libtorch's name for a tensor made on 'cuda') and nothing else as equal", () => {
    expect(torch.sameDevice('cuda', 'cuda:0')).toBe(true);
    expect(torch.sameDevice('cuda:0', 'cuda')).toBe(true);
    expect(torch.sameDevice('cuda', 'cuda:1')).toBe(false);
    expect(torch.sameDevice('cpu', 'cpu')).toBe(true);
    expect(torch.sameDevice('cpu', 'cuda:0')).toBe(false);
    expect(torch.deviceType('cuda:3')).toBe('cuda');
  });
});

describe('autocast', () => {
  const x = torch.tensor(Float32Array.from({ length: 2 * 3 * 8 * 8 }, (_, i) => Math.sin(i)), [2, 3, 8, 8]);
  const w = torch.tensor(Float32Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => Math.cos(i) / 5), [4, 3, 3, 3]);

  it('runs convolutions in bfloat16 inside the region only, and restores the state also on throw', () => {
    expect(torch.isAutocastEnabled('cpu')).toBe(false);
    const inside = torch.autocast('cpu', 'bfloat16', () => {
      expect(torch.isAutocastEnabled('cpu')).toBe(true);
      return torch.conv2d(x, w, undefined, 1, 1);
    });
    expect(inside.dtype).toBe('bfloat16');
    expect(torch.conv2d(x, w, undefined, 1, 1).dtype).toBe('float32');
    expect(() => torch.autocast('cpu', 'bfloat16', () => { throw new Error('inside'); })).toThrow('inside');
    expect(torch.isAutocastEnabled('cpu')).toBe(false);
  });

  it('rejects dtypes and device types autocast does not take', () => {
    expect(() => native.autocastEnter('cpu', 'float32')).toThrow('autocast: dtype must be bfloat16 or float16');
    expect(() => native.autocastEnter('tpu' as 'cpu', 'bfloat16')).toThrow("autocast: deviceType must be 'cpu' or 'cuda', got 'tpu'");
    expect(torch.isAutocastEnabled('cpu')).toBe(false);
  });

  it('bf16 precision hands back float32 within bfloat16 rounding of the fp32 result', () => {
    const conv = () => torch.conv2d(x, w, undefined, 1, 1);
    const fp32 = inPrecision('fp32', x, conv).toFloat32Array();
    const bf16 = inPrecision('bf16', x, conv);
    expect(bf16.dtype).toBe('float32');
    const got = bf16.toFloat32Array();
    const err = Math.max(...got.map((v, i) => Math.abs(v - fp32[i]!)));
    const scale = Math.max(...fp32.map(Math.abs));
    // bfloat16 keeps 8 significant bits: errors of order 2^-8 of the magnitudes, but not zero.
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(scale * 2 ** -6);
  });
});
