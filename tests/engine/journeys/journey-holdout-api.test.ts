import { createHash } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  auditLog,
  contacts,
  events,
  journeyHoldouts,
  journeyRuns,
  journeys,
  messages,
} from '../../../db/schema';
import { runWorkflowId } from '../../../engine/automation/runs/types';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { type ApiStack, apiStack, bearer } from '../../helpers/app';
import { databaseKinds } from '../../helpers/databases';
import { startWorker } from '../../helpers/temporal';

const H = 3_600_000;
// Fixed ids, so the hash rule's split below is fixed too and the lift can be computed by hand.
const JOURNEY = 'a0000000-0000-4000-8000-000000000001';
const cid = (i: number) => `c0000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`;
const ids = Array.from({ length: 40 }, (_, i) => cid(i));
/** The rule would hold contact 40 out (bucket 0.4924), but its run started before the journey had a holdout. */
const EARLY = cid(40);

/** The rule, written independently of the engine: sha256("<journey>:<contact>"), first 32 bits / 2^32 < share. */
const heldOutByRule = (share: number, journeyId = JOURNEY, contactIds = ids) =>
  contactIds.filter(
    (id) => createHash('sha256').update(`${journeyId}:${id}`).digest().readUInt32BE(0) / 2 ** 32 < share,
  );

/**
 * With share 0.5 the rule holds out contacts 2, 3, 7, 8, 9, 10, 11, 13, 15, 18, 19, 22, 25, 27, 30,
 * 31, 32, 38 (18 control) and lets 22 start a run; with contact 40 (which ran before the holdout,
 * no conversion) 23 are treated. Conversions ("Order Completed"; click
 * window 7 days, the default), relative to each contact's own entry:
 * - treated 0, 1, 4, 5, 6, 12, 14, 16 at +1 h → counted (8); treated 17 at +8 days (outside the
 *   window) and treated 20 at −1 h (before entry) → not counted.
 * - control 2 and 3 at +1 h → counted (2); control 7 at +8 days → not counted.
 * Treated rate 8/23 = 0.347826…, control rate 2/18 = 0.111111…;
 * absolute lift 8/23 − 1/9 = 49/207 = 0.236715…; relative lift (8/23) / (1/9) − 1 = 72/23 − 1 =
 * 49/23 = 2.130435…; incremental conversions 49/207 × 23 = 49/9 = 5.444444.
 */
const EXPECTED_HELD = [2, 3, 7, 8, 9, 10, 11, 13, 15, 18, 19, 22, 25, 27, 30, 31, 32, 38];

