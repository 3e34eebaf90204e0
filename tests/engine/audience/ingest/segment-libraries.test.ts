import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenBrowser, openBrowser } from '../../../browser/helpers/browser';
import {
  contactByUserId,
  eventsOf,
  eventually,
  type IngestHarness,
  startIngestHarness,
} from './ingest-harness';

/**
 * Segment's and RudderStack's own client libraries, unchanged, pointed at Wayline: Segment's Node
 * library, RudderStack's Node SDK (gzip on), and the browser builds of analytics.js and of
 * RudderStack's JavaScript library on a page of another origin in Chromium, each loading its
 * configuration from Wayline.
 */
describe('Segment and RudderStack client libraries against the tracking API (real API on a port)', () => {
  let h: IngestHarness;
  let api: string;
  let writeKey: string;

  beforeAll(async () => {
    h = await startIngestHarness();
    writeKey = h.workspace.writeKey;
    api = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => h?.close());

  const storedFor = async (userId: string, count: number) =>
    eventually(async () => {
      const contact = await contactByUserId(h.database, h.workspace.id, userId);
      if (!contact) return undefined;
      const rows = (await eventsOf(h.database, h.workspace.id)).filter((e) => e.contactId === contact.id);
      return rows.length >= count && { contact, rows };
    });

  it('takes what @segment/analytics-node sends: identify traits, track, page and screen', async () => {
    const analytics = new Analytics({ writeKey, host: api, flushAt: 10, flushInterval: 200 });
    const statuses: number[] = [];
    const failures: unknown[] = [];
    analytics.on('http_response', (response) => statuses.push(response.status));
    analytics.on('error', (error) => failures.push(error));

    analytics.identify({ userId: 'node-1', traits: { email: 'Ada@Example.com', plan: 'pro' } });
    analytics.track({ userId: 'node-1', event: 'Order Completed', properties: { revenue: 42.5 } });
    analytics.page({ userId: 'node-1', name: 'Pricing', properties: { path: '/pricing' } });
    analytics.screen({ userId: 'node-1', name: 'Cart' });
    await analytics.closeAndFlush({ timeout: 20_000 });

    expect(failures).toEqual([]);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const { contact, rows } = await storedFor('node-1', 4);
    expect(contact.email).toBe('ada@example.com');
    expect(contact.attributes).toMatchObject({ plan: 'pro' });
    expect(rows.map((e) => [e.type, e.name]).sort()).toEqual(
      [
        ['identify', null],
        ['page', 'Pricing'],
        ['screen', 'Cart'],
        ['track', 'Order Completed'],
      ].sort(),
    );
    const order = rows.find((e) => e.name === 'Order Completed');
    expect(order?.properties).toEqual({ revenue: 42.5 });
    expect(order?.context).toMatchObject({ library: { name: '@segment/analytics-node' } });
  });

  it('reports a wrong write key to @segment/analytics-node as an error and stores nothing', async () => {
    const analytics = new Analytics({ writeKey: 'wl_wk_not-a-key', host: api, flushAt: 1, maxRetries: 0 });
    const statuses: number[] = [];
    const failures: unknown[] = [];
    analytics.on('http_response', (response) => statuses.push(response.status));
    analytics.on('error', (error) => failures.push(error));
    analytics.track({ userId: 'node-stranger', event: 'Should Not Land' });
    await analytics.closeAndFlush({ timeout: 20_000 });
    expect(statuses).toEqual([401]);
    expect(failures.length).toBe(1);
    expect(await contactByUserId(h.database, h.workspace.id, 'node-stranger')).toBeUndefined();
  });

  it('takes what @rudderstack/rudder-sdk-node sends, gzipped', async () => {
    const failures: unknown[] = [];
    const rudder = new RudderAnalytics(writeKey, {
      dataPlaneUrl: api,
      flushAt: 10,
      flushInterval: 200,
      logLevel: 'error',
      errorHandler: (error) => failures.push(error),
    });
    rudder.identify({
      userId: 'rudder-1',
      anonymousId: 'rudder-anon-1',
      traits: { phone: '+44 20 7946 0958' },
    });
    rudder.track({ userId: 'rudder-1', event: 'Trial Started', properties: { days: 14 } });
    await rudder.flush();
    expect(failures).toEqual([]);
    const { contact, rows } = await storedFor('rudder-1', 2);
    expect(contact.phone).toBe('+442079460958');
    expect(contact.anonymousId).toBe('rudder-anon-1');
    expect(rows.find((e) => e.name === 'Trial Started')?.properties).toEqual({ days: 14 });
  });

  describe('the browser libraries in Chromium, on a page of another origin', () => {
    let site: Server;
    let siteUrl: string;
    let browser: OpenBrowser;
    const failedRequests: string[] = [];
    const consoleErrors: string[] = [];
    const waylineCalls: string[] = [];

    beforeAll(async () => {
      // The libraries' published browser builds, as a site would serve them; the page has no code.
      const modules = path.join(import.meta.dirname, '../../../../node_modules');
      const builds: Record<string, Buffer> = {
        '/analytics-next.js': readFileSync(path.join(modules, '@segment/analytics-next/dist/umd/index.js')),
        '/rudder.js': readFileSync(
          path.join(modules, '@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js'),
        ),
      };
      site = createServer((request, response) => {
        const build = builds[request.url ?? ''];
        if (build) {
          response.writeHead(200, { 'content-type': 'text/javascript' }).end(build);
          return;
        }
        const script = request.url?.startsWith('/rudder') ? '/rudder.js' : '/analytics-next.js';
        response
          .writeHead(200, { 'content-type': 'text/html' })
          .end(`<!doctype html><title>Shop</title><script src="${script}"></script><h1>Shop</h1>`);
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      // `localhost` and `127.0.0.1` are two origins: the page's calls to Wayline are cross-origin.
      siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;
      browser = await openBrowser();
      browser.page.on('requestfailed', (request) => {
        const reason = request.failure()?.errorText;
        // A request still in flight when the next test navigates away is aborted by the browser;
        // the library sends it again from its stored queue. A refused one (CORS) fails otherwise.
        if (reason !== 'net::ERR_ABORTED') failedRequests.push(`${request.url()} ${reason}`);
      });
      browser.page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      browser.page.on('response', (response) => {
        if (response.url().startsWith(api))
          waylineCalls.push(`${response.status()} ${new URL(response.url()).pathname}`);
      });
    });
    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => site?.close(resolve));
    });

    it('loads its settings from Wayline and sends identify, track and page to the one-letter paths', async () => {
      await browser.page.goto(`${siteUrl}/checkout?step=1`);
      const anonymousId = await browser.page.evaluate(
        async ({ writeKey, api }) => {
          type Ajs = {
            identify(id: string, traits: object): Promise<unknown>;
            track(event: string, properties: object): Promise<unknown>;
            page(): Promise<unknown>;
            user(): { anonymousId(): string };
          };
          const next = (
            window as unknown as { AnalyticsNext: { AnalyticsBrowser: { load(s: object): Promise<[Ajs]> } } }
          ).AnalyticsNext;
          const [analytics] = await next.AnalyticsBrowser.load({ writeKey, cdnURL: api });
          await analytics.page();
          await analytics.identify('web-1', { email: 'grace@example.com', firstName: 'Grace' });
          await analytics.track('Checkout Started', { value: 99, currency: 'EUR' });
          return analytics.user().anonymousId();
        },
        { writeKey, api },
      );

      const { contact, rows } = await storedFor('web-1', 3);
      expect(contact.email).toBe('grace@example.com');
      expect(contact.attributes).toMatchObject({ firstName: 'Grace' });
      // The page view came before the identify, under the browser's anonymous id: the same contact.
      expect(contact.anonymousId).toBe(anonymousId);
      const checkout = rows.find((e) => e.name === 'Checkout Started');
      expect(checkout?.properties).toEqual({ value: 99, currency: 'EUR' });
      expect(checkout?.context).toMatchObject({
        library: { name: 'analytics.js' },
        page: { path: '/checkout', search: '?step=1' },
      });
      expect(rows.some((e) => e.type === 'page')).toBe(true);
      // The page hears a response after the server stored what it carried: wait for the page.
      await expect
        .poll(() => waylineCalls)
        .toEqual(
          expect.arrayContaining([
            `200 /v1/projects/${writeKey}/settings`,
            '200 /v1/p',
            '200 /v1/i',
            '200 /v1/t',
          ]),
        );
      expect(waylineCalls.every((call) => call.startsWith('200 '))).toBe(true);
      expect(failedRequests).toEqual([]);
      expect(consoleErrors).toEqual([]);
    });

    it('sends batches to /v1/b with the batching delivery strategy', async () => {
      await browser.page.goto(`${siteUrl}/cart`);
      // This page's calls alone: the one before may have left a call in flight.
      for (const seen of [waylineCalls, failedRequests, consoleErrors]) seen.length = 0;
      await browser.page.evaluate(
        async ({ writeKey, api }) => {
          type Ajs = {
            identify(id: string): Promise<unknown>;
            track(event: string, p?: object): Promise<unknown>;
          };
          const next = (
            window as unknown as {
              AnalyticsNext: { AnalyticsBrowser: { load(s: object, o: object): Promise<[Ajs]> } };
            }
          ).AnalyticsNext;
          const batching = { strategy: 'batching', config: { size: 3, timeout: 100 } };
          const [analytics] = await next.AnalyticsBrowser.load(
            { writeKey, cdnURL: api },
            { integrations: { 'Segment.io': { deliveryStrategy: batching } } },
          );
          await Promise.all([
            analytics.identify('web-2'),
            analytics.track('Cart Viewed', { items: 2 }),
            analytics.track('Coupon Applied', { code: 'WINTER' }),
          ]);
        },
        { writeKey, api },
      );
      const { rows } = await storedFor('web-2', 3);
      expect(rows.map((e) => e.name).sort()).toEqual(['Cart Viewed', 'Coupon Applied', null].sort());
      await expect.poll(() => waylineCalls).toContain('200 /v1/b');
      expect(waylineCalls.some((call) => /\/v1\/[tip]$/.test(call))).toBe(false);
      expect(failedRequests).toEqual([]);
      expect(consoleErrors).toEqual([]);
    });

    it("runs RudderStack's JavaScript library on its source configuration from Wayline", async () => {
      waylineCalls.length = 0;
      await browser.page.goto(`${siteUrl}/rudder/pricing`);
      await browser.page.evaluate(
        async ({ writeKey, api }) => {
          type Rudder = {
            load(writeKey: string, dataPlaneUrl: string, options: object): void;
            ready(callback: () => void): void;
            identify(id: string, traits: object): void;
            track(event: string, properties: object): void;
            page(): void;
          };
          const global = window as unknown as { rudderanalytics: { RudderAnalytics: new () => Rudder } };
          const rudder = new global.rudderanalytics.RudderAnalytics();
          rudder.load(writeKey, api, { configUrl: api, logLevel: 'NONE' });
          await new Promise<void>((resolve) => rudder.ready(resolve));
          rudder.identify('rudder-web-1', { email: 'linus@example.com', plan: 'team' });
          rudder.track('Plan Chosen', { plan: 'team', seats: 5 });
          rudder.page();
        },
        { writeKey, api },
      );
      const { contact, rows } = await storedFor('rudder-web-1', 3);
      expect(contact.email).toBe('linus@example.com');
      expect(contact.attributes).toMatchObject({ plan: 'team' });
      const chosen = rows.find((e) => e.name === 'Plan Chosen');
      expect(chosen?.properties).toEqual({ plan: 'team', seats: 5 });
      expect(chosen?.context).toMatchObject({ page: { path: '/rudder/pricing' } });
      // The page hears a response after the server stored what it carried: wait for the page.
      await expect
        .poll(() => waylineCalls)
        .toEqual(expect.arrayContaining(['200 /sourceConfig/', '200 /v1/identify', '200 /v1/track']));
      expect(waylineCalls.every((call) => call.startsWith('200 ') || call.startsWith('204 '))).toBe(true);
    });
  });
});
