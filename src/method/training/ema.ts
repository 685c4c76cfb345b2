// Exponential moving average of the weights (the copy used for everything after training).
import * as torch from '../../tensor/index.js';
import type { Module } from '../../nn/index.js';

/**
 * The decay at a given step. With warm-up, min(decay, (1 + step) / (10 + step)): a short run's EMA then
 * follows the weights instead of staying near the initialisation, which decay 0.9999 would need ~10⁴
 * steps to forget.
 */
export function emaDecayAt(decay: number, step: number, warmup: boolean): number {
  return warmup ? Math.min(decay, (1 + step) / (10 + step)) : decay;
}

/** ema ← decay · ema + (1 − decay) · model, parameter by parameter (buffers are copied). */
export function updateEma(ema: Module, model: Module, decay: number): void {
  torch.noGrad(() =>
    torch.tidy(() => {
      const target = ema.stateDict();
      for (const [k, p] of model.stateDict()) {
        const e = target.get(k);
        if (e === undefined) throw new Error(`EMA copy has no ${k}`);
        if (p.dtype.startsWith('float')) e.lerp_(p, 1 - decay);
        else e.copy_(p);
      }
    }),
  );
}
