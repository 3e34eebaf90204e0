import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsScreenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

/**
 * The contacts table and a contact's profile: filter, bulk-tag, edit every field with the
 * server's errors shown inline, lists, and the timeline (Chromium, API + UI, PGlite, Temporal dev server).
 */
describe('contacts table and profile in a browser (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;
  let adaId: string;

  const json = async <T>(response: Promise<Response>) => (await (await response).json()) as T;

  beforeAll(async () => {
    session = await browserSession();
    ({ stack, page } = session);
    await stack.call('POST', '/v1/attributes', { key: 'seats', label: 'Seats', type: 'number' });
    adaId = (
      await json<{ id: string }>(
        stack.call('POST', '/v1/contacts', {
          userId: 'ada',
          email: 'ada@profile.test',
          attributes: { seats: 3 },
        }),
      )
    ).id;
    await stack.call('POST', '/v1/contacts', {
      userId: 'bob',
      email: 'bob@profile.test',
      attributes: { seats: 40 },
      tags: ['trial'],
    });
    await stack.call('POST', '/v1/contacts', {
      userId: 'cyd',
      email: 'cyd@profile.test',
      attributes: { seats: 12 },
      tags: ['trial'],
    });
    await stack.call('POST', '/v1/lists', { name: 'Newsletter' });
  }, 180_000);
  afterAll(() => session?.close());

  it('defines an enum attribute on the attributes page; a missing option is refused inline', async () => {
    await page.goto(`${stack.url}/contacts/attributes`);
    await page.getByLabel('Key (as stored on the contact)').fill('tier');
    await page.getByLabel('Label').fill('Tier');
    await page.getByLabel('Type').selectOption('enum');
    await page.getByRole('button', { name: 'Add attribute' }).click();
    await page
      .locator('.field-error .field-message', { hasText: 'an enum needs at least one option' })
      .waitFor();
    await page.getByLabel('Options (comma-separated)').fill('gold, silver');
    await page.getByRole('button', { name: 'Add attribute' }).click();
    await page.locator('[data-testid="attributes-table"] tr', { hasText: 'gold, silver' }).waitFor();
  });

  it('filters the table by tag and attribute, sorts by an attribute, and tags a selection in bulk', async () => {
    await page.goto(`${stack.url}/contacts`);
    await page.locator('[data-testid="contacts-total"]', { hasText: '3 contacts' }).waitFor();
    await page.getByLabel('Tag', { exact: true }).fill('trial');
    await page.locator('[data-testid="contacts-total"]', { hasText: '2 contacts' }).waitFor();
    const filter = page.locator('[data-testid="attribute-filter"]');
    await filter.getByLabel('Attribute', { exact: true }).fill('seats');
    await filter.getByLabel('Operator').selectOption('gte');
    await filter.getByLabel('Value').fill('20');
    await filter.getByRole('button', { name: 'Add filter' }).click();
    // trial AND seats ≥ 20: bob.
    await page.locator('[data-testid="contacts-total"]', { hasText: '1 contacts' }).waitFor();
    await filter.getByRole('button', { name: 'Remove filter seats' }).click();
    await page.getByLabel('Tag', { exact: true }).fill('');
    await page.locator('[data-testid="contacts-total"]', { hasText: '3 contacts' }).waitFor();
    await page.locator('[data-testid="contacts-table"] th button', { hasText: 'Seats' }).click();
    // Seats descending: bob 40, cyd 12, ada 3.
    await expect
      .poll(() => page.locator('[data-testid="contacts-table"] tbody td:nth-child(3)').allTextContents())
      .toEqual(['bob', 'cyd', 'ada']);

    await page.getByLabel('Select bob@profile.test').check();
    await page.getByLabel('Select cyd@profile.test').check();
    await page.getByLabel('Bulk tag').fill('vip');
    await page.locator('[data-testid="bulk-bar"]').getByRole('button', { name: 'Tag', exact: true }).click();
    await page.locator('[data-testid="job-progress"][data-status="completed"]').waitFor();
    const vips = await json<{ total: number }>(stack.call('GET', '/v1/contacts?tag=vip'));
    expect(vips.total).toBe(2);
    await docsScreenshot(page, 'contacts-table');
  });

  it('edits a profile: the server refuses bad values inline, then saves fields, attributes, tags, lists, subscriptions', async () => {
    await page.goto(`${stack.url}/contacts/${adaId}`);
    const identity = page.locator('[data-testid="identity-form"]');
    await identity.getByLabel('Phone').fill('0612');
    await identity.getByRole('button', { name: 'Save profile' }).click();
    await identity.locator('.field-error .field-message', { hasText: 'E.164' }).waitFor();
    await identity.getByLabel('Phone').fill('+33612345678');
    await identity.getByLabel('Time zone').fill('Europe/Paris');
    await identity.getByRole('button', { name: 'Save profile' }).click();
    await identity.getByText('Saved.').waitFor();

    const attributes = page.locator('[data-testid="attributes-form"]');
    await attributes.getByLabel('Seats').fill('lots');
    await attributes.getByRole('button', { name: 'Save attributes' }).click();
    await attributes.locator('.field-message', { hasText: 'Seats must be a number' }).waitFor();
    await attributes.getByLabel('Seats').fill('25');
    await attributes.getByLabel('Tier').selectOption('gold');
    await attributes.getByRole('button', { name: 'Save attributes' }).click();
    await attributes.getByText('Saved.').waitFor();

    const tags = page.locator('[data-testid="tags-lists"]');
    await tags.getByLabel('Add a tag').fill('beta');
    await tags.getByRole('button', { name: 'Add tag' }).click();
    await tags.locator('.chip', { hasText: 'beta' }).waitFor();
    await tags.getByLabel('Add to list').selectOption({ label: 'Newsletter' });
    await tags.getByRole('button', { name: 'Add to list' }).click();
    await page.locator('[data-testid="contact-lists"] .chip', { hasText: 'Newsletter' }).waitFor();
    await page.locator('[data-testid="subscriptions"]').getByLabel('email').selectOption('unsubscribed');

    await expect
      .poll(async () => json<Record<string, unknown>>(stack.call('GET', `/v1/contacts/${adaId}`)))
      .toMatchObject({
        phone: '+33612345678',
        timezone: 'Europe/Paris',
        attributes: { seats: 25, tier: 'gold' },
        tags: ['beta'],
        subscriptions: { email: 'unsubscribed' },
      });
  });

  it('logs a call and a note on the timeline and filters it by kind', async () => {
    await page.goto(`${stack.url}/contacts/${adaId}`);
    const form = page.locator('[data-testid="log-activity"]');
    await form.getByRole('button', { name: 'Log note' }).click();
    await form.locator('.field-message', { hasText: 'A note needs text' }).waitFor();
    await form.getByLabel('Text').fill('Asked for a demo next week');
    await form.getByRole('button', { name: 'Log note' }).click();
    const timeline = page.locator('[data-testid="timeline"]');
    // The note is saved, and the form emptied for the next entry, before the call is typed in.
    await timeline.locator('.timeline-item[data-kind="note"]', { hasText: 'Asked for a demo' }).waitFor();
    await form.getByLabel('Log a').selectOption('call');
    await form.getByLabel('Subject').fill('Discovery call');
    await form.getByLabel('Text').fill('Interested in the gold tier');
    await form.getByLabel('Minutes').fill('20');
    await form.getByRole('button', { name: 'Log call' }).click();
    await timeline.locator('.timeline-item[data-kind="call"]', { hasText: 'Discovery call' }).waitFor();
    await timeline.getByLabel('Calls').check();
    await expect.poll(() => timeline.locator('.timeline-item').count()).toBe(1);
    await timeline.getByRole('button', { name: 'Show all' }).click();
    await expect.poll(() => timeline.locator('.timeline-item[data-kind="note"]').count()).toBe(1);
    await docsScreenshot(page, 'contact-profile');
  });
});
