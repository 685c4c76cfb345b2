// The viewer's HTTP server (node:http): the page, its script, the list of vertebrae and the files of one
// segment output folder; nothing else on disk is reachable.
import { createReadStream, realpathSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { extname } from 'node:path';
import { readSegmentFolder } from '../report/segment-folder.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { PAGE_HTML } from './page.js';
import { resolveInside } from './safe-path.js';

export interface ViewerOptions {
  seg: string;
  port?: number;
  host?: string;
}

export interface Viewer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
};

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}

/**
 * The Host values that name this server: its loopback names, the bound address and, when bound to every
 * interface, the machine's addresses and name. Anything else is DNS rebinding (a page on the attacker's domain
 * that resolves to this address) and is refused.
 */
function ownHosts(host: string, port: number): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]', host.includes(':') ? `[${host}]` : host];
  if (host === '0.0.0.0' || host === '::') {
    names.push(hostname());
    for (const a of Object.values(networkInterfaces()).flat()) if (a) names.push(a.family === 'IPv6' ? `[${a.address}]` : a.address);
  }
  // A browser leaves out the default port.
  return new Set(names.flatMap((n) => (port === 80 ? [n, `${n}:80`] : [`${n}:${port}`]).map((h) => h.toLowerCase())));
}

function handler(root: string, casesJson: string, hosts: Set<string>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'");
    const host = req.headers.host?.toLowerCase() ?? '';
    if (!hosts.has(host)) return send(res, 403, 'text/plain', `refused: Host "${host}" is not this viewer's address\n`);
    // A cross-origin page's fetch carries its Origin; the viewer's own page sends none or its own.
    const origin = req.headers.origin?.toLowerCase();
    if (origin !== undefined && origin !== `http://${host}`) return send(res, 403, 'text/plain', `refused: Origin "${origin}" is not this viewer\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    // Only the path, never the query, and never normalised by a URL parser: the raw text is checked.
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/') return send(res, 200, 'text/html; charset=utf-8', PAGE_HTML);
    if (path === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', CLIENT_SCRIPT);
    if (path === '/api/cases') return send(res, 200, 'application/json', casesJson);
    if (!path.startsWith('/files/')) return send(res, 404, 'text/plain', 'not found\n');
    const r = resolveInside(root, path.slice('/files/'.length));
    if ('refused' in r) return send(res, 403, 'text/plain', `refused: ${r.refused}\n`);
    if ('missing' in r) return send(res, 404, 'text/plain', 'not found\n');
    res.writeHead(200, { 'content-type': TYPES[extname(r.file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(r.file).on('error', () => res.destroy()).pipe(res);
  };
}

/** Checks the folder, then listens (127.0.0.1 and a free port by default). */
export async function startViewer(o: ViewerOptions): Promise<Viewer> {
  const folder = readSegmentFolder(o.seg);
  const root = realpathSync(folder.dir);
  const cases = folder.cases.map((c) => ({ id: c.id, pMalignant: c.result.pMalignant, label: c.result.label ?? null, candidates: c.result.candidates.length }));
  const server = createServer();
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(e.code === 'EADDRINUSE' ? `port ${o.port} on ${host} is in use (choose another with --port)` : `cannot listen on ${host}:${o.port ?? 0} (${e.message})`)),
    );
    server.listen(o.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  server.on('request', handler(root, JSON.stringify(cases), ownHosts(host, port)));
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    url: `http://${shown}:${port}/`,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // A browser keeps idle connections open; without this, close would wait for them.
        server.closeAllConnections();
      }),
  };
}
