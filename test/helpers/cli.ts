// The hsa CLI run in-process (errors propagate as exceptions), and a micro model folder for CLI tests.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../../src/cli/main.js';
import { LatentClassifier } from '../../src/method/classifier/latent-classifier.js';
import { LogisticRegression } from '../../src/method/classifier/logistic.js';
import { StandardScaler } from '../../src/method/classifier/scaler.js';
import { readConfigFile, saveDiffAE } from '../../src/model/checkpoint.js';
import { DiffAE } from '../../src/model/diffae.js';

/** A 64×64 architecture small enough for CLI tests (random weights). */
export const MICRO_CONFIG = fileURLToPath(new URL('../fixtures/micro-dae.json', import.meta.url));

/** `hsa <args>` in this process. */
export async function hsa(...args: string[]): Promise<void> {
  await buildProgram().parseAsync(['node', 'hsa', ...args]);
}

/**
 * Creates dir with model.safetensors (micro config, random weights, seed 3) and classifier.json (identity
 * scaler, alternating ±0.5 weights); returns the model file.
 */
export function writeMicroModel(dir: string): string {
  mkdirSync(dir);
  const model = DiffAE.fromConfig(readConfigFile(MICRO_CONFIG), { seed: 3 }).eval();
  const file = join(dir, 'model.safetensors');
  saveDiffAE(model, file);
  const d = model.config.enc_out_channels;
  new LatentClassifier(new StandardScaler(new Float64Array(d), new Float64Array(d).fill(1)), new LogisticRegression(Float64Array.from({ length: d }, (_, j) => (j % 2 ? -0.5 : 0.5)), 0)).save(join(dir, 'classifier.json'));
  model.dispose();
  return file;
}
