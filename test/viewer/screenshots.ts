// Takes the screenshots of docs/viewer.md (not a test): the viewer and the report of a segment output.
//   npx tsx test/viewer/screenshots.ts SEG_DIR [EVAL_DIR] OUT_DIR
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeReport } from '../../src/report/write-report.js';
import { startViewer } from '../../src/viewer/server.js';
import { launchChromium } from './chromium.js';

const args = process.argv.slice(2);
if (args.length < 2 || args.length > 3) throw new Error('usage: screenshots.ts SEG_DIR [EVAL_DIR] OUT_DIR');
const [seg, evalDir, outDir] = args.length === 3 ? args : [args[0], undefined, args[1]];

const viewer = await startViewer({ seg: seg! });
const browser = await launchChromium();
const tmp = mkdtempSync(join(tmpdir(), 'hsa-shots-'));
try {
  const page = await browser.context.newPage();
  await page.goto(viewer.url);
  const second = page.locator('#case-list button').nth(1);
  if ((await second.count()) > 0) await second.click();
  await page.waitForFunction(() => document.body.dataset.selected !== undefined);
  await page.screenshot({ path: join(outDir!, 'viewer-page.png') });

  const report = join(tmp, 'report.html');
  writeReport({ seg: seg!, ...(evalDir ? { eval: evalDir } : {}), out: report, notice: 'Example notice: this model was trained on synthetic data only.' });
  await page.goto(pathToFileURL(report).href);
  await page.screenshot({ path: join(outDir!, 'viewer-report.png'), fullPage: false });
} finally {
  await browser.close();
  await viewer.close();
  rmSync(tmp, { recursive: true, force: true });
}
