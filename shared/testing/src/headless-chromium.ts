import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium, which .ci/run installs. */
const chromiumPath = '/usr/bin/chromium';

/** Fails at once, with what to install, where a test would otherwise fail inside Playwright later. */
export function requireChromium(what: string): void {
  if (!existsSync(chromiumPath)) throw new Error(`${what} drives Debian's Chromium: apt-get install chromium`);
}

/**
 * A headless Chromium of its own (a profile in a scratch folder, removed on close), with its
 * web security as users have it, quiet: no network beyond what the pages ask for.
 */
export async function openChromium(): Promise<BrowserContext> {
  const profile = await mkdtemp(join(tmpdir(), 'haru-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Chromium may still be writing its profile as it closes: a few tries, then it is left to tmp.
  browser.on('close', () => {
    rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }).catch(() => {});
  });
  return browser;
}
