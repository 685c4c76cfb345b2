// Model files: our safetensors (weights + the architecture as JSON under __metadata__.config) and the
// reference's PyTorch checkpoints (torch.save zip archives; Lightning's `ema_model.*` / `model.*` keys).
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readInputText } from '../data/files.js';
import { tensorToRecord } from '../nn/index.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { loadStateDict } from '../io/torch-checkpoint.js';
import type { TensorRecord } from '../io/tensor-record.js';
import { type DiffAEConfig, minParameterCount, parseConfig } from './config.js';
import { DiffAE } from './diffae.js';
import type { Precision } from './precision.js';
import type { Device } from '../tensor/index.js';

export type WeightsPrefix = 'ema_model.' | 'model.';

export interface LoadDiffAEOptions {
  /** The architecture, or the path of a config.json in the reference's names. Default: the safetensors metadata,
   *  or, for a PyTorch checkpoint, config.json beside it. */
  config?: DiffAEConfig | string;
  /** Which weights of a Lightning checkpoint: the EMA copy (default, what the reference uses after training) or the raw model. */
  prefix?: WeightsPrefix;
  /** Where the weights go (default: the CPU). */
  device?: Device;
  /** The network's precision (default fp32). */
  precision?: Precision;
}

// A config is a few hundred bytes of JSON.
const MAX_CONFIG_BYTES = 1 << 20;

export function readConfigFile(path: string): DiffAEConfig {
  const text = readInputText(path, MAX_CONFIG_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: model config is not valid JSON (${(e as Error).message})`);
  }
  try {
    return parseConfig(json);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

function isZip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.readUInt32LE(0) === 0x04034b50;
  } finally {
    closeSync(fd);
  }
}

/** The weights (by PyTorch key) and architecture stored at path. */
function readDiffAEWeights(path: string, options: LoadDiffAEOptions = {}): { config: DiffAEConfig; tensors: Map<string, TensorRecord> } {
  const given = typeof options.config === 'string' ? readConfigFile(options.config) : options.config;
  if (isZip(path)) {
    const tensors = loadStateDict(path, { prefix: options.prefix ?? 'ema_model.' });
    const beside = join(dirname(path), 'config.json');
    if (given === undefined && !existsSync(beside)) throw new Error(`${path}: a PyTorch checkpoint needs a model config (--config, or config.json beside it)`);
    return { config: given ?? readConfigFile(beside), tensors };
  }
  const file = readSafetensors(path);
  if (given === undefined && file.metadata.config === undefined) throw new Error(`${path}: no model config in the metadata; give one`);
  return { config: given ?? configFromMetadata(path, file.metadata.config!), tensors: file.tensors };
}

function configFromMetadata(path: string, text: string): DiffAEConfig {
  try {
    return parseConfig(JSON.parse(text));
  } catch (e) {
    throw new Error(`${path}: the model config in its metadata is not valid (${(e as Error).message})`);
  }
}

/** Before the network is allocated: enough weights for the config, and every one of them finite. */
function checkWeights(path: string, config: DiffAEConfig, tensors: ReadonlyMap<string, TensorRecord>): void {
  let total = 0;
  for (const [key, r] of tensors) {
    total += r.data.length;
    if (!(r.data instanceof Float32Array || r.data instanceof Float64Array)) continue;
    for (let i = 0; i < r.data.length; i++) {
      if (!Number.isFinite(r.data[i]!)) throw new Error(`${path}: tensor ${key} holds NaN or infinite values (element ${i})`);
    }
  }
  const need = minParameterCount(config);
  if (total < need) throw new Error(`${path}: its config builds a network of at least ${need} weights, the file holds ${total}`);
}

/** A DiffAE in eval mode with the weights at path (every key must match the architecture). */
export function loadDiffAE(path: string, options: LoadDiffAEOptions = {}): DiffAE {
  const { config, tensors } = readDiffAEWeights(path, options);
  checkWeights(path, config, tensors);
  const model = DiffAE.fromConfig(config);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    model.dispose();
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  model.precision = options.precision ?? 'fp32';
  return model.to(options.device ?? 'cpu').eval();
}

/** Writes the model's weights (float32) with its config as safetensors, atomically. */
export function saveDiffAE(model: DiffAE, path: string, metadata: Record<string, string> = {}, options: { replace?: boolean } = {}): void {
  const tensors = new Map<string, TensorRecord>();
  for (const [k, t] of model.stateDict()) tensors.set(k, tensorToRecord(t));
  writeSafetensors(path, tensors, { ...metadata, format: 'hsa-diffae', config: JSON.stringify(model.config) }, options);
}
