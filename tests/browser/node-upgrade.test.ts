import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineNode, nextPort, z } from '../../engine/sdk';
import { screenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

const greetingV1 = defineNode({
  type: 'test.greeting',
  version: 1,
  kind: 'action',
  title: 'Greeting',
  category: 'Tests',
  description: 'Greets the contact.',
  config: z.object({ text: z.string().min(1).describe('What to say') }),
  ports: [nextPort, { id: 'opted-out', label: 'Opted out' }],
  async execute() {
    return {};
  },
});

/** Version 2 needs a tone and no longer has the "Opted out" port. */
const greetingV2 = defineNode({
  type: 'test.greeting',
  version: 2,
  kind: 'action',
  title: 'Greeting',
  category: 'Tests',
  description: 'Greets the contact in a tone.',
  config: z.object({
    text: z.string().min(1).describe('What to say'),
    tone: z.enum(['friendly', 'formal']).describe('How to say it'),
  }),
  ports: [nextPort],
  async execute() {
    return {};
  },
});

const journey = {
  name: 'Greeting journey',
  nodes: [
    { id: 'start', type: 'trigger.manual', config: {}, position: { x: 0, y: 0 } },
    { id: 'greet', type: 'test.greeting', config: { text: 'Hello!' }, position: { x: 0, y: 170 } },
    { id: 'done', type: 'exit', config: {}, position: { x: -150, y: 360 } },
    { id: 'bye', type: 'exit', config: {}, position: { x: 150, y: 360 } },
  ],
  edges: [
    { id: 'e-start', source: 'start', sourceHandle: 'next', target: 'greet' },
    { id: 'e-next', source: 'greet', sourceHandle: 'next', target: 'done' },
    { id: 'e-out', source: 'greet', sourceHandle: 'opted-out', target: 'bye' },
  ],
  settings: {},
};

/**
 * Upgrading a node in the builder: Chromium (playwright-core) against the API serving the built
 * UI, PGlite and a worker on the real Temporal dev server. The journey is published while only
 * version 1 of a custom node is installed; the API then restarts with versions 1 and 2.
 */
describe('node upgrade in the builder (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;

  beforeAll(async () => {
    session = await browserSession({ nodes: [greetingV1] });
    ({ stack, page } = session);
  }, 180_000);
  afterAll(() => session?.close());

  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
  const get = async (path: string) => (await stack.call('GET', path)).json() as Promise<any>;

  it('publishes with v1, offers v2, fixes the config in the new form and keeps version 1 published', async () => {
    const created = await stack.call('POST', '/v1/journeys', journey);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    // Published in the builder while only version 1 exists: the canvas keeps the pin.
    await page.goto(`${stack.url}/#/journeys/${id}`);
    await node('greet').waitFor();
    await page.locator('[data-testid="problems"] [data-errors="0"]').waitFor();
    await expect.poll(() => page.locator('[data-testid="publish"]').isEnabled()).toBe(true);
    await page.locator('[data-testid="publish"]').click();
    await page.locator('[data-testid="confirm-publish"]').click();
    await page.locator('.editor-title .badge.status-active').waitFor();
    await node('greet').locator('.jn[data-node-version="1"]').waitFor();
    expect(await node('greet').locator('[data-testid="update-available"]').count()).toBe(0);
    expect((await get(`/v1/journeys/${id}`)).draft.nodes.find((n: any) => n.id === 'greet').version).toBe(1);

    // A developer installs version 2; the open journey still pins version 1.
    await stack.reinstall([greetingV1, greetingV2]);
    await page.reload();
    await node('greet').locator('[data-testid="update-available"]', { hasText: 'v2' }).waitFor();
    const palette = page.locator('.palette-item[data-type="test.greeting"]');
    expect(await palette.count()).toBe(1);
    expect(await palette.textContent()).toContain('in a tone');
    await screenshot(page, '10-node-update-available');

    // The panel shows version 1's form and offers the upgrade.
    await node('greet').click();
    const panel = page.locator('[data-node-panel="greet"]');
    await panel.locator('[data-testid="update-available"]').waitFor();
    expect(await panel.locator('select[name="tone"]').count()).toBe(0);
    await panel.getByRole('button', { name: 'Upgrade to v2' }).click();

    // The dry run: the new required field and the port that would disappear.
    const upgrade = panel.locator('[data-upgrade="greet"]');
    const problems = upgrade.locator('[data-testid="upgrade-problems"]');
    await problems.locator('[data-problem="config_invalid"]', { hasText: 'tone' }).waitFor();
    await problems.locator('[data-problem="port_removed"]', { hasText: 'opted-out' }).waitFor();
    await upgrade.locator('.field-error', { hasText: 'Required' }).waitFor();
    expect(await upgrade.locator('textarea[name="text"], input[name="text"]').inputValue()).toBe('Hello!');
    expect(await upgrade.getByTestId('apply-upgrade').isDisabled()).toBe(true);
    await screenshot(page, '11-node-upgrade-problems');

    // Fix both in the panel: choose a tone in the new form, drop the connection.
    await upgrade.locator('select[name="tone"]').selectOption('friendly');
    await problems
      .locator('[data-problem="port_removed"]')
      .getByRole('button', { name: 'Remove connection' })
      .click();
    await upgrade.locator('.upgrade-ok').waitFor();
    await screenshot(page, '12-node-upgrade-ready');
    await upgrade.getByTestId('apply-upgrade').click();

    // The node is on version 2 with the new config, and the server's draft says so.
    await node('greet').locator('.jn[data-node-version="2"]').waitFor();
    expect(await node('greet').locator('[data-testid="update-available"]').count()).toBe(0);
    await panel.locator('select[name="tone"]').waitFor();
    expect(await panel.locator('select[name="tone"]').inputValue()).toBe('friendly');
    await page.locator('[data-save-state="saved"]').waitFor();
    // The validator agrees with v2; only the exit that lost its connection is now unreachable.
    await node('bye').locator('.jn.has-errors').waitFor();
    expect(await node('greet').locator('.jn.has-errors').count()).toBe(0);
    await expect.poll(() => node('greet').locator('.jn-badge').count()).toBe(0);
    await screenshot(page, '13-node-upgraded');
    const draft = (await get(`/v1/journeys/${id}`)).draft;
    expect(draft.nodes.find((n: any) => n.id === 'greet')).toMatchObject({
      version: 2,
      config: { text: 'Hello!', tone: 'friendly' },
    });
    expect(draft.edges.map((e: any) => e.id)).not.toContain('e-out');

    // Undo goes back to version 1 and autosave sends that; redo returns to version 2.
    await panel.getByTitle('Close').click();
    await page.getByTitle('Undo (Ctrl+Z)').click();
    await node('greet').locator('.jn[data-node-version="1"]').waitFor();
    await expect
      .poll(
        async () => (await get(`/v1/journeys/${id}`)).draft.nodes.find((n: any) => n.id === 'greet').version,
      )
      .toBe(1);
    await page.getByTitle('Redo (Ctrl+Shift+Z)').click();
    await node('greet').locator('.jn[data-node-version="2"]').waitFor();
    await expect
      .poll(
        async () => (await get(`/v1/journeys/${id}`)).draft.nodes.find((n: any) => n.id === 'greet').version,
      )
      .toBe(2);

    // The published version still runs version 1 with its old config and port.
    const published = await get(`/v1/journeys/${id}/versions/1`);
    expect(published.graph.nodes.find((n: any) => n.id === 'greet')).toMatchObject({
      version: 1,
      config: { text: 'Hello!' },
    });
    expect(published.graph.edges.map((e: any) => e.id)).toContain('e-out');
    expect((await get(`/v1/journeys/${id}`)).activeVersion).toBe(1);
  }, 240_000);

  it('shows a clear error on a node pinned to a version that is no longer installed', async () => {
    const created = await stack.call('POST', '/v1/journeys', {
      ...journey,
      name: 'Pinned to a removed version',
      nodes: journey.nodes
        .filter((n) => n.id !== 'bye')
        .map((n) => (n.id === 'greet' ? { ...n, version: 3 } : n)),
      edges: journey.edges.filter((e) => e.id !== 'e-out'),
    });
    const { id } = (await created.json()) as { id: string };
    await page.goto(`${stack.url}/#/journeys/${id}`);
    await node('greet').locator('[data-testid="version-missing"]', { hasText: 'v3 missing' }).waitFor();
    await node('greet').locator('.jn.has-errors').waitFor();
    await page.locator('[data-testid="problems"] [data-errors="1"]').waitFor();
    await node('greet').click();
    const panel = page.locator('[data-node-panel="greet"]');
    await panel.locator('[data-testid="version-missing"]', { hasText: 'installed: v1, v2' }).waitFor();
    await panel.locator('.problem-list li', { hasText: 'version 3' }).waitFor();
    await expect.poll(() => page.locator('[data-testid="publish"]').isDisabled()).toBe(true);
    await screenshot(page, '14-node-version-missing');
  }, 120_000);
});
