// Small real inputs for the attribution tests: a randomly initialised 16×16 DiffAE (output convs not zeroed, so
// that z changes the render), a classifier on its latents, and NIfTI vertebra crops with an oblique geometry.
import { join } from 'node:path';
import * as torch from '../../../src/tensor/index.js';
import { DiffAE } from '../../../src/model/diffae.js';
import { parseConfig } from '../../../src/model/config.js';
import { LatentClassifier } from '../../../src/method/classifier/latent-classifier.js';
import { LogisticRegression } from '../../../src/method/classifier/logistic.js';
import { StandardScaler } from '../../../src/method/classifier/scaler.js';
import { geometryFromAffine, writeNifti } from '../../../src/data/nifti.js';
import { Rng } from '../../../src/data/phantom/random.js';

export const TINY_CONFIG = parseConfig({
  image_size: 16, model_channels: 8, channel_mult: [1, 2], num_res_blocks: 1, attention_resolutions: [8], num_heads: 1,
  embed_channels: 16, enc_out_channels: 16, enc_channel_mult: [1, 2], enc_num_res_blocks: 1, dropout: 0, resnet_use_zero_module: false,
});

export function tinyModel(seed = 3): DiffAE {
  return DiffAE.fromConfig(TINY_CONFIG, { seed }).eval();
}

/** A classifier on the model's latents: scaler fitted on the encodings of tinySlice(1..8), alternating weights. */
export function tinyClassifier(model: DiffAE): LatentClassifier {
  const d = TINY_CONFIG.enc_out_channels;
  const z = torch.noGrad(() =>
    torch.tidy(() => model.encode(torch.tensor(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8].flatMap((s) => Array.from(tinySlice(s).image))), [8, 1, 16, 16])).toFloat32Array()),
  );
  const rows = Array.from({ length: 8 }, (_, i) => z.subarray(i * d, (i + 1) * d));
  return new LatentClassifier(new StandardScaler(StandardScaler.fit(rows).mean, new Float64Array(d).fill(0.05)), new LogisticRegression(Float64Array.from({ length: d }, (_, j) => (j % 2 ? -0.5 : 0.5)), 0.5));
}

/** A smooth blob image (16×16) with noise, and the vertebral body mask of a disc. */
export function tinySlice(seed: number): { image: Float32Array; mask: Uint8Array } {
  const rng = new Rng(seed, 0);
  const image = new Float32Array(256);
  const mask = new Uint8Array(256);
  const [cr, cc] = [7 + rng.int(-1, 1), 8 + rng.int(-1, 1)];
  for (let r = 0; r < 16; r++) {
    for (let c = 0; c < 16; c++) {
      const d2 = (r - cr) ** 2 + (c - cc) ** 2;
      image[r * 16 + c] = 0.2 + 0.6 * Math.exp(-d2 / 30) + rng.uniform(0, 0.05);
      mask[r * 16 + c] = d2 <= 36 ? 1 : 0;
    }
  }
  return { image, mask };
}

/** Voxel → world: spacing 0.8 × 0.6 × 2 mm, rotated 30° about z, offset. */
export const AFFINE = [
  [0.8 * Math.cos(Math.PI / 6), -0.6 * Math.sin(Math.PI / 6), 0, -12.5],
  [0.8 * Math.sin(Math.PI / 6), 0.6 * Math.cos(Math.PI / 6), 0, 30.25],
  [0, 0, 2, -7],
  [0, 0, 0, 1],
];
export const PIXEL_AREA_MM2 = 0.8 * 0.6;
export const DEPTH = 5;

/** Writes <dir>/<name>.nii.gz (16×16×5, the slice repeated in depth, scaled to HU-like values) and its mask. */
export function writeVertebra(dir: string, name: string, seed: number, options: { emptyMask?: boolean } = {}): { image: string; mask: string } {
  const s = tinySlice(seed);
  const geometry = geometryFromAffine(AFFINE);
  const img = new Float32Array(16 * 16 * DEPTH);
  const msk = new Float32Array(16 * 16 * DEPTH);
  for (let k = 0; k < DEPTH; k++) {
    for (let r = 0; r < 16; r++) {
      for (let c = 0; c < 16; c++) {
        img[r + 16 * c + 256 * k] = Math.round(1000 * s.image[r * 16 + c]!);
        msk[r + 16 * c + 256 * k] = options.emptyMask ? 0 : s.mask[r * 16 + c]!;
      }
    }
  }
  const paths = { image: join(dir, `${name}.nii.gz`), mask: join(dir, `${name}_seg.nii.gz`) };
  writeNifti(paths.image, { dims: [16, 16, DEPTH], data: img, geometry }, 'int16');
  writeNifti(paths.mask, { dims: [16, 16, DEPTH], data: msk, geometry }, 'uint8');
  return paths;
}
