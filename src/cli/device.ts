// --device and --precision, shared by every command that runs a network.
import { type Command, InvalidArgumentError, Option } from 'commander';
import * as torch from '../tensor/index.js';
import type { Device } from '../tensor/index.js';
import { PRECISIONS, type Precision } from '../model/precision.js';

/** What the CUDA runtime offers (an argument so that tests can stand in for a GPU). */
export interface CudaInfo {
  isAvailable(): boolean;
  deviceCount(): number;
}

/** Checks the spelling only; the CUDA runtime is asked when the command runs (resolveDevice). */
export function parseDeviceArg(v: string): string {
  if (v === 'auto' || v === 'cpu' || v === 'cuda' || /^cuda:(0|[1-9]\d{0,2})$/.test(v)) return v;
  throw new InvalidArgumentError(`'${v}' is not a device (auto, cpu, cuda or cuda:N)`);
}

/** auto → cuda:0 when CUDA is available, else cpu; cuda[:N] must exist. */
export function resolveDevice(v: string, cuda: CudaInfo = torch.cuda): Device {
  const name = parseDeviceArg(v);
  if (name === 'cpu') return 'cpu';
  const available = cuda.isAvailable();
  if (name === 'auto') return available ? 'cuda:0' : 'cpu';
  if (!available) throw new Error(`--device ${name}: CUDA is not available (this libtorch has no CUDA, or no GPU is visible); use --device cpu or auto`);
  const index = name === 'cuda' ? 0 : Number(name.slice(5));
  const count = cuda.deviceCount();
  if (index >= count) throw new Error(`--device ${name}: only ${count} CUDA device${count === 1 ? '' : 's'} (cuda:0${count > 1 ? `–cuda:${count - 1}` : ''})`);
  return `cuda:${index}`;
}

/**
 * Adds --device (and --precision unless the command's networks have no precision option). Before the action
 * runs, the parsed --device is replaced by the resolved Device and the choice is printed (stderr).
 */
export function addDeviceOptions(command: Command, options: { precision?: boolean } = {}): Command {
  command.option('--device <device>', 'where the networks run: auto (CUDA when available), cpu, cuda or cuda:N', parseDeviceArg, 'auto');
  if (options.precision ?? true) {
    command.addOption(new Option('--precision <p>', 'network precision: fp32, or bf16 (autocast; docs/speed.md measures its error)').choices(PRECISIONS).default('fp32'));
  }
  return command.hook('preAction', (cmd) => {
    const asked = cmd.getOptionValue('device') as string;
    const device = resolveDevice(asked);
    cmd.setOptionValue('device', device);
    console.error(`${cmd.name()}: device ${device}${asked === 'auto' ? ' (auto)' : ''}`);
  });
}

/** The resolved --device and --precision of a command's parsed options, as loadDiffAE takes them. */
export function placement(o: { device?: string; precision?: string }): { device: Device; precision: Precision } {
  return { device: (o.device ?? 'cpu') as Device, precision: (o.precision ?? 'fp32') as Precision };
}
