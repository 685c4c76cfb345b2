// `hsa view`: a local web page to browse a segment output folder and move the Δ threshold live.
import type { Command } from 'commander';
import { startViewer } from '../../viewer/server.js';

interface Options {
  seg: string;
  port: string;
  host: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function parsePort(s: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || n > 65535) throw new Error(`--port must be an integer from 0 to 65535, got "${s}"`);
  return n;
}

export function register(program: Command): void {
  program
    .command('view')
    .description('serve a local viewer of a segment output folder: CT slice with lytic/blastic overlays, healthy edit, difference, candidates and a live Δ-threshold slider')
    .requiredOption('--seg <dir>', 'output folder of hsa segment')
    .option('--port <n>', 'port to listen on (0: any free port)', '8642')
    .option('--host <address>', 'address to bind; anything but loopback exposes the folder to the network', '127.0.0.1')
    .action(async (o: Options) => {
      const viewer = await startViewer({ seg: o.seg, port: parsePort(o.port), host: o.host });
      if (!LOOPBACK.has(o.host)) process.stderr.write(`view: warning: listening on ${o.host}; other machines can read ${o.seg}\n`);
      process.stderr.write(`view: serving ${o.seg} at ${viewer.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => void viewer.close().then(resolve)));
    });
}
