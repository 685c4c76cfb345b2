// Usage: npm run golden [-- <dir>] [--device cpu|cuda|cuda:N] [--precision fp32|bf16] — golden parity of the
// diffusion autoencoder (exit 1 beyond tolerance). <dir> holds model.ckpt, config.json and golden.safetensors;
// default: the fixture kept in the repository. The tolerances are fp32's: with bf16 the rows measure its error.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkGolden, formatRow } from '../src/model/golden.js';
import { PRECISIONS, type Precision } from '../src/model/precision.js';
import { resolveDevice } from '../src/cli/device.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { device: { type: 'string', default: 'cpu' }, precision: { type: 'string', default: 'fp32' } } });
if (!PRECISIONS.includes(values.precision as Precision)) throw new Error(`--precision must be one of ${PRECISIONS.join(', ')}`);
const device = resolveDevice(values.device!);
const dir = positionals[0] ?? fileURLToPath(new URL('../test/fixtures/golden/dae-tiny64', import.meta.url));
const started = performance.now();
const rows = checkGolden(dir, { device, precision: values.precision as Precision, onRow: (r) => console.log(formatRow(r)) });
const failed = rows.filter((r) => !r.ok);
console.log(`${rows.length - failed.length}/${rows.length} within tolerance on ${device}, ${values.precision} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failed.length === 0 ? 0 : 1);
