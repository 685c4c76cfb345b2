// Deterministic release of native tensors: tidy() disposes every tensor created inside it except those it
// returns (like tf.tidy); Tensor also implements Symbol.dispose for `using`. The addon's GC finalizer frees
// anything left over, as a safety net only.
import type { Tensor } from './tensor.js';

const scopes: Set<Tensor>[] = [];

export function track(t: Tensor): void {
  scopes[scopes.length - 1]?.add(t);
}

/** Removes t from the innermost scope so that it survives it (it then belongs to the enclosing scope). */
export function keep<T extends Tensor>(t: T): T {
  for (let i = scopes.length - 1; i >= 0; i--) {
    if (scopes[i]!.delete(t)) {
      scopes[i - 1]?.add(t);
      break;
    }
  }
  return t;
}

/** Removes t from every scope: it then lives until disposed explicitly (module weights, caches). */
export function persist<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function collect(value: unknown, out: Set<Tensor>, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if ((value as { isTensor?: boolean }).isTensor === true) {
    out.add(value as Tensor);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, seen);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out, seen);
}

/**
 * Runs fn; disposes the tensors created during it, except the tensors found in its result
 * (a tensor, or arrays / plain objects / Maps holding tensors), which move to the enclosing scope.
 */
export function tidy<R>(fn: () => R): R {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: R;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) throw new Error('tidy() takes a synchronous function');
  const kept = new Set<Tensor>();
  collect(result, kept);
  for (const t of scope) {
    if (kept.has(t)) track(t);
    else t.dispose();
  }
  return result;
}

/** Disposes every tensor found in value (a tensor, array, Map or plain object of tensors). */
export function dispose(value: unknown): void {
  const found = new Set<Tensor>();
  collect(value, found);
  for (const t of found) t.dispose();
}
