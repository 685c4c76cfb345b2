// Devices and mixed precision: the device type of a device name, autocast regions, and libtorch's lazy-tensor
// device, which the tests use as a stand-in for a GPU (a CPU tensor mixed into its ops aborts the process).
import { native } from './native.js';
import type { Device } from './dtype.js';

/** 'cuda:1' → 'cuda'; the part autocast and the dispatcher key on. */
export function deviceType(device: Device): 'cpu' | 'cuda' | 'lazy' {
  return device.split(':')[0] as 'cpu' | 'cuda' | 'lazy';
}

/** Same device, with 'cuda' standing for 'cuda:0' (what libtorch names a tensor made on 'cuda'). */
export function sameDevice(a: Device, b: Device): boolean {
  const full = (d: Device) => (d.includes(':') || d === 'cpu' ? d : `${d}:0`);
  return full(a) === full(b);
}

export type AutocastDtype = 'bfloat16' | 'float16';

/**
 * fn with autocast on for the device's type (torch.autocast): matmuls and convolutions run in dtype, the ops
 * libtorch lists as precision-sensitive stay float32. The previous state is restored afterwards, also on throw.
 */
export function autocast<R>(device: Device, dtype: AutocastDtype, fn: () => R): R {
  const type = deviceType(device) === 'cuda' ? 'cuda' : 'cpu';
  const prev = native.autocastEnter(type, dtype);
  try {
    return fn();
  } finally {
    native.autocastExit(type, prev.enabled, prev.dtype);
  }
}

/** Whether autocast is on for the device's type (for tests and checks). */
export function isAutocastEnabled(device: Device): boolean {
  return native.autocastState(deviceType(device) === 'cuda' ? 'cuda' : 'cpu').enabled;
}

/** Registers libtorch's lazy device ('lazy'); false when this libtorch was built without it. */
export function initLazyDevice(): boolean {
  return native.lazyInit();
}
