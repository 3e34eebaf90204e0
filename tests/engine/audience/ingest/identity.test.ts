import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts } from '../../../../db/schema';
import { databaseKinds } from '../../../helpers/databases';
import { contactByUserId, eventsOf, type IngestHarness, post, startIngestHarness } from './ingest-harness';

describe.each(databaseKinds())('contacts from identify, track and alias (real API, %s)', (kind) => {
  let h: IngestHarness;
  const send = (path: string, body: Record<string, unknown>) =>
    post(h.app, path, h.workspace.writeKey, { messageId: randomUUID(), ...body });
  const byAnonymousId = async (anonymousId: string) => {
    const [row] = await h.database.db
      .select()
      .from(contacts)
      .where(and(eq(contacts.workspaceId, h.workspace.id), eq(contacts.anonymousId, anonymousId)));
    return row;
  };

  beforeAll(async () => {
    h = await startIngestHarness(kind);
  });
  afterAll(async () => h?.close());

  it('identify upserts e-mail, phone, time zone, birthday and other traits into the contact', async () => {
    await send('/v1/identify', {
      userId: 'ada',
      traits: { email: 'Ada@Example.com', phone: '+44 20 7946 0958', timezone: 'Europe/London', plan: 'pro' },
    });
    await send('/v1/identify', { userId: 'ada', traits: { birthday: '1815-12-10T00:00:00Z', seats: 3 } });
    const ada = await contactByUserId(h.database, h.workspace.id, 'ada');
    expect(ada).toMatchObject({
      email: 'ada@example.com',
      phone: '+442079460958',
      timezone: 'Europe/London',
      attributes: { plan: 'pro', birthday: '1815-12-10', seats: 3 },
    });
  });

  it('refuses a trait it cannot store, naming it, and leaves the contact as it was', async () => {
    for (const [traits, field] of [
      [{ timezone: 'Mars/Olympus' }, 'traits.timezone'],
      [{ email: 'not-an-address' }, 'traits.email'],
      [{ birthday: '31/02/1990' }, 'traits.birthday'],
    ] as const) {
      const answer = await send('/v1/identify', { userId: 'ada', traits: { ...traits, plan: 'changed' } });
      expect(answer.statusCode).toBe(400);
      expect(answer.json().error.field).toBe(field);
    }
    expect((await contactByUserId(h.database, h.workspace.id, 'ada'))?.attributes.plan).toBe('pro');
  });

  it('per trait, the value with the latest event time wins; an older identify arriving late stays in the timeline only', async () => {
    const now = Date.now();
    const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();
    await send('/v1/identify', {
      userId: 'late-writer',
      timestamp: at(60),
      traits: { plan: 'paid', email: 'new@example.com' },
    });
    await send('/v1/identify', {
      userId: 'late-writer',
      timestamp: at(300),
      traits: { plan: 'free', email: 'old@example.com', seats: 2 },
    });
    const contact = await contactByUserId(h.database, h.workspace.id, 'late-writer');
    expect(contact.attributes).toMatchObject({ plan: 'paid', seats: 2 });
    expect(contact.email).toBe('new@example.com');
    const timeline = (await eventsOf(h.database, h.workspace.id)).filter((e) => e.contactId === contact.id);
    expect(timeline).toHaveLength(2);

    await send('/v1/identify', { userId: 'late-writer', timestamp: at(10), traits: { plan: 'enterprise' } });
    const after = await contactByUserId(h.database, h.workspace.id, 'late-writer');
    expect(after.attributes).toMatchObject({ plan: 'enterprise', seats: 2 });
  });

  it('an anonymous visitor who identifies keeps one contact with both ids and all its events', async () => {
    await send('/v1/page', { anonymousId: 'visitor-1', name: 'Pricing' });
    await send('/v1/track', { anonymousId: 'visitor-1', event: 'Trial Started' });
    const anonymous = await byAnonymousId('visitor-1');
    await send('/v1/identify', {
      userId: 'grace',
      anonymousId: 'visitor-1',
      traits: { email: 'grace@example.com' },
    });
    const grace = await contactByUserId(h.database, h.workspace.id, 'grace');
    expect(grace.id).toBe(anonymous.id);
    expect(grace.anonymousId).toBe('visitor-1');
    const names = (await eventsOf(h.database, h.workspace.id))
      .filter((e) => e.contactId === grace.id)
      .map((e) => e.type);
    expect(names).toEqual(['page', 'track', 'identify']);
  });

  it('alias merges the anonymous contact and its events into the known contact', async () => {
    await send('/v1/identify', { userId: 'linus', traits: { email: 'linus@example.com', plan: 'free' } });
    await send('/v1/identify', { anonymousId: 'device-7', traits: { plan: 'trial', device: 'phone' } });
    await send('/v1/track', { anonymousId: 'device-7', event: 'App Opened' });
    const anonymous = await byAnonymousId('device-7');

    const answer = await send('/v1/alias', { userId: 'linus', previousId: 'device-7' });
    expect([200, 202]).toContain(answer.statusCode);

    const linus = await contactByUserId(h.database, h.workspace.id, 'linus');
    expect(linus.anonymousId).toBe('device-7');
    // The known contact's own values win; the anonymous one fills the gaps.
    expect(linus.attributes).toMatchObject({ plan: 'free', device: 'phone' });
    const [gone] = await h.database.db.select().from(contacts).where(eq(contacts.id, anonymous.id));
    expect(gone).toBeUndefined();
    const types = (await eventsOf(h.database, h.workspace.id))
      .filter((e) => e.contactId === linus.id)
      .map((e) => e.type);
    expect(types).toEqual(['identify', 'identify', 'track', 'alias']);
  });

  it('alias inside a batch with a previous id never seen remembers it for later events', async () => {
    const answer = await post(h.app, '/v1/batch', h.workspace.writeKey, {
      batch: [{ type: 'alias', userId: 'margaret', previousId: 'cookie-9', messageId: randomUUID() }],
    });
    expect(answer.json().accepted).toBe(1);
    await send('/v1/track', { anonymousId: 'cookie-9', event: 'Returned' });
    const margaret = await contactByUserId(h.database, h.workspace.id, 'margaret');
    const mine = (await eventsOf(h.database, h.workspace.id)).filter((e) => e.contactId === margaret.id);
    expect(mine.map((e) => e.type)).toEqual(['alias', 'track']);
  });
});
