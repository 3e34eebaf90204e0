import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContact } from '../../engine/audience/contacts/contacts';
import { docsScreenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

interface Pipeline {
  id: string;
  stages: { id: string; name: string }[];
}

/**
 * A salesperson's day on the deals board: Chromium (playwright-core) against the API serving
 * the built UI, PGlite, the dispatcher and a worker on the real Temporal dev server.
 */
describe('deals board, forms, detail and reports in a browser (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;
  let pipeline: Pipeline;
  let adaId: string;
  const dealIds: Record<string, string> = {};

  const column = (stage: string) => page.getByTestId(`stage-${stage}`);
  const total = (stage: string) => column(stage).getByTestId('column-total');

  beforeAll(async () => {
    session = await browserSession();
    ({ stack, page } = session);
    adaId = (
      await createContact(stack.database.db, stack.workspace.id, { userId: 'ada', email: 'ada@example.com' })
    ).id;
    pipeline = (await (
      await stack.call('POST', '/v1/pipelines', {
        name: 'New business',
        stages: [
          { name: 'Lead', winProbability: 10 },
          { name: 'Proposal', winProbability: 60 },
          { name: 'Won', closedWon: true },
          { name: 'Lost', closedLost: true },
        ],
      })
    ).json()) as Pipeline;
    const seed = [
      { title: 'Acme rollout', value: 1000, stage: 'Lead' },
      { title: 'Globex upgrade', value: 2500, stage: 'Lead', contactIds: [adaId] },
      { title: 'Initech pilot', value: 400, stage: 'Proposal' },
    ];
    for (const { stage, ...deal } of seed) {
      const response = await stack.call('POST', '/v1/deals', {
        ...deal,
        currency: 'EUR',
        pipelineId: pipeline.id,
        stageId: pipeline.stages.find((s) => s.name === stage)?.id,
        expectedCloseDate: '2027-02-15',
      });
      expect(response.status).toBe(201);
      dealIds[deal.title] = ((await response.json()) as { id: string }).id;
    }
  }, 180_000);
  afterAll(() => session?.close());

  it('drags a deal across the board and the column totals follow', async () => {
    await page.goto(`${stack.url}/`);
    await page.locator('nav a', { hasText: 'Deals' }).click();
    await page.getByTestId('deal-board').waitFor();
    // Lead: 1000 + 2500 = 3500; Proposal: 400.
    await expect.poll(() => total('Lead').textContent()).toBe('€3,500');
    expect(await total('Proposal').textContent()).toBe('€400');

    await page.dragAndDrop('[data-deal="Globex upgrade"]', '[data-testid="stage-Proposal"]');
    // Lead: 3500 − 2500 = 1000; Proposal: 400 + 2500 = 2900.
    await expect.poll(() => total('Lead').textContent()).toBe('€1,000');
    await expect.poll(() => total('Proposal').textContent()).toBe('€2,900');
    expect(await column('Proposal').getByTestId('column-count').textContent()).toBe('2 deals');
    await docsScreenshot(page, 'deals-board');

    // The server moved it, and Ada (the deal's contact) got the event journeys trigger on.
    await expect
      .poll(
        async () =>
          (
            (await (await stack.call('GET', `/v1/deals/${dealIds['Globex upgrade']}`)).json()) as {
              stageName: string;
            }
          ).stageName,
      )
      .toBe('Proposal');
    await page.reload();
    await page.getByTestId('deal-board').waitFor();
    await expect.poll(() => total('Proposal').textContent()).toBe('€2,900');
    const events = (await (await stack.call('GET', `/v1/contacts/${adaId}/events`)).json()) as {
      data: { name: string; properties: Record<string, unknown> }[];
    };
    const changed = events.data.find((e) => e.name === 'Deal Stage Changed');
    expect(changed?.properties).toMatchObject({ stage: 'Proposal', previousStage: 'Lead', value: 2500 });
  });

  it('shows the server field error under the input, then creates the deal', async () => {
    await page.getByRole('button', { name: 'New deal' }).click();
    const form = page.getByTestId('deal-form');
    await form.getByLabel('Title').fill('Umbrella expansion');
    await form.getByLabel('Value').fill('750');
    await form.getByLabel('Currency').fill('EU');
    await form.getByRole('button', { name: 'Create deal' }).click();
    const error = form.locator('[data-field-error="deal-currency"]');
    await error.waitFor();
    expect(await error.textContent()).toContain('three-letter');
    await docsScreenshot(page, 'deals-form-error');

    await form.getByLabel('Currency').fill('EUR');
    await form.getByRole('button', { name: 'Create deal' }).click();
    await form.waitFor({ state: 'detached' });
    // Lead: 1000 + 750 = 1750.
    await expect.poll(() => total('Lead').textContent()).toBe('€1,750');
  });

  it('opens a deal, adds a note and shows its stage history', async () => {
    await page.locator('[data-deal="Globex upgrade"]').getByRole('link').click();
    const detail = page.getByTestId('deal-detail');
    await detail.waitFor();
    expect(await detail.getByTestId('deal-value').textContent()).toBe('€2,500');
    await detail.getByLabel('New note').fill('Asked for a three-year price');
    await detail.getByRole('button', { name: 'Add note' }).click();
    await detail.getByTestId('deal-notes').getByText('Asked for a three-year price').waitFor();
    const stages = await detail
      .getByTestId('deal-history')
      .locator('tbody tr td:first-child')
      .allTextContents();
    expect(stages).toEqual(['Lead', 'Proposal']);
    await docsScreenshot(page, 'deals-detail');

    await detail.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByTestId('deal-form');
    await form.getByLabel('Title').fill('');
    await form.getByLabel('Value').fill('2600');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.locator('[data-field-error="deal-title"]').waitFor();
    await form.getByLabel('Title').fill('Globex upgrade');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    await expect.poll(() => detail.getByTestId('deal-value').textContent()).toBe('€2,600');
  });

  it('creates a pipeline in the builder, showing a duplicate stage name under its row', async () => {
    await page.goto(`${stack.url}/deals?pipeline=${pipeline.id}`);
    await page.getByRole('button', { name: 'New pipeline' }).click();
    const form = page.getByTestId('pipeline-form');
    await form.getByLabel('Name', { exact: true }).fill('Renewals');
    // The default stages are Lead, Qualified, Proposal, Won, Lost: rename Qualified to Lead.
    await form.getByLabel('Stage 2 name').fill('lead');
    await form.getByRole('button', { name: 'Save pipeline' }).click();
    await form.locator('tr.field-error').getByText('Two stages are named lead').waitFor();
    await form.getByLabel('Stage 2 name').fill('Negotiation');
    await form.getByRole('button', { name: 'Save pipeline' }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByTestId('stage-Negotiation').waitFor();
    expect(await page.getByLabel('Pipeline').inputValue()).not.toBe(pipeline.id);
    expect(await page.getByTestId('deal-card').count()).toBe(0);
  });

  it('lists deals and shows the pipeline reports', async () => {
    await page.goto(`${stack.url}/deals?pipeline=${pipeline.id}&view=list`);
    const list = page.getByTestId('deal-list');
    await list.waitFor();
    await expect.poll(() => list.locator('tbody tr').count()).toBe(4);

    await page.getByRole('link', { name: 'Reports' }).click();
    const funnel = page.getByTestId('funnel-table');
    await funnel.waitFor();
    // Four deals created today: all reached Lead, Globex and Initech reached Proposal (2 of 4).
    const rows = await funnel.locator('tbody tr').allTextContents();
    expect(rows[0]).toBe('Lead4—');
    expect(rows[1]).toBe('Proposal250%');
    await docsScreenshot(page, 'deals-reports');
  });
});
