// Usage: npm run golden [-- <dir>] — golden parity of the diffusion autoencoder (exit 1 beyond tolerance).
// <dir> holds model.ckpt, config.json and golden.safetensors; default: the fixture kept in the repository.
import { fileURLToPath } from 'node:url';
import { checkGolden, formatRow } from '../src/model/golden.js';

const dir = process.argv[2] ?? fileURLToPath(new URL('../test/fixtures/golden/dae-tiny64', import.meta.url));
const started = performance.now();
const rows = checkGolden(dir, { onRow: (r) => console.log(formatRow(r)) });
const failed = rows.filter((r) => !r.ok);
console.log(`${rows.length - failed.length}/${rows.length} within tolerance (${((performance.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failed.length === 0 ? 0 : 1);
