import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { contacts, events, outbox } from '../../../../db/schema';
import { ingestMessages } from '../../../../engine/audience/ingest/ingest';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../../helpers/databases';

/**
 * Small requests arriving while another is being stored are stored together in one
 * transaction (`storeCoalesced`): each must still get exactly its own outcomes, by its own
 * indices, with the first write of a message id winning across the requests.
 */
describe.each(databaseKinds())('small requests stored together (%s)', (kind) => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => database?.close());

  it('60 concurrent requests each get their own outcomes: stored, duplicate across requests, rejected by index', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Coalesced');
    // Requests 0–39: one track each, for 10 users (4 requests per user). Requests 40–49 resend
    // the message ids of requests 0–9. Requests 50–59: a bad event (index 0) and a good one.
    const ids = Array.from({ length: 40 }, () => randomUUID());
    const requests = [
      ...ids.map((messageId, i) => [
        { type: 'track', userId: `u-${i % 10}`, event: 'Viewed', messageId, properties: { request: i } },
      ]),
      ...ids.slice(0, 10).map((messageId, i) => [
        {
          type: 'track',
          userId: `u-${i % 10}`,
          event: 'Viewed',
          messageId,
          properties: { request: 40 + i },
        },
      ]),
      ...Array.from({ length: 10 }, (_, i) => [
        { type: 'track', userId: `u-${i}`, messageId: randomUUID() },
        {
          type: 'track',
          userId: `u-${i}`,
          event: 'Clicked',
          messageId: randomUUID(),
          properties: { request: 50 + i },
        },
      ]),
    ];
    const answers = await Promise.all(
      requests.map((messages) => ingestMessages(db, { workspaceId: workspace.id, messages })),
    );

    const stored = await db
      .select({
        id: events.id,
        messageId: events.messageId,
        properties: events.properties,
        contactId: events.contactId,
      })
      .from(events)
      .where(eq(events.workspaceId, workspace.id));
    const byId = new Map(stored.map((event) => [event.id, event]));
    // 40 tracks + 10 clicks; the resent ids stored once.
    expect(stored).toHaveLength(50);
    const people = await db
      .select({ id: contacts.id, externalId: contacts.externalId })
      .from(contacts)
      .where(eq(contacts.workspaceId, workspace.id));
    expect(people).toHaveLength(10);
    const personOf = new Map(people.map((p) => [p.id, p.externalId]));

    answers.forEach((outcomes, request) => {
      if (request < 50) {
        expect(outcomes).toHaveLength(1);
        const [outcome] = outcomes;
        expect(outcome.index).toBe(0);
        if (outcome.status !== 'stored') {
          // A resend (or the original, when the resend was stored first): its id is stored once.
          expect(outcome.status).toBe('duplicate');
          return;
        }
        const event = byId.get(outcome.eventId);
        // The request's own event and contact, not a neighbour's.
        expect(event?.properties).toEqual({ request });
        expect(personOf.get(outcome.contactId)).toBe(`u-${request % 10}`);
        expect(event?.contactId).toBe(outcome.contactId);
      } else {
        expect(outcomes.map((o) => [o.index, o.status])).toEqual([
          [0, 'rejected'],
          [1, 'stored'],
        ]);
        const good = outcomes[1];
        if (good.status !== 'stored') throw new Error('not stored');
        expect(byId.get(good.eventId)?.properties).toEqual({ request });
      }
    });
    // Each of ids 0–9 went out twice and was stored once: one stored answer, one duplicate.
    for (let i = 0; i < 10; i += 1) {
      const statuses = [answers[i][0].status, answers[40 + i][0].status].sort();
      expect(statuses).toEqual(['duplicate', 'stored']);
    }
    const storedAnswers = answers.flat().filter((o) => o.status === 'stored');
    expect(storedAnswers).toHaveLength(50);
    // Every stored event has its outbox row, named in its answer.
    const rows = await db
      .select({ id: outbox.id, eventId: outbox.eventId })
      .from(outbox)
      .where(
        and(
          eq(outbox.workspaceId, workspace.id),
          inArray(
            outbox.id,
            storedAnswers.map((o) => (o.status === 'stored' ? o.outboxId : 0)),
          ),
        ),
      );
    expect(new Map(rows.map((r) => [r.id, r.eventId]))).toEqual(
      new Map(storedAnswers.map((o) => (o.status === 'stored' ? [o.outboxId, o.eventId] : [0, '']))),
    );
  });

  it('when the database refuses the requests stored together, stores each alone: only the refused one fails', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Coalesced, one refused');
    // The database refuses one event (as a full disk or a broken row would), only in this workspace.
    await db.execute(
      sql.raw(`create function refuse_poisoned() returns trigger language plpgsql as $$
        begin
          if new.workspace_id = '${workspace.id}' and new.properties ->> 'poisoned' = 'yes' then
            raise exception 'refused by the test';
          end if;
          return new;
        end $$`),
    );
    await db.execute(
      sql.raw(
        `create trigger refuse_poisoned before insert on events for each row execute function refuse_poisoned()`,
      ),
    );
    try {
      // The first request is stored alone; the next ones arrive meanwhile and go together.
      const requests = Array.from({ length: 12 }, (_, i) => [
        {
          type: 'track',
          userId: `u-${i}`,
          event: 'Viewed',
          messageId: randomUUID(),
          properties: i === 6 ? { request: i, poisoned: 'yes' } : { request: i },
        },
      ]);
      const answers = await Promise.allSettled(
        requests.map((messages) => ingestMessages(db, { workspaceId: workspace.id, messages })),
      );
      expect(answers.map((a) => a.status)).toEqual(
        requests.map((_, i) => (i === 6 ? 'rejected' : 'fulfilled')),
      );
      const stored = await db
        .select({ id: events.id, properties: events.properties })
        .from(events)
        .where(eq(events.workspaceId, workspace.id));
      expect(stored.map((e) => (e.properties as { request: number }).request).sort((a, b) => a - b)).toEqual([
        0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11,
      ]);
      answers.forEach((answer, i) => {
        if (answer.status !== 'fulfilled') return;
        const [outcome] = answer.value;
        if (outcome.status !== 'stored') throw new Error(`request ${i}: ${outcome.status}`);
        expect(stored.find((e) => e.id === outcome.eventId)?.properties).toEqual({ request: i });
      });
      const rows = await db
        .select({ id: outbox.id })
        .from(outbox)
        .where(eq(outbox.workspaceId, workspace.id));
      expect(rows).toHaveLength(11);
    } finally {
      await db.execute(sql.raw('drop trigger refuse_poisoned on events'));
      await db.execute(sql.raw('drop function refuse_poisoned()'));
    }
  });
});
