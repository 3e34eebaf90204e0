import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { events } from '../../../../db/schema';
import { addToList } from '../../../../engine/audience/contacts/contact-store';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { type SegmentGroup, segmentDefinitionSchema } from '../../../../engine/audience/segments/definition';
import { previewSegment } from '../../../../engine/audience/segments/segments';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../../helpers/databases';

const DAY = 86_400_000;

describe.each(databaseKinds())('segment rules compiled to SQL (%s)', (kind) => {
  let database: Database;
  let workspaceId: string;
  const now = new Date('2026-03-10T12:00:00Z');

  beforeAll(async () => {
    database = await openTestDb(kind);
    const { db } = database;
    workspaceId = (await createWorkspace(db, 'Segments')).id;
    const other = await createWorkspace(db, 'Other');
    await createContact(db, other.id, { userId: 'intruder', attributes: { plan: 'pro' }, tags: ['vip'] });
    const ada = await createContact(db, workspaceId, {
      userId: 'ada',
      email: 'ada@example.com',
      attributes: { plan: 'pro', seats: 12, country: 'FR', address: { city: 'Paris' }, skills: ['math'] },
      tags: ['vip', 'beta'],
    });
    const bob = await createContact(db, workspaceId, {
      userId: 'bob',
      attributes: { plan: 'free', seats: '3', country: 'US' },
      tags: ['beta'],
    });
    await createContact(db, workspaceId, { userId: 'cy', attributes: { plan: 'pro', seats: 2 } });
    await addToList(db, workspaceId, bob.id, 'newsletter');
    const event = (contactId: string, name: string, daysAgo: number, properties = {}) => ({
      workspaceId,
      contactId,
      messageId: `${contactId}-${name}-${daysAgo}-${JSON.stringify(properties)}`,
      type: 'track',
      name,
      properties,
      timestamp: new Date(now.getTime() - daysAgo * DAY),
    });
    await db
      .insert(events)
      .values([
        event(ada.id, 'Order Completed', 2, { total: 120 }),
        event(ada.id, 'Order Completed', 40, { total: 15 }),
        event(bob.id, 'Order Completed', 3, { total: 30 }),
        event(bob.id, 'Page Viewed', 1),
      ]);
  });
  afterAll(async () => database?.close());

  const users = async (definition: unknown) => {
    const parsed = segmentDefinitionSchema.parse(definition) as SegmentGroup;
    const preview = await previewSegment(database.db, workspaceId, parsed, now);
    return { count: preview.count, users: preview.sample.map((c) => c.userId).sort() };
  };

  it('matches attribute equality, numbers against numeric strings, and nested paths', async () => {
    expect(await users({ rules: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' }] })).toEqual({
      count: 2,
      users: ['ada', 'cy'],
    });
    expect(
      (await users({ rules: [{ kind: 'attribute', path: 'seats', op: 'gte', value: 3 }] })).users,
    ).toEqual(['ada', 'bob']);
    expect(
      (await users({ rules: [{ kind: 'attribute', path: 'seats', op: 'eq', value: '12' }] })).users,
    ).toEqual(['ada']);
    expect(
      (await users({ rules: [{ kind: 'attribute', path: 'address.city', op: 'eq', value: 'Paris' }] })).users,
    ).toEqual(['ada']);
    expect(
      (await users({ rules: [{ kind: 'attribute', path: 'country', op: 'neq', value: 'FR' }] })).users,
    ).toEqual(['bob', 'cy']);
    expect(
      (await users({ rules: [{ kind: 'attribute', path: 'country', op: 'in', value: ['US', 'DE'] }] })).users,
    ).toEqual(['bob']);
    expect(
      (await users({ rules: [{ kind: 'attribute', path: 'skills', op: 'contains', value: 'math' }] })).users,
    ).toEqual(['ada']);
    expect((await users({ rules: [{ kind: 'attribute', path: 'email', op: 'exists' }] })).users).toEqual([
      'ada',
    ]);
  });

  it('matches tags present and absent', async () => {
    expect((await users({ rules: [{ kind: 'tag', tag: 'beta' }] })).users).toEqual(['ada', 'bob']);
    expect((await users({ rules: [{ kind: 'tag', tag: 'vip', present: false }] })).users).toEqual([
      'bob',
      'cy',
    ]);
  });

  it('counts events with property filters and recency', async () => {
    const recentBigOrder = {
      rules: [
        {
          kind: 'event',
          event: 'Order Completed',
          within: { amount: 7, unit: 'days' },
          where: [{ path: 'total', op: 'gt', value: 50 }],
        },
      ],
    };
    expect((await users(recentBigOrder)).users).toEqual(['ada']);
    expect(
      (await users({ rules: [{ kind: 'event', event: 'Order Completed', minCount: 2 }] })).users,
    ).toEqual(['ada']);
    expect(
      (await users({ rules: [{ kind: 'event', event: 'Order Completed', minCount: 0 }] })).users,
    ).toEqual(['cy']);
    expect(
      (
        await users({
          rules: [
            { kind: 'event', event: 'Order Completed', within: { amount: 30, unit: 'days' }, maxCount: 1 },
          ],
        })
      ).users,
    ).toEqual(['ada', 'bob']);
  });

  it('matches list membership', async () => {
    expect((await users({ rules: [{ kind: 'list', list: 'newsletter' }] })).users).toEqual(['bob']);
    expect((await users({ rules: [{ kind: 'list', list: 'newsletter', member: false }] })).users).toEqual([
      'ada',
      'cy',
    ]);
  });

  it('nests AND and OR groups', async () => {
    const definition = {
      match: 'any',
      rules: [
        {
          match: 'all',
          rules: [
            { kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' },
            { kind: 'tag', tag: 'vip', present: false },
          ],
        },
        {
          match: 'all',
          rules: [
            { kind: 'list', list: 'newsletter' },
            { kind: 'event', event: 'Page Viewed' },
          ],
        },
      ],
    };
    expect(await users(definition)).toEqual({ count: 2, users: ['bob', 'cy'] });
  });

  it('refuses a rule without its required fields, naming the path', () => {
    const parsed = segmentDefinitionSchema.safeParse({ rules: [{ kind: 'attribute', op: 'eq' }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].path).toEqual(['rules', 0]);
  });
});
