// A training checkpoint: everything a killed run needs to continue exactly — raw and EMA weights (Lightning's
// `model.` / `ema_model.` keys), libtorch's optimizer state, the data generator's state and the step — in one
// safetensors file written atomically.
import { existsSync, readFileSync } from 'node:fs';
import * as torch from '../../tensor/index.js';
import { parseSafetensors, writeSafetensors } from '../../io/safetensors.js';
import type { TensorRecord } from '../../io/tensor-record.js';
import { recordToTensor, tensorToRecord } from '../../nn/index.js';
import type { DiffAE } from '../../model/diffae.js';
import { type DiffAEConfig, parseConfig } from '../../model/config.js';

export interface TrainCheckpointMeta {
  step: number;
  samples: number;
  config: DiffAEConfig;
  /** The options the run was started with (JSON), so that a resume can refuse a different setup. */
  options: Record<string, unknown>;
}

export interface TrainCheckpoint extends TrainCheckpointMeta {
  model: Map<string, TensorRecord>;
  ema: Map<string, TensorRecord>;
  optimizer: Buffer;
  generator: TensorRecord;
}

export function saveTrainCheckpoint(
  path: string,
  meta: TrainCheckpointMeta,
  parts: { model: DiffAE; ema: DiffAE; optimizer: torch.Optimizer; generator: torch.Generator },
): void {
  const tensors = new Map<string, TensorRecord>();
  for (const [k, t] of parts.model.stateDict()) tensors.set(`model.${k}`, tensorToRecord(t));
  for (const [k, t] of parts.ema.stateDict()) tensors.set(`ema_model.${k}`, tensorToRecord(t));
  const opt = parts.optimizer.saveState();
  tensors.set('optimizer_state', { dtype: 'U8', shape: [opt.length], data: new Uint8Array(opt.buffer, opt.byteOffset, opt.length) });
  torch.tidy(() => tensors.set('generator_state', tensorToRecord(parts.generator.getState())));
  writeSafetensors(path, tensors, {
    format: 'hsa-train-checkpoint',
    step: String(meta.step),
    samples: String(meta.samples),
    config: JSON.stringify(meta.config),
    options: JSON.stringify(meta.options),
  }, { replace: true });
}

export function readTrainCheckpoint(path: string): TrainCheckpoint {
  if (!existsSync(path)) throw new Error(`${path}: no checkpoint`);
  // Parsed directly rather than through readSafetensors, which marks its file as a user input that must
  // never be overwritten: the run itself replaces its checkpoint.
  const file = parseSafetensors(readFileSync(path), path);
  const m = file.metadata;
  if (m.format !== 'hsa-train-checkpoint') throw new Error(`${path}: not a training checkpoint (format '${m.format ?? 'none'}')`);
  const pick = (prefix: string) => {
    const out = new Map<string, TensorRecord>();
    for (const [k, r] of file.tensors) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), r);
    return out;
  };
  const opt = file.tensors.get('optimizer_state');
  const gen = file.tensors.get('generator_state');
  if (!opt || !gen) throw new Error(`${path}: checkpoint lacks optimizer or generator state`);
  const bytes = opt.data as Uint8Array;
  return {
    step: Number(m.step),
    samples: Number(m.samples),
    config: parseConfig(JSON.parse(m.config ?? 'null')),
    options: JSON.parse(m.options ?? '{}') as Record<string, unknown>,
    model: pick('model.'),
    ema: pick('ema_model.'),
    optimizer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
    generator: gen,
  };
}

/** Restores the generator from a checkpoint record. */
export function restoreGenerator(gen: torch.Generator, state: TensorRecord): void {
  torch.tidy(() => gen.setState(recordToTensor(state)));
}
