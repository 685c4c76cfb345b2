import { native, type NativeOptimizer } from './native.js';
import type { Tensor } from './tensor.js';

export type OptimizerKind = 'adam' | 'adamw' | 'sgd';
export interface OptimizerOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  nesterov?: boolean;
}

/** A libtorch optimizer (torch::optim) over the given parameters, stepped from TS. */
export class Optimizer {
  readonly native: NativeOptimizer;
  constructor(kind: OptimizerKind, params: readonly Tensor[], options: OptimizerOptions) {
    this.native = new native.NativeOptimizer(kind, params.map((p) => p.native), { ...options });
  }
  step(): void {
    this.native.step();
  }
  zeroGrad(): void {
    this.native.zeroGrad();
  }
  setLr(lr: number): void {
    this.native.setLr(lr);
  }
  /** The optimizer's full state (moments, step counts) in libtorch's serialisation, for checkpoints. */
  saveState(): Buffer {
    return this.native.saveState();
  }
  loadState(state: Buffer): void {
    this.native.loadState(state);
  }
}

export const Adam = (params: readonly Tensor[], options: Omit<OptimizerOptions, 'momentum' | 'nesterov'>) => new Optimizer('adam', params, options);
export const AdamW = (params: readonly Tensor[], options: Omit<OptimizerOptions, 'momentum' | 'nesterov'>) => new Optimizer('adamw', params, options);
export const SGD = (params: readonly Tensor[], options: Pick<OptimizerOptions, 'lr' | 'momentum' | 'weightDecay' | 'nesterov'>) => new Optimizer('sgd', params, options);
