import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

/** v1: trigger → wait a day → tag "v1". */
const v1 = {
  name: 'Live journey',
  nodes: [
    { id: 'start', type: 'trigger.manual', config: {}, position: { x: 0, y: 0 } },
    {
      id: 'wait',
      type: 'wait.duration',
      config: { duration: { amount: 1, unit: 'days' } },
      position: { x: 0, y: 160 },
    },
    { id: 'tag-old', type: 'contact.update', config: { addTags: ['v1'] }, position: { x: 0, y: 320 } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'wait' },
    { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'tag-old' },
  ],
  settings: {},
};

/** v2: the wait is 2 seconds (over for runs already waiting), tag "v2" replaces tag "v1". */
const v2 = {
  ...v1,
  nodes: [
    v1.nodes[0],
    { ...v1.nodes[1], config: { duration: { amount: 2, unit: 'seconds' } } },
    { id: 'tag-new', type: 'contact.update', config: { addTags: ['v2'] }, position: { x: 0, y: 320 } },
  ],
  edges: [v1.edges[0], { id: 'e3', source: 'wait', sourceHandle: 'next', target: 'tag-new' }],
};

/**
 * Changing a live journey in the builder: Chromium (playwright-core) against the API serving the
 * built UI, PGlite and a worker on the real Temporal dev server. Five contacts wait in version 1;
 * version 2 is published from the builder, the migration preview shows where they go, and
 * applying it moves them while the counts update. Then the two versions are compared.
 */
