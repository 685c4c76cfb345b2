// Model files: our safetensors (weights + the architecture as JSON under __metadata__.config) and the
// reference's PyTorch checkpoints (torch.save zip archives; Lightning's `ema_model.*` / `model.*` keys).
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tensorToRecord } from '../nn/index.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { loadStateDict } from '../io/torch-checkpoint.js';
import type { TensorRecord } from '../io/tensor-record.js';
import { type DiffAEConfig, parseConfig } from './config.js';
import { DiffAE } from './diffae.js';

export type WeightsPrefix = 'ema_model.' | 'model.';

export interface LoadDiffAEOptions {
  /** The architecture, or the path of a config.json in the reference's names. Default: the safetensors metadata,
   *  or, for a PyTorch checkpoint, config.json beside it. */
  config?: DiffAEConfig | string;
  /** Which weights of a Lightning checkpoint: the EMA copy (default, what the reference uses after training) or the raw model. */
  prefix?: WeightsPrefix;
}

export function readConfigFile(path: string): DiffAEConfig {
  return parseConfig(JSON.parse(readFileSync(path, 'utf8')));
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
  return { config: given ?? parseConfig(JSON.parse(file.metadata.config!)), tensors: file.tensors };
}

/** A DiffAE in eval mode with the weights at path (every key must match the architecture). */
export function loadDiffAE(path: string, options: LoadDiffAEOptions = {}): DiffAE {
  const { config, tensors } = readDiffAEWeights(path, options);
  const model = DiffAE.fromConfig(config);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    model.dispose();
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  return model.eval();
}

/** Writes the model's weights (float32) with its config as safetensors, atomically. */
export function saveDiffAE(model: DiffAE, path: string, metadata: Record<string, string> = {}): void {
  const tensors = new Map<string, TensorRecord>();
  for (const [k, t] of model.stateDict()) tensors.set(k, tensorToRecord(t));
  writeSafetensors(path, tensors, { ...metadata, format: 'hsa-diffae', config: JSON.stringify(model.config) });
}
