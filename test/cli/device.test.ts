// --device and --precision: the spelling check, the resolution against what CUDA offers (a stand-in here, the
// machine has no GPU), and the commander wiring that replaces --device by the resolved device before the action.
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addDeviceOptions, parseDeviceArg, placement, resolveDevice, type CudaInfo } from '../../src/cli/device.js';

const gpus = (n: number): CudaInfo => ({ isAvailable: () => n > 0, deviceCount: () => n });
const noCudaCall: CudaInfo = {
  isAvailable: () => {
    throw new Error('CUDA asked');
  },
  deviceCount: () => {
    throw new Error('CUDA asked');
  },
};

afterEach(() => vi.restoreAllMocks());

describe('device names', () => {
  it('accepts auto, cpu, cuda and cuda:N, nothing else', () => {
    for (const ok of ['auto', 'cpu', 'cuda', 'cuda:0', 'cuda:7', 'cuda:12']) expect(parseDeviceArg(ok)).toBe(ok);
    for (const bad of ['gpu', 'CUDA', 'cuda:', 'cuda:01', 'cuda:-1', 'cuda:1.5', 'cuda:0 ', 'lazy', 'meta', 'cpu:0', '']) {
      expect(() => parseDeviceArg(bad)).toThrow(`'${bad}' is not a device (auto, cpu, cuda or cuda:N)`);
    }
  });

  it('resolves auto to the first GPU when CUDA is available, else the CPU; cpu never asks CUDA', () => {
    expect(resolveDevice('auto', gpus(0))).toBe('cpu');
    expect(resolveDevice('auto', gpus(2))).toBe('cuda:0');
    expect(resolveDevice('cpu', noCudaCall)).toBe('cpu');
    expect(resolveDevice('cuda', gpus(1))).toBe('cuda:0');
    expect(resolveDevice('cuda:1', gpus(2))).toBe('cuda:1');
  });

  it('refuses a CUDA device that is not there, in one line', () => {
    expect(() => resolveDevice('cuda', gpus(0))).toThrow('--device cuda: CUDA is not available (this libtorch has no CUDA, or no GPU is visible); use --device cpu or auto');
    expect(() => resolveDevice('cuda:1', gpus(1))).toThrow('--device cuda:1: only 1 CUDA device (cuda:0)');
    expect(() => resolveDevice('cuda:4', gpus(3))).toThrow('--device cuda:4: only 3 CUDA devices (cuda:0–cuda:2)');
  });
});

describe('addDeviceOptions', () => {
  async function run(args: string[], options?: { precision?: boolean }): Promise<Record<string, unknown>> {
    let seen: Record<string, unknown> = {};
    const program = new Command('hsa').exitOverride();
    const command = program.command('job').exitOverride();
    addDeviceOptions(command, options).action((o: Record<string, unknown>) => {
      seen = o;
    });
    await program.parseAsync(['node', 'hsa', 'job', ...args]);
    return seen;
  }

  it('hands the action the resolved device and says which one it is', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await run(['--device', 'cpu', '--precision', 'bf16'])).toEqual({ device: 'cpu', precision: 'bf16' });
    expect(err).toHaveBeenLastCalledWith('job: device cpu');
    // This machine has no CUDA: auto is the CPU, and says it chose.
    expect(await run([])).toEqual({ device: 'cpu', precision: 'fp32' });
    expect(err).toHaveBeenLastCalledWith('job: device cpu (auto)');
  });

  it('rejects a misspelt device or precision before the action runs, and has no --precision when told so', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(run(['--device', 'gpu'])).rejects.toThrow("'gpu' is not a device");
    await expect(run(['--precision', 'fp16'])).rejects.toThrow("Allowed choices are fp32, bf16");
    await expect(run(['--precision', 'bf16'], { precision: false })).rejects.toThrow("unknown option '--precision'");
    expect(await run([], { precision: false })).toEqual({ device: 'cpu' });
  });

  it('placement() gives loadDiffAE the device and precision, fp32 when a command has no --precision', () => {
    expect(placement({ device: 'cuda:1', precision: 'bf16' })).toEqual({ device: 'cuda:1', precision: 'bf16' });
    expect(placement({ device: 'cpu' })).toEqual({ device: 'cpu', precision: 'fp32' });
  });
});
