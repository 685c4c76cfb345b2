// Bad input from JS must become a JS Error with libtorch's message, never a crash.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/tensor/index.js';
import { native } from '../../src/tensor/native.js';

describe('errors become JS exceptions', () => {
  it('reports shape mismatches with libtorch messages', () => {
    expect(() => torch.tensor([1, 2, 3]).add(torch.tensor([1, 2]))).toThrow(/size of tensor a \(3\) must match/);
    expect(() => torch.ones([2, 3]).matmul(torch.ones([2, 3]))).toThrow(/cannot be multiplied|mat1 and mat2 shapes/);
    expect(() => torch.conv2d(torch.ones([1, 3, 8, 8]), torch.ones([4, 2, 3, 3]))).toThrow(/expected input\[1, 3, 8, 8\] to have 2 channels/);
    expect(() => torch.ones([2, 3]).view([4])).toThrow(/shape '\[4\]' is invalid/);
    expect(() => torch.ones([2, 3]).select(0, 5)).toThrow(/out of range/);
    expect(() => torch.cat([torch.ones([2, 3]), torch.ones([2, 4])], 0)).toThrow(/Sizes of tensors must match/);
  });
  it('rejects wrong argument types with the op and argument named', () => {
    expect(() => torch.zeros([2], 'float99' as torch.DType)).toThrow(/zeros: argument 1 \(dtype\) must be a dtype/);
    expect(() => torch.zeros([2.5])).toThrow(/zeros: argument 0 \(size\) must be an array of integers/);
    expect(() => torch.tensor([1]).softmax(Number.NaN)).toThrow(/softmax: argument 1 \(dim\) must be an integer/);
    expect(() => (native.ops.add as (...a: unknown[]) => unknown)({}, 1, 1)).toThrow(/add: argument 0 \(self\) must be a Tensor/);
    expect(() => (native.ops.add as (...a: unknown[]) => unknown)()).toThrow(/must be a Tensor/);
    expect(() => (native.ops.mseLoss as (...a: unknown[]) => unknown)(torch.ones([1]).native, torch.ones([1]).native, 'average')).toThrow(
      /reduction must be/,
    );
    const neg = native.ops.neg as (...a: unknown[]) => unknown;
    expect(() => neg(123456789)).toThrow(/not a tensor handle/);
    expect(() => neg(1.5)).toThrow(/not a tensor handle/);
    expect(() => neg(-1)).toThrow(/not a tensor handle/);
  });
  it('checks data arrays against shape and dtype', () => {
    expect(() => torch.tensor(new Float32Array(5), [2, 3])).toThrow(/shape holds 6 elements but the array has 5/);
    expect(() => torch.tensor(new Float64Array(2), [2], 'float32')).toThrow(/needs a Float32Array, got Float64Array/);
    expect(() => torch.tensor(new Float32Array(2), [-1, -2])).toThrow(/negative dimension/);
  });
  it('refuses tensors used after dispose, and allows disposing twice', () => {
    const t = torch.ones([2]);
    t.dispose();
    expect(t.disposed).toBe(true);
    expect(() => t.add(1)).toThrow(/used after dispose/);
    expect(() => t.dispose()).not.toThrow();
  });
  it('survives an impossible allocation and bad optimizer options', () => {
    expect(() => torch.zeros([1e7, 1e7])).toThrow(/allocate|memory/i);
    expect(() => new torch.Optimizer('rmsprop' as torch.OptimizerKind, [], { lr: 1 })).toThrow(/kind must be/);
    const opt = torch.Adam([torch.ones([1]).requiresGrad_()], { lr: 1 });
    expect(() => opt.loadState(Buffer.from('not a state'))).toThrow();
    expect(() => torch.setNumThreads(0)).toThrow(/>= 1/);
  });
  it('keeps working after errors', () => {
    for (let i = 0; i < 100; i++) expect(() => torch.ones([3]).add(torch.ones([4]))).toThrow();
    expect(torch.ones([3]).add(1).sum().item()).toBe(6);
  });
});