describe.each(databaseKinds())(
  'journey holdout (control group) and its lift (Fastify inject, %s)',
  (kind) => {
    let stack: ApiStack;
    beforeAll(async () => {
      stack = await apiStack({ kind });
    });
    afterAll(async () => {
      await stack?.close();
    });

    it('holds out the contacts the hash rule picks, keeps their group on re-entry, and reports the lift', async () => {
      const db = stack.database.db;
      const workspace = await createWorkspace(db, 'Holdout workspace');
      const ws = workspace.id;
      const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
        stack.app.inject({ method, url, payload: payload as never, headers: bearer(workspace.secretKey) });
      await db.insert(contacts).values(
        [...ids, EARLY].map((id, i) => ({
          id,
          workspaceId: ws,
          externalId: `u-${i}`,
          email: `c${i}@example.com`,
        })),
      );
      await db.insert(journeys).values({ id: JOURNEY, workspaceId: ws, name: 'Welcome', draft: {} });

      const graph = (holdoutShare: unknown) => ({
        name: 'Welcome',
        nodes: [
          { id: 'start', type: 'trigger.manual', config: {} },
          { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
        ],
        edges: [{ id: 'e0', source: 'start', sourceHandle: 'next', target: 'wait' }],
        settings: { holdoutShare },
      });
      // A share above 0.5 is refused naming the field; the draft stays as it was.
      const tooBig = await call('PUT', `/v1/journeys/${JOURNEY}`, graph(0.7));
      expect(tooBig.statusCode).toBe(400);
      expect(tooBig.json().error.field).toBe('body.settings.holdoutShare');
      expect((await call('GET', `/v1/journeys/${JOURNEY}`)).json().draft).toEqual({});

      // Contact 40 starts its run while the journey has no holdout yet.
      expect((await call('PUT', `/v1/journeys/${JOURNEY}`, graph(0))).statusCode).toBe(200);
      expect((await call('POST', `/v1/journeys/${JOURNEY}/publish`, {})).statusCode).toBe(201);
      const early = await call('POST', `/v1/journeys/${JOURNEY}/enroll`, { contactIds: [EARLY] });
      expect(early.json().data[0]).toMatchObject({ enrolled: true });

      const saved = await call('PUT', `/v1/journeys/${JOURNEY}`, graph(0.5));
      expect(saved.statusCode).toBe(200);
      expect(saved.json().draft.settings.holdoutShare).toBe(0.5);
      const published = await call('POST', `/v1/journeys/${JOURNEY}/publish`, { note: 'with a holdout' });
      expect(published.statusCode).toBe(201);
      const audited = await db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'journey.publish'), eq(auditLog.objectId, JOURNEY)))
        .orderBy(auditLog.seq);
      expect(audited.map((a) => a.change?.holdoutShare)).toEqual([0, 0.5]);

      const expected = heldOutByRule(0.5);
      expect(expected).toEqual(EXPECTED_HELD.map((i) => ids[i]));

      const enroll = async () => {
        const res = await call('POST', `/v1/journeys/${JOURNEY}/enroll`, { contactIds: ids });
        expect(res.statusCode).toBe(200);
        return res.json().data as {
          contactId: string;
          enrolled: boolean;
          heldOut?: boolean;
          reason: string;
        }[];
      };
      const first = await enroll();
      expect(first.filter((r) => r.heldOut).map((r) => r.contactId)).toEqual(expected);
      expect(first.filter((r) => r.enrolled)).toHaveLength(40 - expected.length);
      // The early contact stays treated: enrolling it again holds nothing out.
      const again = (await call('POST', `/v1/journeys/${JOURNEY}/enroll`, { contactIds: [EARLY] })).json();
      expect(again.data[0]).toMatchObject({
        enrolled: false,
        reason: 'the contact already entered this journey',
      });
      expect(again.data[0].heldOut).toBeUndefined();

      const held = await db.select().from(journeyHoldouts).where(eq(journeyHoldouts.journeyId, JOURNEY));
      expect(held.map((h) => h.contactId).sort()).toEqual([...expected].sort());
      const runs = await db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, JOURNEY));
      expect(runs.map((r) => r.contactId).sort()).toEqual(
        [...ids.filter((id) => !expected.includes(id)), EARLY].sort(),
      );
      // Held out: no run in Temporal either, and nothing sent.
      for (const contactId of expected.slice(0, 3)) {
        await expect(
          stack.temporal.client.workflow.getHandle(runWorkflowId(ws, JOURNEY, contactId)).describe(),
        ).rejects.toMatchObject({ name: 'WorkflowNotFoundError' });
      }
      expect(await db.select().from(messages).where(inArray(messages.contactId, expected))).toEqual([]);

      // Enrolling everyone again changes no one's group, nor the time the control group entered.
      const second = await enroll();
      expect(second.filter((r) => r.heldOut).map((r) => r.contactId)).toEqual(expected);
      expect(second.filter((r) => r.enrolled)).toEqual([]);
      expect(await db.select().from(journeyHoldouts).where(eq(journeyHoldouts.journeyId, JOURNEY))).toEqual(
        held,
      );
      expect(await db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, JOURNEY))).toHaveLength(
        runs.length,
      );

      // Conversions relative to each contact's entry (see the fixture above).
      const entered = new Map<string, number>([
        ...runs.map((r) => [r.contactId!, r.startedAt.getTime()] as const),
        ...held.map((h) => [h.contactId, h.enteredAt.getTime()] as const),
      ]);
      let n = 0;
      const order = (i: number, offset: number) => ({
        workspaceId: ws,
        messageId: `order-${n++}`,
        contactId: ids[i],
        type: 'track',
        name: 'Order Completed',
        properties: { revenue: 10 },
        timestamp: new Date(entered.get(ids[i])! + offset),
      });
      await db
        .insert(events)
        .values([
          ...[0, 1, 4, 5, 6, 12, 14, 16].map((i) => order(i, H)),
          order(17, 8 * 24 * H),
          order(20, -H),
          order(2, H),
          order(3, H),
          order(7, 8 * 24 * H),
        ]);

      const campaign = await call('POST', '/v1/campaigns', {
        name: 'Onboarding',
        objective: { event: 'Order Completed' },
        channels: ['email'],
      });
      expect(campaign.statusCode).toBe(201);
      const campaignId = campaign.json().id;
      expect(
        (await call('POST', `/v1/campaigns/${campaignId}/journeys`, { journeyId: JOURNEY })).statusCode,
      ).toBe(200);
      const lift = {
        treated: { contacts: 23, converted: 8, rate: expect.closeTo(0.347826, 5) },
        control: { contacts: 18, converted: 2, rate: expect.closeTo(0.111111, 5) },
        absoluteLift: expect.closeTo(0.236715, 5),
        lift: expect.closeTo(2.130435, 5),
        incrementalConversions: expect.closeTo(5.444444, 5),
      };
      const report = await call('GET', `/v1/campaigns/${campaignId}/report`);
      expect(report.statusCode).toBe(200);
      const row = report.json().bySource.find((s: { sourceId: string }) => s.sourceId === JOURNEY);
      expect(row.holdout).toMatchObject(lift);
      const journeyReport = await call('GET', `/v1/journeys/${JOURNEY}/campaign-report`);
      expect(journeyReport.statusCode).toBe(200);
      expect(journeyReport.json().holdout).toMatchObject(lift);
    });

    it('counts the segment members a publish backfill holds out apart from those it enrolls', async () => {
      const db = stack.database.db;
      const workspace = await createWorkspace(db, 'Backfill holdout workspace');
      const call = (method: 'POST', url: string, payload?: unknown) =>
        stack.app.inject({ method, url, payload: payload as never, headers: bearer(workspace.secretKey) });
      const members = await db
        .insert(contacts)
        .values(
          Array.from({ length: 12 }, (_, i) => ({
            workspaceId: workspace.id,
            externalId: `vip-${i}`,
            tags: ['vip'],
          })),
        )
        .returning({ id: contacts.id });
      const segment = await call('POST', '/v1/segments', {
        name: 'VIPs',
        definition: { rules: [{ kind: 'tag', tag: 'vip' }] },
      });
      expect(segment.statusCode).toBe(201);
      const journey = await call('POST', '/v1/journeys', {
        name: 'VIP welcome',
        nodes: [
          { id: 'start', type: 'trigger.segment', config: { segmentId: segment.json().id } },
          { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
        ],
        edges: [{ id: 'e0', source: 'start', sourceHandle: 'next', target: 'wait' }],
        settings: { holdoutShare: 0.5 },
      });
      const journeyId = journey.json().id;
      const held = heldOutByRule(
        0.5,
        journeyId,
        members.map((m) => m.id),
      );
      const published = await call('POST', `/v1/journeys/${journeyId}/publish`, { backfill: 'enroll' });
      expect(published.statusCode).toBe(201);
      // Every member is either enrolled or held out: 12 in all, the held-out ones as the rule picks.
      expect(published.json()).toMatchObject({
        backfilled: 12 - held.length,
        backfilledHeldOut: held.length,
      });
      const rows = await db.select().from(journeyHoldouts).where(eq(journeyHoldouts.journeyId, journeyId));
      expect(rows.map((r) => r.contactId).sort()).toEqual([...held].sort());
    });

    it('counts held-out contacts of bulk enrollments (a contact selection, a segment) apart from the enrolled', async () => {
      const db = stack.database.db;
      const workspace = await createWorkspace(db, 'Bulk holdout workspace');
      const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
        stack.app.inject({ method, url, payload: payload as never, headers: bearer(workspace.secretKey) });
      // Jobs run on the journey worker.
      const { stop } = await startWorker(stack.temporal, db);
      onTestFinished(stop);
      const finished = async (id: string) => {
        await expect
          .poll(async () => (await call('GET', `/v1/jobs/${id}`)).json().status, { timeout: 30_000 })
          .toBe('completed');
        return (await call('GET', `/v1/jobs/${id}`)).json();
      };
      const people = await db
        .insert(contacts)
        .values(
          Array.from({ length: 12 }, (_, i) => ({
            workspaceId: workspace.id,
            externalId: `b-${i}`,
            tags: ['bulk'],
          })),
        )
        .returning({ id: contacts.id });
      const ids = people.map((p) => p.id);
      const segment = await call('POST', '/v1/segments', {
        name: 'Bulk',
        definition: { rules: [{ kind: 'tag', tag: 'bulk' }] },
      });
      const manualJourney = async (name: string) => {
        const created = await call('POST', '/v1/journeys', {
          name,
          nodes: [
            { id: 'start', type: 'trigger.manual', config: {} },
            { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
          ],
          edges: [{ id: 'e0', source: 'start', sourceHandle: 'next', target: 'wait' }],
          settings: { holdoutShare: 0.5 },
        });
        const journeyId = created.json().id as string;
        expect((await call('POST', `/v1/journeys/${journeyId}/publish`, {})).statusCode).toBe(201);
        return journeyId;
      };

      // The contacts table's bulk action "enroll in a journey".
      const first = await manualJourney('Bulk by selection');
      const heldFirst = heldOutByRule(0.5, first, ids);
      expect(heldFirst.length).toBeGreaterThan(0);
      const bulk = await call('POST', '/v1/contacts/bulk', {
        action: { type: 'enroll', journeyId: first },
        selection: { ids },
      });
      expect(bulk.statusCode).toBe(202);
      expect(await finished(bulk.json().id)).toMatchObject({
        total: 12,
        done: 12,
        succeeded: 12 - heldFirst.length,
        failed: 0,
        skipped: heldFirst.length,
        heldOut: heldFirst.length,
      });

      // A segment's members enrolled as a job.
      const second = await manualJourney('Bulk by segment');
      const heldSecond = heldOutByRule(0.5, second, ids);
      const bySegment = await call('POST', `/v1/journeys/${second}/enroll-segment`, {
        segmentId: segment.json().id,
      });
      expect(bySegment.statusCode).toBe(202);
      expect(await finished(bySegment.json().id)).toMatchObject({
        total: 12,
        succeeded: 12 - heldSecond.length,
        failed: 0,
        heldOut: heldSecond.length,
      });
      // A second run of the same job holds out no one new and enrolls no one twice.
      const again = await call('POST', `/v1/journeys/${second}/enroll-segment`, {
        segmentId: segment.json().id,
      });
      expect(await finished(again.json().id)).toMatchObject({ succeeded: 0, heldOut: heldSecond.length });
    });
  },
);
