import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { ticketRatings, tickets } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { ticketReport } from '../../../../engine/crm/tickets/reports';
import { createUser } from '../../../../engine/identity/users';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../../helpers/databases';

const at = (iso: string) => new Date(`${iso}Z`);
const plus = (iso: string, minutes: number) => new Date(at(iso).getTime() + minutes * 60_000);

describe.each(databaseKinds())('ticket reports against a hand-computed fixture (%s)', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(() => database?.close());

  it('computes volume, median and p90 times, SLA attainment and CSAT by agent and week', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Reports');
    const other = await createWorkspace(db, 'Someone else');
    const contact = await createContact(db, workspace.id, { email: 'r@example.com' });
    const strangerContact = await createContact(db, other.id, { email: 'r@example.com' });
    const ann = await createUser(db, { email: `ann-${kind}@example.com`, name: 'Ann' });
    const bob = await createUser(db, { email: `bob-${kind}@example.com`, name: 'Bob' });

    // Targets: first response 60 min, resolution 480 min (T5 has no policy).
    const ticket = (
      created: string,
      fields: { fr?: number; res?: number; status: 'new' | 'open' | 'resolved' | 'closed'; policy?: boolean },
      priority: 'low' | 'normal' = 'normal',
      workspaceId = workspace.id,
      contactId = contact.id,
    ) => ({
      workspaceId,
      contactId,
      subject: created,
      priority,
      status: fields.status,
      createdAt: at(created),
      firstResponseAt: fields.fr === undefined ? null : plus(created, fields.fr),
      resolvedAt: fields.res === undefined ? null : plus(created, fields.res),
      firstResponseDueAt: fields.policy === false ? null : plus(created, 60),
      resolutionDueAt: fields.policy === false ? null : plus(created, 480),
    });
    const [t1, t2, t3, , , , , t6] = await db
      .insert(tickets)
      .values([
        ticket('2026-11-02T09:00:00', { fr: 30, res: 120, status: 'resolved' }), // FR met, res met
        ticket('2026-11-03T10:00:00', { fr: 90, res: 600, status: 'resolved' }), // FR late, res late
        ticket('2026-11-04T08:00:00', { fr: 10, res: 240, status: 'closed' }), // both met
        ticket('2026-11-09T12:00:00', { fr: 45, status: 'open' }), // FR met, res overdue at `now`
        ticket('2026-11-10T12:00:00', { status: 'new', policy: false }, 'low'), // no targets
        ticket('2026-11-15T23:00:00', { status: 'new' }), // both not yet due at `now`
        ticket('2026-11-11T09:00:00', { res: 30, status: 'resolved' }), // solved before any reply
        ticket('2026-11-20T09:00:00', { fr: 5, res: 10, status: 'resolved' }), // after the period
        ticket('2026-11-05T09:00:00', { fr: 1, status: 'open' }, 'normal', other.id, strangerContact.id),
      ])
      .returning();
    const rating = (t: typeof t1, agent: string, value: number, when: string) => ({
      workspaceId: workspace.id,
      ticketId: t.id,
      contactId: contact.id,
      agentUserId: agent,
      rating: value,
      updatedAt: at(when),
    });
    await db.insert(ticketRatings).values([
      rating(t1, ann.id, 5, '2026-11-02T12:00:00'),
      rating(t2, ann.id, 2, '2026-11-04T09:00:00'),
      rating(t3, bob.id, 4, '2026-11-10T09:00:00'),
      rating(t6, bob.id, 1, '2026-11-20T10:00:00'), // rated after the period
    ]);

    const report = await ticketReport(
      db,
      workspace.id,
      { from: '2026-11-02', to: '2026-11-16', bucket: 'week' },
      at('2026-11-15T23:30:00'),
    );

    // Seven tickets created in the period (T1–T5, 11 Nov, 15 Nov); four resolved (T1–T3, 11 Nov).
    expect(report.volume).toEqual({
      created: 7,
      resolved: 4,
      byStatus: { new: 2, open: 1, pending: 0, resolved: 3, closed: 1 },
      byPriority: { low: 1, normal: 6, high: 0, urgent: 0 },
      byPeriod: [
        { period: '2026-11-02', created: 3, resolved: 3 },
        { period: '2026-11-09', created: 4, resolved: 1 },
      ],
    });
    // First responses [10, 30, 45, 90]: median at rank 1.5 = 37.5; p90 at rank 2.7 = 45 + 0.7·45 = 76.5.
    expect(report.firstResponse).toEqual({ count: 4, medianMinutes: 37.5, p90Minutes: 76.5 });
    // Resolutions [30, 120, 240, 600]: median at rank 1.5 = 180; p90 at rank 2.7 = 240 + 0.7·360 = 492.
    expect(report.resolution).toEqual({ count: 4, medianMinutes: 180, p90Minutes: 492 });
    // First response: T1, T3, T4 met, 11 Nov resolved in 30 min (counts as met), T2 late,
    // the 15 Nov ticket not yet due → 4 / 5.
    // Resolution: T1, T3, 11 Nov met, T2 late, T4 overdue, 15 Nov not yet due → 3 / 5.
    expect(report.sla).toEqual({
      firstResponse: { met: 4, breached: 1, open: 1, attainment: 0.8 },
      resolution: { met: 3, breached: 2, open: 1, attainment: 0.6 },
    });
    // Ratings in the period: Ann 5 and 2, Bob 4 → mean 11/3, 2 of 3 satisfied (4 or 5).
    expect(report.csat).toEqual({
      count: 3,
      average: 3.67,
      satisfied: 0.6667,
      byAgent: [
        { agentUserId: ann.id, agent: 'Ann', count: 2, average: 3.5, satisfied: 0.5 },
        { agentUserId: bob.id, agent: 'Bob', count: 1, average: 4, satisfied: 1 },
      ],
      byPeriod: [
        { period: '2026-11-02', count: 2, average: 3.5, satisfied: 0.5 },
        { period: '2026-11-09', count: 1, average: 4, satisfied: 1 },
      ],
    });
  });

  it('refuses an empty period, naming the field', async () => {
    const workspace = await createWorkspace(database.db, 'Empty');
    await expect(
      ticketReport(database.db, workspace.id, { from: '2026-11-02', to: '2026-11-02' }),
    ).rejects.toMatchObject({ code: 'report_period_empty', field: 'to' });
  });
});
