import { and, eq, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { broadcastRecipients, contacts, listMembers, messages } from '../../../db/schema';
import { buildApp } from '../../../engine/api/app';
import { type ChannelDeps, closeChannelDeps } from '../../../engine/messaging/channels/deps';
import { appDeps, bearer } from '../../helpers/app';
import { testChannelDeps } from '../../helpers/channels';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';
import { broadcastTo, type Seeded, seedAudience, startBroadcastWorker, until } from './fixtures';

const HOUR = 3_600_000;
type Reasons = { reason: string; count: number }[];
const byReason = (list: Reasons) => [...list].sort((a, b) => a.reason.localeCompare(b.reason));

/**
 * The launch confirmation counts with the send path's own policy, and a broadcast then sends and
 * skips exactly what it said. Email policy: at most 2 marketing emails per contact in 24 hours.
 * Fourteen contacts c0…c13 (the seeded list), with this history and these choices:
 *
 *   c0  2 marketing emails 2 h ago (sent, sent)            → frequency-cap
 *   c1  2 marketing emails 2 h ago (delivered, opened)     → frequency-cap
 *   c2  2 marketing emails 2 h ago (sent, clicked)         → frequency-cap
 *   c3  1 marketing email 2 h ago (under the cap)          → sends
 *   c4  2 marketing emails 30 h ago (outside the window)   → sends
 *   c5  2 transactional emails 2 h ago (never counted)     → sends
 *   c6  address suppressed (hard bounce)                   → suppressed:hard-bounce
 *   c7  suppressed (complaint) and 2 emails 2 h ago        → suppressed:complaint (suppression first)
 *   c8  unsubscribed from the topic `news`                 → unsubscribed:topic:news
 *   c9  unsubscribed from email and 2 emails 2 h ago       → unsubscribed (before the cap)
 *   c10 2 SMS 2 h ago (another channel's cap)              → sends
 *   c11 nothing                                            → sends
 *   c12 2 emails 2 h ago that failed (not counted)         → sends
 *   c13 2 emails 2 h ago the policy blocked (not counted)  → sends
 *
 * Audience 14; skipped 7 = frequency-cap 3 + suppressed:complaint 1 + suppressed:hard-bounce 1
 * + unsubscribed 1 + unsubscribed:topic:news 1; will send 7 (c3 c4 c5 c10 c11 c12 c13).
 */
describe.each(databaseKinds())(
  'broadcast confirmation through the send policy (Fastify inject, real Temporal dev server, %s)',
  (kind) => {
    let database: Database;
    let temporal: TemporalHarness;
    let app: FastifyInstance;
    let stopWorker: () => Promise<void>;
    let channels: ChannelDeps;
    let seeded: Seeded;
    let key: string;

    const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
      app.inject({ method, url, payload: payload as never, headers: bearer(key) });

    beforeAll(async () => {
      database = await openTestDb(kind);
      temporal = await devServerTemporal();
      channels = testChannelDeps(database.db);
      ({ stop: stopWorker } = await startBroadcastWorker(temporal, channels));
      // With channel deps, so the channel settings, topics and suppression routes are mounted.
      app = await buildApp(appDeps(database, temporal, { channels }));
      seeded = await seedAudience(database.db, 14, 'Confirmation workspace');
      key = seeded.workspace.secretKey;
      const db = database.db;
      const ws = seeded.workspace.id;
      const c = (i: number) => seeded.contacts[i].id;

      expect(
        (
          await call('PUT', '/v1/channels/email', {
            provider: null,
            policy: { frequencyCap: { max: 2, windowHours: 24 } },
          })
        ).statusCode,
      ).toBe(200);
      expect((await call('PUT', '/v1/topics', { name: 'news', label: 'News' })).statusCode).toBe(200);
      for (const [i, reason] of [
        [6, 'hard-bounce'],
        [7, 'complaint'],
      ] as const) {
        const added = await call('PUT', '/v1/suppressions', {
          channel: 'email',
          address: `c${i}@example.com`,
          reason,
        });
        expect(added.statusCode).toBeLessThan(300);
      }
      await db
        .update(contacts)
        .set({ subscriptions: { 'topic:news': 'unsubscribed' } })
        .where(eq(contacts.id, c(8)));
      await db
        .update(contacts)
        .set({ subscriptions: { email: 'unsubscribed' } })
        .where(eq(contacts.id, c(9)));

      // The contacts' earlier messages, as journeys left them in the ledger.
      const now = Date.now();
      // [contact, channel, ledger statuses, hours ago, transactional]
      const history: [number, string, string[], number, boolean?][] = [
        [0, 'email', ['sent', 'sent'], 2],
        [1, 'email', ['delivered', 'opened'], 2],
        [2, 'email', ['sent', 'clicked'], 2],
        [3, 'email', ['sent'], 2],
        [4, 'email', ['sent', 'sent'], 30],
        [5, 'email', ['sent', 'sent'], 2, true],
        [7, 'email', ['sent', 'sent'], 2],
        [9, 'email', ['sent', 'sent'], 2],
        [10, 'sms', ['sent', 'sent'], 2],
        [12, 'email', ['failed', 'failed'], 2],
        [13, 'email', ['suppressed', 'suppressed'], 2],
      ];
      await db.insert(messages).values(
        history.flatMap(([i, channel, statuses, hoursAgo, transactional]) =>
          statuses.map((status, n) => ({
            workspaceId: ws,
            idempotencyKey: `history:${i}:${n}`,
            contactId: c(i),
            channel,
            status,
            transactional: transactional ?? false,
            createdAt: new Date(now - hoursAgo * HOUR),
          })),
        ),
      );
    }, 120_000);
    afterAll(async () => {
      await app?.close();
      await stopWorker?.();
      if (channels) await closeChannelDeps(channels);
      await temporal?.close();
      await database?.close();
    });

    const expected: Reasons = [
      { reason: 'frequency-cap', count: 3 },
      { reason: 'suppressed:complaint', count: 1 },
      { reason: 'suppressed:hard-bounce', count: 1 },
      { reason: 'unsubscribed', count: 1 },
      { reason: 'unsubscribed:topic:news', count: 1 },
    ];

    const completed = (id: string) =>
      until(
        async () => (await call('GET', `/v1/broadcasts/${id}/progress`)).json(),
        (p) => p.status === 'completed',
      );

    it('counts frequency caps, suppressions and topic unsubscribes as the policy does, then sends and skips exactly that', async () => {
      const created = await call('POST', '/v1/broadcasts', broadcastTo(seeded, { topic: 'news' }));
      expect(created.statusCode).toBe(201);
      const id = created.json().id;
      const confirmation = (await call('POST', `/v1/broadcasts/${id}/confirm`)).json();
      expect(confirmation).toMatchObject({ audience: 14, holdout: 0, willSend: 7, skipped: expected });

      const launched = await call('POST', `/v1/broadcasts/${id}/launch`);
      expect(launched.json()).toMatchObject({ launched: true, broadcast: { audienceSize: 14 } });
      const progress = await completed(id);
      expect(progress).toMatchObject({ audience: 14, holdout: 0, sent: 7, skipped: 7, failed: 0, queued: 0 });
      expect(byReason(progress.skippedReasons)).toEqual(byReason(confirmation.skipped));

      // A launched broadcast confirms over its frozen audience: a contact joining the list later
      // is not in it, and its own messages never count toward its cap.
      const [late] = await database.db
        .insert(contacts)
        .values({ workspaceId: seeded.workspace.id, externalId: 'late', email: 'late@example.com' })
        .returning();
      await database.db
        .insert(listMembers)
        .values({ workspaceId: seeded.workspace.id, listId: seeded.list.id, contactId: late.id });
      expect((await call('POST', `/v1/broadcasts/${id}/confirm`)).json()).toMatchObject({
        audience: 14,
        willSend: 7,
        skipped: expected,
      });
      await database.db.delete(contacts).where(eq(contacts.id, late.id));
    }, 120_000);

    it('a second broadcast with a control group confirms what it then sends, the first one now counted under the cap', async () => {
      // After the first broadcast c3 has 2 emails in the window (its earlier one and the
      // broadcast's): 4 contacts are capped (c0 c1 c2 c3), 3 suppressed or unsubscribed as before
      // (no topic this time, so c8 is sent to): before the control group 7 would be sent to.
      const perContact: (string | null)[] = [
        'frequency-cap',
        'frequency-cap',
        'frequency-cap',
        'frequency-cap',
        null,
        null,
        'suppressed:hard-bounce',
        'suppressed:complaint',
        null,
        'unsubscribed',
        null,
        null,
        null,
        null,
      ];
      const created = await call('POST', '/v1/broadcasts', broadcastTo(seeded, { holdoutShare: 0.25 }));
      const id = created.json().id;
      const confirmation = (await call('POST', `/v1/broadcasts/${id}/confirm`)).json();
      await call('POST', `/v1/broadcasts/${id}/launch`);
      const progress = await completed(id);

      // The control group is floor(14 × 0.25) = 3 contacts, drawn by the freeze's hash order; the
      // confirmation drew the same three. The expected counts are the table above without them.
      const held = await database.db
        .select({ contactId: broadcastRecipients.contactId })
        .from(broadcastRecipients)
        .where(and(eq(broadcastRecipients.broadcastId, id), eq(broadcastRecipients.grp, 'holdout')));
      expect(held).toHaveLength(3);
      const heldOut = new Set(held.map((h) => h.contactId));
      const counted = new Map<string, number>();
      let willSend = 0;
      perContact.forEach((reason, i) => {
        if (heldOut.has(seeded.contacts[i].id)) return;
        if (reason === null) willSend++;
        else counted.set(reason, (counted.get(reason) ?? 0) + 1);
      });
      const skipped = byReason([...counted].map(([reason, count]) => ({ reason, count })));
      expect(confirmation).toMatchObject({ audience: 14, holdout: 3, willSend, skipped });
      expect(progress).toMatchObject({
        audience: 14,
        holdout: 3,
        sent: willSend,
        skipped: 11 - willSend,
        failed: 0,
      });
      expect(byReason(progress.skippedReasons)).toEqual(skipped);
      // Nobody held out got a ledger row.
      const ledger = await database.db
        .select({ contactId: messages.contactId })
        .from(messages)
        .where(and(eq(messages.broadcastId, id), inArray(messages.contactId, [...heldOut])));
      expect(ledger).toEqual([]);
    }, 120_000);
  },
);
