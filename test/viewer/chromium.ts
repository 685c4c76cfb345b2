// Debian's chromium driven by playwright-core (no downloaded browser): the flags CI needs and a fresh
// profile per launch. Missing chromium is an error unless HSA_SKIP_BROWSER=1.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.HSA_CHROMIUM ?? '/usr/bin/chromium';
export const SKIP_BROWSER = process.env.HSA_SKIP_BROWSER === '1';

const ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-quic', '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}: install it (scripts/setup.sh does, or apt-get install chromium), set HSA_CHROMIUM, or skip browser tests with HSA_SKIP_BROWSER=1`);
  }
  // playwright takes the profile folder as launchPersistentContext's argument (it rejects --user-data-dir in args).
  const profile = mkdtempSync(join(tmpdir(), 'hsa-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 800 } });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
