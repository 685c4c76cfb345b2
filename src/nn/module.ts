// The Module base: named parameters, buffers and child modules whose dotted names are PyTorch's
// state_dict keys, so that reference checkpoints load by name.
import * as torch from '../tensor/index.js';
import type { Device, Tensor } from '../tensor/index.js';
import type { TensorRecord } from '../io/tensor-record.js';
import { recordToTensor } from './record.js';

export interface LoadReport {
  missing: string[];
  unexpected: string[];
  mismatched: { key: string; expected: number[]; got: number[] }[];
}

export class StateDictError extends Error {
  constructor(readonly report: LoadReport) {
    const parts: string[] = [];
    if (report.missing.length) parts.push(`missing keys: ${report.missing.join(', ')}`);
    if (report.unexpected.length) parts.push(`unexpected keys: ${report.unexpected.join(', ')}`);
    for (const m of report.mismatched) parts.push(`shape mismatch for ${m.key}: expected [${m.expected}], got [${m.got}]`);
    super(`cannot load state dict: ${parts.join('; ')}`);
  }
}

function isTensor(v: Tensor | TensorRecord): v is Tensor {
  return (v as { isTensor?: boolean }).isTensor === true;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Base class of every layer. Tensors are owned by the module (dispose() frees them), also when the module
 * is built inside a torch.tidy() scope.
 */
export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly buffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  // Weights belong to the module, not to whatever tidy() scope built it: they live until dispose().
  protected registerParameter(name: string, t: Tensor): Tensor {
    torch.persist(t);
    t.requiresGrad_(true);
    this.params.set(name, t);
    return t;
  }
  protected registerBuffer(name: string, t: Tensor): Tensor {
    torch.persist(t);
    this.buffers.set(name, t);
    return t;
  }
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }
  /** The current tensor of a registered parameter (to(device) replaces tensors, so read it on each use). */
  protected param(name: string): Tensor {
    const p = this.params.get(name);
    if (p === undefined) throw new Error(`${this.constructor.name} has no parameter '${name}'`);
    return p;
  }
  protected optionalParam(name: string): Tensor | undefined {
    return this.params.get(name);
  }
  protected buffer(name: string): Tensor {
    const b = this.buffers.get(name);
    if (b === undefined) throw new Error(`${this.constructor.name} has no buffer '${name}'`);
    return b;
  }

  *namedChildren(): IterableIterator<[string, Module]> {
    yield* this.children;
  }
  /** This module and its descendants, pre-order, with dotted names ('' for this one). */
  *namedModules(prefix = ''): IterableIterator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.children) yield* child.namedModules(prefix ? `${prefix}.${name}` : name);
  }
  *namedParameters(): IterableIterator<[string, Tensor]> {
    for (const [prefix, m] of this.namedModules()) for (const [n, p] of m.params) yield [prefix ? `${prefix}.${n}` : n, p];
  }
  parameters(): Tensor[] {
    return Array.from(this.namedParameters(), ([, p]) => p);
  }
  *namedBuffers(): IterableIterator<[string, Tensor]> {
    for (const [prefix, m] of this.namedModules()) for (const [n, b] of m.buffers) yield [prefix ? `${prefix}.${n}` : n, b];
  }

  /** Parameters and buffers by PyTorch key, in PyTorch's order. The tensors are the module's own: do not dispose them. */
  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [n, t] of m.params) out.set(prefix ? `${prefix}.${n}` : n, t);
      for (const [n, t] of m.buffers) out.set(prefix ? `${prefix}.${n}` : n, t);
    }
    return out;
  }

  /**
   * Copies values (tensors, or records as read by src/io) into the module's tensors (keeping their identity, dtype and device). Nothing is copied
   * when a shape differs, or, with strict (default), when a key is missing or unexpected.
   */
  loadStateDict(source: ReadonlyMap<string, Tensor | TensorRecord>, options: { strict?: boolean } = {}): LoadReport {
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const report: LoadReport = { missing: [], unexpected: [], mismatched: [] };
    for (const [key, t] of own) {
      const src = source.get(key);
      if (src === undefined) report.missing.push(key);
      else if (!sameShape(t.shape, src.shape)) report.mismatched.push({ key, expected: t.shape, got: [...src.shape] });
    }
    for (const key of source.keys()) if (!own.has(key)) report.unexpected.push(key);
    if (report.mismatched.length > 0 || (strict && (report.missing.length > 0 || report.unexpected.length > 0))) {
      throw new StateDictError(report);
    }
    torch.noGrad(() => {
      for (const [key, t] of own) {
        const src = source.get(key);
        if (src === undefined) continue;
        if (isTensor(src)) t.copy_(src);
        else {
          using s = recordToTensor(src);
          t.copy_(s);
        }
      }
    });
    return report;
  }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  /** The device of the weights ('cpu' for a module without any). */
  get device(): Device {
    for (const [, p] of this.namedParameters()) return p.device;
    for (const [, b] of this.namedBuffers()) return b.device;
    return 'cpu';
  }

  /** Moves every parameter and buffer to device (new leaf tensors; optimizers must be built afterwards). */
  to(device: Device): this {
    for (const [, m] of this.namedModules()) {
      for (const [n, p] of m.params) {
        if (torch.sameDevice(p.device, device)) continue;
        const moved = torch.noGrad(() => p.toDevice(device));
        m.params.set(n, torch.persist(moved.requiresGrad_(p.requiresGrad)));
        p.dispose();
      }
      for (const [n, b] of m.buffers) {
        if (torch.sameDevice(b.device, device)) continue;
        m.buffers.set(n, torch.persist(b.toDevice(device)));
        b.dispose();
      }
    }
    return this;
  }

  /** Number of scalar parameters. */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.numel(), 0);
  }

  dispose(): void {
    for (const [, m] of this.namedModules()) {
      for (const p of m.params.values()) p.dispose();
      for (const b of m.buffers.values()) b.dispose();
    }
  }
}

/** A module with a single-input forward. */
export abstract class Layer extends Module {
  abstract forward(x: Tensor): Tensor;
}
