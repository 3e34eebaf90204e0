import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = path.resolve(import.meta.dirname, '..', '..', '..', 'test-results', 'browser');

export interface OpenBrowser {
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile that is removed on close. */
export async function openBrowser(): Promise<OpenBrowser> {
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

/**
 * A screenshot for the docs: the page as the test left it, at `docs/images/<name>.png`. Written
 * when missing or when `UPDATE_DOCS_IMAGES=1`, so an ordinary test run leaves the tree as it was;
 * otherwise it goes beside the other screenshots in test-results.
 */
export async function docsScreenshot(page: Page, name: string): Promise<string> {
  const docsFile = path.join(docsImageDir, `${name}.png`);
  if (process.env.UPDATE_DOCS_IMAGES !== '1' && existsSync(docsFile)) return screenshot(page, `docs-${name}`);
  mkdirSync(docsImageDir, { recursive: true });
  await page.screenshot({ path: docsFile });
  return docsFile;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
