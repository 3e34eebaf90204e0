import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { events } from '../../../db/schema';
import { refreshRfm, rfmGrid, rfmSummary } from '../../../engine/analytics/rfm';
import { rfmSegment } from '../../../engine/analytics/rfm-classes';
import { savePurchaseSettings } from '../../../engine/analytics/settings';
import { loadAnalyticsProfile } from '../../../engine/audience/conditions/analytics';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { type SegmentGroup, segmentDefinitionSchema } from '../../../engine/audience/segments/definition';
import {
  createSegment,
  previewSegment,
  refreshSegmentMembers,
} from '../../../engine/audience/segments/segments';
import { firstMatchingGroup } from '../../../engine/automation/journeys/evaluate-conditions';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../helpers/databases';

const DAY = 86_400_000;
const asOf = new Date('2026-01-31T00:00:00Z');

/**
 * Ten customers with distinct recency, frequency and monetary values, so each quintile holds two.
 * Expected scores and classes were worked out by hand (docs/analytics.md, "RFM").
 */
const customers = [
  {
    id: 'c0',
    recency: 2,
    orders: 5,
    amount: 100,
    rfm: [5, 3, 5],
    segment: 'champions',
    value: 'important_develop',
  },
  {
    id: 'c1',
    recency: 5,
    orders: 4,
    amount: 60,
    rfm: [5, 2, 3],
    segment: 'potential_loyalists',
    value: 'important_develop',
  },
  { id: 'c2', recency: 10, orders: 6, amount: 10, rfm: [4, 3, 3], segment: 'loyal', value: 'general_value' },
  {
    id: 'c3',
    recency: 20,
    orders: 1,
    amount: 30,
    rfm: [4, 1, 1],
    segment: 'promising',
    value: 'general_develop',
  },
  {
    id: 'c4',
    recency: 40,
    orders: 2,
    amount: 200,
    rfm: [3, 1, 5],
    segment: 'need_attention',
    value: 'important_develop',
  },
  {
    id: 'c5',
    recency: 60,
    orders: 3,
    amount: 15,
    rfm: [3, 2, 2],
    segment: 'about_to_sleep',
    value: 'general_develop',
  },
  {
    id: 'c6',
    recency: 90,
    orders: 7,
    amount: 50,
    rfm: [2, 4, 4],
    segment: 'at_risk',
    value: 'important_keep',
  },
  { id: 'c7', recency: 120, orders: 8, amount: 5, rfm: [2, 4, 2], segment: 'at_risk', value: 'general_keep' },
  {
    id: 'c8',
    recency: 200,
    orders: 9,
    amount: 40,
    rfm: [1, 5, 4],
    segment: 'cant_lose_them',
    value: 'important_keep',
  },
  {
    id: 'c9',
    recency: 300,
    orders: 10,
    amount: 2,
    rfm: [1, 5, 1],
    segment: 'at_risk',
    value: 'general_keep',
  },
];

describe('RFM named classes', () => {
  it('maps every score triple to exactly one of the eleven classes', () => {
    const seen = new Set<string>();
    for (let r = 1; r <= 5; r++)
      for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) seen.add(rfmSegment(r, f, m));
    expect(seen.size).toBe(11);
    expect(rfmSegment(5, 5, 5)).toBe('champions');
    expect(rfmSegment(1, 1, 1)).toBe('lost');
    expect(rfmSegment(5, 1, 1)).toBe('new');
    expect(rfmSegment(1, 5, 5)).toBe('cant_lose_them');
  });
});

