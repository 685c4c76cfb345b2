import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../../src/tensor/index.js';
import { CnnClassifier, DEFAULT_CNN_CONFIG, loadCnn, saveCnn } from '../../../src/method/cnn/resnet.js';
import { scores, trainCnn } from '../../../src/method/cnn/train-cnn.js';
import type { SliceSet } from '../../../src/method/training/slice-dataset.js';
import { writeSafetensors } from '../../../src/io/safetensors.js';

const tmp = mkdtempSync(join(tmpdir(), 'hsa-cnn-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('CnnClassifier', () => {
  it('has torchvision-style parameter names, 8×8 last-stage activations for 64×64 and one logit per image', () => {
    const m = new CnnClassifier(DEFAULT_CNN_CONFIG);
    const keys = [...m.stateDict().keys()];
    expect(keys.slice(0, 3)).toEqual(['stem_conv.weight', 'stem_norm.weight', 'stem_norm.bias']);
    expect(keys).toContain('layer2.downsample.0.weight');
    expect(keys).not.toContain('layer1.downsample.0.weight');
    expect(keys.slice(-2)).toEqual(['fc.weight', 'fc.bias']);
    const x = torch.zeros([3, 1, 64, 64]);
    expect(torch.noGrad(() => m.features(x)).shape).toEqual([3, 128, 8, 8]);
    expect(torch.noGrad(() => m.forward(x)).shape).toEqual([3]);
  });

  it('is reproducible from its seed and round-trips through its file with the healthy median', () => {
    const x = torch.randn([2, 1, 32, 32], new torch.Generator(1));
    const a = new CnnClassifier({ channels: [4, 8], groups: 2 }, { seed: 7 });
    const b = new CnnClassifier({ channels: [4, 8], groups: 2 }, { seed: 7 });
    const logits = torch.noGrad(() => a.forward(x).toNumbers());
    expect(torch.noGrad(() => b.forward(x).toNumbers())).toEqual(logits);
    const path = join(tmp, 'cnn.safetensors');
    saveCnn(a, path, 0.4375, { seed: '7' });
    const loaded = loadCnn(path);
    expect(loaded.healthyMedian).toBe(0.4375);
    expect(loaded.metadata.seed).toBe('7');
    expect(loaded.model.config).toEqual({ channels: [4, 8], groups: 2 });
    expect(torch.noGrad(() => loaded.model.forward(x).toNumbers())).toEqual(logits);
  });

  it('refuses files that are not CNN models, naming them', () => {
    const other = join(tmp, 'other.safetensors');
    writeSafetensors(other, new Map(), { format: 'hsa-diffae' });
    expect(() => loadCnn(other)).toThrow(new RegExp(`${other}: not an hsa-cnn model file`));
    expect(() => new CnnClassifier({ channels: [4, 6], groups: 4 })).toThrow(/GroupNorm: 6 channels not divisible into 4 groups/);
    expect(() => new CnnClassifier({ channels: [], groups: 1 })).toThrow(/channels must be positive integers/);
  });
});

describe('trainCnn', () => {
  // 16×16 slices: malignant = a bright 4×4 square somewhere, healthy = flat; 5 identical central slices.
  function set(n: number, seed: number): SliceSet {
    let s = seed;
    const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const px = 256;
    const data = new Float32Array(n * 5 * px);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 2;
      const img = new Float32Array(px).map(() => 0.5 + 0.05 * u());
      if (labels[i]) {
        const [r0, c0] = [2 + Math.floor(u() * 10), 2 + Math.floor(u() * 10)];
        for (let r = r0; r < r0 + 4; r++) for (let c = c0; c < c0 + 4; c++) img[r * 16 + c] = 1;
      }
      for (let k = 0; k < 5; k++) data.set(img, (i * 5 + k) * px);
    }
    return { count: n, rows: 16, cols: 16, data, labels, images: [] };
  }

  it('learns a separable task, logs every epoch and is deterministic for a seed', async () => {
    const opts = { config: { channels: [8, 16], groups: 4 }, epochs: 6, batchSize: 8, lr: 3e-3, seed: 2 };
    const steps: number[] = [];
    const a = await trainCnn(set(32, 1), set(16, 99), opts, { onStep: (s) => steps.push(s) });
    expect(steps).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(a.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(a.epochs.at(-1)!.val!.auc).toBeGreaterThan(0.9);
    const b = await trainCnn(set(32, 1), set(16, 99), opts);
    expect(b.epochs.map((e) => e.loss)).toEqual(a.epochs.map((e) => e.loss));
  });

  it('scores accuracy at P > 0.5 and AUC only with both classes', () => {
    expect(scores([0, 1, 1, 0], [0.2, 0.7, 0.5, 0.6])).toEqual({ n: 4, accuracy: 0.5, auc: 0.75 });
    expect(scores([1, 1], [0.2, 0.7]).auc).toBeNull();
  });
});
