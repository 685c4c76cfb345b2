// Trains the CAM baselines' CNN on vertebra-level labels: epochs over a seeded permutation of the training
// vertebrae, each drawn as one of its 5 central slices with the DAE's SPEC §2 augmentation, binary
// cross-entropy, Adam with a cosine learning-rate decay; scored on the validation centre slices after every epoch.
import * as torch from '../../tensor/index.js';
import { augmentBatch, drawSliceIndices } from '../../data/augment.js';
import { accuracy, rocAuc } from '../classifier/metrics.js';
import { CENTRAL_SLICES, centreSlice, type SliceSet } from '../training/slice-dataset.js';
import { CnnClassifier, type CnnConfig } from './resnet.js';

export interface TrainCnnOptions {
  config: CnnConfig;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Where the CNN trains (default: the CPU). */
  device?: torch.Device;
}

export const DEFAULT_CNN_TRAINING = { epochs: 30, batchSize: 32, lr: 1e-3, seed: 0 } as const;

export interface Scores {
  n: number;
  /** Predicted malignant iff P(malignant) > 0.5. */
  accuracy: number;
  /** null when the set holds one class only. */
  auc: number | null;
}

export interface EpochRecord {
  epoch: number;
  /** Mean training loss of the epoch. */
  loss: number;
  val: Scores | null;
  seconds: number;
}

/** P(malignant) of every vertebra's centre slice, in batches. */
export function predictCentreSlices(model: CnnClassifier, set: SliceSet, batch = 64): number[] {
  const out: number[] = [];
  torch.noGrad(() => {
    for (let s = 0; s < set.count; s += batch) {
      const idx = Array.from({ length: Math.min(batch, set.count - s) }, (_, k) => s + k);
      out.push(...torch.tidy(() => model.forward(torch.cat(idx.map((i) => centreSlice(set, i)), 0).toDevice(model.device)).sigmoid().toNumbers()));
    }
  });
  return out;
}

export function scores(labels: ArrayLike<number>, p: readonly number[]): Scores {
  const both = p.length > 0 && Array.prototype.some.call(labels, (l) => l === 0) && Array.prototype.some.call(labels, (l) => l === 1);
  return { n: p.length, accuracy: accuracy(labels, p.map((v) => (v > 0.5 ? 1 : 0))), auc: both ? rocAuc(labels, p) : null };
}

/** Slices (one random central slice each, augmented) and labels of the given vertebrae. */
function batchOf(set: SliceSet, which: readonly number[], gen: torch.Generator, device: torch.Device): { x: torch.Tensor; y: torch.Tensor } {
  const px = set.rows * set.cols;
  const slices = drawSliceIndices(which.length, CENTRAL_SLICES, gen);
  const data = new Float32Array(which.length * px);
  which.forEach((v, b) => {
    const start = (v * CENTRAL_SLICES + slices[b]!) * px;
    data.set(set.data.subarray(start, start + px), b * px);
  });
  // Augmented on the host, then moved in one transfer.
  const x = augmentBatch(torch.tensor(data, [which.length, 1, set.rows, set.cols]), gen).toDevice(device);
  return { x, y: torch.tensor(Float32Array.from(which, (v) => set.labels[v]!), undefined, 'float32', device) };
}

export async function trainCnn(
  train: SliceSet,
  val: SliceSet | undefined,
  opts: TrainCnnOptions,
  hooks: { onStep?: (step: number, totalSteps: number, loss: number) => void; onEpoch?: (r: EpochRecord) => void } = {},
): Promise<{ model: CnnClassifier; epochs: EpochRecord[] }> {
  const gen = new torch.Generator(opts.seed);
  const model = new CnnClassifier(opts.config, { seed: opts.seed }).to(opts.device ?? 'cpu');
  const optimizer = torch.Adam(model.parameters(), { lr: opts.lr });
  const perEpoch = Math.ceil(train.count / opts.batchSize);
  const totalSteps = opts.epochs * perEpoch;
  const epochs: EpochRecord[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const started = performance.now();
    const order = torch.tidy(() => torch.randperm(train.count, gen).toNumbers());
    let lossSum = 0;
    for (let b = 0; b < perEpoch; b++) {
      // Cosine decay to 0 over the whole run: stable final weights without choosing an epoch on validation.
      optimizer.setLr(0.5 * opts.lr * (1 + Math.cos((Math.PI * step) / totalSteps)));
      const loss = torch.tidy(() => {
        const { x, y } = batchOf(train, order.slice(b * opts.batchSize, (b + 1) * opts.batchSize), gen, model.device);
        optimizer.zeroGrad();
        const l = torch.bceWithLogits(model.forward(x), y);
        l.backward();
        optimizer.step();
        return l.item();
      });
      if (!Number.isFinite(loss)) throw new Error(`train-cnn: loss became ${loss} at step ${step + 1}; lower the learning rate`);
      lossSum += loss;
      step++;
      hooks.onStep?.(step, totalSteps, loss);
      // Lets the progress bar and signal handlers run between steps.
      await new Promise((r) => setImmediate(r));
    }
    const record = { epoch, loss: lossSum / perEpoch, val: val ? scores(val.labels, predictCentreSlices(model, val)) : null, seconds: (performance.now() - started) / 1000 };
    epochs.push(record);
    hooks.onEpoch?.(record);
  }
  optimizer.zeroGrad();
  return { model: model.eval(), epochs };
}
