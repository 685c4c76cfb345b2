// Loads the libtorch addon built by `npm run build:native` (build/Release/hsa_torch.node).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** Handle of a libtorch tensor in the addon's table (a plain number). */
export type NativeTensor = number;
export interface NativeGenerator {
  seed(seed: number): void;
  getState(): NativeTensor;
  setState(state: NativeTensor): void;
}
export interface NativeOptimizer {
  step(): void;
  zeroGrad(): void;
  setLr(lr: number): void;
  saveState(): Buffer;
  loadState(state: Buffer): void;
}
export interface TensorMeta {
  shape: number[];
  dtype: string;
  device: string;
  requiresGrad: boolean;
  isLeaf: boolean;
}

interface NativeModule {
  NativeGenerator: new (seed: number) => NativeGenerator;
  NativeOptimizer: new (kind: string, params: NativeTensor[], options: Record<string, number | boolean>) => NativeOptimizer;
  ops: Record<string, (...args: unknown[]) => unknown>;
  fromArray(data: ArrayBufferView, shape: readonly number[], dtype: string): NativeTensor;
  toArray(t: NativeTensor): ArrayBufferView;
  meta(t: NativeTensor): TensorMeta;
  shape(t: NativeTensor): number[];
  describe(t: NativeTensor): string;
  grad(t: NativeTensor): NativeTensor | undefined;
  setGrad(t: NativeTensor, g: NativeTensor | undefined): void;
  backward(t: NativeTensor, gradient: NativeTensor | undefined, retainGraph: boolean, createGraph: boolean): void;
  autogradGrad(
    outputs: NativeTensor[],
    inputs: NativeTensor[],
    gradOutputs: NativeTensor[] | undefined,
    retainGraph: boolean,
    createGraph: boolean,
    allowUnused: boolean,
  ): (NativeTensor | undefined)[];
  setGradEnabled(enabled: boolean): void;
  isGradEnabled(): boolean;
  manualSeed(seed: number): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  cudaSynchronize(): void;
  autocastEnter(deviceType: 'cpu' | 'cuda', dtype: string): { enabled: boolean; dtype: string };
  autocastExit(deviceType: 'cpu' | 'cuda', enabled: boolean, dtype: string): void;
  autocastState(deviceType: 'cpu' | 'cuda'): { enabled: boolean; dtype: string };
  lazyInit(): boolean;
  release(t: NativeTensor): boolean;
  isAlive(t: NativeTensor): boolean;
  liveTensors(): number;
  torchVersion: string;
}

const here = dirname(fileURLToPath(import.meta.url));
// Same relative path from src/tensor (tests, tsx) and dist/tensor (compiled).
const addonPath = join(here, '../../build/Release/hsa_torch.node');

function load(): NativeModule {
  // Without the file, say how to build it rather than print the loader's require stack.
  if (!existsSync(addonPath)) {
    throw new Error(`the libtorch addon is not built (${addonPath} is missing): run \`npm run build\` or \`bash scripts/setup.sh\``);
  }
  // OpenMP threads spin while they wait by default; when other processes share the cores, spinning threads
  // starve each other (measured: a UNet call 14× slower with 2 threads than with 1 on 2 busy cores). libgomp
  // reads this when the addon loads libtorch, so it is set here, unless the user chose a policy.
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  let addon: NativeModule;
  try {
    addon = createRequire(import.meta.url)(addonPath) as NativeModule;
  } catch (e) {
    throw new Error(
      `cannot load the libtorch addon at ${addonPath}: ${(e as Error).message.split('\n')[0]}\n` +
        'Build it with `npm run build` (needs Debian libtorch-dev, or LIBTORCH=/path/to/libtorch).',
    );
  }
  addon.setNumThreads(defaultThreads());
  return addon;
}

/**
 * The addon, loaded on first use so that commands without tensor work (`hsa --help`, `--version`, `view`) run
 * where it is not built. The first access replaces this stand-in; importers see the addon through the live binding.
 */
export let native: NativeModule = new Proxy({} as NativeModule, {
  get(_, key) {
    native = load();
    return native[key as keyof NativeModule];
  },
});

/** libtorch starts with one intra-op thread here; use the cores we may use unless HSA_NUM_THREADS says otherwise. */
function defaultThreads(): number {
  const env = process.env.HSA_NUM_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new Error(`HSA_NUM_THREADS must be a positive integer, got '${env}'`);
    return n;
  }
  return availableParallelism();
}
