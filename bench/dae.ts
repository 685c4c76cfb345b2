// npx tsx bench/dae.ts [preset ...] — Diff-AE throughput on this machine: UNet evaluations/s (inference, batch 1
// and 16) and training images/s (encoder + UNet forward, backward, Adam step, batch BENCH_TRAIN_BATCH).
// Each case warms up once, then runs for at least BENCH_SECONDS (and at least 2 repetitions). BENCH_DEVICE (cpu,
// cuda, cuda:N) and BENCH_PRECISION (fp32, bf16) choose where and how the model runs.
import * as torch from '../src/tensor/index.js';
import { PRESETS, type PresetName } from '../src/model/config.js';
import { DiffAE } from '../src/model/diffae.js';
import { diffusionLoss } from '../src/model/diffusion.js';
import { resolveDevice } from '../src/cli/device.js';
import { benchPrecision } from './precision.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const trainBatch = Number(process.env.BENCH_TRAIN_BATCH ?? 8);
const device = resolveDevice(process.env.BENCH_DEVICE ?? 'cpu');
const precision = benchPrecision();
const presets = (process.argv.length > 2 ? process.argv.slice(2) : Object.keys(PRESETS)) as PresetName[];

/** Repetitions per second of fn. */
function rate(fn: () => void): number {
  const sync = () => device !== 'cpu' && torch.cuda.synchronize();
  fn();
  sync();
  let reps = 0;
  const t0 = performance.now();
  while (reps < 2 || performance.now() - t0 < seconds * 1000) {
    fn();
    reps++;
  }
  sync();
  return reps / ((performance.now() - t0) / 1000);
}

console.log(`libtorch ${torch.torchVersion()}, ${torch.getNumThreads()} threads, device ${device}, ${precision}, ≥${seconds} s per case`);
for (const name of presets) {
  const cfg = PRESETS[name];
  if (cfg === undefined) throw new Error(`unknown preset '${name}' (have: ${Object.keys(PRESETS).join(', ')})`);
  const model = DiffAE.fromConfig(cfg, { seed: 0 }).to(device);
  model.precision = precision;
  const g = new torch.Generator(0);
  console.log(`${name}: ${(model.numParameters() / 1e6).toFixed(2)} M parameters`);
  model.eval();
  for (const batch of [1, 16]) {
    const x = torch.randn([batch, cfg.in_channels, cfg.image_size, cfg.image_size], g).toDevice(device);
    const z = torch.randn([batch, cfg.enc_out_channels], g).toDevice(device);
    const t = torch.full([batch], 500, 'int64', device);
    const r = rate(() => torch.noGrad(() => torch.tidy(() => void model.forward(x, t, z))));
    console.log(`  unet eval   batch ${String(batch).padStart(2)}: ${r.toFixed(2)} calls/s = ${(r * batch).toFixed(1)} image-evaluations/s`);
  }
  model.train();
  const opt = torch.Adam(model.parameters(), { lr: 1e-4 });
  const x0 = torch.rand([trainBatch, cfg.in_channels, cfg.image_size, cfg.image_size], g).mul(2).sub(1).toDevice(device);
  const r = rate(() => {
    opt.zeroGrad();
    torch.tidy(() => diffusionLoss(model, x0, g).backward());
    torch.clipGradNorm_(model.parameters(), 1.0);
    opt.step();
  });
  console.log(`  train       batch ${String(trainBatch).padStart(2)}: ${(r * trainBatch).toFixed(2)} images/s (${(1 / r).toFixed(2)} s/step)`);
  model.dispose();
}
