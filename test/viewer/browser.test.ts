// End to end in headless Chromium: the viewer lists the vertebrae, shows the selected one, and the Δ
// slider re-derives the overlay; the report sorts its rows.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/write-report.js';
import { startViewer, type Viewer } from '../../src/viewer/server.js';
import { SQUARE, writeSegmentFixture } from '../report/segment-fixture.js';
import { SKIP_BROWSER, launchChromium, type Browser } from './chromium.js';

const root = mkdtempSync(join(tmpdir(), 'hsa-browser-'));
const seg = join(root, 'seg');
let viewer: Viewer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

describe.skipIf(SKIP_BROWSER)('viewer and report in headless Chromium', () => {
  beforeAll(async () => {
    mkdirSync(seg);
    writeSegmentFixture(seg, ['case-a', 'case-b']);
    viewer = await startViewer({ seg });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  });
  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
    rmSync(root, { recursive: true, force: true });
  });

  // Counts the overlay's red (lytic) and blue (blastic) pixels read back from the CT canvas.
  const coloured = () =>
    page.evaluate(() => {
      const c = document.getElementById('ct') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let red = 0, blue = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i]! > d[i + 1]! + 60 && d[i]! > d[i + 2]! + 60) red++;
        if (d[i + 2]! > d[i]! + 60 && d[i + 2]! > d[i + 1]! + 40) blue++;
      }
      return { red, blue, attr: Number(c.getAttribute('data-overlay-pixels')) };
    });

  const slide = async (t: string) => {
    await page.locator('#threshold').fill(t);
    await expect.poll(() => page.textContent('#threshold-value')).toBe(Number(t).toFixed(2));
  };

  it('selects a vertebra; moving the Δ slider changes the overlay', async () => {
    await page.goto(viewer.url);
    await page.waitForSelector('body[data-selected="case-a"]');
    expect(await page.locator('#case-list button').count()).toBe(2);
    await page.click('button[data-case="case-b"]');
    await page.waitForSelector('body[data-selected="case-b"]');
    expect(await page.textContent('#case-title')).toContain('case-b');
    expect(await page.locator('#candidates tr').count()).toBe(2);

    const area = SQUARE * SQUARE;
    // The run's threshold 0.5: the lytic candidate (Δ 0.8) is kept, the blastic one (Δ 0.3) is not.
    expect(await page.inputValue('#threshold')).toBe('0.5');
    expect(await coloured()).toEqual({ red: area, blue: 0, attr: area });
    await slide('0.2');
    expect(await coloured()).toEqual({ red: area, blue: area, attr: 2 * area });
    expect(await page.locator('#candidates tr.kept').count()).toBe(2);
    await slide('0.9');
    expect(await coloured()).toEqual({ red: 0, blue: 0, attr: 0 });
    expect(await page.locator('#candidates tr.kept').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('the report opens from file:// and sorts rows by p_malignant both ways', async () => {
    const out = join(root, 'report.html');
    writeReport({ seg, out, notice: 'synthetic' });
    await page.goto(pathToFileURL(out).href);
    const order = () => page.$$eval('#cases tbody tr', (rows) => rows.map((r) => r.getAttribute('data-case')));
    expect(await order()).toEqual(['case-a', 'case-b']);
    await page.click('button[data-sort="pmalignant"]');
    expect(await order()).toEqual(['case-a', 'case-b']);
    await page.click('button[data-sort="pmalignant"]');
    expect(await order()).toEqual(['case-b', 'case-a']);
    expect(await page.$eval('#cases img', (img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });
});