describe('changing a live journey (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;

  beforeAll(async () => {
    session = await browserSession();
    ({ stack, page } = session);
  }, 420_000);
  afterAll(() => session?.close());

  const json = async <T>(response: Promise<Response>) => (await (await response).json()) as T;
  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
  /** The live journey and its five contacts, for the tests after the first. */
  let liveJourneyId = '';
  const liveContactIds: string[] = [];

  it('publishes v2 with a migration preview, moves the waiting contacts and shows the version diff', async () => {
    const { id } = await json<{ id: string }>(stack.call('POST', '/v1/journeys', v1));
    expect((await stack.call('POST', `/v1/journeys/${id}/publish`)).status).toBe(201);
    liveJourneyId = id;
    const contactIds = liveContactIds;
    for (let i = 0; i < 5; i++) {
      contactIds.push(
        (await json<{ id: string }>(stack.call('POST', '/v1/contacts', { userId: `live-${i}` }))).id,
      );
    }
    expect((await stack.call('POST', `/v1/journeys/${id}/enroll`, { contactIds })).status).toBe(200);
    await expect
      .poll(
        async () => (await json<any>(stack.call('GET', `/v1/journeys/${id}/counts`))).nodes.wait?.waiting,
        {
          timeout: 60_000,
        },
      )
      .toBe(5);
    // One contact browses while it waits: the replay shows the event at its wait.
    const basic = Buffer.from(`${stack.workspace.writeKey}:`).toString('base64');
    const tracked = await stack.call(
      'POST',
      '/v1/track',
      { userId: 'live-3', event: 'Pricing Viewed', properties: {} },
      { authorization: `Basic ${basic}` },
    );
    expect(tracked.status).toBeLessThan(300);
    expect((await stack.call('PUT', `/v1/journeys/${id}`, v2)).status).toBe(200);
    // The five entered "wait" over 2 seconds ago: in v2 their wait is over.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    await page.goto(`${stack.url}/journeys/${id}`);
    await node('tag-new').waitFor();
    await page.locator('[data-testid="problems"] [data-errors="0"]').waitFor();
    await expect.poll(() => page.locator('[data-testid="publish"]').isEnabled()).toBe(true);
    await page.locator('[data-testid="publish"]').click();
    await page.locator('#publish-note').fill('Shorter wait, new tag');
    await page.locator('[data-testid="confirm-publish"]').click();

    // The preview: nothing has moved yet.
    const preview = page.locator('[data-testid="migration-preview"]');
    const row = preview.locator('tr[data-from="wait"]');
    await row.waitFor();
    expect(await row.getByTestId('group-runs').textContent()).toBe('5');
    expect(await row.getByTestId('past-timers').textContent()).toContain('5 whose wait is already over');
    expect(await row.locator('select').inputValue()).toBe('wait');
    expect(await page.getByTestId('apply-migration').textContent()).toBe('Move 5 runs');
    const before = await json<{ data: { version: number }[] }>(stack.call('GET', `/v1/journeys/${id}/runs`));
    expect(before.data.map((r) => r.version)).toEqual([1, 1, 1, 1, 1]);
    await screenshot(page, 'journey-migration-preview');

    await page.getByTestId('apply-migration').click();
    await page.locator('[data-testid="migration-status"]', { hasText: 'Done' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('migration-moved').textContent()).toBe('5');
    // The counts move: nobody is left running on version 1, and the moved runs finish on v2.
    await page.locator('[data-testid="running-v1"] b', { hasText: /^0$/ }).waitFor({ timeout: 120_000 });
    await page.locator('[data-testid="running-v2"] b', { hasText: /^0$/ }).waitFor({ timeout: 120_000 });
    await screenshot(page, 'journey-migration-applied');
    const after = await json<{ data: { version: number; status: string }[] }>(
      stack.call('GET', `/v1/journeys/${id}/runs`),
    );
    expect(after.data.map((r) => `${r.version}:${r.status}`)).toEqual(Array(5).fill('2:completed'));
    const audit = await json<{ data: { action: string }[] }>(
      stack.call('GET', '/v1/audit-log?action=journey.migrate'),
    );
    expect(audit.data.some((e) => e.action === 'journey.migrate')).toBe(true);
    await page.getByTestId('migration-close').click();

    // The version diff, coloured on the canvas.
    await page.getByRole('button', { name: 'History' }).click();
    const diff = page.getByTestId('version-diff');
    await diff.getByLabel('Compare from').selectOption('1');
    await diff.getByLabel('Compare to').selectOption('2');
    await diff.getByRole('button', { name: 'Show diff' }).click();
    await page.locator('.banner', { hasText: 'Viewing version 2' }).waitFor();
    await node('tag-new').locator('.jn[data-diff="added"]').waitFor();
    await node('wait').locator('.jn[data-diff="changed"]').waitFor();
    expect(await node('start').locator('.jn[data-diff]').count()).toBe(0);
    const result = page.getByTestId('diff-result');
    await result.locator('[data-diff-item="removed"]', { hasText: 'tag-old' }).waitFor();
    expect(await result.locator('[data-diff-item="changed"]').first().textContent()).toContain(
      'config.duration.amount: 1 → 2',
    );
    expect(await result.locator('[data-diff-item="rewired"]').textContent()).toContain(
      'wait (next): tag-old → tag-new',
    );
    await screenshot(page, 'journey-version-diff');

    // Where time goes in version 2: the table, and the heat on the canvas.
    await diff.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('button', { name: /Time in each node/ }).click();
    const timing = page.getByTestId('timing-table');
    await timing.locator('tr[data-node="wait"]').waitFor();
    const timed = await json<{ nodes: { nodeId: string; visits: number }[] }>(
      stack.call('GET', `/v1/journeys/${id}/timing?version=2`),
    );
    expect(timed.nodes.find((n) => n.nodeId === 'tag-new')?.visits).toBe(5);
    expect(await timing.locator('tr[data-node="tag-new"] td').nth(1).textContent()).toBe('5');
    await page.getByLabel('Heat on the canvas').check();
    await expect.poll(() => page.locator('.jn[data-diff="hot"]').count()).toBeGreaterThan(0);
    await screenshot(page, 'journey-timing');
    await page.getByLabel('Heat on the canvas').uncheck();

    // One contact's path replayed step by step: entered on v1, moved while waiting, finished on v2.
    await page.getByRole('button', { name: /Replay a contact's path/ }).click();
    const runSelect = page.getByLabel('Run to replay');
    await expect.poll(() => runSelect.locator('option').count()).toBe(6);
    await runSelect.selectOption({ index: 1 });
    const replay = page.getByTestId('replay-step');
    expect(await replay.getByTestId('replay-node').textContent()).toBe('start');
    const forward = replay.getByRole('button', { name: 'Forward ▶' });
    await forward.click();
    expect(await replay.getByTestId('replay-node').textContent()).toBe('wait');
    expect(await replay.getByTestId('replay-port').textContent()).toBe('migrated');
    expect(await replay.locator('.replay-outcome').textContent()).toContain('"toVersion": 2');
    await forward.click();
    await forward.click();
    expect(await replay.getByTestId('replay-node').textContent()).toBe('tag-new');
    expect(await forward.isDisabled()).toBe(true);
    await node('tag-new').locator('.jn-step', { hasText: '4' }).waitFor();
    await replay.getByRole('button', { name: '◀ Back' }).click();
    expect(await replay.getByTestId('replay-node').textContent()).toBe('wait');
    await expect.poll(() => node('tag-new').locator('.jn-step').count()).toBe(0);
    await screenshot(page, 'journey-replay');
  }, 400_000);

  it("replays a run from the contact's profile", async () => {
    const contactId = liveContactIds[3];
    const runs = await json<{ data: { workflowId: string; journeyId: string }[] }>(
      stack.call('GET', `/v1/contacts/${contactId}/runs`),
    );
    const run = runs.data.find((r) => r.journeyId === liveJourneyId)!;
    await page.goto(`${stack.url}/contacts/${contactId}`);
    await page.getByRole('link', { name: 'Replay on the canvas' }).click();
    await page.waitForURL(`**/journeys/${liveJourneyId}?replay=*`);
    // The history panel opens on that contact's run, at its first step.
    await expect.poll(() => page.getByLabel('Run to replay').inputValue()).toBe(run.workflowId);
    const replay = page.getByTestId('replay-step');
    await replay.waitFor();
    expect(await replay.getByTestId('replay-node').textContent()).toBe('start');
    await replay.getByRole('button', { name: 'Forward ▶' }).click();
    expect(await replay.getByTestId('replay-port').textContent()).toBe('migrated');
    await node('wait').locator('.jn-step', { hasText: '2' }).waitFor();
    // The event the contact sent while it waited, at its wait (not at the tag after it).
    await replay.getByTestId('replay-events').filter({ hasText: '“Pricing Viewed”' }).waitFor();
    await replay.getByRole('button', { name: 'Forward ▶' }).click();
    await replay.getByRole('button', { name: 'Forward ▶' }).click();
    expect(await replay.getByTestId('replay-node').textContent()).toBe('tag-new');
    expect(await replay.getByTestId('replay-events').filter({ hasText: 'Pricing Viewed' }).count()).toBe(0);
  }, 60_000);

  it("shows a split's A/B results on the canvas and promotes the winner", async () => {
    const tag = (id: string, y: number) => ({
      id,
      type: 'contact.update',
      config: { addTags: [id] },
      position: { x: id === 'tag-a' ? -150 : 150, y },
    });
    const split = {
      name: 'Split journey',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {}, position: { x: 0, y: 0 } },
        {
          id: 'split',
          type: 'split.random',
          config: {
            branches: [
              { port: 'a', weight: 50 },
              { port: 'b', weight: 50 },
            ],
          },
          position: { x: 0, y: 160 },
        },
        tag('tag-a', 320),
        tag('tag-b', 320),
      ],
      edges: [
        { id: 'e1', source: 'start', sourceHandle: 'next', target: 'split' },
        { id: 'ea', source: 'split', sourceHandle: 'a', target: 'tag-a' },
        { id: 'eb', source: 'split', sourceHandle: 'b', target: 'tag-b' },
      ],
      settings: {},
    };
    const { id } = await json<{ id: string }>(stack.call('POST', '/v1/journeys', split));
    expect((await stack.call('POST', `/v1/journeys/${id}/publish`)).status).toBe(201);
    expect(
      (await stack.call('POST', `/v1/journeys/${id}/enroll`, { contactIds: liveContactIds })).status,
    ).toBe(200);
    await expect
      .poll(
        async () =>
          (
            await json<{ data: { status: string }[] }>(stack.call('GET', `/v1/journeys/${id}/runs`))
          ).data.filter((r) => r.status === 'completed').length,
        { timeout: 60_000 },
      )
      .toBe(5);
    const report = await json<{ branches: { branch: string; runs: number }[]; winner: string }>(
      stack.call('GET', `/v1/journeys/${id}/splits/split/report`),
    );
    expect(report.branches.reduce((n, b) => n + b.runs, 0)).toBe(5);

    await page.goto(`${stack.url}/journeys/${id}`);
    await node('split').click();
    const panel = page.getByTestId('split-report');
    for (const b of report.branches) {
      await panel
        .locator(`tr[data-branch="${b.branch}"] td`, { hasText: String(b.runs) })
        .first()
        .waitFor();
    }
    // No goal: every conversion rate is 0, so the first branch with runs leads.
    expect(await panel.locator('tr.winner').getAttribute('data-branch')).toBe(report.winner);
    await screenshot(page, 'journey-split-report');
    // Promoting reloads the editor: wait for that load, so no later navigation interrupts it.
    await Promise.all([page.waitForEvent('load'), page.getByTestId('promote-winner').click()]);
    await expect
      .poll(
        async () =>
          (await json<{ activeVersion: number }>(stack.call('GET', `/v1/journeys/${id}`))).activeVersion,
        {
          timeout: 30_000,
        },
      )
      .toBe(2);
    const v2 = await json<{ graph: { nodes: { id: string }[] } }>(
      stack.call('GET', `/v1/journeys/${id}/versions/2`),
    );
    expect(v2.graph.nodes.map((n) => n.id)).toEqual(['start', `tag-${report.winner}`]);
    // The editor reopens on the promoted draft: the split is gone from the canvas.
    await node(`tag-${report.winner}`).waitFor();
    await expect.poll(() => node('split').count()).toBe(0);
  }, 120_000);

  it('exports the workspace as the journeys-as-code bundle and imports one back, refusing a broken one', async () => {
    await page.goto(`${stack.url}/journeys`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-all').click(),
    ]);
    const bundle = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
      journeys: { name: string; nodes: unknown[] }[];
      templates: unknown[];
      segments: unknown[];
    };
    expect(bundle.journeys.map((j) => j.name).sort()).toEqual(['Live journey', 'Split journey']);
    expect(bundle).toHaveProperty('templates');
    expect(bundle).toHaveProperty('segments');

    const dir = mkdtempSync(path.join(os.tmpdir(), 'wayline-import-'));
    const copy = path.join(dir, 'bundle.json');
    writeFileSync(
      copy,
      JSON.stringify({ ...bundle, journeys: [{ ...bundle.journeys[0], name: 'Imported copy' }] }),
    );
    await page.locator('input[type="file"]').setInputFiles(copy);
    await page.getByTestId('import-result').filter({ hasText: 'Imported copy (created)' }).waitFor();
    await page.locator('a', { hasText: 'Imported copy' }).waitFor();

    const broken = path.join(dir, 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({
        journeys: [
          {
            name: 'Broken import',
            nodes: [
              { id: 'start', type: 'trigger.manual', config: {} },
              { id: 'mail', type: 'email.send', config: { template: 'missing-template' } },
            ],
            edges: [{ id: 'e1', source: 'start', target: 'mail' }],
          },
        ],
      }),
    );
    await page.locator('input[type="file"]').setInputFiles(broken);
    await page.locator('.alert.error', { hasText: 'missing-template' }).waitFor();
    const names = (await json<{ data: { name: string }[] }>(stack.call('GET', '/v1/journeys'))).data.map(
      (j) => j.name,
    );
    expect(names.sort()).toEqual(['Imported copy', 'Live journey', 'Split journey']);
  }, 120_000);
});
