import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../db/schema';
import { createContact } from '../../engine/audience/contacts/contacts';
import { docsScreenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

/**
 * A support agent's day in Chromium (playwright-core) against the API serving the built UI,
 * PGlite, the dispatcher and a worker on the real Temporal dev server: open a ticket (the form
 * shows the server's field error first), note and reply, resolve it, see the CSAT request the
 * "CSAT request" journey sends, rate it through the link, and read the reports.
 */
describe('service tickets in a browser (Chromium, API + UI, PGlite, dispatcher, Temporal dev server)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;

  beforeAll(async () => {
    session = await browserSession();
    ({ stack, page } = session);
    await createContact(stack.database.db, stack.workspace.id, { email: 'mia@example.com' });
    const journey = await (
      await stack.call('POST', '/v1/journeys/from-template', { template: 'csat-request' })
    ).json();
    expect((await stack.call('POST', `/v1/journeys/${journey.id}/publish`)).status).toBe(201);
    expect(
      (
        await stack.call('PUT', '/v1/sla-policies/high', {
          firstResponseMinutes: 240,
          resolutionMinutes: 1440,
        })
      ).status,
    ).toBe(200);
  }, 180_000);
  afterAll(() => session?.close());

  it('opens, answers and resolves a ticket; the CSAT request goes out and the rating comes back', async () => {
    await page.goto(`${stack.url}/tickets`);
    await page.locator('nav a', { hasText: 'Tickets' }).first().waitFor();
    await page.getByRole('button', { name: 'New ticket' }).click();
    const form = page.getByTestId('new-ticket-form');
    // Without a subject the server refuses, and the form says so on the field.
    await form.getByRole('button', { name: 'Create ticket' }).click();
    await expect.poll(() => form.getByTestId('error-subject').count()).toBe(1);

    await form.getByLabel('Subject').fill('Parcel arrived damaged');
    await form.getByLabel('Contact e-mail').fill('mia@example.com');
    await form.getByLabel('Priority').selectOption('high');
    await form.getByLabel('Description').fill('The box was crushed and the mug is broken.');
    await form.getByLabel('Tags').fill('shipping, damage');
    await form.getByRole('button', { name: 'Create ticket' }).click();
    const detail = page.getByTestId('ticket-detail');
    await detail.getByRole('heading', { name: 'Parcel arrived damaged' }).waitFor();
    await expect.poll(() => detail.textContent()).toContain('damage, shipping');
    await expect.poll(() => detail.getByTestId('ticket-sla').locator('[data-sla="due"]').count()).toBe(2);

    const comments = detail.getByTestId('comment-form');
    await comments.getByLabel('Internal note').check();
    await comments.getByRole('textbox').fill('Ask the carrier for photos.');
    await comments.getByRole('button', { name: 'Add note' }).click();
    await detail.locator('[data-kind="internal"]').waitFor();
    await comments.getByLabel('Reply to the contact').check();
    await comments.getByRole('textbox').fill('Sorry about that, a new mug is on its way.');
    await comments.getByRole('button', { name: 'Send reply' }).click();
    await detail.locator('[data-kind="reply"]').waitFor();
    // The reply was the first response, in time.
    await detail.getByTestId('ticket-sla').locator('[data-sla="met"]').waitFor();

    const state = detail.getByTestId('ticket-state-form');
    await state.getByLabel('Status').selectOption('resolved');
    await state.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => detail.getByTestId('ticket-sla').locator('[data-sla="met"]').count()).toBe(2);
    await docsScreenshot(page, 'tickets-01-detail');

    // Closing, then trying to reopen, is refused on the status field.
    await state.getByLabel('Status').selectOption('closed');
    await state.getByRole('button', { name: 'Save' }).click();
    // Saved: a closed ticket takes no more comments, so the comment form is gone.
    await expect.poll(() => detail.getByTestId('comment-form').count()).toBe(0);
    await state.getByLabel('Status').selectOption('open');
    await state.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => state.getByTestId('error-status').textContent()).toContain('closed ticket');

    // The journey sent the satisfaction request: it is in the messages list.
    const row = page.locator('tr', { hasText: 'How did we do?' });
    await expect
      .poll(
        async () => {
          await page.goto(`${stack.url}/messages`);
          await page.locator('nav a', { hasText: 'Messages' }).first().waitFor();
          // The page's code and its list load after the navigation: give the row a moment.
          await row
            .first()
            .waitFor({ timeout: 5_000 })
            .catch(() => undefined);
          return row.count();
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBeGreaterThan(0);
    await expect.poll(() => row.first().textContent()).toContain('mia@example.com');
    await docsScreenshot(page, 'tickets-02-csat-request-sent');

    const [sent] = await stack.database.db
      .select()
      .from(messages)
      .where(and(eq(messages.workspaceId, stack.workspace.id), eq(messages.subject, 'How did we do?')));
    const link = /https?:\/\/\S+\/t\/r\/[\w.-]+/.exec(sent?.body ?? '')?.[0] as string;
    expect(link).toBeDefined();
    await page.goto(`${stack.url}${new URL(link).pathname}?rating=5`);
    await page.getByLabel('Comment (optional)').fill('Quick and kind');
    await page.getByRole('button', { name: 'Send rating' }).click();
    await page.getByRole('status').filter({ hasText: 'Thank you' }).waitFor();

    await page.goto(`${stack.url}/tickets`);
    await page.getByLabel('Status filter').selectOption('closed');
    await page.getByLabel('Assignee filter').selectOption('none');
    await page.getByRole('link', { name: 'Parcel arrived damaged' }).click();
    await expect.poll(() => page.getByTestId('ticket-rating').textContent()).toContain('Rated 5/5');

    await page.getByRole('link', { name: 'Reports' }).click();
    await expect.poll(() => page.getByTestId('report-volume').textContent()).toContain('1');
    await expect.poll(() => page.getByTestId('report-csat').textContent()).toContain('100%');
    await expect.poll(() => page.getByTestId('report-sla').textContent()).toContain('100%');
    await docsScreenshot(page, 'tickets-03-reports');

    // SLA policies: the server's refusal shows on the field; a valid policy is saved.
    await page.getByRole('link', { name: 'SLA policies' }).click();
    const urgent = page.getByTestId('sla-urgent');
    await urgent.getByLabel('First response (minutes)').fill('60');
    await urgent.getByLabel('Resolution (minutes)').fill('30');
    await urgent.getByRole('button', { name: 'Save urgent' }).click();
    await expect
      .poll(() => urgent.getByTestId('error-resolutionMinutes').textContent())
      .toContain('cannot be shorter');
    await urgent.getByLabel('Resolution (minutes)').fill('240');
    await urgent.getByLabel('Notify').fill('leads@example.com');
    await urgent.getByRole('button', { name: 'Save urgent' }).click();
    await expect
      .poll(async () => {
        const policies = (await (await stack.call('GET', '/v1/sla-policies')).json()) as {
          data: { priority: string; resolutionMinutes: number; notifyEmail: string | null }[];
        };
        return policies.data.find((p) => p.priority === 'urgent');
      })
      .toMatchObject({ resolutionMinutes: 240, notifyEmail: 'leads@example.com' });
    await expect.poll(() => urgent.getByTestId('error-resolutionMinutes').count()).toBe(0);
  }, 120_000);
});
