// Every op family against outputs that PyTorch computed (test/fixtures/engine/make_fixtures.py).
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/tensor/index.js';
import { input, maxError, pytorchCases as cases } from './fixtures.js';

// PyTorch's kernels on the machine that wrote the fixtures vs libtorch's here (another CPU may take another
// SIMD path): float32 rounding of reductions grows with the values, so the bound is relative as well.
const tol = 2e-5;
const rtol = 1e-5;
const check = (name: string, fn: (c: (typeof cases)[string]) => Record<string, torch.Tensor>) =>
  it(name, () => {
    const c = cases[name]!;
    torch.tidy(() => {
      const out = fn(c);
      for (const [k, t] of Object.entries(out)) expect(maxError(t, c.outputs[k]!, rtol), `${name}.${k}`).toBeLessThan(tol);
    });
  });

describe('ops match PyTorch', () => {
  check('conv2d', (c) => ({ y: torch.conv2d(input(c, 'x'), input(c, 'w'), input(c, 'b'), 2, 1, 1, 2) }));
  check('conv_transpose2d', (c) => ({ y: torch.convTranspose2d(input(c, 'x'), input(c, 'w'), undefined, 2, 1, 1) }));
  check('group_norm', (c) => ({ y: torch.groupNorm(input(c, 'x'), 2, input(c, 'w'), input(c, 'b')) }));
  check('layer_norm', (c) => ({ y: torch.layerNorm(input(c, 'x'), [6], input(c, 'w'), input(c, 'b')) }));
  check('batch_norm', (c) => ({ y: torch.batchNorm(input(c, 'x'), input(c, 'rm'), input(c, 'rv'), input(c, 'w'), input(c, 'b')) }));
  check('avg_pool2d', (c) => ({ y: torch.avgPool2d(input(c, 'x'), 2) }));
  check('max_pool2d', (c) => ({ y: torch.maxPool2d(input(c, 'x'), 3, 2, 1) }));
  check('adaptive_avg_pool2d', (c) => ({ y: torch.adaptiveAvgPool2d(input(c, 'x'), [1, 1]) }));
  check('interp_nearest', (c) => ({ y: torch.interpolate(input(c, 'x'), { scaleFactor: 2, mode: 'nearest' }) }));
  check('interp_bilinear', (c) => ({ y: torch.interpolate(input(c, 'x'), { size: [9, 5], mode: 'bilinear' }) }));
  check('affine_grid', (c) => ({ grid: torch.affineGrid(input(c, 'theta'), [2, 1, 8, 8], false) }));
  check('grid_sample_border', (c) => ({ y: torch.gridSample(input(c, 'x'), input(c, 'grid'), { paddingMode: 'border' }) }));
  check('softmax', (c) => ({ y: input(c, 'x').softmax(1), ly: input(c, 'x').logSoftmax(0) }));
  check('quantile', (c) => ({
    q995: input(c, 'x').quantile(0.995).reshape([1]),
    q0: input(c, 'x').quantile(0).reshape([1]),
    median: input(c, 'x').median().reshape([1]),
  }));
  check('var', (c) => ({
    var1: input(c, 'x').var(1),
    var_all_pop: input(c, 'x').var(undefined, false).reshape([1]),
    std0: input(c, 'x').std(0),
  }));
  check('losses', (c) => ({
    bce: torch.bceWithLogits(input(c, 'x'), input(c, 't')).reshape([1]),
    mse: torch.mseLoss(input(c, 'x'), input(c, 't')).reshape([1]),
    l1: torch.l1Loss(input(c, 'x'), input(c, 't'), 'sum').reshape([1]),
  }));
  check('bmm', (c) => ({ y: input(c, 'a').bmm(input(c, 'b')), mm: input(c, 'a').select(0, 0).mm(input(c, 'b').select(0, 0)) }));
  check('linear', (c) => ({ y: torch.linear(input(c, 'x'), input(c, 'w'), input(c, 'b')) }));

  check('grad_block', (c) => {
    const x = input(c, 'x').requiresGrad_();
    const w = input(c, 'w').requiresGrad_();
    const h = torch.groupNorm(x, 2, input(c, 'gw'), input(c, 'gb')).silu();
    const y = torch.conv2d(h, w, input(c, 'b'), 1, 1, 1, 2);
    const loss = y.mul(y).mean();
    loss.backward();
    return { loss: loss.reshape([1]), dx: x.grad!, dw: w.grad! };
  });

  check('grad_activation', (c) => {
    const w = input(c, 'w').requiresGrad_();
    const act = torch.conv2d(input(c, 'x'), w, undefined, 1, 1, 1, 2).relu();
    const score = act.mean([1, 2, 3]).sum().add(act.pow(2).sum().mul(0.01));
    const [g] = torch.grad(score, act);
    return { act, gact: g! };
  });
});
