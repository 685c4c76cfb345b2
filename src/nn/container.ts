import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Layer, Module } from './module.js';

/** nn.ModuleList: children named '0', '1', … */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: readonly M[];
  constructor(items: readonly M[] = []) {
    super();
    this.items = [...items];
    this.items.forEach((m, i) => this.registerModule(String(i), m));
  }
  get length(): number {
    return this.items.length;
  }
  at(i: number): M {
    const m = this.items[i < 0 ? this.items.length + i : i];
    if (m === undefined) throw new RangeError(`ModuleList index ${i} out of range (${this.items.length})`);
    return m;
  }
}

/** nn.Sequential: children named '0', '1', …, applied in order. */
export class Sequential extends Layer {
  readonly layers: readonly Layer[];
  constructor(...layers: Layer[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }
  at(i: number): Layer {
    const m = this.layers[i < 0 ? this.layers.length + i : i];
    if (m === undefined) throw new RangeError(`Sequential index ${i} out of range (${this.layers.length})`);
    return m;
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => this.layers.reduce((h, layer) => layer.forward(h), x));
  }
}
