#!/usr/bin/env node
// Entry point of the `hsa` command: runs the compiled CLI (npm run build creates dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('hsa is not built yet: run `npm run build` (or scripts/setup.sh) first.');
  process.exit(1);
}
const { run } = await import(main);
await run(process.argv);
