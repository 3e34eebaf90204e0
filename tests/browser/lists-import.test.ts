import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsScreenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

/**
 * Lists and the CSV import: create a list, add a contact by hand, import a file into it with a
 * column mapping, see the rejected rows (Chromium, API + UI, PGlite, Temporal dev server).
 */
describe('lists and CSV import in a browser (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;

  beforeAll(async () => {
    session = await browserSession();
    ({ stack, page } = session);
    await stack.call('POST', '/v1/contacts', { userId: 'existing', email: 'existing@lists.test' });
    await stack.call('POST', '/v1/attributes', {
      key: 'company_size',
      label: 'Company size',
      type: 'number',
    });
  }, 180_000);
  afterAll(() => session?.close());

  it('creates a list and adds a contact by hand', async () => {
    await page.goto(`${stack.url}/lists`);
    await page.getByLabel('Name').fill('Trade fair 2026');
    await page.getByLabel('Description').fill('Met at the booth');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.locator('[data-testid="lists-table"] a', { hasText: 'Trade fair 2026' }).click();
    await page.locator('[data-testid="list-size"]', { hasText: '0 contacts' }).waitFor();
    await page.locator('[data-testid="list-add-search"]').fill('existing');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('[data-testid="list-size"]', { hasText: '1 contacts' }).waitFor();
    await page.locator('[data-testid="list-members"]', { hasText: 'existing@lists.test' }).waitFor();
  });

  it('imports a CSV into the list with a column mapping; broken rows are named and downloadable', async () => {
    await page.getByRole('link', { name: 'Import CSV into this list' }).click();
    // Line 3: bad email; line 4: size is not a number. Lines 2 and 5 import.
    const csv = [
      'E-mail,Customer no,Size,Internal note',
      'lea@fair.test,L1,40,vip',
      'oops,L2,5,',
      'max@fair.test,L3,big,',
      'noa@fair.test,L4,8,',
    ].join('\n');
    const file = path.join(os.tmpdir(), `wayline-import-${process.pid}.csv`);
    writeFileSync(file, csv);
    await page.locator('#import-file').setInputFiles(file);
    const mapping = page.locator('[data-testid="import-mapping"]');
    await mapping.waitFor();
    await expect(mapping.getByLabel('Map E-mail').inputValue()).resolves.toBe('email');
    await mapping.getByLabel('Map Customer no').selectOption('userId');
    await mapping.getByLabel('Map Size').selectOption('attributes.company_size');
    await mapping.getByLabel('Map Internal note').selectOption('');
    await docsScreenshot(page, 'import-mapping');
    await mapping.getByRole('button', { name: 'Preview' }).click();
    await page
      .locator('[data-testid="import-summary"]', { hasText: '4 rows: 2 will be imported, 2 rejected.' })
      .waitFor();
    await expect(page.locator('[data-testid="import-errors"] li').allTextContents()).resolves.toEqual([
      'Line 3 (email): Invalid email address',
      'Line 4 (attributes.company_size): Company size must be a number',
    ]);
    await page.getByRole('button', { name: 'Import 2 contacts' }).click();
    await page.locator('[data-testid="job-progress"][data-status="completed"]').waitFor();
    await docsScreenshot(page, 'import-done');
    const download = page.waitForEvent('download');
    await page.locator('[data-testid="download-rejected"]').click();
    const rejected = readFileSync(await (await download).path(), 'utf8')
      .trim()
      .split('\r\n');
    expect(rejected).toEqual([
      'E-mail,Customer no,Size,Internal note,error',
      'oops,L2,5,,"line 3 email: Invalid email address"',
      'max@fair.test,L3,big,,"line 4 attributes.company_size: Company size must be a number"',
    ]);

    await page.getByRole('link', { name: 'See the contacts' }).click();
    await page.locator('[data-testid="list-size"]', { hasText: '3 contacts' }).waitFor();
    const members = page.locator('[data-testid="list-members"]');
    await members.getByText('lea@fair.test').waitFor();
    await members.getByText('noa@fair.test').waitFor();
    await docsScreenshot(page, 'list-detail');
    const contacts = (await (await stack.call('GET', '/v1/contacts?q=fair.test')).json()) as {
      data: { externalId: string; attributes: Record<string, unknown> }[];
    };
    expect(contacts.data.map((c) => [c.externalId, c.attributes]).sort()).toEqual([
      ['L1', { company_size: 40 }],
      ['L4', { company_size: 8 }],
    ]);
  });
});
