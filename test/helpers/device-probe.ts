// Runs the pipeline's tensor work on the device named by argv[2] ('cpu', or 'lazy': libtorch's lazy-tensor
// device, the stand-in for a GPU) and prints the results as JSON: a UNet forward, a DDIM inversion and render,
// training steps (loss, backward, clipping, Adam; the second after loading Adam state written on the CPU),
// Hide-and-Seek on two vertebrae (encodings, DDIM loops, healthy edit, harmonisation) and the CNN's CAMs.
// On 'lazy', any CPU tensor that is not 0-d meeting a lazy one in an op aborts this process (libtorch checks
// it), so a tensor created without the input's device fails here. It also counts host reads (toArray, item)
// in the DDIM loops and in the attribution.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../../src/tensor/index.js';
import { axisAlignedGeometry } from '../../src/data/nifti.js';
import { native } from '../../src/tensor/native.js';
import { readConfigFile } from '../../src/model/checkpoint.js';
import { DiffAE } from '../../src/model/diffae.js';
import { ddimInvert, ddimRender, diffusionLoss } from '../../src/model/diffusion.js';
import { attribute, type VertebraSlice } from '../../src/method/attribution/attribute.js';
import { diffaeEngine } from '../../src/method/attribution/engine.js';
import type { VertebraInput } from '../../src/method/attribution/inputs.js';
import { runSegmentation } from '../../src/method/attribution/segment.js';
import { LatentClassifier } from '../../src/method/classifier/latent-classifier.js';
import { LogisticRegression } from '../../src/method/classifier/logistic.js';
import { StandardScaler } from '../../src/method/classifier/scaler.js';
import { computeCams } from '../../src/method/cnn/cam.js';
import { CnnClassifier } from '../../src/method/cnn/resnet.js';
import { MICRO_CONFIG } from './cli.js';

const device = process.argv[2] as torch.Device;
if (device === 'lazy' && !torch.initLazyDevice()) {
  console.log(JSON.stringify({ skipped: 'this libtorch has no lazy device' }));
  process.exit(0);
}

// Host reads, counted by wrapping the addon's two ways out.
let hostReads = 0;
const toArray = native.toArray.bind(native);
native.toArray = (t) => (hostReads++, toArray(t));
const item = native.ops.item!;
native.ops.item = (...a: unknown[]) => (hostReads++, item(...a));
const readsDuring = <R>(fn: () => R): [R, number] => {
  const before = hostReads;
  const r = fn();
  return [r, hostReads - before];
};

/** A 64×64 slice: a bright disc (the body) with a dark and a bright blob, and its mask. */
function vertebra(shift: number): VertebraSlice {
  const n = 64;
  const image = new Float32Array(n * n);
  const mask = new Uint8Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const inside = (r - 32) ** 2 + (c - 32) ** 2 < 22 ** 2;
      const dark = (r - 26 - shift) ** 2 + (c - 28) ** 2 < 25;
      const bright = (r - 38) ** 2 + (c - 38 + shift) ** 2 < 16;
      mask[r * n + c] = inside ? 1 : 0;
      image[r * n + c] = inside ? (dark ? -0.6 : bright ? 0.9 : 0.2) + 0.05 * Math.sin(r * c) : -1;
    }
  }
  return { image, mask: { rows: n, cols: n, data: mask } };
}

const out: Record<string, unknown> = {};
const gen = new torch.Generator(1);
// No dropout: it would draw from each device's own generator.
const model = DiffAE.fromConfig({ ...readConfigFile(MICRO_CONFIG), dropout: 0 }, { seed: 5 });
// Noise on every weight: the zero-initialised output convs would make ε = 0, and every render the same.
torch.noGrad(() => model.parameters().forEach((p) => p.add_(torch.tidy(() => torch.randn(p.shape, gen).mul(0.05)))));
model.to(device).eval();
const x = torch.rand([2, 1, 64, 64], gen).mul(2).sub(1).toDevice(device);
torch.noGrad(() => {
  const z = model.encode(x);
  const eps = model.forward(x, torch.full([2], 500, 'int64', device), z);
  const [xT, invertReads] = readsDuring(() => ddimInvert(model, x, z, { steps: 3 }));
  const [render, renderReads] = readsDuring(() => ddimRender(model, xT, z, { steps: 3 }));
  out.devices = [z, eps, xT, render].map((t) => t.device);
  Object.assign(out, { z: z.toNumbers(), eps: eps.toNumbers(), xT: xT.toNumbers(), render: render.toNumbers(), loopReads: invertReads + renderReads });
});

model.train();
const opt = torch.Adam(model.parameters(), { lr: 1e-3 });
const trainStep = () =>
  torch.tidy(() => {
    opt.zeroGrad();
    const l = diffusionLoss(model, x, gen);
    l.backward();
    const gradNorm = torch.clipGradNorm_(model.parameters(), 1);
    opt.step();
    return { loss: l.item(), gradNorm };
  });
out.train = trainStep();
// A run resumed on the device from a checkpoint written on the CPU: Adam's moments must follow the parameters.
const cpuModel = DiffAE.fromConfig(model.config, { seed: 6 });
const cpuOpt = torch.Adam(cpuModel.parameters(), { lr: 1e-3 });
torch.tidy(() => torch.stack(cpuModel.parameters().map((p) => p.square().sum()), 0).sum().backward());
cpuOpt.step();
opt.loadState(cpuOpt.saveState());
cpuModel.dispose();
out.resumed = trainStep();
model.eval();

const d = model.config.enc_out_channels;
const classifier = new LatentClassifier(new StandardScaler(new Float64Array(d), new Float64Array(d).fill(1)), new LogisticRegression(Float64Array.from({ length: d }, (_, j) => (j % 2 ? -0.5 : 0.5)), 0));
// Few steps, and only large candidates (a handful), to keep the lazy device's tracing short.
const steps = { inversionSteps: 2, renderSteps: 2, harmoniseInversionSteps: 2, harmoniseRenderSteps: 2, minSize: 40 };
const [results, attributionReads] = readsDuring(() => attribute(diffaeEngine(model), classifier, [vertebra(0), vertebra(3)], steps));
out.attribution = results.map((r) => ({ pMalignant: r.pMalignant }));
out.candidates = results.map((r) => r.candidates.length);
out.attributionReads = attributionReads;

// The same through runSegmentation, whose progress-counting engine wraps the model's: it must keep the device.
const tmp = mkdtempSync(join(tmpdir(), 'hsa-device-probe-'));
try {
  const slice = vertebra(0);
  const plane = { sliceIndex: 0, slice, normalisation: { lo: 0, hi: 1 } };
  const input: VertebraInput = {
    caseId: 'v0', image: join(tmp, 'v0.nii.gz'), mask: join(tmp, 'v0_seg.nii.gz'), slice, sliceIndex: 0, dims: [64, 64, 1],
    geometry: axisAlignedGeometry([1, 1, 1], [0, 0, 0]), pixelAreaMm2: 1, normalisation: plane.normalisation, planes: [plane], voxelMm3: 1,
  };
  const rows = await runSegmentation({ inputs: [input], engine: diffaeEngine(model), classifier, options: steps, outDir: join(tmp, 'seg') });
  out.segmented = rows.map((r) => r.pMalignant);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const cnn = new CnnClassifier({ channels: [8, 16], groups: 4 }, { seed: 2 }).to(device).eval();
out.cams = (['gradcam', 'eigencam'] as const).map((m) => computeCams(cnn, x, m)).map((r) => ({ maps: r.maps.map((a) => Array.from(a)), p: r.pMalignant }));
console.log(JSON.stringify(out));
