import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMembers, lists, socialAccounts, socialPosts } from '../../../db/schema';
import { freezeBroadcast } from '../../../engine/campaigns/freeze';
import { type ApiStack, apiStack, bearer } from '../../helpers/app';
import { databaseKinds } from '../../helpers/databases';
import { broadcastTo, seedAudience } from './fixtures';

/**
 * The marketing calendar over 10–11 December 2026. Twenty contacts c0…c19 on the Newsletter
 * list; VIP holds c0…c7; Stop holds c0…c2.
 *
 *   campaign Winter, 9–12 Dec                       → listed (it spans the range)
 *   campaign Spring, March                          → not listed
 *   broadcast Advent A, 10 Dec 09:00 UTC, Newsletter without Stop: c3…c19 (17), frozen
 *   broadcast Advent B, 10 Dec local 10:00, VIP: c0…c7 (8), draft
 *     → A and B share c3…c7: 5 contacts, flagged on both
 *   broadcast Advent C, 11 Dec, Newsletter (20)     → no overlap (another day)
 *   broadcast Boxing Day, 26 Dec                    → not listed
 *   post on Shop page scheduled 10 Dec              → listed
 *   post published 11 Dec (never scheduled)         → listed
 *   post scheduled 10 Dec, cancelled                → not listed
 *
 * After A is frozen, c3 joins Stop: A's frozen audience still holds c3, so the overlap stays 5.
 */
describe.each(databaseKinds())('marketing calendar API (Fastify inject, %s)', (kind) => {
  let stack: ApiStack;
  let key: string;
  beforeAll(async () => {
    stack = await apiStack({ kind });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    stack.app.inject({ method, url, payload: payload as never, headers: bearer(key) });

  it('lists campaigns, broadcasts and social posts by day with audience overlaps flagged', async () => {
    const db = stack.database.db;
    const seeded = await seedAudience(db, 20, 'Calendar workspace');
    key = seeded.workspace.secretKey;
    const ws = seeded.workspace.id;
    const listOf = async (name: string, members: number[]) => {
      const [list] = await db.insert(lists).values({ workspaceId: ws, name }).returning();
      await db
        .insert(listMembers)
        .values(members.map((i) => ({ workspaceId: ws, listId: list.id, contactId: seeded.contacts[i].id })));
      return list;
    };
    const vip = await listOf('VIP', [0, 1, 2, 3, 4, 5, 6, 7]);
    const stop = await listOf('Stop', [0, 1, 2]);
    const audience = (listIds: string[], excludeListIds: string[] = []) => ({
      segmentIds: [],
      listIds,
      excludeSegmentIds: [],
      excludeListIds,
    });

    const winter = await call('POST', '/v1/campaigns', {
      name: 'Winter',
      objective: { event: 'Order Completed' },
      startsAt: '2026-12-09T00:00:00Z',
      endsAt: '2026-12-12T23:00:00Z',
      channels: ['email'],
    });
    expect(winter.statusCode).toBe(201);
    await call('POST', '/v1/campaigns', {
      name: 'Spring',
      objective: { event: 'Order Completed' },
      startsAt: '2026-03-01T00:00:00Z',
      endsAt: '2026-03-31T00:00:00Z',
      channels: ['email'],
    });
    const broadcast = async (name: string, extra: Record<string, unknown>) => {
      const created = await call('POST', '/v1/broadcasts', broadcastTo(seeded, { name, ...extra }));
      expect(created.statusCode).toBe(201);
      return created.json().id as string;
    };
    const a = await broadcast('Advent A', {
      schedule: { kind: 'at', at: '2026-12-10T09:00:00Z' },
      audience: audience([seeded.list.id], [stop.id]),
    });
    const b = await broadcast('Advent B', {
      schedule: { kind: 'local', date: '2026-12-10', time: '10:00' },
      audience: audience([vip.id]),
    });
    const c = await broadcast('Advent C', { schedule: { kind: 'at', at: '2026-12-11T09:00:00Z' } });
    await broadcast('Boxing Day', { schedule: { kind: 'at', at: '2026-12-26T09:00:00Z' } });
    // A is frozen (launched, waiting for its time) on 1 December; then c3 joins Stop.
    const frozen = await freezeBroadcast(db, ws, a, Date.parse('2026-12-01T00:00:00Z'));
    expect(frozen.broadcast.audienceSize).toBe(17);
    await db
      .insert(listMembers)
      .values({ workspaceId: ws, listId: stop.id, contactId: seeded.contacts[3].id });

    const [account] = await db
      .insert(socialAccounts)
      .values({ workspaceId: ws, provider: 'webhook', name: 'Shop page', secrets: '' })
      .returning();
    const post = (text: string, fields: Partial<typeof socialPosts.$inferInsert>) =>
      db
        .insert(socialPosts)
        .values({ workspaceId: ws, accountId: account.id, text, status: 'scheduled', ...fields })
        .returning();
    const [scheduled] = await post('Advent sale starts tomorrow', {
      scheduledAt: new Date('2026-12-10T08:00:00Z'),
      campaignId: winter.json().id,
    });
    const [published] = await post('Day two of the sale', {
      status: 'published',
      publishedAt: new Date('2026-12-11T12:00:00Z'),
    });
    await post('Withdrawn', { status: 'canceled', scheduledAt: new Date('2026-12-10T12:00:00Z') });

    const response = await call('GET', '/v1/calendar?from=2026-12-10&to=2026-12-11');
    expect(response.statusCode).toBe(200);
    const items = response.json().data as any[];
    expect(items.map((i) => [i.kind, i.name, i.start])).toEqual([
      ['campaign', 'Winter', '2026-12-09'],
      ['broadcast', 'Advent A', '2026-12-10'],
      ['broadcast', 'Advent B', '2026-12-10'],
      ['social-post', 'Shop page: Advent sale starts tomorrow', '2026-12-10'],
      ['broadcast', 'Advent C', '2026-12-11'],
      ['social-post', 'Shop page: Day two of the sale', '2026-12-11'],
    ]);
    const byName = new Map(items.map((i) => [i.name, i]));
    expect(byName.get('Advent A')).toMatchObject({
      status: 'scheduled',
      audience: 17,
      overlaps: [{ id: b, name: 'Advent B', contacts: 5 }],
    });
    expect(byName.get('Advent B').overlaps).toEqual([{ id: a, name: 'Advent A', contacts: 5 }]);
    expect(byName.get('Advent C')).toMatchObject({ id: c, overlaps: [] });
    expect(byName.get('Shop page: Advent sale starts tomorrow')).toMatchObject({
      id: scheduled.id,
      campaignId: winter.json().id,
      status: 'scheduled',
    });
    expect(byName.get('Shop page: Day two of the sale')).toMatchObject({
      id: published.id,
      status: 'published',
    });

    const bad = await call('GET', '/v1/calendar?from=2026-12-11&to=2026-12-10');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toMatch(/to/);
    // Nothing of another workspace shows.
    const other = await seedAudience(db, 1, 'Another calendar');
    key = other.workspace.secretKey;
    expect((await call('GET', '/v1/calendar?from=2026-12-10&to=2026-12-11')).json().data).toEqual([]);
  }, 120_000);
});
