import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

/**
 * The builder end to end: Debian's Chromium (playwright-core) against the whole stack in this
 * process — the API serving the built UI, PGlite, and a worker on the real Temporal dev server.
 */
describe('journey builder in a browser (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;

  beforeAll(async () => {
    session = await browserSession();
    ({ stack, page } = session);
  }, 180_000);
  afterAll(() => session?.close());

  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

  async function dragBetween(from: Locator, to: Locator) {
    const a = (await from.boundingBox())!;
    const b = (await to.boundingBox())!;
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 4 });
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 16 });
    await page.mouse.up();
  }

  /**
   * The canvas's viewport once it has stopped moving: React Flow fits (on opening, or from the
   * fit-view button) on a later animation frame, so a card's place read too soon may be the old one.
   */
  function settledViewport() {
    return page.locator('.react-flow__viewport').evaluate(
      (viewport) =>
        new Promise<string>((settled) => {
          let last = '';
          let frames = 0;
          let still = 0;
          const watch = () => {
            const transform = (viewport as HTMLElement).style.transform;
            still = transform === last ? still + 1 : 0;
            last = transform;
            frames++;
            if (frames >= 3 && still >= 2) settled(transform);
            else requestAnimationFrame(watch);
          };
          requestAnimationFrame(watch);
        }),
    );
  }

  /** Fits the journey into view with the fit-view button and waits until the canvas has moved. */
  async function fitView() {
    await page.locator('.react-flow__controls-fitview').click();
    return settledViewport();
  }

  async function openTemplate(template: string) {
    await page.goto(`${stack.url}/journeys`);
    await page.locator('.demo-badge', { hasText: 'Demo workspace' }).waitFor();
    await page.locator(`[data-template="${template}"]`).click();
    await page.locator('.react-flow__node').first().waitFor();
  }

  /** Sends the event through the tracking API; the enroll route stands in where tracking is absent. */
  async function sendCartAbandoned(journeyId: string): Promise<'track' | 'enroll'> {
    const basic = Buffer.from(`${stack.workspace.writeKey}:`).toString('base64');
    const tracked = await stack.call(
      'POST',
      '/v1/track',
      {
        userId: 'browser-shopper',
        event: 'Cart Abandoned',
        properties: { cartUrl: 'https://shop.test/c/7' },
      },
      { authorization: `Basic ${basic}` },
    );
    if (tracked.status !== 404) {
      expect(tracked.status).toBeLessThan(300);
      return 'track';
    }
    const contact = await stack.call('POST', '/v1/contacts', {
      userId: 'browser-shopper',
      email: 'shopper@example.com',
    });
    expect(contact.status).toBe(201);
    const { id } = (await contact.json()) as { id: string };
    const enrolled = await stack.call('POST', `/v1/journeys/${journeyId}/enroll`, { contactIds: [id] });
    expect(enrolled.status).toBe(200);
    return 'enroll';
  }

  it('builds the abandoned cart from its template, edits, validates, publishes and counts the first entry', async () => {
    await openTemplate('abandoned-cart');
    const journeyId = page.url().split('/journeys/')[1];
    await node('wait-24-hours').waitFor();
    await page.locator('[data-save-state="saved"]').waitFor();
    await page.locator('[data-testid="problems"] [data-errors="0"]').waitFor();
    await screenshot(page, '01-abandoned-cart-template');

    // Change the first wait to 2 hours in the generated form.
    await node('wait-1-hour').click();
    const panel = page.locator('[data-node-panel="wait-1-hour"]');
    await panel.waitFor();
    await panel.locator('input[name="timeout.amount"]').fill('2');
    await expect.poll(() => panel.locator('select[name="timeout.unit"]').inputValue()).toBe('hours');
    await node('wait-1-hour').locator('.jn-summary', { hasText: 'within 2 hours' }).waitFor();

    // A new SMS node: invalid (no text, unreachable) until it is filled in and connected.
    await page.locator('.palette-item[data-type="sms.send"]').click();
    await node('sms-send-1').waitFor();
    await node('sms-send-1').locator('.jn.has-errors').waitFor();
    await page.locator('[data-testid="problems"] .problems-state:not([data-errors="0"])').waitFor();
    await expect.poll(() => page.locator('[data-testid="publish"]').isDisabled()).toBe(true);
    await screenshot(page, '02-new-sms-node-with-errors');

    await page
      .locator('[data-node-panel="sms-send-1"] textarea[name="text"]')
      .fill('Still thinking it over? {{ event.properties.cartUrl }}');
    await fitView();
    // Cards are clipped to their box for cheaper pointer hit-testing, with a margin: a port handle
    // sticking out of its card can still be grabbed at its outer edge.
    const outerEdgeHits = await node('sms-send-1')
      .locator('.react-flow__handle.target')
      .evaluate((handle) => {
        const box = handle.getBoundingClientRect();
        const card = handle.closest('.jn')!.getBoundingClientRect();
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + 1);
        return { outside: box.top < card.top, hit: hit === handle };
      });
    expect(outerEdgeHits).toEqual({ outside: true, hit: true });
    await dragBetween(
      node('cart-reminder').locator('.react-flow__handle[data-handleid="error"]'),
      node('sms-send-1').locator('.react-flow__handle.target'),
    );
    await page.locator('.react-flow__edge[data-id^="e-cart-reminder-error-sms-send-1"]').waitFor();
    await page.locator('[data-testid="problems"] [data-errors="0"]').waitFor();
    await expect.poll(() => node('sms-send-1').locator('.jn.has-errors').count()).toBe(0);
    await page.locator('[data-save-state="saved"]').waitFor();
    await screenshot(page, '03-sms-connected-valid');

    // Publish with a note.
    await expect
      .poll(() => page.locator('[data-testid="publish"]').isEnabled(), { timeout: 15_000 })
      .toBe(true);
    await page.locator('[data-testid="publish"]').click();
    await page.locator('textarea[name="note"]').fill('Two-hour first reminder; SMS when the email fails');
    await page.locator('[data-testid="confirm-publish"]').click();
    await page.locator('.editor-title .badge.status-active').waitFor();
    const saved = (await (await stack.call('GET', `/v1/journeys/${journeyId}/versions/1`)).json()) as any;
    expect(saved.note).toBe('Two-hour first reminder; SMS when the email fails');
    expect(saved.graph.nodes.find((n: any) => n.id === 'wait-1-hour').config.timeout).toEqual({
      amount: 2,
      unit: 'hours',
    });
    expect(saved.graph.edges).toContainEqual(
      expect.objectContaining({ source: 'cart-reminder', sourceHandle: 'error', target: 'sms-send-1' }),
    );

    // An event through the API enters a contact; the trigger's live count shows it.
    const via = await sendCartAbandoned(journeyId);
    console.log(
      `[browser test] Cart Abandoned sent through ${via === 'track' ? 'POST /v1/track' : 'POST /v1/journeys/:id/enroll'}`,
    );
    await node('cart-abandoned')
      .locator('[data-count="entered"]', { hasText: /^1$/ })
      .waitFor({ timeout: 60_000 });
    await node('wait-1-hour')
      .locator('[data-count="waiting"]', { hasText: /^1$/ })
      .waitFor({ timeout: 60_000 });
    await screenshot(page, '04-published-live-counts');

    // Zoomed out below readable text, every card is drawn in outline (its title large, no other
    // text) at the size it had in full, so edges and layout stay where they were; zoomed back in,
    // the counts are there again.
    const cardSizes = () =>
      page
        .locator('.react-flow__node')
        .evaluateAll((cards) =>
          cards.map(
            (c) =>
              `${c.getAttribute('data-id')} ${(c as HTMLElement).offsetWidth}×${(c as HTMLElement).offsetHeight}`,
          ),
        );
    const fullSizes = await cardSizes();
    expect(await page.locator('.jn.outline').count()).toBe(0);
    for (let click = 0; click < 20 && (await page.locator('.jn.outline').count()) === 0; click++) {
      await page.locator('.react-flow__controls-zoomout').click();
    }
    await expect.poll(() => page.locator('.jn.outline').count()).toBe(fullSizes.length);
    expect(await cardSizes()).toEqual(fullSizes);
    expect(await node('cart-abandoned').locator('.jn-outline').textContent()).toBe('Cart abandoned');
    expect(await page.locator('.jn-summary, .jn-port-label, [data-count]').count()).toBe(0);
    // The one number still drawn, large: how many entered each card.
    expect(await node('cart-abandoned').locator('.jn-outline-count').textContent()).toBe('1');
    expect(await node('wait-1-hour').locator('.jn-outline-count').textContent()).toBe('1');
    await screenshot(page, '04-zoomed-out-outline');
    await fitView();
    await node('cart-abandoned').locator('[data-count="entered"]', { hasText: /^1$/ }).waitFor();
    expect(await page.locator('.jn.outline').count()).toBe(0);
    // Zoomed in close, the cards out of view are drawn in outline, still at their size.
    for (let click = 0; click < 8 && (await page.locator('.jn.outline').count()) === 0; click++) {
      await page.locator('.react-flow__controls-zoomin').click();
    }
    await expect.poll(() => page.locator('.jn.outline').count()).toBeGreaterThan(0);
    expect(await page.locator('.jn.outline').count()).toBeLessThan(fullSizes.length);
    expect(await cardSizes()).toEqual(fullSizes);
    await fitView();
    await expect.poll(() => page.locator('.jn.outline').count()).toBe(0);

    // The contact's profile shows the run and where it waits now.
    const runs = (await (await stack.call('GET', `/v1/journeys/${journeyId}/runs`)).json()) as any;
    // A link from before path routes (`/#/contacts/:id`) still opens the profile, at its path.
    await page.goto(`${stack.url}/#/contacts/${runs.data[0].contactId}`);
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/contacts/${runs.data[0].contactId}`);
    await page.locator('.run .path li', { hasText: 'wait-1-hour' }).waitFor();
    await page.locator('.run .badge', { hasText: 'waiting here' }).waitFor();
    await screenshot(page, '06-contact-profile');

    // The journey's settings take a holdout share (a control group); the draft keeps it.
    await page.goto(`${stack.url}/journeys/${journeyId}`);
    await page.locator('.settings-panel input[name="holdoutShare"]').fill('0.2');
    await expect
      .poll(async () => ((await (await stack.call('GET', `/v1/journeys/${journeyId}`)).json()) as any).draft)
      .toMatchObject({ settings: { holdoutShare: 0.2 } });
  }, 240_000);

  it('simulates the birthday greeting for a sample contact and highlights the path', async () => {
    await openTemplate('birthday-greeting');
    await node('birthday-email').waitFor();
    // The fit-view button fits the journey as it opened: the view does not jump.
    const opened = await settledViewport();
    expect(await fitView()).toBe(opened);
    await page.getByRole('button', { name: 'Simulate', exact: true }).click();
    const panel = page.locator('[data-testid="simulate-panel"]');
    await expect
      .poll(() => panel.locator('textarea[name="attributes"]').inputValue())
      .toContain('"birthday"');
    await panel.getByRole('button', { name: 'Run simulation' }).click();
    const result = panel.locator('[data-testid="simulation-result"]');
    await result.waitFor({ timeout: 120_000 });
    await result.locator('.sim-status', { hasText: 'completed' }).waitFor();
    for (const id of ['birthday', 'give-coupon', 'birthday-email', 'done']) {
      await node(id).locator('.jn.on-path').waitFor();
    }
    expect(await page.locator('.jn.on-path').count()).toBe(4);
    expect(await page.locator('.react-flow__edge.on-path').count()).toBe(3);
    await expect.poll(() => result.locator('.plain-list li', { hasText: 'email' }).count()).toBe(1);
    await screenshot(page, '05-birthday-simulation');
  }, 240_000);
});
