import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from '../../src/tensor/index.js';

interface Arr {
  shape: number[];
  data: number[];
}
interface Case {
  inputs: Record<string, Arr>;
  outputs: Record<string, Arr>;
  params: Record<string, number>;
}

const file = fileURLToPath(new URL('../fixtures/engine/ops.json', import.meta.url));
export const pytorchCases: Record<string, Case> = JSON.parse(readFileSync(file, 'utf8')).cases;

export function input(c: Case, name: string): torch.Tensor {
  const a = c.inputs[name]!;
  return torch.tensor(Float32Array.from(a.data), a.shape);
}

/**
 * Max of |got − expected| − rtol·|expected| over the elements (≤ atol is numpy.isclose), after checking the
 * shape. rtol 0: the max absolute difference.
 */
export function maxError(t: torch.Tensor, expected: Arr, rtol = 0): number {
  if (JSON.stringify(t.shape) !== JSON.stringify(expected.shape)) {
    throw new Error(`shape ${JSON.stringify(t.shape)} != expected ${JSON.stringify(expected.shape)}`);
  }
  const got = t.toFloat64Array();
  let m = 0;
  for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i]! - expected.data[i]!) - rtol * Math.abs(expected.data[i]!));
  return m;
}
