import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../db/schema';
import { createContact } from '../../engine/audience/contacts/contacts';
import { screenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

const DAY = 86_400_000;

/**
 * From numbers to action: Chromium (playwright-core) against the API serving the built UI,
 * PGlite and a worker on the real Temporal dev server. The marketer refreshes RFM, makes a
 * segment from a grid cell, and a journey branch uses that segment.
 */
describe('RFM grid to journey condition in a browser (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;
  const contactIds: string[] = [];

  beforeAll(async () => {
    session = await browserSession();
    ({ stack, page } = session);
    const { db } = stack.database;
    const rows: (typeof events.$inferInsert)[] = [];
    for (let i = 0; i < 10; i++) {
      const contact = await createContact(db, stack.workspace.id, {
        userId: `shopper-${i}`,
        email: `s${i}@example.com`,
      });
      contactIds.push(contact.id);
      for (let k = 0; k <= i % 5; k++) {
        rows.push({
          workspaceId: stack.workspace.id,
          contactId: contact.id,
          messageId: `order-${i}-${k}`,
          type: 'track',
          name: 'Order Completed',
          properties: { revenue: 20 + 10 * i },
          timestamp: new Date(Date.now() - (1 + 30 * i + k) * DAY),
        });
      }
    }
    await db.insert(events).values(rows);
  }, 180_000);
  afterAll(() => session?.close());

  it('refreshes RFM, makes a segment from a cell and branches a journey on it', async () => {
    await page.goto(`${stack.url}/analytics/rfm`);
    await page.locator('nav a', { hasText: 'Analytics' }).first().waitFor();
    await page.getByRole('button', { name: 'Refresh RFM' }).click();
    const grid = page.getByRole('table', { name: 'RFM grid' });
    const cells = grid.locator('td button');
    await expect.poll(() => cells.count()).toBeGreaterThan(1);
    await screenshot(page, 'analytics-01-rfm-grid');

    const rfm = (await (await stack.call('GET', '/v1/analytics/rfm')).json()) as {
      cells: { r: number; fm: number; segment: string; contacts: number }[];
    };
    expect(rfm.cells.reduce((s, c) => s + c.contacts, 0)).toBe(10);
    const chosen = rfm.cells.find((c) => c.r === 5) ?? rfm.cells[0];
    await grid.getByRole('button', { name: new RegExp(`^R${chosen.r} FM${chosen.fm} `) }).click();
    await page.getByRole('button', { name: 'Make a segment from this cell' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `created with ${chosen.contacts} contacts` })
      .waitFor();
    await screenshot(page, 'analytics-02-segment-from-cell');

    const segments = (await (await stack.call('GET', '/v1/segments')).json()) as {
      data: { id: string; name: string; members: number }[];
    };
    const segment = segments.data.find((s) => s.name.startsWith('RFM '));
    expect(segment?.members).toBe(chosen.contacts);

    const created = await stack.call('POST', '/v1/journeys', {
      name: 'Win back by RFM',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {}, position: { x: 0, y: 0 } },
        {
          id: 'check',
          type: 'branch.condition',
          config: { match: 'all', conditions: [{ kind: 'tag', tag: 'vip', present: true }] },
          position: { x: 0, y: 170 },
        },
        { id: 'in-cell', type: 'exit', config: {}, position: { x: -150, y: 360 } },
        { id: 'elsewhere', type: 'exit', config: {}, position: { x: 150, y: 360 } },
      ],
      edges: [
        { id: 'e-start', source: 'start', sourceHandle: 'next', target: 'check' },
        { id: 'e-true', source: 'check', sourceHandle: 'true', target: 'in-cell' },
        { id: 'e-false', source: 'check', sourceHandle: 'false', target: 'elsewhere' },
      ],
      settings: {},
    });
    expect(created.status).toBe(201);
    const { id: journeyId } = (await created.json()) as { id: string };

    await page.goto(`${stack.url}/journeys/${journeyId}`);
    const node = page.locator('.react-flow__node[data-id="check"]');
    await node.click();
    const panel = page.locator('[data-node-panel="check"]');
    await panel.waitFor();
    await panel.locator('select[name="conditions.0.kind"]').selectOption({ label: 'Segment' });
    await panel.locator('input[name="conditions.0.segmentId"]').fill(segment!.id);
    await page.locator('[data-save-state="saved"]').waitFor();
    await expect
      .poll(async () => {
        const journey = (await (await stack.call('GET', `/v1/journeys/${journeyId}`)).json()) as any;
        return journey.draft.nodes.find((n: { id: string }) => n.id === 'check').config.conditions[0];
      })
      .toMatchObject({ kind: 'segment', segmentId: segment!.id });
    await page.locator('[data-testid="problems"] [data-errors="0"]').waitFor();
    await screenshot(page, 'analytics-03-journey-condition');

    // Published, two contacts enrolled: the one in the cell leaves by "true", another by "false".
    await expect.poll(() => page.locator('[data-testid="publish"]').isEnabled()).toBe(true);
    await page.locator('[data-testid="publish"]').click();
    await page.locator('[data-testid="confirm-publish"]').click();
    await page.locator('.editor-title .badge.status-active').waitFor();
    const members = new Set(
      (
        (await (await stack.call('GET', `/v1/analytics/rfm/scores`)).json()) as {
          data: { contactId: string; r: number; f: number; m: number }[];
        }
      ).data
        .filter((s) => s.r === chosen.r && Math.floor((s.f + s.m + 1) / 2) === chosen.fm)
        .map((s) => s.contactId),
    );
    const inside = contactIds.find((id) => members.has(id)) as string;
    const outside = contactIds.find((id) => !members.has(id)) as string;
    const enrolled = await stack.call('POST', `/v1/journeys/${journeyId}/enroll`, {
      contactIds: [inside, outside],
    });
    expect(enrolled.status).toBe(200);
    await expect
      .poll(
        async () => {
          const counts = (await (await stack.call('GET', `/v1/journeys/${journeyId}/counts`)).json()) as {
            nodes: Record<string, { entered: number; ports: Record<string, number> }>;
          };
          return counts.nodes.check?.ports;
        },
        { timeout: 20_000 },
      )
      .toEqual({ true: 1, false: 1 });
  });

  it('shows the headline numbers, computes the CLTV formula and renders every analytics page', async () => {
    await page.goto(`${stack.url}/analytics`);
    const headline = page.getByRole('region', { name: 'Headline numbers' });
    await headline.locator('.figure', { hasText: 'Contacts' }).locator('strong', { hasText: '10' }).waitFor();
    await page.locator('.analytics-tabs a', { hasText: 'Lifetime value' }).click();
    await page.getByLabel('Periods (T)').fill('5');
    await page.getByRole('button', { name: 'Compute' }).click();
    await page.getByRole('status').filter({ hasText: 'CLTV = 3,790.79' }).waitFor();
    await page.getByLabel('Convention').selectOption('first-undiscounted');
    await page.getByRole('button', { name: 'Compute' }).click();
    await page.getByRole('status').filter({ hasText: 'CLTV = 4,169.87' }).waitFor();
    await screenshot(page, 'analytics-04-clv');
    for (const tab of ['Clusters', 'Product affinity', 'Forecast', 'Funnels', 'Cohorts']) {
      await page.locator('.analytics-tabs a', { hasText: tab }).click();
      await page.locator('.analytics-tabs a.active', { hasText: tab }).waitFor();
      expect(await page.locator('.alert.error').count()).toBe(0);
    }
    await page.getByRole('button', { name: 'Show cohorts' }).click();
    await page.locator('table.heat tbody tr').first().waitFor();
    await screenshot(page, 'analytics-05-cohorts');
  });

  it('reads a journey’s funnel and narrows the headline numbers to a segment', async () => {
    const journeys = (await (await stack.call('GET', '/v1/journeys')).json()) as {
      data: { id: string; name: string }[];
    };
    const journey = journeys.data.find((j) => j.name === 'Win back by RFM');
    expect(journey).toBeDefined();
    await page.goto(`${stack.url}/analytics/journey-funnel`);
    await page.getByLabel('Journey').selectOption({ label: 'Win back by RFM' });
    const steps = page.getByRole('group', { name: 'Funnel steps, in flow order' });
    await steps.getByLabel('elsewhere (exit)').uncheck();
    await page.getByRole('button', { name: 'Run funnel' }).click();
    const table = page.getByRole('table', { name: 'Journey funnel' });
    await table.locator('tbody tr').nth(2).waitFor();
    // Two runs entered; the one in the cell went on to "in-cell", the other left by "elsewhere".
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)),
      );
    expect(rows).toEqual([
      ['start (trigger.manual)', '2', '100.0 %'],
      ['check (branch.condition)', '2', '100.0 %'],
      ['in-cell (exit)', '1', '50.0 %'],
    ]);
    await screenshot(page, 'analytics-06-journey-funnel');

    const segments = (await (await stack.call('GET', '/v1/segments')).json()) as {
      data: { id: string; name: string; members: number }[];
    };
    const segment = segments.data.find((s) => s.name.startsWith('RFM ')) as { name: string; members: number };
    await page.goto(`${stack.url}/analytics`);
    const headline = page.getByRole('region', { name: 'Headline numbers' });
    await headline.locator('.figure', { hasText: 'Contacts' }).locator('strong', { hasText: '10' }).waitFor();
    await page.getByLabel('Segment').selectOption({ label: segment.name });
    await headline
      .locator('.figure', { hasText: 'Contacts' })
      .locator('strong', { hasText: new RegExp(`^${segment.members}$`) })
      .waitFor();
  });
});
