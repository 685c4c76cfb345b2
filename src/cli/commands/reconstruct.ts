import { join } from 'node:path';
import type { Command } from 'commander';
import * as torch from '../../tensor/index.js';
import { assertEmptyOutputDir, withOutputDir } from '../../data/files.js';
import { readNifti } from '../../data/nifti.js';
import { extractSlice, normalizeSlice } from '../../data/slice.js';
import { loadDiffAE } from '../../model/checkpoint.js';
import { writeSafetensors } from '../../io/safetensors.js';
import { tensorToRecord } from '../../nn/index.js';
import { reconstruct, writeImageRows } from '../../method/training/preview.js';
import { int } from '../options.js';
import { addDeviceOptions, placement } from '../device.js';

/** `hsa reconstruct`: the first sanity check of a trained DAE — z, x_T and the reconstruction of one image. */
export function register(program: Command): void {
  addDeviceOptions(program
    .command('reconstruct')
    .description('encode a vertebra crop (SPEC §2 centre slice) to z and x_T and render it back; prints the mean absolute error')
    .requiredOption('--model <file>', 'DAE weights (.safetensors, or a PyTorch .ckpt with config.json beside it)')
    .requiredOption('--image <file>', 'CT vertebra crop (NIfTI)')
    .requiredOption('--out <dir>', 'output folder to create (reconstruction.png, reconstruction.safetensors); must not exist or be empty')
    .option('--inversion-steps <n>', 'DDIM steps of the inversion', int, 250)
    .option('--render-steps <n>', 'DDIM steps of the render', int, 100))
    .action(async (o) => {
      // Before the model work, so that a wrong --out fails at once.
      assertEmptyOutputDir(o.out);
      const model = loadDiffAE(o.model, placement(o));
      const slice = normalizeSlice(extractSlice(readNifti(o.image)));
      const size = model.config.image_size;
      if (slice.rows !== size || slice.cols !== size) throw new Error(`${o.image}: slice is ${slice.rows}×${slice.cols}; the model takes ${size}×${size}`);
      const mae = await withOutputDir(o.out, (dir) => torch.tidy(() => {
        const x = torch.tensor(slice.data, [1, 1, size, size], 'float32', model.device);
        const { z, xT, recon } = reconstruct(model, x, o.inversionSteps, o.renderSteps);
        const err = recon.sub(x).abs();
        writeImageRows(join(dir, 'reconstruction.png'), [torch.cat([x, recon, err.mul(4)], 0)]);
        writeSafetensors(
          join(dir, 'reconstruction.safetensors'),
          new Map(Object.entries({ x, z, xT, recon }).map(([k, t]) => [k, tensorToRecord(t)])),
          { image: o.image, model: o.model, inversion_steps: String(o.inversionSteps), render_steps: String(o.renderSteps) },
        );
        return err.mean().item();
      }));
      console.log(`mean absolute reconstruction error ${mae.toFixed(5)} (normalised intensity; figure: input | reconstruction | 4×|error|)`);
    });
}
