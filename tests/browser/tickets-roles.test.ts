import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickets } from '../../db/schema';
import { createContact } from '../../engine/audience/contacts/contacts';
import { addMember } from '../../engine/identity/memberships';
import { createUser } from '../../engine/identity/users';
import { type OpenBrowser, openBrowser } from './helpers/browser';
import { type Credentials, type Stack, signInAt, startStack } from './helpers/stack';

const AGENT = { email: 'sam.support@example.com', name: 'Sam Support', password: 'copper-lagoon-thistle-58' };
const MARKETER = { email: 'mara.marketing@example.com', name: 'Mara', password: 'linen-harbor-falcon-23' };
const HOUR = 3_600_000;

/**
 * Who sees tickets, in Chromium against the API serving the built UI (PGlite, Temporal dev
 * server), signed in with passwords as in `wayline api`: a support agent works their queue and
 * sees an overdue first response; a marketer has no Tickets entry and is told why at its address.
 */
describe('tickets by role in a browser (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let stack: Stack;
  let browsers: OpenBrowser[] = [];

  async function signedIn(who: Credentials): Promise<Page> {
    const browser = await openBrowser();
    browsers.push(browser);
    const page = browser.page;
    await signInAt(page, stack, who);
    return page;
  }

  beforeAll(async () => {
    stack = await startStack({ autologin: false });
    const { db } = stack.database;
    const agent = await createUser(db, AGENT);
    await addMember(db, stack.workspace.id, agent.id, 'support');
    const marketer = await createUser(db, MARKETER);
    await addMember(db, stack.workspace.id, marketer.id, 'marketer');
    const contact = await createContact(db, stack.workspace.id, { email: 'late@example.com' });
    const created = new Date(Date.now() - 6 * HOUR);
    await db.insert(tickets).values({
      workspaceId: stack.workspace.id,
      contactId: contact.id,
      subject: 'Still waiting for an answer',
      priority: 'high',
      assigneeUserId: agent.id,
      createdAt: created,
      firstResponseDueAt: new Date(created.getTime() + 4 * HOUR),
      resolutionDueAt: new Date(created.getTime() + 24 * HOUR),
    });
    // A full Returns queue: 30 tickets, one a minute, so the inbox (25 a page) has two pages.
    await db.insert(tickets).values(
      Array.from({ length: 30 }, (_, i) => ({
        workspaceId: stack.workspace.id,
        contactId: contact.id,
        subject: `Return request ${String(i + 1).padStart(2, '0')}`,
        queue: 'Returns',
        createdAt: new Date(created.getTime() + i * 60_000),
      })),
    );
  }, 180_000);
  afterAll(async () => {
    for (const browser of browsers) await browser.close();
    browsers = [];
    await stack?.close();
  });

  it('shows a support agent the inbox with their overdue ticket', async () => {
    const page = await signedIn(AGENT);
    const nav = page.locator('nav a');
    await expect.poll(() => nav.allTextContents()).toContain('Tickets');
    expect(await nav.allTextContents()).not.toContain('Journeys');
    await nav.filter({ hasText: 'Tickets' }).first().click();
    await page.getByLabel('Assignee filter').selectOption({ label: 'Sam Support' });
    const row = page.getByTestId('ticket-row').filter({ hasText: 'Still waiting for an answer' });
    await row.waitFor();
    // First response was due 2 hours ago; resolution is still ahead.
    expect(
      await row.locator('[data-sla]').evaluateAll((els) => els.map((e) => e.getAttribute('data-sla'))),
    ).toEqual(['overdue', 'due']);
    await page.getByLabel('Assignee filter').selectOption('none');
    await expect.poll(() => page.getByTestId('ticket-row').count()).toBe(0);
  });

  it('pages through a queue of 30 tickets, newest first, 25 a page', async () => {
    const page = await signedIn(AGENT);
    await page.goto(`${stack.url}/tickets`);
    await page.getByLabel('Queue filter').fill('Returns');
    const rows = page.getByTestId('ticket-row');
    const subjects = () => rows.locator('a').allTextContents();
    await expect.poll(() => rows.count()).toBe(25);
    expect((await subjects())[0]).toBe('Return request 30');
    const pager = page.getByTestId('ticket-pager');
    expect(await pager.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);
    await pager.getByRole('button', { name: 'Next' }).click();
    // Page 2: the five oldest, 05 down to 01, and no page after it.
    await expect.poll(subjects).toEqual(['05', '04', '03', '02', '01'].map((n) => `Return request ${n}`));
    expect(await pager.textContent()).toContain('Page 2');
    expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await pager.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => rows.count()).toBe(25);
    expect((await subjects())[0]).toBe('Return request 30');
  });

  it('gives a marketer no Tickets entry, and says which permission the page needs', async () => {
    const page = await signedIn(MARKETER);
    expect(await page.locator('nav a').allTextContents()).not.toContain('Tickets');
    await page.goto(`${stack.url}/tickets`);
    const refused = page.getByTestId('not-allowed');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('tickets:read');
  });
});
