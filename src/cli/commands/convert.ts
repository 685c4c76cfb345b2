import { basename } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { assertNewFile } from '../../data/files.js';
import { loadDiffAE, saveDiffAE, type WeightsPrefix } from '../../model/checkpoint.js';

function parsePrefix(value: string): WeightsPrefix {
  if (value !== 'ema_model.' && value !== 'model.') throw new InvalidArgumentError("must be 'ema_model.' or 'model.'");
  return value;
}

/**
 * `hsa convert-checkpoint`: a reference PyTorch checkpoint → our safetensors model file. The weights are loaded
 * into the architecture first, so a file that does not fit the config is refused with the offending keys.
 */
export function register(program: Command): void {
  program
    .command('convert-checkpoint')
    .description('convert a reference Diff-AE PyTorch checkpoint (.ckpt) to a safetensors model file')
    .argument('<ckpt>', 'PyTorch Lightning checkpoint of the reference implementation')
    .argument('<out>', 'output .safetensors (weights + architecture config)')
    .option('--prefix <prefix>', "which weights: 'ema_model.' (EMA, default) or 'model.'", parsePrefix, 'ema_model.' as WeightsPrefix)
    .option('--config <json>', 'architecture config in the reference names (default: config.json beside the checkpoint)')
    .action((ckpt: string, out: string, opts: { prefix: WeightsPrefix; config?: string }) => {
      const model = loadDiffAE(ckpt, { prefix: opts.prefix, config: opts.config });
      try {
        assertNewFile(out);
      } catch (e) {
        model.dispose();
        throw e;
      }
      try {
        saveDiffAE(model, out, { source: basename(ckpt), prefix: opts.prefix });
        console.log(`${out}: ${model.stateDict().size} tensors, ${model.numParameters()} parameters (${opts.prefix}* of ${ckpt})`);
      } finally {
        model.dispose();
      }
    });
}
