import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../../db';
import { contacts, events, listMembers, lists, messages, socialAccounts, socialPosts } from '../../db/schema';
import { buildApp } from '../../engine/api/app';
import { createContact } from '../../engine/audience/contacts/contacts';
import { createRegistry } from '../../engine/automation/nodes';
import { defaultIdentitySettings } from '../../engine/identity/settings';
import { createWorkspace, type NewWorkspace } from '../../engine/identity/workspaces';
import { createTemplate } from '../../engine/messaging/templates/templates';
import { ensureDemoUser } from '../../engine/operations/seed-demo';
import { createJourneyWorker } from '../../engine/temporal/worker';
import { testChannelDeps, testSecretBox } from '../helpers/channels';
import { openTestDb } from '../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../helpers/temporal';
import { docsScreenshot, openBrowser } from './helpers/browser';
import { ensureUiBuilt, uiDist } from './helpers/ui-build';

/**
 * A marketer's campaign end to end: Chromium (playwright-core) against the API serving the built
 * UI, PGlite, and a worker with the broadcast activities on the real Temporal dev server.
 */
describe('campaign, broadcast and report in a browser (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let app: FastifyInstance;
  let url: string;
  let workspace: NewWorkspace;
  let stopWorker: () => Promise<void>;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;
  const call = (method: string, route: string, body?: unknown) =>
    fetch(`${url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${workspace.secretKey}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });

  beforeAll(async () => {
    await ensureUiBuilt();
    database = await openTestDb();
    temporal = await devServerTemporal();
    const channels = testChannelDeps(database.db);
    const worker = await createJourneyWorker({
      connection: temporal.connection,
      namespace: 'default',
      taskQueue: temporal.taskQueue,
      db: database.db,
      registry: createRegistry([], { channels }),
      secretBox: testSecretBox,
      channels,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const running = worker.run();
    stopWorker = async () => {
      worker.shutdown();
      await running;
    };
    workspace = await createWorkspace(database.db, 'Campaign browser workspace', 'Europe/Paris');
    const demoUser = await ensureDemoUser(
      database.db,
      mkdtempSync(path.join(os.tmpdir(), 'wayline-ui-')),
      workspace.id,
    );
    app = await buildApp({
      db: database.db,
      secretBox: testSecretBox,
      channels,
      database,
      temporal: temporal.client,
      taskQueue: temporal.taskQueue,
      registry: createRegistry(),
      uiDist,
      identity: { ...defaultIdentitySettings, demoAutologin: { userId: demoUser.id } },
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    for (let i = 0; i < 20; i++) {
      await createContact(database.db, workspace.id, {
        userId: `shopper-${i}`,
        email: `shopper${i}@example.com`,
        tags: ['shopper'],
      });
    }
    await createContact(database.db, workspace.id, { userId: 'other', email: 'other@example.com' });
    await createTemplate(database.db, workspace.id, {
      name: 'black-friday',
      channel: 'email',
      subject: 'Black Friday',
      body: 'Hello {{ contact.email }}',
      html: '<p>Hello <a href="https://shop.example/bf">shop now</a></p>',
    });
    const segment = await call('POST', '/v1/segments', {
      name: 'Shoppers',
      definition: { rules: [{ kind: 'tag', tag: 'shopper', present: true }] },
    });
    expect(segment.status).toBe(201);
    browser = await openBrowser();
    page = browser.page;
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await stopWorker?.();
    await temporal?.close();
    await database?.close();
  });

  it('creates a campaign, launches a broadcast to a segment, watches it send and reads ROI and ROAS', async () => {
    await page.goto(`${url}/campaigns`);
    await page.locator('nav a', { hasText: 'Campaigns' }).first().click();
    await page.getByRole('button', { name: 'New campaign' }).click();
    const form = page.getByRole('form', { name: 'New campaign' });
    await form.getByLabel('Name', { exact: true }).fill('Black Friday');
    await form.getByLabel('Budget', { exact: true }).fill('100');
    await form.getByLabel('Cost per email').fill('0.5');
    await form.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByRole('heading', { name: 'Black Friday' }).waitFor();
    await docsScreenshot(page, 'campaigns-01-campaign');

    await page.getByRole('link', { name: 'New broadcast' }).click();
    const composer = page.getByRole('form', { name: 'Broadcast' });
    await composer.getByLabel('Name', { exact: true }).fill('Black Friday email');
    await composer.getByLabel('Template', { exact: true }).selectOption({ label: 'black-friday' });
    await composer
      .getByRole('checkbox', { name: /^Shoppers/ })
      .first()
      .check();
    // 60 a minute: batches of 10, ten seconds apart, so the bar visibly moves.
    await composer.getByLabel('Messages per minute').fill('60');
    await composer.getByRole('button', { name: 'Save and review' }).click();
    await page.getByTestId('confirmation').filter({ hasText: '20 of 20 contacts' }).waitFor();
    await page.getByText('Estimated cost €10').waitFor();
    await docsScreenshot(page, 'campaigns-02-confirm');

    await page.getByRole('button', { name: 'Launch' }).click();
    const bar = page.getByRole('progressbar', { name: 'Broadcast progress' });
    await expect
      .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 30_000 })
      .toBeLessThan(20);
    await docsScreenshot(page, 'campaigns-03-progress');
    await page.getByTestId('broadcast-status').filter({ hasText: 'completed' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('progress-legend').filter({ hasText: 'Sent 20' }).waitFor();

    // Two shoppers click and order 10 each: revenue 20 against 20 emails at 0.50 = cost 10.
    const sent = await database.db
      .select()
      .from(messages)
      .where(and(eq(messages.workspaceId, workspace.id), eq(messages.channel, 'email')))
      .limit(2);
    const now = Date.now();
    await database.db.insert(events).values(
      sent.flatMap((m, i) => [
        {
          workspaceId: workspace.id,
          contactId: m.contactId,
          messageId: `click-${i}`,
          type: 'track',
          name: 'Email Link Clicked',
          properties: { messageId: m.id },
          timestamp: new Date(now + 1_000),
        },
        {
          workspaceId: workspace.id,
          contactId: m.contactId,
          messageId: `order-${i}`,
          type: 'track',
          name: 'Order Completed',
          properties: { revenue: 10, currency: 'EUR' },
          timestamp: new Date(now + 2_000),
        },
      ]),
    );
    await page.getByRole('link', { name: 'Campaign', exact: true }).click();
    await page.getByRole('link', { name: 'Report', exact: true }).click();
    await page.getByTestId('kpi-roi').filter({ hasText: '100 %' }).waitFor();
    await expect.poll(() => page.getByTestId('kpi-roas').textContent()).toContain('200 %');
    await expect.poll(() => page.getByTestId('kpi-converted').textContent()).toContain('2');
    await expect.poll(() => page.getByTestId('budget').textContent()).toContain('remaining €90.00');
    await docsScreenshot(page, 'campaigns-04-report');

    // A journey of the campaign with a holdout: half the shoppers by the hash rule start no run,
    // and the report shows the journey's lift over them.
    const campaignId = new URL(page.url()).pathname.split('/')[2];
    const journey = await call('POST', '/v1/journeys', {
      name: 'Black Friday follow-up',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
      ],
      edges: [{ id: 'e0', source: 'start', sourceHandle: 'next', target: 'wait' }],
      settings: { holdoutShare: 0.5 },
    });
    expect(journey.status).toBe(201);
    const journeyId = ((await journey.json()) as { id: string }).id;
    expect((await call('POST', `/v1/journeys/${journeyId}/publish`, {})).status).toBe(201);
    expect((await call('POST', `/v1/campaigns/${campaignId}/journeys`, { journeyId })).status).toBe(200);
    const shoppers = (
      await database.db.select().from(contacts).where(eq(contacts.workspaceId, workspace.id))
    ).filter((c) => c.externalId?.startsWith('shopper-'));
    const enrolled = await call('POST', `/v1/journeys/${journeyId}/enroll`, {
      contactIds: shoppers.map((c) => c.id),
    });
    const outcomes = ((await enrolled.json()) as { data: { heldOut?: boolean }[] }).data;
    expect(outcomes.filter((o) => o.heldOut).length).toBeGreaterThan(0);
    await page.reload();
    await page
      .getByTestId(`holdout-${journeyId}`)
      .filter({ hasText: 'of treated contacts converted against' })
      .waitFor();
  }, 180_000);
  it('shows broadcasts and a social post on the marketing calendar with the audience overlap flagged', async () => {
    const db = database.db;
    // Two lists of shoppers: 0–9 and 5–14, so broadcasts to them on the same day share 5 contacts.
    const shoppers = (await db.select().from(contacts).where(eq(contacts.workspaceId, workspace.id)))
      .filter((c) => c.externalId?.startsWith('shopper-'))
      .sort((a, b) => Number(a.externalId!.slice(8)) - Number(b.externalId!.slice(8)));
    const listOf = async (name: string, from: number, to: number) => {
      const [list] = await db.insert(lists).values({ workspaceId: workspace.id, name }).returning();
      await db
        .insert(listMembers)
        .values(
          shoppers
            .slice(from, to)
            .map((c) => ({ workspaceId: workspace.id, listId: list.id, contactId: c.id })),
        );
      return list.id;
    };
    const early = await listOf('Early birds', 0, 10);
    const late = await listOf('Night owls', 5, 15);
    // The 15th of the month after next: two clicks on Next from the current month.
    const today = new Date();
    const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 2, 15))
      .toISOString()
      .slice(0, 10);
    const [template] = (await (await call('GET', '/v1/templates')).json()).data;
    for (const [name, listId] of [
      ['Morning deal', early],
      ['Evening deal', late],
    ] as const) {
      const created = await call('POST', '/v1/broadcasts', {
        name,
        channel: 'email',
        variants: [{ key: 'A', templateId: template.id }],
        audience: { segmentIds: [], listIds: [listId], excludeSegmentIds: [], excludeListIds: [] },
        schedule: { kind: 'at', at: `${day}T09:00:00Z` },
      });
      expect(created.status).toBe(201);
    }
    const [account] = await db
      .insert(socialAccounts)
      .values({ workspaceId: workspace.id, provider: 'webhook', name: 'Shop feed', secrets: '' })
      .returning();
    await db.insert(socialPosts).values({
      workspaceId: workspace.id,
      accountId: account.id,
      text: 'Deals all day',
      status: 'scheduled',
      scheduledAt: new Date(`${day}T08:00:00Z`),
    });

    await page.goto(`${url}/campaigns`);
    await page.getByRole('link', { name: 'Calendar', exact: true }).click();
    await page.getByRole('heading', { name: 'Marketing calendar' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    const cell = page.locator(`.calendar-day[data-day="${day}"]`);
    await cell.getByRole('link', { name: /Shop feed: Deals all day/ }).waitFor({ timeout: 20_000 });
    await expect
      .poll(() => cell.getByRole('link', { name: /Morning deal/ }).textContent())
      .toContain('overlap 5');
    await expect
      .poll(() => cell.getByRole('link', { name: /Evening deal/ }).textContent())
      .toContain('overlap 5');
    await cell.getByRole('link', { name: /Evening deal/ }).click();
    await page.getByRole('heading', { name: 'Evening deal' }).waitFor();
  }, 120_000);
});
