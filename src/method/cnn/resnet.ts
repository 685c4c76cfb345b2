// The CNN classifier the CAM baselines explain (issue 6): a small ResNet (torchvision's BasicBlock, GroupNorm
// instead of BatchNorm so that training and inference compute the same function) → global average pool →
// one logit of P(malignant). Model files: safetensors with the architecture and the CAM type rule's healthy
// median in the metadata.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../../tensor/index.js';
import type { Generator, Tensor } from '../../tensor/index.js';
import { Conv2d, GroupNorm, Layer, Linear, Module, Sequential, tensorToRecord } from '../../nn/index.js';
import { readSafetensors, writeSafetensors } from '../../io/safetensors.js';
import type { TensorRecord } from '../../io/tensor-record.js';

export interface CnnConfig {
  /** Output channels of the stem and of each stage; every stage after the first halves the resolution. */
  channels: number[];
  /** GroupNorm groups (channel counts must be divisible). */
  groups: number;
}

/** 4 stages 16-32-64-128: a 64×64 slice gives 8×8 activations in the last stage (the CAM layer). */
export const DEFAULT_CNN_CONFIG: CnnConfig = { channels: [16, 32, 64, 128], groups: 8 };

export const CNN_FORMAT = 'hsa-cnn';
export const CNN_FILE = 'cnn.safetensors';

function validateConfig(c: CnnConfig): CnnConfig {
  if (!Array.isArray(c.channels) || c.channels.length === 0 || !c.channels.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`CNN config: channels must be positive integers, got ${JSON.stringify(c.channels)}`);
  }
  if (!Number.isInteger(c.groups) || c.groups < 1) throw new Error(`CNN config: groups must be a positive integer, got ${JSON.stringify(c.groups)}`);
  return { channels: [...c.channels], groups: c.groups };
}

/** torchvision's BasicBlock: conv3×3 (stride s) → norm → ReLU → conv3×3 → norm, plus the skip, then ReLU. */
class BasicBlock extends Layer {
  private readonly conv1: Conv2d;
  private readonly norm1: GroupNorm;
  private readonly conv2: Conv2d;
  private readonly norm2: GroupNorm;
  private readonly downsample?: Sequential;

  constructor(cin: number, cout: number, stride: number, groups: number, gen: Generator) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d(cin, cout, 3, { stride, padding: 1, bias: false, gen }));
    this.norm1 = this.registerModule('norm1', new GroupNorm(groups, cout));
    this.conv2 = this.registerModule('conv2', new Conv2d(cout, cout, 3, { padding: 1, bias: false, gen }));
    this.norm2 = this.registerModule('norm2', new GroupNorm(groups, cout));
    if (stride !== 1 || cin !== cout) {
      this.downsample = this.registerModule('downsample', new Sequential(new Conv2d(cin, cout, 1, { stride, bias: false, gen }), new GroupNorm(groups, cout)));
    }
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const h = this.norm2.forward(this.conv2.forward(this.norm1.forward(this.conv1.forward(x)).relu()));
      return h.add(this.downsample ? this.downsample.forward(x) : x).relu();
    });
  }
}

export class CnnClassifier extends Module {
  readonly config: CnnConfig;
  private readonly stemConv: Conv2d;
  private readonly stemNorm: GroupNorm;
  private readonly stages: BasicBlock[];
  private readonly fc: Linear;

  constructor(config: CnnConfig, options: { seed?: number } = {}) {
    super();
    const c = (this.config = validateConfig(config));
    const gen = new torch.Generator(options.seed ?? 0);
    this.stemConv = this.registerModule('stem_conv', new Conv2d(1, c.channels[0]!, 3, { padding: 1, bias: false, gen }));
    this.stemNorm = this.registerModule('stem_norm', new GroupNorm(c.groups, c.channels[0]!));
    this.stages = c.channels.map((cout, i) =>
      this.registerModule(`layer${i + 1}`, new BasicBlock(i === 0 ? cout : c.channels[i - 1]!, cout, i === 0 ? 1 : 2, c.groups, gen)),
    );
    this.fc = this.registerModule('fc', new Linear(c.channels.at(-1)!, 1, { gen }));
    // torchvision's ResNet initialisation: convolutions kaiming_normal_(mode='fan_out', nonlinearity='relu').
    torch.noGrad(() => {
      for (const p of this.parameters()) {
        if (p.ndim !== 4) continue;
        const [out, , kh, kw] = p.shape as [number, number, number, number];
        p.copy_(torch.tidy(() => torch.randn(p.shape, gen).mul(Math.sqrt(2 / (out * kh * kw)))));
      }
    });
  }

  /** Activations of the last stage (N, C, h, w): the layer the CAMs explain. */
  features(x: Tensor): Tensor {
    return torch.tidy(() => this.stages.reduce((h, s) => s.forward(h), this.stemNorm.forward(this.stemConv.forward(x)).relu()));
  }

  /** Logit of P(malignant) (N) from last-stage activations: global average pool → linear. */
  head(features: Tensor): Tensor {
    return torch.tidy(() => this.fc.forward(features.mean([2, 3])).squeeze(1));
  }

  /** (N, 1, H, W) SPEC §2 slices → logits (N). */
  forward(x: Tensor): Tensor {
    return torch.tidy(() => this.head(this.features(x)));
  }
}

export interface CnnFile {
  model: CnnClassifier;
  /** Median normalised intensity inside the body masks of the healthy training vertebrae (CAM type rule). */
  healthyMedian: number;
  metadata: Record<string, string>;
}

/** Writes weights, architecture and healthy median (plus extra metadata strings) as safetensors. */
export function saveCnn(model: CnnClassifier, path: string, healthyMedian: number, metadata: Record<string, string> = {}): void {
  const tensors = new Map<string, TensorRecord>();
  for (const [k, t] of model.stateDict()) tensors.set(k, tensorToRecord(t));
  writeSafetensors(path, tensors, { ...metadata, format: CNN_FORMAT, config: JSON.stringify(model.config), healthy_median: String(healthyMedian) });
}

/** --cnn: a model file, or a folder holding cnn.safetensors. */
export function resolveCnnFile(path: string): string {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, CNN_FILE) : path;
  if (!existsSync(file)) throw new Error(`${file}: CNN model (--cnn) not found`);
  return file;
}

export function loadCnn(path: string): CnnFile {
  const { tensors, metadata } = readSafetensors(path);
  if (metadata.format !== CNN_FORMAT || metadata.config === undefined) throw new Error(`${path}: not an ${CNN_FORMAT} model file (train one with hsa train-cnn)`);
  const healthyMedian = Number(metadata.healthy_median);
  if (metadata.healthy_median === undefined || !Number.isFinite(healthyMedian)) throw new Error(`${path}: metadata lacks a numeric healthy_median`);
  let model: CnnClassifier;
  try {
    model = new CnnClassifier(JSON.parse(metadata.config) as CnnConfig);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    model.dispose();
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  return { model: model.eval(), healthyMedian, metadata };
}
