import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCampaignReturns } from '../engine/analytics/campaign-fixture';
import { docsScreenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

/**
 * Campaign numbers in the analytics area: Chromium (playwright-core) against the API serving the
 * built UI, PGlite and the Temporal dev server. The two campaigns of
 * tests/engine/analytics/campaign-fixture.ts (numbers worked by hand there): the Autumn funnel under
 * last and first touch, and the dashboard's ROI over 2026-10-26..2026-11-15.
 */
describe('campaign funnel and dashboard ROI in a browser (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;

  beforeAll(async () => {
    session = await browserSession();
    ({ stack, page } = session);
    await seedCampaignReturns(stack.database.db, stack.workspace.id);
  }, 300_000);
  afterAll(() => session?.close());

  it("shows a campaign's funnel by its attribution model", async () => {
    await page.goto(`${stack.url}/analytics`);
    await page
      .getByRole('navigation', { name: 'Analytics' })
      .getByRole('link', { name: 'Campaign funnel' })
      .click();
    await page.locator('select[name="campaignId"]').selectOption({ label: 'Autumn' });
    const table = page.getByRole('table', { name: 'Campaign funnel' });
    const contactsColumn = () => table.locator('tbody tr td:nth-child(2)').allTextContents();
    await expect.poll(contactsColumn).toEqual(['7', '6', '5', '3', '2', '3']);
    await expect.poll(() => page.getByRole('note').textContent()).toContain('revenue 190.00');
    await docsScreenshot(page, 'analytics-campaign-funnel');
    await page.locator('select[name="model"]').selectOption({ label: 'First touch' });
    await expect.poll(contactsColumn).toEqual(['7', '6', '5', '3', '2', '4']);
    await expect.poll(() => page.getByRole('note').textContent()).toContain('revenue 270.00');
  });

  it('sets attributed revenue against spend on the home dashboard', async () => {
    await page.getByRole('navigation', { name: 'Analytics' }).getByRole('link', { name: 'Overview' }).click();
    await page.locator('input[type="date"]').first().fill('2026-10-26');
    await page.locator('input[type="date"]').nth(1).fill('2026-11-15');
    const figure = (label: string) =>
      page
        .getByRole('region', { name: 'Headline numbers' })
        .locator('.figure', { hasText: label })
        .locator('strong');
    // 270 attributed against 20.10 spent: ROI (270 − 20.1) / 20.1 = 1243 %.
    await expect.poll(() => figure('Attributed revenue').textContent()).toBe('270.00');
    await expect.poll(() => figure('Campaign spend').textContent()).toBe('20.10');
    await expect.poll(() => figure('ROI').textContent()).toBe('1243 %');
    // Week of 2026-11-02: no new contact (they were made today), messages 4 + 1 + 2 = 7, orders of
    // c0, c1, c2, c3, c5 = 5 worth 310; attributed 100 + 40 + 80 = 220 against 2.5 + 0.5 + 2 = 5.
    const weeks = page.getByRole('table', { name: 'Weekly numbers' }).locator('tbody tr');
    await expect
      .poll(() => weeks.nth(1).locator('td').allTextContents())
      .toEqual(['2026-11-02', '0', '7', '5', '310.00', '220.00', '5.00', '4300 %']);
    await docsScreenshot(page, 'analytics-dashboard-roi');
  });
});
