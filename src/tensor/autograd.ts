import { native } from './native.js';
import { wrap } from './wrap.js';
import type { Tensor } from './tensor.js';

/** Runs fn with gradient recording off (torch.no_grad()). */
export function noGrad<R>(fn: () => R): R {
  return withGradMode(false, fn);
}

/** Runs fn with gradient recording on (torch.enable_grad()), e.g. inside a noGrad region. */
export function enableGrad<R>(fn: () => R): R {
  return withGradMode(true, fn);
}

function withGradMode<R>(enabled: boolean, fn: () => R): R {
  const prev = native.isGradEnabled();
  native.setGradEnabled(enabled);
  try {
    return fn();
  } finally {
    native.setGradEnabled(prev);
  }
}

export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}

/** torch.autograd.grad: gradients of outputs with respect to inputs (undefined for unused inputs when allowUnused). */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: { gradOutputs?: readonly Tensor[]; retainGraph?: boolean; createGraph?: boolean; allowUnused?: boolean } = {},
): (Tensor | undefined)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? inputs : [inputs as Tensor];
  const create = options.createGraph ?? false;
  const res = native.autogradGrad(
    outs.map((t: Tensor) => t.native),
    ins.map((t: Tensor) => t.native),
    options.gradOutputs?.map((t) => t.native),
    options.retainGraph ?? create,
    create,
    options.allowUnused ?? false,
  );
  return res.map((n) => (n === undefined ? undefined : wrap(n)));
}
