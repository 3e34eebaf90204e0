import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts, events, outbox } from '../../../../db/schema';
import { databaseKinds } from '../../../helpers/databases';
import { contactByUserId, type IngestHarness, post, startIngestHarness } from './ingest-harness';

describe.each(databaseKinds())('a batch stored in one transaction (real API, %s)', (kind) => {
  let h: IngestHarness;
  const batch = (messages: Record<string, unknown>[]) =>
    post(h.app, '/v1/batch', h.workspace.writeKey, { batch: messages });
  const track = (identity: Record<string, unknown>, event = 'Viewed', extra = {}) => ({
    type: 'track',
    messageId: randomUUID(),
    event,
    ...identity,
    ...extra,
  });
  const eventsWith = (messageIds: string[]) =>
    h.database.db
      .select()
      .from(events)
      .where(and(eq(events.workspaceId, h.workspace.id), inArray(events.messageId, messageIds)));
  const contactsNamed = async (ids: { userId?: string; anonymousId?: string }) =>
    h.database.db
      .select()
      .from(contacts)
      .where(
        and(
          eq(contacts.workspaceId, h.workspace.id),
          ids.userId
            ? eq(contacts.externalId, ids.userId)
            : eq(contacts.anonymousId, ids.anonymousId as string),
        ),
      );

  beforeAll(async () => {
    h = await startIngestHarness(kind);
  });
  afterAll(async () => h?.close());

  it('stores a message id repeated inside one batch once: the first one wins, the repeat is a duplicate', async () => {
    const messageId = randomUUID();
    const answer = await batch([
      track({ userId: 'twice' }, 'First', { messageId }),
      track({ userId: 'twice' }, 'Second', { messageId }),
    ]);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ accepted: 1, duplicates: 1, rejected: [] });
    const stored = await eventsWith([messageId]);
    expect(stored.map((e) => e.name)).toEqual(['First']);
  });

  it('stores each message id once when concurrent batches resend the same ids', async () => {
    const ids = Array.from({ length: 50 }, () => randomUUID());
    const answers = await Promise.all(
      [0, 1, 2, 3].map((client) =>
        batch(
          ids.map((messageId, i) =>
            track({ userId: `racer-${i % 7}` }, 'Raced', { messageId, properties: { client } }),
          ),
        ),
      ),
    );
    for (const answer of answers) expect(answer.statusCode).toBe(200);
    const bodies = answers.map((a) => a.json());
    expect(bodies.reduce((sum, b) => sum + b.accepted, 0)).toBe(50);
    expect(bodies.reduce((sum, b) => sum + b.duplicates, 0)).toBe(150);
    const stored = await eventsWith(ids);
    expect(stored).toHaveLength(50);
    const rows = await h.database.db
      .select()
      .from(outbox)
      .where(
        inArray(
          outbox.eventId,
          stored.map((e) => e.id),
        ),
      );
    expect(rows).toHaveLength(50);
    for (let i = 0; i < 7; i += 1) expect(await contactsNamed({ userId: `racer-${i}` })).toHaveLength(1);
  });

  it('links every event to its contact when concurrent batches create the same new contacts', async () => {
    const sent: Record<string, unknown>[][] = [0, 1, 2, 3].map(() =>
      Array.from({ length: 40 }, (_, i) => track({ userId: `newcomer-${i % 9}` }, 'Arrived')),
    );
    const answers = await Promise.all(sent.map((messages) => batch(messages)));
    for (const answer of answers) expect(answer.json()).toMatchObject({ accepted: 40, duplicates: 0 });
    const stored = await eventsWith(sent.flat().map((m) => m.messageId as string));
    expect(stored).toHaveLength(160);
    for (let i = 0; i < 9; i += 1) {
      const named = await contactsNamed({ userId: `newcomer-${i}` });
      expect(named).toHaveLength(1);
      const theirs = sent.flat().filter((m) => m.userId === `newcomer-${i}`);
      const linked = stored.filter((e) => theirs.some((m) => m.messageId === e.messageId));
      expect(linked.map((e) => e.contactId)).toEqual(theirs.map(() => named[0].id));
    }
  });

  it('a resent batch changes no contact: its ids stored before create none, even one deleted meanwhile', async () => {
    const first = [track({ userId: 'resent-1' }), track({ anonymousId: 'resent-anon' })];
    expect((await batch(first)).json()).toMatchObject({ accepted: 2, duplicates: 0 });
    const [gone] = await contactsNamed({ userId: 'resent-1' });
    await h.database.db.delete(contacts).where(eq(contacts.id, gone.id));
    // The same two ids again, with one new event of a third, new user.
    const fresh = track({ userId: 'resent-2' });
    expect((await batch([...first, fresh])).json()).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(await contactsNamed({ userId: 'resent-1' })).toEqual([]);
    expect(await contactsNamed({ anonymousId: 'resent-anon' })).toHaveLength(1);
    const [created] = await contactsNamed({ userId: 'resent-2' });
    expect((await eventsWith([fresh.messageId as string])).map((e) => e.contactId)).toEqual([created.id]);
  });

  it('links a batch mixing known and new contacts to the right ones, creating each new contact once', async () => {
    await post(h.app, '/v1/identify', h.workspace.writeKey, { userId: 'known-1', traits: { plan: 'pro' } });
    const known = await contactByUserId(h.database, h.workspace.id, 'known-1');
    const messages = [
      track({ userId: 'known-1' }),
      track({ userId: 'new-1' }),
      track({ anonymousId: 'anon-1' }),
      track({ userId: 'new-1' }),
      track({ userId: 'known-1' }),
    ];
    const answer = await batch(messages);
    expect(answer.json()).toMatchObject({ accepted: 5, duplicates: 0 });
    const newOne = await contactsNamed({ userId: 'new-1' });
    const anonymous = await contactsNamed({ anonymousId: 'anon-1' });
    expect(newOne).toHaveLength(1);
    expect(anonymous).toHaveLength(1);
    const stored = await eventsWith(messages.map((m) => m.messageId));
    const contactOf = new Map(stored.map((e) => [e.messageId, e.contactId]));
    expect(messages.map((m) => contactOf.get(m.messageId))).toEqual([
      known?.id,
      newOne[0].id,
      anonymous[0].id,
      newOne[0].id,
      known?.id,
    ]);
  });

  it('an identify and a track of the same new user in one batch give one contact with the traits', async () => {
    const messages = [
      {
        type: 'identify',
        messageId: randomUUID(),
        userId: 'fresh-2',
        traits: { email: 'fresh@example.com' },
      },
      track({ userId: 'fresh-2' }, 'Signed Up'),
    ];
    expect((await batch(messages)).json()).toMatchObject({ accepted: 2 });
    const [fresh, ...others] = await contactsNamed({ userId: 'fresh-2' });
    expect(others).toHaveLength(0);
    expect(fresh.email).toBe('fresh@example.com');
    const stored = await eventsWith(messages.map((m) => m.messageId));
    expect(stored.map((e) => e.contactId)).toEqual([fresh.id, fresh.id]);
  });

  it('lists rejected events by index and field and stores the rest', async () => {
    const good = [track({ userId: 'mixed-3' }), track({ userId: 'mixed-3' }, 'Later')];
    const answer = await batch([
      good[0],
      { type: 'track', userId: 'mixed-3', messageId: randomUUID() },
      { type: 'identify', userId: 'mixed-3', messageId: randomUUID(), traits: { email: 'nope' } },
      good[1],
    ]);
    expect(answer.statusCode).toBe(200);
    const body = answer.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r: { index: number; field: string }) => [r.index, r.field])).toEqual([
      [1, 'event'],
      [2, 'traits.email'],
    ]);
    expect(await eventsWith(good.map((m) => m.messageId))).toHaveLength(2);
  });

  it('an anonymous visitor who identifies inside a batch is claimed by the user: one contact', async () => {
    const messages = [
      track({ anonymousId: 'visitor-4' }, 'Landed'),
      { type: 'identify', messageId: randomUUID(), userId: 'buyer-4', anonymousId: 'visitor-4', traits: {} },
      track({ userId: 'buyer-4' }, 'Bought'),
    ];
    expect((await batch(messages)).json()).toMatchObject({ accepted: 3 });
    const [buyer, ...others] = await contactsNamed({ userId: 'buyer-4' });
    expect(others).toHaveLength(0);
    expect(buyer.anonymousId).toBe('visitor-4');
    const stored = await eventsWith(messages.map((m) => m.messageId));
    expect(new Set(stored.map((e) => e.contactId))).toEqual(new Set([buyer.id]));
  });

  it('an alias inside a batch merges the previous contact into the user, events included', async () => {
    const messages = [
      track({ anonymousId: 'visitor-5' }, 'Landed'),
      track({ userId: 'buyer-5' }, 'Signed In'),
      { type: 'alias', messageId: randomUUID(), userId: 'buyer-5', previousId: 'visitor-5' },
      track({ anonymousId: 'visitor-5' }, 'Browsed'),
      track({ userId: 'buyer-5' }, 'Bought'),
    ];
    expect((await batch(messages)).json()).toMatchObject({ accepted: 5, rejected: [] });
    const [buyer, ...others] = await contactsNamed({ userId: 'buyer-5' });
    expect(others).toHaveLength(0);
    expect(buyer.anonymousId).toBe('visitor-5');
    const stored = await eventsWith(messages.map((m) => m.messageId));
    expect(stored).toHaveLength(5);
    expect(new Set(stored.map((e) => e.contactId))).toEqual(new Set([buyer.id]));
    const pending = await h.database.db
      .select({ contactId: outbox.contactId })
      .from(outbox)
      .where(
        inArray(
          outbox.eventId,
          stored.map((e) => e.id),
        ),
      );
    expect(new Set(pending.map((r) => r.contactId))).toEqual(new Set([buyer.id]));
  });

  it('several identifies of one contact in a batch: per trait the latest event time wins, as one by one', async () => {
    const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
    const identify = (timestamp: string, traits: Record<string, unknown>) => ({
      type: 'identify',
      messageId: randomUUID(),
      userId: 'traits-6',
      timestamp,
      traits,
    });
    const answer = await batch([
      identify(at(10), { plan: 'new', email: 'new@example.com' }),
      identify(at(60), { plan: 'old', tier: 'gold', email: 'old@example.com', timezone: 'Europe/Paris' }),
      identify(at(5), { timezone: null }),
    ]);
    expect(answer.json()).toMatchObject({ accepted: 3 });
    const [contact] = await contactsNamed({ userId: 'traits-6' });
    expect(contact).toMatchObject({
      email: 'new@example.com',
      timezone: null,
      attributes: { plan: 'new', tier: 'gold' },
    });
  });
});
