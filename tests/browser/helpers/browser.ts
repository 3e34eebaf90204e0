import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = path.resolve(import.meta.dirname, '..', '..', '..', 'test-results', 'browser');

/** Debian's Chromium, headless, with a fresh profile that is removed on close. */
export async function openBrowser(): Promise<{
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'wayline-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where screenshots the docs show are written (`docs/images/<name>.png`), kept in git. */
export const docsImageDir = path.resolve(import.meta.dirname, '..', '..', '..', 'docs', 'images');

/** A screenshot for the docs: the page as the test left it, at `docs/images/<name>.png`. */
export async function docsScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(docsImageDir, { recursive: true });
  const file = path.join(docsImageDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
