import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { contacts, messages, suppressions } from '../../../db/schema';
import { issueApiKey } from '../../../engine/identity/api-keys';
import { bearer, testApp } from '../../helpers/app';
import { testChannelDeps } from '../../helpers/channels';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';
import { broadcastTo, type Seeded, seedAudience, startBroadcastWorker, until } from './fixtures';

describe.each(databaseKinds())(
  'campaigns and broadcasts API (Fastify inject, real Temporal dev server, %s)',
  (kind) => {
    let database: Database;
    let temporal: TemporalHarness;
    let app: FastifyInstance;
    let stopWorker: () => Promise<void>;
    let seeded: Seeded;
    let key: string;

    beforeAll(async () => {
      database = await openTestDb(kind);
      temporal = await devServerTemporal();
      ({ stop: stopWorker } = await startBroadcastWorker(temporal, testChannelDeps(database.db)));
      app = await testApp(database, temporal);
      seeded = await seedAudience(database.db, 20, 'API workspace');
      key = seeded.workspace.secretKey;
    });
    afterAll(async () => {
      await app?.close();
      await stopWorker?.();
      await temporal?.close();
      await database?.close();
    });

    const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, auth = key) =>
      app.inject({ method, url, payload: payload as never, headers: bearer(auth) });

    const newCampaign = (extra: Record<string, unknown> = {}) =>
      call('POST', '/v1/campaigns', {
        name: 'Autumn',
        objective: { event: 'Order Completed', targetCount: 50 },
        budget: 100,
        currency: 'EUR',
        costModel: { email: 0.01 },
        channels: ['email'],
        ...extra,
      });

    it('refuses a template of the wrong channel, naming the variant', async () => {
      const response = await call(
        'POST',
        '/v1/broadcasts',
        broadcastTo(seeded, { variants: [{ key: 'A', templateId: seeded.templates.sms.id }] }),
      );
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({
        code: 'template_wrong_channel',
        field: 'variants.0.templateId',
      });
      expect((await call('GET', '/v1/broadcasts')).json().data).toEqual([]);
    });

    it('refuses a campaign ending before it starts', async () => {
      const response = await newCampaign({
        startsAt: '2026-12-10T00:00:00Z',
        endsAt: '2026-12-01T00:00:00Z',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.field).toBe('body.endsAt');
    });

    it('refuses to launch with no audience, a time in the past, or over budget, and changes nothing', async () => {
      const empty = await call(
        'POST',
        '/v1/broadcasts',
        broadcastTo(seeded, { audience: { segmentIds: [], listIds: [] } }),
      );
      expect(empty.statusCode).toBe(201);
      const noAudience = await call('POST', `/v1/broadcasts/${empty.json().id}/launch`);
      expect(noAudience.statusCode).toBe(400);
      expect(noAudience.json().error).toMatchObject({ code: 'audience_missing', field: 'audience' });

      const past = await call(
        'POST',
        '/v1/broadcasts',
        broadcastTo(seeded, { schedule: { kind: 'at', at: '2020-01-01T09:00:00Z' } }),
      );
      const late = await call('POST', `/v1/broadcasts/${past.json().id}/launch`);
      expect(late.statusCode).toBe(400);
      expect(late.json().error).toMatchObject({ code: 'schedule_in_past', field: 'schedule.at' });

      // 20 emails at 1.00 against a budget of 5.
      const campaign = (await newCampaign({ budget: 5, costModel: { email: 1 } })).json();
      const costly = await call('POST', '/v1/broadcasts', broadcastTo(seeded, { campaignId: campaign.id }));
      const over = await call('POST', `/v1/broadcasts/${costly.json().id}/launch`);
      expect(over.statusCode).toBe(400);
      expect(over.json().error.code).toBe('over_budget');
      for (const id of [empty.json().id, past.json().id, costly.json().id]) {
        expect((await call('GET', `/v1/broadcasts/${id}`)).json()).toMatchObject({
          status: 'draft',
          audienceSize: null,
        });
      }
    });

    it('confirms the audience after suppression and unsubscribes, launches once, and reports', async () => {
      const db = database.db;
      // One suppressed address, one unsubscribed contact, one without an address: 17 of 20 can be sent to.
      await db.insert(suppressions).values({
        workspaceId: seeded.workspace.id,
        channel: 'email',
        address: 'c0@example.com',
        reason: 'hard-bounce',
      });
      await db
        .update(contacts)
        .set({ subscriptions: { email: 'unsubscribed' } })
        .where(and(eq(contacts.workspaceId, seeded.workspace.id), eq(contacts.email, 'c1@example.com')));
      await db
        .update(contacts)
        .set({ email: null })
        .where(and(eq(contacts.workspaceId, seeded.workspace.id), eq(contacts.email, 'c2@example.com')));

      const campaign = (await newCampaign()).json();
      const created = await call('POST', '/v1/broadcasts', broadcastTo(seeded, { campaignId: campaign.id }));
      expect(created.statusCode).toBe(201);
      const id = created.json().id;
      const confirmation = await call('POST', `/v1/broadcasts/${id}/confirm`);
      expect(confirmation.json()).toEqual({
        audience: 20,
        holdout: 0,
        skipped: [
          { reason: 'no-recipient', count: 1 },
          { reason: 'suppressed:hard-bounce', count: 1 },
          { reason: 'unsubscribed', count: 1 },
        ],
        willSend: 17,
        estimatedCost: 0.17,
        currency: 'EUR',
        budget: 100,
        budgetRemaining: 100,
        overBudget: false,
      });

      // A double click: two launches at once, one freeze, one workflow.
      const [first, second] = await Promise.all([
        call('POST', `/v1/broadcasts/${id}/launch`),
        call('POST', `/v1/broadcasts/${id}/launch`),
      ]);
      expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
      expect([first.json().launched, second.json().launched].sort()).toEqual([false, true]);

      const progress = await until(
        async () => (await call('GET', `/v1/broadcasts/${id}/progress`)).json(),
        (p) => p.status === 'completed',
      );
      expect(progress).toMatchObject({ audience: 20, sent: 17, skipped: 3, failed: 0, queued: 0 });
      expect(progress.skippedReasons).toEqual(
        expect.arrayContaining([
          { reason: 'no-recipient', count: 1 },
          { reason: 'suppressed:hard-bounce', count: 1 },
          { reason: 'unsubscribed', count: 1 },
        ]),
      );
      const again = await call('POST', `/v1/broadcasts/${id}/launch`);
      expect(again.json()).toMatchObject({ launched: false, broadcast: { status: 'completed' } });
      // Every contact has its one ledger row: 17 sent, 3 suppressed by the policy.
      const ledger = await db.select().from(messages).where(eq(messages.broadcastId, id));
      expect(ledger).toHaveLength(20);
      expect(ledger.filter((m) => m.status === 'suppressed')).toHaveLength(3);

      const overview = (await call('GET', `/v1/campaigns/${campaign.id}`)).json();
      expect(overview.broadcasts.map((b: any) => b.id)).toEqual([id]);
      const report = (await call('GET', `/v1/campaigns/${campaign.id}/report`)).json();
      // 17 emails at 0.01.
      expect(report.totals).toMatchObject({
        sent: 17,
        cost: 0.17,
        converted: 0,
        revenue: 0,
        roi: -1,
        roas: 0,
      });
      expect(report.budget).toEqual({ budget: 100, spent: 0.17, remaining: 99.83, warning: null });
      const csv = await call('GET', `/v1/campaigns/${campaign.id}/report.csv`);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body.split('\n')[1]).toMatch(/^total,Autumn,20,17,17,0,0,0,0,0,0,0,0.17,-1,0,$/);
    });

    it('a read-only key may read a broadcast but not launch it', async () => {
      const { key: readKey } = await issueApiKey(database.db, {
        workspaceId: seeded.workspace.id,
        name: 'reader',
        scopes: ['read'],
      });
      const draft = (await call('POST', '/v1/broadcasts', broadcastTo(seeded))).json();
      expect((await call('GET', `/v1/broadcasts/${draft.id}`, undefined, readKey)).statusCode).toBe(200);
      expect((await call('POST', `/v1/broadcasts/${draft.id}/launch`, undefined, readKey)).statusCode).toBe(
        403,
      );
    });
  },
);
