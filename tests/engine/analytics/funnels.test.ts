import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { events } from '../../../db/schema';
import { retentionCohorts } from '../../../engine/analytics/cohorts';
import { runFunnel } from '../../../engine/analytics/funnels';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { createSegment, refreshSegmentMembers } from '../../../engine/audience/segments/segments';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../helpers/databases';

const HOUR = 3_600_000;
const start = new Date('2026-03-02T00:00:00Z'); // a Monday

describe.each(databaseKinds())('funnels and cohorts in SQL (%s)', (kind) => {
  let database: Database;
  let workspaceId: string;

  beforeAll(async () => {
    database = await openTestDb(kind);
    const { db } = database;
    workspaceId = (await createWorkspace(db, 'Funnels')).id;
    const rows: (typeof events.$inferInsert)[] = [];
    let n = 0;
    const at = (contactId: string, name: string, hours: number, properties: Record<string, unknown> = {}) =>
      rows.push({
        workspaceId,
        contactId,
        messageId: `m${n++}`,
        type: 'track',
        name,
        properties,
        timestamp: new Date(start.getTime() + hours * HOUR),
      });
    // 10 view; 6 add to cart after viewing; 3 of them check out within 48 h of the view, one later
    // than that; one checks out *before* adding to cart (does not count).
    for (let i = 0; i < 10; i++) {
      const c = await createContact(db, workspaceId, { userId: `u${i}`, tags: i % 2 === 0 ? ['even'] : [] });
      at(c.id, 'Product Viewed', i, { source: i < 5 ? 'ads' : 'email' });
      if (i < 6) at(c.id, 'Product Added', i + 1 + i);
      if (i < 3) at(c.id, 'Order Completed', i + 2 + 2 * i);
      if (i === 3) at(c.id, 'Order Completed', i + 72);
      if (i === 4) {
        rows.pop();
        at(c.id, 'Order Completed', i + 0.5);
        at(c.id, 'Product Added', i + 1);
      }
      // Week 1 and week 2 returns for the first four contacts, week 2 only for the next two.
      if (i < 4) at(c.id, 'Page Viewed', 24 * 8);
      if (i < 6) at(c.id, 'Page Viewed', 24 * 15);
    }
    await db.insert(events).values(rows);
  });
  afterAll(async () => database?.close());

  it('counts each step, its conversion, drop-off and median time from the step before', async () => {
    const result = await runFunnel(database.db, workspaceId, {
      steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Order Completed' }],
      windowHours: 48,
      from: start,
      to: new Date(start.getTime() + 7 * 24 * HOUR),
    });
    expect(result.steps.map((s) => s.contacts)).toEqual([10, 6, 3]);
    expect(result.steps.map((s) => s.dropOff)).toEqual([0, 4, 3]);
    expect(result.steps[1].conversion).toBeCloseTo(0.6, 10);
    expect(result.steps[2].overallConversion).toBeCloseTo(0.3, 10);
    // View → add took 1, 2, 3, 4, 1 (u4 added 1 h after viewing), 6 hours: median 2.5 h;
    // add → order took 1, 2, 3 hours: median 2 h.
    expect(result.steps[1].medianSeconds).toBeCloseTo(2.5 * 3600, 6);
    expect(result.steps[2].medianSeconds).toBeCloseTo(2 * 3600, 6);
  });

  it('breaks the funnel down by a property of the first step', async () => {
    const result = await runFunnel(database.db, workspaceId, {
      steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }],
      from: start,
      to: new Date(start.getTime() + 7 * 24 * HOUR),
      breakdown: 'source',
    });
    const by = Object.fromEntries(result.breakdown.map((b) => [b.value, b.steps.map((s) => s.contacts)]));
    expect(by).toEqual({ ads: [5, 5], email: [5, 1] });
  });

  it('filters a step by its properties', async () => {
    const result = await runFunnel(database.db, workspaceId, {
      steps: [
        { event: 'Product Viewed', where: [{ path: 'source', op: 'eq', value: 'email' }] },
        { event: 'Product Added' },
      ],
      from: start,
      to: new Date(start.getTime() + 7 * 24 * HOUR),
    });
    expect(result.steps.map((s) => s.contacts)).toEqual([5, 1]);
  });

  it('narrows a funnel and cohorts to one segment’s members', async () => {
    const { db } = database;
    const segment = await createSegment(db, workspaceId, {
      name: 'Even',
      definition: { match: 'all', rules: [{ kind: 'tag', tag: 'even', present: true }] },
    });
    await refreshSegmentMembers(db, segment);
    const range = { from: start, to: new Date(start.getTime() + 7 * 24 * HOUR) };
    const result = await runFunnel(db, workspaceId, {
      steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Order Completed' }],
      windowHours: 48,
      ...range,
      segmentId: segment.id,
    });
    // u0, u2, u4, u6, u8 viewed; u0, u2, u4 added; u0, u2 ordered in time (u4 ordered before adding).
    expect(result.steps.map((s) => s.contacts)).toEqual([5, 3, 2]);
    const cohorts = await retentionCohorts(db, workspaceId, {
      ...range,
      returnEvent: 'Page Viewed',
      weeks: 3,
      segmentId: segment.id,
    });
    expect(cohorts[0]).toMatchObject({ size: 5, active: [0, 2, 3, 0] });
  });

  it('retains contacts by week of first event', async () => {
    const cohorts = await retentionCohorts(database.db, workspaceId, {
      from: start,
      to: new Date(start.getTime() + 7 * 24 * HOUR),
      returnEvent: 'Page Viewed',
      weeks: 3,
    });
    expect(cohorts).toHaveLength(1);
    expect(cohorts[0]).toMatchObject({ cohort: '2026-03-02', size: 10, active: [0, 4, 6, 0] });
    expect(cohorts[0].retention[2]).toBeCloseTo(0.6, 10);
  });
});
