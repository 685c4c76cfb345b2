// Where a worker's jobs run (its --device and --precision). They belong to the worker's machine, not to the
// run, so they reach the job processes through their environment, never through the job payload.
import { resolveDevice } from '../../cli/device.js';
import { PRECISIONS, type Precision } from '../../model/precision.js';
import type { Device } from '../../tensor/index.js';

export interface Placement {
  device: Device;
  precision: Precision;
}

export const DEVICE_ENV = 'HSA_DEVICE';
export const PRECISION_ENV = 'HSA_PRECISION';

/** The variables `hsa worker` sets for its job processes. */
export function placementEnv(p: Placement): Record<string, string> {
  return { [DEVICE_ENV]: p.device, [PRECISION_ENV]: p.precision };
}

/** The placement in env (a job process's), cpu and fp32 where unset; a bad value throws naming its variable. */
export function placementFromEnv(env: NodeJS.ProcessEnv = process.env): Placement {
  const device = env[DEVICE_ENV] ?? 'cpu';
  const precision = env[PRECISION_ENV] ?? 'fp32';
  if (!PRECISIONS.includes(precision as Precision)) throw new Error(`${PRECISION_ENV}='${precision}' (hsa worker --precision): not a precision (${PRECISIONS.join(', ')})`);
  try {
    // Checked again here: the job process may see other GPUs than the worker that set it.
    return { device: resolveDevice(device), precision: precision as Precision };
  } catch (e) {
    throw new Error(`${DEVICE_ENV}='${device}' (hsa worker --device): ${(e as Error).message}`);
  }
}
