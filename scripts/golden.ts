// Usage: npx tsx scripts/golden.ts <dir> — golden parity of the diffusion autoencoder (exit 1 beyond tolerance).
import { checkGolden, formatRow } from '../src/model/golden.js';

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: tsx scripts/golden.ts <dir with model.ckpt, config.json, golden.safetensors>');
  process.exit(2);
}
const started = performance.now();
const rows = checkGolden(dir, { onRow: (r) => console.log(formatRow(r)) });
const failed = rows.filter((r) => !r.ok);
console.log(`${rows.length - failed.length}/${rows.length} within tolerance (${((performance.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failed.length === 0 ? 0 : 1);
