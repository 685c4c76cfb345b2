import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveLabels } from '../../src/viewer/derive-labels.js';
import { startViewer, type Viewer } from '../../src/viewer/server.js';
import { writeSegmentFixture } from '../report/segment-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'hsa-view-'));
const seg = join(root, 'seg');
const SECRET = 'top secret outside the folder';
let viewer: Viewer;

beforeAll(async () => {
  mkdirSync(seg);
  writeSegmentFixture(seg);
  writeFileSync(join(root, 'secret.txt'), SECRET);
  symlinkSync(join(root, 'secret.txt'), join(seg, 'case-a', 'escape.txt'));
  symlinkSync(root, join(seg, 'parent'));
  symlinkSync(join(seg, 'case-a', 'result.json'), join(seg, 'inside.json'));
  viewer = await startViewer({ seg, port: 0 });
});
afterAll(async () => {
  await viewer?.close();
  rmSync(root, { recursive: true, force: true });
});

// node:http sends the path exactly as given (fetch would normalise `..` away before it left the client).
function get(path: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { port } = new URL(viewer.url);
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject).end();
  });
}

describe('hsa view server', () => {
  it('binds 127.0.0.1 and serves the page, its script, the case list and files of the folder', async () => {
    expect(viewer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await get('/')).body).toContain('<canvas id="ct">');
    expect((await get('/app.js')).body).toContain('function deriveLabels');
    expect(JSON.parse((await get('/api/cases')).body).map((c: { id: string }) => c.id)).toEqual(['case-a', 'case-b']);
    const result = await get('/files/case-a/result.json');
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body).caseId).toBe('case-a');
    expect((await get('/files/inside.json')).status).toBe(200);
  });

  it.each([
    '/files/../secret.txt',
    '/files/%2e%2e/secret.txt',
    '/files/%2E%2E%2Fsecret.txt',
    '/files/case-a/..%2f..%2fsecret.txt',
    '/files/case-a/%2e%2e/%2e%2e/secret.txt',
    '/files//etc/passwd',
    '/files/%2fetc%2fpasswd',
    `/files/${encodeURIComponent(join(root, 'secret.txt'))}`,
    '/files/..%5csecret.txt',
    '/files/case-a/escape.txt',
    '/files/parent/secret.txt',
    '/files/%e0%a4%a',
    '/files/a%00b',
  ])('refuses %s', async (path) => {
    const r = await get(path);
    expect(r.status).toBe(403);
    expect(r.body).not.toContain(SECRET);
  });

  // DNS rebinding: a page on attacker.example.com whose name now resolves to 127.0.0.1 sends its own Host.
  it.each(['/', '/app.js', '/api/cases', '/files/case-a/result.json'])('refuses %s under a foreign Host or Origin', async (path) => {
    const { port } = new URL(viewer.url);
    for (const host of [`attacker.example.com:${port}`, 'attacker.example.com', `127.0.0.1:${Number(port) + 1}`]) {
      const r = await get(path, 'GET', { host });
      expect(r.status, host).toBe(403);
      expect(r.body).toBe(`refused: Host "${host}" is not this viewer's address\n`);
    }
    const r = await get(path, 'GET', { origin: 'http://attacker.example.com' });
    expect(r.status).toBe(403);
    expect(r.body).toBe('refused: Origin "http://attacker.example.com" is not this viewer\n');
    expect((await get(path, 'POST', { origin: 'null' })).status).toBe(403);
  });

  it('answers its own names, with or without its own Origin', async () => {
    const { port } = new URL(viewer.url);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await get('/api/cases', 'GET', { host })).status, host).toBe(200);
      expect((await get('/files/case-a/result.json', 'GET', { host, origin: `http://${host}` })).status, host).toBe(200);
    }
  });

  it('404 for what is not there (or is a folder), 405 for writes', async () => {
    expect((await get('/files/case-a/nope.json')).status).toBe(404);
    expect((await get('/files/case-a')).status).toBe(404);
    expect((await get('/etc/passwd')).status).toBe(404);
    expect((await get('/files/case-a/result.json', 'POST')).status).toBe(405);
  });

  it('refuses to start on a folder that is not a segment output, naming it', async () => {
    await expect(startViewer({ seg: join(root, 'none') })).rejects.toThrow(`${join(root, 'none')}: segment output folder not found`);
    await expect(startViewer({ seg: root })).rejects.toThrow(`${root}: not a segment output folder`);
    const port = Number(new URL(viewer.url).port);
    await expect(startViewer({ seg, port })).rejects.toThrow(`port ${port} on 127.0.0.1 is in use`);
  });
});

describe('deriveLabels', () => {
  it('keeps a candidate when Δ > threshold; an unscored one as it was saved', () => {
    const map = Int32Array.from([0, 1, 1, 2, 3, 0]);
    const kept = [true, false, true];
    expect([...deriveLabels(map, [1, 2, 1], [0.8, 0.3, null], kept, 0.5)]).toEqual([0, 1, 1, 0, 1, 0]);
    expect([...deriveLabels(map, [1, 2, 1], [0.8, 0.3, null], kept, 0.2)]).toEqual([0, 1, 1, 2, 1, 0]);
    expect([...deriveLabels(map, [1, 2, 1], [0.8, 0.3, null], kept, 0.8)]).toEqual([0, 0, 0, 0, 1, 0]);
    // Below the P(malignant) gate: unscored and not kept, whatever the threshold.
    expect([...deriveLabels(map, [1, 2, 1], [null, null, null], [false, false, false], -1)]).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
