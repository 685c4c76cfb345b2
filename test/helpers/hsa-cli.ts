// Runs the hsa CLI from the TypeScript sources (tests spawn it with `node --import tsx`).
import { run } from '../../src/cli/main.js';

await run(process.argv);
