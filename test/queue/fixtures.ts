// A run for the queue tests: the tiny 16×16 model and classifier saved as a model folder, and a manifest of
// vertebra crops; the same files for the queued and the single-process run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveDiffAE } from '../../src/model/checkpoint.js';
import { tinyClassifier, tinyModel, writeVertebra } from '../method/attribution/fixtures.js';

/** Steps that keep a two-vertebra job at a few seconds on one thread: long enough to be killed mid-job. */
export const STEPS = ['--inversion-steps', '100', '--render-steps', '20', '--harmonise-inversion-steps', '20', '--harmonise-render-steps', '10', '--min-size', '2', '--vertebrae-batch', '2'];

export function writeRunInputs(dir: string, count: number): { modelDir: string; manifest: string; images: string[] } {
  const modelDir = join(dir, 'model');
  mkdirSync(modelDir, { recursive: true });
  const model = tinyModel();
  saveDiffAE(model, join(modelDir, 'model.safetensors'));
  tinyClassifier(model).save(join(modelDir, 'classifier.json'));
  model.dispose();
  mkdirSync(join(dir, 'data'), { recursive: true });
  const rows = Array.from({ length: count }, (_, i) => ({ ...writeVertebra(join(dir, 'data'), `c${i}`, 100 + i), label: i % 2 }));
  const manifest = join(dir, 'manifest.csv');
  writeFileSync(manifest, `image,seg_msk,label\n${rows.map((r) => `${r.image},${r.mask},${r.label}`).join('\n')}\n`);
  return { modelDir, manifest, images: rows.map((r) => r.image) };
}
