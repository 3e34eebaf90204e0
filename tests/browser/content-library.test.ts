import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXPeer, xCredentials } from '../connectors/social-peers';
import { testPng } from '../engine/content/content-fixtures';
import { docsScreenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

/**
 * A marketer's content day: Chromium (playwright-core) against the API serving the built UI,
 * PGlite, a worker on the real Temporal dev server and a local X API peer checking OAuth 1.0a.
 */
describe('content library, editor, upload and scheduled social post in a browser (Chromium, API + UI, PGlite, Temporal dev server, X peer)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;
  let x: Awaited<ReturnType<typeof startXPeer>>;

  beforeAll(async () => {
    x = await startXPeer();
    session = await browserSession();
    ({ stack, page } = session);
    await stack.call('POST', '/v1/content', {
      kind: 'article',
      title: 'Old newsletter',
      status: 'archived',
      tags: ['news'],
    });
  }, 180_000);
  afterAll(async () => {
    await session?.close();
    await x?.close();
  });

  it('uploads an image and sees its preview in the library', async () => {
    await page.goto(`${stack.url}/`);
    await page.locator('nav a', { hasText: 'Content' }).click();
    await page.getByTestId('content-library').waitFor();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page
      .locator('#asset-file')
      .setInputFiles({ name: 'spring.png', mimeType: 'image/png', buffer: await testPng() });
    const preview = page.getByTestId('asset-preview');
    await expect.poll(() => preview.textContent()).toContain('spring.png · image/png');
    expect(await preview.textContent()).toContain('800×600');
    // The thumbnail loads from the public asset URL: 320 pixels wide (800×600 → 320×240).
    await expect
      .poll(() => preview.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBe(320);
    await expect.poll(() => page.getByTestId('asset-grid').locator('figure').count()).toBe(1);

    // A refused type shows the server's reason.
    await page
      .locator('#asset-file')
      .setInputFiles({ name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<p>x</p>') });
    await expect
      .poll(() => page.locator('[role="alert"]').first().textContent())
      .toContain('cannot be uploaded');
  });

  it('connects an X account, its secrets write-only, with field errors inline', async () => {
    const panel = page.getByTestId('social-accounts');
    await panel.locator('#social-provider').selectOption('x');
    await panel.locator('#social-name').fill('@acme on X');
    await panel.locator('#social-settings-username').fill('not a handle!');
    await panel.locator('#social-settings-apiUrl').fill(x.url);
    await panel.locator('#social-credentials-consumerKey').fill(xCredentials.consumerKey);
    await panel.locator('#social-credentials-consumerSecret').fill(xCredentials.consumerSecret);
    await panel.locator('#social-credentials-accessToken').fill(xCredentials.accessToken);
    await panel.locator('#social-credentials-accessTokenSecret').fill(xCredentials.accessTokenSecret);
    await panel.getByRole('button', { name: 'Connect' }).click();
    await expect
      .poll(() => panel.locator('[data-field-error="social-settings-username"]').textContent())
      .toContain('account handle');
    await panel.locator('#social-settings-username').fill('@acme');
    await panel.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => panel.locator('li').first().textContent()).toContain('@acme on X (x)');
    // The form clears once the list has the account: a moment after it, not before.
    await expect.poll(() => panel.locator('#social-credentials-consumerSecret').inputValue()).toBe('');
  });

  it('creates an image item, with the server’s field errors shown inline', async () => {
    await page.getByRole('link', { name: 'New item' }).click();
    await page.getByTestId('content-editor').waitFor();
    await page.locator('#content-kind').selectOption('image');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('[data-field-error="content-title"]').count()).toBe(1);
    await page.locator('#content-title').fill('Spring shoe launch');
    await page.getByRole('button', { name: 'Save' }).click();
    // An image item needs its file.
    await expect
      .poll(() => page.locator('[data-field-error="content-asset"]').textContent())
      .toContain('needs an uploaded file');
    await page.locator('#content-asset').selectOption({ label: 'spring.png' });
    await page.locator('#content-body').fill('Light, fast, green.');
    await page.locator('#content-tags').fill('spring, shoes');
    await page.locator('#content-status').selectOption('published');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/content\/[0-9a-f-]{36}$/);
    await page.getByTestId('publish-panel').waitFor();
    await page.getByTestId('content-performance').waitFor();
  });

  it('schedules a post to X a few seconds ahead and sees it published with its link', async () => {
    await page.getByLabel('@acme on X (x)').check();
    await page.locator('#post-text').fill('Our spring shoe is here');
    // The browser's local time, 5 seconds from now, as a datetime-local value.
    const at = await page.evaluate(() => {
      const d = new Date(Date.now() + 5000);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    });
    await page.locator('#post-at').fill(at);
    await page.getByRole('button', { name: 'Schedule' }).click();
    const post = page.getByTestId('post-list').locator('li').first();
    await expect.poll(() => post.getAttribute('data-status')).toBe('scheduled');
    expect(x.posts.size).toBe(0);
    await expect.poll(() => post.getAttribute('data-status'), { timeout: 40_000 }).toBe('published');
    const href = await post.getByRole('link', { name: 'View post' }).getAttribute('href');
    const [id] = [...x.posts.keys()];
    expect(href).toBe(`https://x.com/acme/status/${id}`);
    expect(x.posts.get(id)).toBe('Our spring shoe is here');
    await docsScreenshot(page, 'content-editor');
  });

  it('filters the library by status, kind, tag and words', async () => {
    await page.locator('nav a', { hasText: 'Content' }).click();
    await page.getByTestId('content-library').waitFor();
    const titles = () => page.locator('tbody tr td:first-child').allTextContents();
    await expect.poll(titles).toEqual(['Spring shoe launch', 'Old newsletter']);
    await page.getByLabel('Status').selectOption('published');
    await expect.poll(titles).toEqual(['Spring shoe launch']);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Tag').fill('news');
    await expect.poll(titles).toEqual(['Old newsletter']);
    await page.getByLabel('Tag').fill('');
    await page.getByLabel('Kind').selectOption('image');
    await page.getByLabel('Search').fill('green');
    await expect.poll(titles).toEqual(['Spring shoe launch']);
    await docsScreenshot(page, 'content-library');
  });
});
