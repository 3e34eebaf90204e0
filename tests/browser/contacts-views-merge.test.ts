import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts } from '../../db/schema';
import { createContact } from '../../engine/audience/contacts/contacts';
import { addMember } from '../../engine/identity/memberships';
import { createUser } from '../../engine/identity/users';
import { type BrowserSession, browserSession, type Stack, signInAt } from './helpers/stack';

const MARKETER = { email: 'mona.marketing@example.com', name: 'Mona', password: 'amber-quarry-willow-71' };
/** More leads than the table shows on one page (50), so "all matching" is a server export. */
const LEADS = 55;

/**
 * A marketer's contacts work in Chromium, signed in with a password against the API serving the
 * built UI (PGlite, Temporal dev server): save a filtered view of the table and come back to it,
 * export every matching contact as CSV, and merge a duplicate into a contact by hand.
 */
describe('saved views, CSV export and manual merge as a marketer (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;
  let zoeId: string;
  let duplicateId: string;

  const json = async <T>(response: Promise<Response>) => (await (await response).json()) as T;
  const total = (text: string) => page.locator('[data-testid="contacts-total"]', { hasText: text }).waitFor();

  beforeAll(async () => {
    session = await browserSession({ autologin: false });
    ({ stack, page } = session);
    const { db } = stack.database;
    const marketer = await createUser(db, MARKETER);
    await addMember(db, stack.workspace.id, marketer.id, 'marketer');
    const ws = stack.workspace.id;
    zoeId = (await createContact(db, ws, { userId: 'zoe', email: 'zoe@views.test', tags: ['vip'] })).id;
    await createContact(db, ws, { userId: 'amy', email: 'amy@views.test', tags: ['vip'] });
    duplicateId = (
      await createContact(db, ws, {
        email: 'zoe.old@views.test',
        tags: ['newsletter'],
        attributes: { company: 'Zoe Ltd' },
      })
    ).id;
    // The leads are plain rows, written at once: only their count and tag matter here.
    await db.insert(contacts).values(
      Array.from({ length: LEADS }, (_, i) => ({
        workspaceId: ws,
        email: `lead${String(i).padStart(2, '0')}@views.test`,
        tags: ['lead'],
      })),
    );
    await signInAt(page, stack, MARKETER);
  }, 300_000);
  afterAll(() => session?.close());

  it('saves a filtered, sorted view of the table and brings it back after a reload', async () => {
    await page.goto(`${stack.url}/contacts`);
    await total(`${LEADS + 3} contacts`);
    await page.getByLabel('Tag', { exact: true }).fill('vip');
    await total('2 contacts');
    await page.locator('[data-testid="contacts-table"] th button', { hasText: 'Email' }).click();
    const views = page.getByTestId('saved-views');
    await views.getByLabel('View name').fill('VIP customers');
    await views.getByRole('button', { name: 'Save view' }).click();
    await expect
      .poll(() => views.getByLabel('Saved view').locator('option').allTextContents())
      .toContain('VIP customers');
    const saved = await json<{ data: { name: string; query: Record<string, unknown> }[] }>(
      stack.call('GET', '/v1/contact-views'),
    );
    expect(saved.data.find((v) => v.name === 'VIP customers')?.query).toMatchObject({ tag: 'vip' });

    await page.reload();
    await total(`${LEADS + 3} contacts`);
    await page.getByTestId('saved-views').getByLabel('Saved view').selectOption({ label: 'VIP customers' });
    await total('2 contacts');
    expect(await page.getByLabel('Tag', { exact: true }).inputValue()).toBe('vip');
    // The view's sort came back too: e-mail descending (the second click on the header), zoe first.
    await expect
      .poll(() => page.locator('[data-testid="contacts-table"] tbody td:nth-child(3)').allTextContents())
      .toEqual(['zoe', 'amy']);
  });

  it('exports every contact matching the filter as CSV, beyond the page shown', async () => {
    await page.goto(`${stack.url}/contacts`);
    await page.getByLabel('Tag', { exact: true }).fill('lead');
    await total(`${LEADS} contacts`);
    await page.getByLabel('Select page').check();
    await page.getByRole('button', { name: `Select all ${LEADS} matching contacts` }).click();
    const bar = page.getByTestId('bulk-bar');
    await bar.getByText(`${LEADS} selected`).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      bar.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path()) as string, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(csv[0].startsWith('id,userId,email')).toBe(true);
    expect(csv).toHaveLength(LEADS + 1);
    expect(csv.filter((line) => line.includes('@views.test') && line.includes('lead'))).toHaveLength(LEADS);
  });

  it('merges a duplicate into a contact from its profile: gaps filled, the duplicate gone', async () => {
    await page.goto(`${stack.url}/contacts`);
    await page.getByLabel('Search contacts').fill('zoe');
    await total('2 contacts');
    await page.getByRole('link', { name: 'zoe@views.test', exact: true }).click();
    const merge = page.getByTestId('merge-card');
    await merge.getByLabel('Find duplicate').fill('zoe.old');
    const candidate = merge.locator('li', { hasText: 'zoe.old@views.test' });
    await candidate.waitFor();
    page.once('dialog', (dialog) => dialog.accept());
    await candidate.getByRole('button', { name: 'Merge into this contact' }).click();
    // Zoe keeps her e-mail and user id, gains the duplicate's tag and company.
    await page.getByTestId('tags-lists').locator('.chip', { hasText: 'newsletter' }).waitFor();
    expect(await json(stack.call('GET', `/v1/contacts/${zoeId}`))).toMatchObject({
      email: 'zoe@views.test',
      externalId: 'zoe',
      tags: ['newsletter', 'vip'],
      attributes: { company: 'Zoe Ltd' },
    });
    expect((await stack.call('GET', `/v1/contacts/${duplicateId}`)).status).toBe(404);
  });
});
