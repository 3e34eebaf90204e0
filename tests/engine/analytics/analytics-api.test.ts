import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { contactClusters, events, segmentMembers } from '../../../db/schema';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../helpers/temporal';
import { type Browser, identityApp, member, signIn } from '../identity/identity-app';

const DAY = 86_400_000;
const products = ['tea', 'cups', 'kettle', 'honey', 'lemon'];

describe.each(databaseKinds())(
  'analytics API (Fastify inject, Temporal dev server and worker, %s)',
  (kind) => {
    let database: Database;
    let temporal: TemporalHarness;
    let worker: Awaited<ReturnType<typeof startWorker>>;
    let app: FastifyInstance;
    let analyst: Browser;
    let marketer: Browser;
    let sales: Browser;
    let firstBuyer: { id: string; revenueLastYear: number };
    let orders: (typeof events.$inferInsert)[] = [];
    let cellSegmentId: string;

    beforeAll(async () => {
      database = await openTestDb(kind);
      temporal = await devServerTemporal();
      worker = await startWorker(temporal, database.db);
      app = await identityApp(database, temporal);
      const { db } = database;
      const workspace = await createWorkspace(db, 'Shop');
      const now = Date.now();
      const rows: (typeof events.$inferInsert)[] = [];
      // 40 buyers with deterministic, varied histories; tea and cups are usually bought together.
      for (let i = 0; i < 40; i++) {
        const contact = await createContact(db, workspace.id, {
          userId: `b${i}`,
          email: `b${i}@example.com`,
        });
        const orders = 1 + (i % 6);
        if (i === 5) firstBuyer = { id: contact.id, revenueLastYear: 0 };
        for (let k = 0; k < orders; k++) {
          const daysAgo = 3 + i * 4 + k * (20 + (i % 5) * 7);
          if (i === 5 && daysAgo < 365) firstBuyer.revenueLastYear += 10 + ((i * 7 + k * 13) % 90);
          const basket =
            i % 3 === 0 ? ['tea', 'cups'] : [products[(i + k) % 5], products[(i + 2 * k + 1) % 5]];
          rows.push({
            workspaceId: workspace.id,
            contactId: contact.id,
            messageId: `o-${i}-${k}`,
            type: 'track',
            name: 'Order Completed',
            properties: {
              revenue: 10 + ((i * 7 + k * 13) % 90),
              products: basket.map((p) => ({ product_id: p, quantity: 1 })),
            },
            timestamp: new Date(now - daysAgo * DAY),
          });
        }
      }
      await db.insert(events).values(rows);
      orders = rows;
      analyst = await signIn(app, (await member(database, workspace.id, 'analyst')).email);
      marketer = await signIn(app, (await member(database, workspace.id, 'marketer')).email);
      sales = await signIn(app, (await member(database, workspace.id, 'sales')).email);
    });
    afterAll(async () => {
      await app?.close();
      await worker?.stop();
      await temporal?.close();
      await database?.close();
    });

    async function finished(browser: Browser, jobId: string) {
      for (let i = 0; i < 600; i++) {
        const job = (await browser.call('GET', `/v1/jobs/${jobId}`)).json();
        if (job.status === 'completed' || job.status === 'failed') return job;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`job ${jobId} did not finish`);
    }

    it('lets the analyst refresh RFM and read the grid; the marketer reads it; sales sees nothing', async () => {
      expect((await analyst.call('GET', '/v1/analytics/rfm')).json().cells).toEqual([]);
      const refreshed = await analyst.call('POST', '/v1/analytics/rfm/refresh', { windowDays: 730 });
      expect(refreshed.statusCode).toBe(200);
      expect(refreshed.json().contacts).toBe(40);
      const grid = (await marketer.call('GET', '/v1/analytics/rfm')).json();
      expect(grid.cells.reduce((s: number, c: { contacts: number }) => s + c.contacts, 0)).toBe(40);
      expect(grid.segments.length).toBeGreaterThan(1);
      expect((await marketer.call('POST', '/v1/analytics/rfm/refresh', {})).statusCode).toBe(403);
      expect((await marketer.call('GET', '/v1/analytics/rfm/scores.csv')).statusCode).toBe(403);
      expect((await sales.call('GET', '/v1/analytics/rfm')).statusCode).toBe(403);
      const csv = await analyst.call('GET', '/v1/analytics/rfm/scores.csv');
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body.split('\r\n')[0]).toBe(
        'contactId,email,recencyDays,frequency,monetary,r,f,m,segment,valueClass,computedAt',
      );
      expect(csv.body.trim().split('\r\n')).toHaveLength(41);
    });

    it('makes a segment from a grid cell whose size is the cell’s count', async () => {
      const grid = (await marketer.call('GET', '/v1/analytics/rfm')).json();
      const cell = grid.cells.reduce((a: { contacts: number }, b: { contacts: number }) =>
        b.contacts > a.contacts ? b : a,
      );
      const created = await marketer.call('POST', '/v1/segments', {
        name: `RFM ${cell.r}/${cell.fm}`,
        definition: {
          match: 'all',
          rules: [
            { kind: 'analytics', field: 'rfm.r', op: 'eq', value: cell.r },
            { kind: 'analytics', field: 'rfm.fm', op: 'eq', value: cell.fm },
          ],
        },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json().members).toBe(cell.contacts);
      cellSegmentId = created.json().id;
    });

    it('fits predictive CLV, clusters and affinity rules as background jobs with progress', async () => {
      const clv = await analyst.call('POST', '/v1/analytics/jobs', {
        model: 'clv',
        options: { horizonDays: 180 },
      });
      expect(clv.statusCode).toBe(202);
      const clvJob = await finished(analyst, clv.json().id);
      expect(clvJob).toMatchObject({ status: 'completed', total: 4, done: 4 });
      const fit = (await analyst.call('GET', '/v1/analytics/results/clv')).json();
      expect(fit.result.customers).toBe(40);
      expect(fit.result.bgnbd.r).toBeGreaterThan(0);
      expect(fit.computedAt).not.toBeNull();
      const scores = (await analyst.call('GET', '/v1/analytics/clv/scores')).json().data;
      expect(scores).toHaveLength(40);
      for (const s of scores) {
        expect(s.probabilityAlive).toBeGreaterThan(0);
        expect(s.probabilityAlive).toBeLessThanOrEqual(1);
        expect(s.clv).toBeGreaterThanOrEqual(0);
      }

      const clusters = await analyst.call('POST', '/v1/analytics/jobs', {
        model: 'clusters',
        options: { k: 3 },
      });
      expect((await finished(analyst, clusters.json().id)).status).toBe('completed');
      const profile = (await analyst.call('GET', '/v1/analytics/results/clusters')).json().result;
      expect(profile.k).toBe(3);
      expect(profile.profiles.reduce((s: number, p: { size: number }) => s + p.size, 0)).toBe(40);
      expect((await analyst.call('GET', '/v1/analytics/clusters.csv')).body.split('\r\n')[0]).toBe(
        'cluster,size,revenue,recency_days,frequency,monetary',
      );

      const affinity = await analyst.call('POST', '/v1/analytics/jobs', {
        model: 'affinity',
        options: { minSupport: 0.1, minConfidence: 0.5, minLift: 1 },
      });
      expect((await finished(analyst, affinity.json().id)).status).toBe('completed');
      const rules = (await analyst.call('GET', '/v1/analytics/affinity/rules')).json().data;
      expect(
        rules.some(
          (r: { antecedent: string[]; consequent: string[] }) =>
            r.antecedent.join() === 'cups' && r.consequent.join() === 'tea',
        ),
      ).toBe(true);
      expect((await marketer.call('POST', '/v1/analytics/jobs', { model: 'rfm' })).statusCode).toBe(403);
    }, 180_000);

    it('computes the CLTV formula in both conventions', async () => {
      const formula = await analyst.call('POST', '/v1/analytics/clv/formula', {
        margin: 1000,
        rate: 0.1,
        periods: 5,
      });
      expect(formula.json().clv).toBeCloseTo(3790.79, 2);
      const first = await analyst.call('POST', '/v1/analytics/clv/formula', {
        margin: 1000,
        rate: 0.1,
        periods: 5,
        convention: 'first-undiscounted',
      });
      expect(first.json().clv).toBeCloseTo(4169.87, 2);
      expect(
        (await analyst.call('POST', '/v1/analytics/clv/formula', { margin: 1000, rate: -1 })).statusCode,
      ).toBe(400);
      // For one contact: M is its revenue of the last 365 days, the same each year.
      const contact = (
        await analyst.call('POST', '/v1/analytics/clv/formula', {
          contactId: firstBuyer.id,
          rate: 0.1,
          periods: 5,
        })
      ).json();
      expect(contact.margin).toBeCloseTo(firstBuyer.revenueLastYear, 6);
      expect(contact.clv).toBeCloseTo(firstBuyer.revenueLastYear * 3.790786769, 4);
      const both = { margin: 1, contactId: firstBuyer.id, rate: 0.1 };
      expect((await analyst.call('POST', '/v1/analytics/clv/formula', both)).statusCode).toBe(400);
    });

    it('answers the headline numbers, a funnel and cohorts, each with a CSV', async () => {
      const dashboard = (await analyst.call('GET', '/v1/analytics/dashboard')).json();
      expect(dashboard.totals.contacts).toBe(40);
      expect(dashboard.totals).toMatchObject({ attributedRevenue: 0, spend: 0, roi: null });
      const noCampaign = await analyst.call(
        'GET',
        '/v1/analytics/campaigns/00000000-0000-4000-8000-000000000000/funnel',
      );
      expect(noCampaign.statusCode).toBe(404);
      const body = {
        steps: [{ event: 'Order Completed' }, { event: 'Order Completed' }],
        windowHours: 24 * 300,
        from: new Date(Date.now() - 800 * DAY).toISOString(),
        to: new Date().toISOString(),
      };
      const funnel = (await analyst.call('POST', '/v1/analytics/funnels', body)).json();
      expect(funnel.steps[0].contacts).toBe(40);
      expect((await analyst.call('POST', '/v1/analytics/funnels.csv', body)).body.split('\r\n')[0]).toBe(
        'group,step,event,contacts,conversion,overallConversion,dropOff,medianSeconds',
      );
      const cohorts = await analyst.call('POST', '/v1/analytics/cohorts', {
        from: body.from,
        to: body.to,
        weeks: 4,
      });
      expect(cohorts.json().data.reduce((s: number, c: { size: number }) => s + c.size, 0)).toBe(40);
    });

    it('narrows the headline numbers, CLV scores and clusters to one segment', async () => {
      const { db } = database;
      const members = new Set(
        (
          await db
            .select({ id: segmentMembers.contactId })
            .from(segmentMembers)
            .where(eq(segmentMembers.segmentId, cellSegmentId))
        ).map((m) => m.id),
      );
      expect(members.size).toBeGreaterThan(0);
      // The members' orders of the last 90 days, summed here from the rows the test wrote.
      const since = Date.now() - 90 * DAY;
      const recent = orders.filter(
        (o) => members.has(o.contactId as string) && (o.timestamp as Date).getTime() >= since,
      );
      const revenue = recent.reduce((s, o) => s + Number((o.properties as { revenue: number }).revenue), 0);
      const narrowed = (
        await analyst.call('GET', `/v1/analytics/dashboard?segmentId=${cellSegmentId}`)
      ).json();
      expect(narrowed.totals).toMatchObject({ contacts: members.size, conversions: recent.length });
      expect(narrowed.totals.revenue).toBeCloseTo(revenue, 6);

      const scores = (await analyst.call('GET', `/v1/analytics/clv/scores?segmentId=${cellSegmentId}`)).json()
        .data as { contactId: string }[];
      expect(new Set(scores.map((s) => s.contactId))).toEqual(members);

      const assigned = await db.select().from(contactClusters);
      const expected = new Map<number, number>();
      for (const a of assigned)
        if (members.has(a.contactId)) expected.set(a.cluster, (expected.get(a.cluster) ?? 0) + 1);
      const spread = (
        await analyst.call('GET', `/v1/analytics/clusters/segment-spread?segmentId=${cellSegmentId}`)
      ).json().data as { cluster: number; members: number }[];
      expect(new Map(spread.map((s) => [s.cluster, s.members]))).toEqual(expected);
      expect(
        (await analyst.call('GET', '/v1/analytics/clusters/segment-spread?segmentId=nope')).statusCode,
      ).toBe(400);
    });
  },
);
