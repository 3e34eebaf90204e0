import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

/**
 * Publishing and resuming a segment-triggered journey in the builder: the dialogs ask what to do
 * with the segment's members (Chromium, API + UI, PGlite, Temporal dev server).
 */
describe('segment journey lifecycle in a browser (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;

  beforeAll(async () => {
    session = await browserSession();
    ({ stack, page } = session);
  }, 180_000);
  afterAll(() => session?.close());

  const json = async <T>(response: Promise<Response>) => (await (await response).json()) as T;
  const runs = async (journeyId: string) =>
    (await json<{ data: { contactId: string }[] }>(stack.call('GET', `/v1/journeys/${journeyId}/runs`))).data;
  /** A journey entered from the segment that tags each contact it runs for. */
  const segmentJourney = (name: string, segmentId: string, tag: string, settings?: Record<string, unknown>) =>
    json<{ id: string }>(
      stack.call('POST', '/v1/journeys', {
        name,
        nodes: [
          { id: 'start', type: 'trigger.segment', config: { segmentId }, position: { x: 250, y: 0 } },
          { id: 'mark', type: 'contact.update', config: { addTags: [tag] }, position: { x: 250, y: 150 } },
        ],
        edges: [{ id: 'e1', source: 'start', sourceHandle: 'next', target: 'mark' }],
        ...(settings ? { settings } : {}),
      }),
    );
  async function eventually<T>(check: () => Promise<T | undefined | false>): Promise<T> {
    for (let i = 0; i < 150; i++) {
      const value = await check();
      if (value) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('condition not met in time');
  }

  it('enrolls the current members when chosen at publish, and on resume those who entered during the pause', async () => {
    const segment = await json<{ id: string }>(
      stack.call('POST', '/v1/segments', {
        name: 'Browser VIPs',
        definition: { rules: [{ kind: 'tag', tag: 'browser-vip', present: true }] },
      }),
    );
    const member = await json<{ id: string }>(
      stack.call('POST', '/v1/contacts', { userId: 'browser-vip-1', tags: ['browser-vip'] }),
    );
    const journey = await segmentJourney('VIP welcome', segment.id, 'vip-welcomed');

    await page.goto(`${stack.url}/journeys/${journey.id}`);
    await page.locator('.react-flow__node[data-id="mark"]').waitFor();
    await page.locator('[data-testid="problems"] [data-errors="0"]').waitFor();
    await page.locator('[data-testid="publish"]').click();
    const choice = page.locator('[data-testid="backfill-choice"]');
    await choice.waitFor();
    expect(await choice.textContent()).toContain('(1)');
    await choice.locator('input[value="enroll"]').check();
    await screenshot(page, 'segment-publish-backfill');
    await page.locator('[data-testid="confirm-publish"]').click();
    await eventually(async () => (await runs(journey.id)).some((r) => r.contactId === member.id));

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    const late = await json<{ id: string }>(stack.call('POST', '/v1/contacts', { userId: 'browser-vip-2' }));
    await stack.call('PATCH', `/v1/contacts/${late.id}`, { addTags: ['browser-vip'] });
    expect((await runs(journey.id)).some((r) => r.contactId === late.id)).toBe(false);

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('[data-testid="missed-count"]', { hasText: '1 contact' }).waitFor();
    await screenshot(page, 'segment-resume-missed');
    await page.locator('[data-testid="confirm-resume"]').click();
    await eventually(async () => (await runs(journey.id)).some((r) => r.contactId === late.id));
  });

  it('says how many members a publish enrolled and how many it held out as the control group', async () => {
    const segment = await json<{ id: string }>(
      stack.call('POST', '/v1/segments', {
        name: 'Browser holdout',
        definition: { rules: [{ kind: 'tag', tag: 'browser-holdout', present: true }] },
      }),
    );
    const members: string[] = [];
    for (let i = 0; i < 8; i++) {
      const created = await json<{ id: string }>(
        stack.call('POST', '/v1/contacts', { userId: `browser-holdout-${i}`, tags: ['browser-holdout'] }),
      );
      members.push(created.id);
    }
    const journey = await segmentJourney('Holdout welcome', segment.id, 'holdout-welcomed', {
      holdoutShare: 0.5,
    });
    // The control group by the rule, computed here: sha256("<journey>:<contact>"), first 32 bits / 2^32 < 0.5.
    const held = members.filter(
      (id) => createHash('sha256').update(`${journey.id}:${id}`).digest().readUInt32BE(0) / 2 ** 32 < 0.5,
    ).length;

    await page.goto(`${stack.url}/journeys/${journey.id}`);
    await page.locator('[data-testid="problems"] [data-errors="0"]').waitFor();
    await page.locator('[data-testid="publish"]').click();
    const choice = page.locator('[data-testid="backfill-choice"]');
    await choice.waitFor();
    await choice.locator('input[value="enroll"]').check();
    await page.locator('[data-testid="confirm-publish"]').click();
    const notice = page.getByRole('status');
    await notice.filter({ hasText: 'Published version 1' }).waitFor();
    const expected =
      held > 0
        ? `Published version 1; ${8 - held} contacts enrolled, ${held} held out (control group)`
        : 'Published version 1; 8 contacts enrolled';
    expect(await notice.textContent()).toBe(expected);
  });
});
