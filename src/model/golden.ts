// Golden parity: runs a model on the inputs recorded by the reference implementation and compares every
// recorded output (format: test/fixtures/golden/README.md). Each output is computed from the recorded inputs
// (x, z, x_t, x_T), so that one wrong stage shows up in its own row.
import { join } from 'node:path';
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { recordToTensor } from '../nn/index.js';
import { readSafetensors } from '../io/safetensors.js';
import type { TensorRecord } from '../io/tensor-record.js';
import { loadDiffAE } from './checkpoint.js';
import { DiffusionSchedule, ddimInvert, ddimRender } from './diffusion.js';
import type { Precision } from './precision.js';

export interface Tolerance {
  max: number;
  p99?: number;
}
/** test/fixtures/golden/README.md; the schedule is float64 arithmetic and must agree to rounding. */
export const TOLERANCES = {
  network: { max: 1e-4 },
  loop: { p99: 2e-3, max: 5e-2 },
  schedule: { max: 1e-12 },
  exact: { max: 0 },
} as const satisfies Record<string, Tolerance>;

export interface GoldenRow {
  name: string;
  shape: number[];
  max: number;
  p99: number;
  tolerance: Tolerance;
  ok: boolean;
}

/** numpy.percentile (linear interpolation) of the values. */
export function percentile(values: Float64Array, q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

function asFloat64(r: TensorRecord): Float64Array {
  return r.data instanceof BigInt64Array ? Float64Array.from(r.data, Number) : Float64Array.from(r.data as ArrayLike<number>);
}

export function compare(name: string, ours: ArrayLike<number>, expected: TensorRecord, tolerance: Tolerance): GoldenRow {
  const want = asFloat64(expected);
  if (ours.length !== want.length) throw new Error(`${name}: ${ours.length} values, golden has ${want.length}`);
  const err = Float64Array.from(want, (w, i) => Math.abs(ours[i]! - w));
  // NaN anywhere must fail: Math.max propagates it and every comparison with it is false.
  const max = err.reduce((m, e) => (Number.isNaN(e) || Number.isNaN(m) ? NaN : Math.max(m, e)), 0);
  const p99 = percentile(err, 99);
  const ok = max <= tolerance.max && (tolerance.p99 === undefined || p99 <= tolerance.p99);
  return { name, shape: expected.shape, max, p99, tolerance, ok };
}

export interface GoldenOptions {
  /** Called with each row as soon as it is computed. */
  onRow?: (row: GoldenRow) => void;
  /** Where the model runs (default: the CPU); the recorded inputs are moved there. */
  device?: torch.Device;
  /** The network's precision (default fp32; the tolerances are fp32's). */
  precision?: Precision;
}

/** Checks <dir>/model.ckpt (with <dir>/config.json) against <dir>/golden.safetensors. */
export function checkGolden(dir: string, options: GoldenOptions = {}): GoldenRow[] {
  const golden = readSafetensors(join(dir, 'golden.safetensors')).tensors;
  const need = (key: string): TensorRecord => {
    const r = golden.get(key);
    if (r === undefined) throw new Error(`${dir}/golden.safetensors has no '${key}'`);
    return r;
  };
  const device = options.device ?? 'cpu';
  const model = loadDiffAE(join(dir, 'model.ckpt'), { config: join(dir, 'config.json'), device, precision: options.precision ?? 'fp32' });
  const rows: GoldenRow[] = [];
  const add = (row: GoldenRow): void => {
    rows.push(row);
    options.onRow?.(row);
  };
  const tensorOf = (key: string): Tensor => recordToTensor(need(key)).toDevice(device);
  try {
    torch.noGrad(() =>
      torch.tidy(() => {
        const x = tensorOf('x');
        const z = tensorOf('z');
        const n = x.size(0);
        add(compare('z', model.encode(x).toFloat32Array(), need('z'), TOLERANCES.network));

        const epsSteps = [...golden.keys()].flatMap((k) => /^eps_(\d+)$/.exec(k)?.[1] ?? []).map(Number).sort((a, b) => a - b);
        for (const t of epsSteps) {
          torch.tidy(() => {
            const eps = model.forward(tensorOf(`xt_${t}`), torch.full([n], t, 'int64', device), z);
            add(compare(`eps_${t}`, eps.toFloat32Array(), need(`eps_${t}`), TOLERANCES.network));
          });
        }

        const loopSteps = [...golden.keys()].flatMap((k) => /^xT_T(\d+)$/.exec(k)?.[1] ?? []).map(Number).sort((a, b) => a - b);
        for (const steps of loopSteps) {
          const s = DiffusionSchedule.ddim(steps);
          add(compare(`timesteps_T${steps}`, s.timesteps, need(`timesteps_T${steps}`), TOLERANCES.exact));
          add(compare(`alphas_cumprod_T${steps}`, s.alphasCumprod, need(`alphas_cumprod_T${steps}`), TOLERANCES.schedule));
          torch.tidy(() => {
            add(compare(`xT_T${steps}`, ddimInvert(model, x, z, { steps }).toFloat32Array(), need(`xT_T${steps}`), TOLERANCES.loop));
            const render = ddimRender(model, tensorOf(`xT_T${steps}`), z, { steps });
            add(compare(`render_T${steps}`, render.toFloat32Array(), need(`render_T${steps}`), TOLERANCES.loop));
          });
        }
        if (epsSteps.length === 0 || loopSteps.length === 0) throw new Error(`${dir}/golden.safetensors has no eps_* or xT_T* entries`);
      }),
    );
  } finally {
    model.dispose();
  }
  return rows;
}

export function formatRow(r: GoldenRow): string {
  const limit = r.tolerance.p99 === undefined ? `max ≤ ${r.tolerance.max}` : `p99 ≤ ${r.tolerance.p99}, max ≤ ${r.tolerance.max}`;
  return `${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(22)} [${r.shape.join(',')}]`.padEnd(46) + `max ${r.max.toExponential(3)}  p99 ${r.p99.toExponential(3)}  (${limit})`;
}
