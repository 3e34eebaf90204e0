import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsScreenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

/**
 * Building a segment with nested AND / OR groups in the builder and seeing its live count
 * (Chromium, API + UI, PGlite, Temporal dev server).
 */
describe('segment builder in a browser (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;

  beforeAll(async () => {
    session = await browserSession();
    ({ stack, page } = session);
    const contact = async (body: unknown) =>
      ((await (await stack.call('POST', '/v1/contacts', body)).json()) as { id: string }).id;
    const order = (userId: string, n: number, total: number) =>
      stack.call(
        'POST',
        '/v1/track',
        {
          userId,
          event: 'Order Completed',
          messageId: `${userId}-order-${n}`,
          properties: { total },
        },
        { authorization: `Basic ${Buffer.from(`${stack.workspace.writeKey}:`).toString('base64')}` },
      );
    // ann: pro, two orders over 100 → in by the event rule.
    // ben: pro, one order over 100 and one of 50 → only one qualifying order; no vip tag → out.
    // cai: pro, vip tag, no orders → in by the tag rule.
    // dan: free plan, vip → out (plan).
    await contact({ userId: 'ann', email: 'ann@seg.test', attributes: { plan: 'pro' } });
    await contact({ userId: 'ben', email: 'ben@seg.test', attributes: { plan: 'pro' } });
    await contact({ userId: 'cai', email: 'cai@seg.test', attributes: { plan: 'pro' }, tags: ['vip'] });
    await contact({ userId: 'dan', email: 'dan@seg.test', attributes: { plan: 'free' }, tags: ['vip'] });
    for (const response of await Promise.all([
      order('ann', 1, 120),
      order('ann', 2, 180),
      order('ben', 1, 150),
      order('ben', 2, 50),
    ]))
      expect(response.status).toBe(200);
  }, 180_000);
  afterAll(() => session?.close());

  it('builds "plan = pro AND (2 orders over 100 in 30 days OR tag vip)" and shows 2 members', async () => {
    await page.goto(`${stack.url}/segments/new`);
    await page.locator('#segment-name').fill('Pro buyers or VIPs');
    const top = page.locator('[data-testid="rule-group"]').first();
    const first = top.locator('[data-testid="rule"]').first();
    await first.getByLabel('Attribute path').fill('plan');
    await first.getByLabel('Attribute value').fill('pro');
    await first.getByLabel('Attribute value').blur();
    // Only "plan = pro": ann, ben, cai.
    await page.locator('[data-testid="segment-count"]', { hasText: /^3$/ }).waitFor();

    await top.getByRole('button', { name: '+ Group' }).click();
    const nested = top.locator('[data-testid="rule-group"]');
    await expect(nested.getByLabel('Match').inputValue()).resolves.toBe('any');
    const orderRule = nested.locator('[data-testid="rule"]').first();
    await orderRule.getByLabel('Condition kind').selectOption('event');
    await orderRule.getByLabel('Event name').fill('Order Completed');
    await orderRule.getByLabel('At least times').fill('2');
    await orderRule.getByLabel('Within amount').fill('30');
    await orderRule.getByRole('button', { name: '+ property filter' }).click();
    await orderRule.getByLabel('Property path').fill('total');
    await orderRule.getByLabel('Property operator').selectOption('gt');
    await orderRule.getByLabel('Property value').fill('100');
    await orderRule.getByLabel('Property value').blur();
    // plan = pro AND (ann's two orders over 100): ann only.
    await page.locator('[data-testid="segment-count"]', { hasText: /^1$/ }).waitFor();

    await nested.getByRole('button', { name: '+ Condition' }).click();
    const tagRule = nested.locator('[data-testid="rule"]').nth(1);
    await tagRule.getByLabel('Condition kind').selectOption('tag');
    await tagRule.getByLabel('Tag', { exact: true }).fill('vip');
    // ... OR tag vip: ann and cai (dan is vip but on the free plan).
    await page.locator('[data-testid="segment-count"]', { hasText: /^2$/ }).waitFor();
    await expect(page.locator('[data-testid="segment-sample"] li').allTextContents()).resolves.toEqual([
      'ann@seg.test',
      'cai@seg.test',
    ]);
    await docsScreenshot(page, 'segment-builder');

    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);
    await page.locator('[data-testid="segment-sizes"]').waitFor();
    const saved = (await (await stack.call('GET', '/v1/segments')).json()) as {
      data: { name: string; members: number; definition: { rules: unknown[] } }[];
    };
    expect(saved.data).toEqual([expect.objectContaining({ name: 'Pro buyers or VIPs', members: 2 })]);
    expect(saved.data[0].definition).toEqual({
      match: 'all',
      rules: [
        { kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' },
        {
          match: 'any',
          rules: [
            {
              kind: 'event',
              event: 'Order Completed',
              minCount: 2,
              within: { amount: 30, unit: 'days' },
              where: [{ path: 'total', op: 'gt', value: 100 }],
            },
            { kind: 'tag', tag: 'vip', present: true },
          ],
        },
      ],
    });
  });

  it('refuses to delete a segment a journey uses, and lists the journey', async () => {
    const segments = (await (await stack.call('GET', '/v1/segments')).json()) as { data: { id: string }[] };
    const segmentId = segments.data[0].id;
    await stack.call('POST', '/v1/journeys', {
      name: 'VIP follow-up',
      nodes: [{ id: 'start', type: 'trigger.segment', config: { segmentId }, position: { x: 0, y: 0 } }],
      edges: [],
    });
    await page.goto(`${stack.url}/segments`);
    const row = page.locator('[data-testid="segments-page"] tr', { hasText: 'Pro buyers or VIPs' });
    await expect(row.locator('td.num').textContent()).resolves.toBe('2');
    await row.getByRole('link').click();
    await page.waitForURL(`${stack.url}/segments/${segmentId}`);
    await page.locator('[data-testid="segment-usage"]', { hasText: 'VIP follow-up' }).waitFor();
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.locator('[data-testid="segment-in-use"]', { hasText: 'VIP follow-up' }).waitFor();
    expect((await stack.call('GET', `/v1/segments/${segmentId}`)).status).toBe(200);
  });
});