describe.each(databaseKinds())('RFM refresh in SQL (%s)', (kind) => {
  let database: Database;
  let workspaceId: string;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    database = await openTestDb(kind);
    const { db } = database;
    workspaceId = (await createWorkspace(db, 'RFM')).id;
    const other = await createWorkspace(db, 'Other');
    const stranger = await createContact(db, other.id, { userId: 'stranger' });
    const rows = [];
    for (const c of customers) {
      const contact = await createContact(db, workspaceId, { userId: c.id, email: `${c.id}@example.com` });
      ids.set(c.id, contact.id);
      for (let k = 0; k < c.orders; k++) {
        rows.push({
          workspaceId,
          contactId: contact.id,
          messageId: `${c.id}-${k}`,
          type: 'track',
          name: 'Purchase',
          properties: { order: { value: String(c.amount) } },
          timestamp: new Date(asOf.getTime() - (c.recency + k) * DAY),
        });
      }
    }
    // Outside the window, another event name, another workspace: none of them count.
    rows.push({
      workspaceId,
      contactId: ids.get('c0') as string,
      messageId: 'old',
      type: 'track',
      name: 'Purchase',
      properties: { order: { value: 99999 } },
      timestamp: new Date(asOf.getTime() - 400 * DAY),
    });
    rows.push({
      workspaceId,
      contactId: ids.get('c9') as string,
      messageId: 'view',
      type: 'track',
      name: 'Order Completed',
      properties: { revenue: 99999 },
      timestamp: new Date(asOf.getTime() - DAY),
    });
    rows.push({
      workspaceId: other.id,
      contactId: stranger.id,
      messageId: 'x',
      type: 'track',
      name: 'Purchase',
      properties: { order: { value: 1 } },
      timestamp: new Date(asOf.getTime() - DAY),
    });
    await db.insert(events).values(rows);
    await savePurchaseSettings(db, workspaceId, {
      purchaseEvent: 'Purchase',
      revenuePaths: ['revenue', 'order.value'],
      productsPath: 'products',
      productKey: 'product_id',
    });
  });
  afterAll(async () => database?.close());

  it('scores recency, frequency and monetary by quintile and names the hand-computed classes', async () => {
    const { db } = database;
    const result = await refreshRfm(db, workspaceId, { windowDays: 365, monetary: 'total', asOf });
    expect(result.contacts).toBe(10);
    for (const c of customers) {
      const profile = await loadAnalyticsProfile(db, workspaceId, ids.get(c.id) as string);
      expect(profile.rfm, c.id).toMatchObject({
        r: c.rfm[0],
        f: c.rfm[1],
        m: c.rfm[2],
        segment: c.segment,
        value_class: c.value,
        frequency: c.orders,
        monetary: c.orders * c.amount,
      });
      expect(profile.rfm?.recency_days).toBeCloseTo(c.recency, 6);
    }
  });

  it('gives equal values the same score, where ntile would split them', async () => {
    const { db } = database;
    // In 95 days c0 and c6 both have 5 orders: ranks 1,2,3,4,5,5,7 of 7 give F = 1,1,2,3,3,3,5.
    await refreshRfm(db, workspaceId, { windowDays: 95, monetary: 'total', asOf });
    const f = async (id: string) =>
      (await loadAnalyticsProfile(db, workspaceId, ids.get(id) as string)).rfm?.f;
    expect([
      await f('c3'),
      await f('c4'),
      await f('c5'),
      await f('c1'),
      await f('c0'),
      await f('c6'),
      await f('c2'),
    ]).toEqual([1, 1, 2, 3, 3, 3, 5]);
    expect((await loadAnalyticsProfile(db, workspaceId, ids.get('c7') as string)).rfm).toBeNull();
    await refreshRfm(db, workspaceId, { windowDays: 365, monetary: 'total', asOf });
  });

  it('sums counts and revenue per grid cell and per class', async () => {
    const { db } = database;
    const grid = await rfmGrid(db, workspaceId);
    const total = grid.cells.reduce((s, c) => s + c.contacts, 0);
    expect(total).toBe(10);
    const revenue = grid.cells.reduce((s, c) => s + c.revenue, 0);
    expect(revenue).toBeCloseTo(
      customers.reduce((s, c) => s + c.orders * c.amount, 0),
      6,
    );
    expect(grid.cells.find((c) => c.r === 5 && c.fm === 4)).toMatchObject({
      contacts: 1,
      segment: 'champions',
      revenue: 500,
    });
    const segment = await createSegment(db, workspaceId, {
      name: 'c0 and c8',
      definition: {
        match: 'any',
        rules: [{ kind: 'attribute', path: 'userId', op: 'in', value: ['c0', 'c8'] }],
      },
    });
    await refreshSegmentMembers(db, segment);
    const narrowed = await rfmGrid(db, workspaceId, segment.id);
    expect(narrowed.cells.map((c) => [c.r, c.fm, c.contacts])).toEqual([
      [1, 5, 1],
      [5, 4, 1],
    ]);
    const summary = await rfmSummary(db, workspaceId);
    expect(summary.segments.find((s) => s.name === 'at_risk')).toMatchObject({
      contacts: 3,
      revenue: 350 + 40 + 20,
    });
  });

  it('selects the contacts of a class or a cell in a segment rule and a branch condition', async () => {
    const { db } = database;
    const count = async (definition: unknown) =>
      (await previewSegment(db, workspaceId, segmentDefinitionSchema.parse(definition) as SegmentGroup, asOf))
        .count;
    expect(
      await count({
        match: 'all',
        rules: [{ kind: 'analytics', field: 'rfm.segment', op: 'eq', value: 'at_risk' }],
      }),
    ).toBe(3);
    expect(
      await count({
        match: 'all',
        rules: [
          { kind: 'analytics', field: 'rfm.r', op: 'eq', value: 2 },
          { kind: 'analytics', field: 'rfm.fm', op: 'eq', value: 4 },
        ],
      }),
    ).toBe(1);
    expect(
      await count({
        match: 'all',
        rules: [{ kind: 'analytics', field: 'rfm.monetary', op: 'gte', value: 350 }],
      }),
    ).toBe(4);
    expect(
      await count({ match: 'all', rules: [{ kind: 'analytics', field: 'rfm.segment', op: 'not_exists' }] }),
    ).toBe(0);

    const contact = { id: ids.get('c8') as string } as never;
    const scope = { db, workspaceId, contact, workflowId: 'w', steps: {} };
    const groups = [
      {
        match: 'all' as const,
        conditions: [
          {
            kind: 'analytics' as const,
            field: 'rfm.segment' as const,
            op: 'eq' as const,
            value: 'champions',
          },
        ],
      },
      {
        match: 'all' as const,
        conditions: [
          {
            kind: 'analytics' as const,
            field: 'rfm.segment' as const,
            op: 'in' as const,
            value: ['cant_lose_them', 'at_risk'],
          },
        ],
      },
    ];
    expect(await firstMatchingGroup(groups, scope)).toBe(1);
  });
});
