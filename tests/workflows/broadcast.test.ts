import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Db } from '../../db';
import { broadcastRecipients, events, messages } from '../../db/schema';
import { abTestResult } from '../../engine/campaigns/ab-test';
import { getBroadcast } from '../../engine/campaigns/broadcasts';
import { addCampaignCost, createCampaign } from '../../engine/campaigns/campaigns';
import { broadcastWorkflowId, freezeBroadcast } from '../../engine/campaigns/freeze';
import { broadcastProgress } from '../../engine/campaigns/progress';
import type { ChannelDeps } from '../../engine/messaging/channels/deps';
import {
  controlBroadcast,
  launchBroadcast,
  pickBroadcastWinner,
} from '../../engine/operations/launch-broadcast';
import { wallClockAt } from '../../engine/time/zoned';
import { draftBroadcast, seedAudience, startBroadcastWorker, until } from '../engine/campaigns/fixtures';
import { testChannelDeps } from '../helpers/channels';
import { openTestDb } from '../helpers/databases';
import { type TemporalHarness, timeSkippingTemporal } from '../helpers/temporal';

describe('the broadcast workflow (real time-skipping test server, PGlite)', () => {
  let database: Database;
  let db: Db;
  let temporal: TemporalHarness;
  let channels: ChannelDeps;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    database = await openTestDb();
    db = database.db;
    temporal = await timeSkippingTemporal();
    channels = testChannelDeps(db);
    ({ stop: stopWorker } = await startBroadcastWorker(temporal, channels));
  });
  afterAll(async () => {
    await stopWorker?.();
    await temporal?.close();
    await database?.close();
  });

  const deps = () => ({ db, temporal: temporal.client, taskQueue: temporal.taskQueue });
  const now = () => temporal.env!.currentTimeMs();
  const resultOf = (workspaceId: string, id: string) =>
    temporal.client.workflow.getHandle(broadcastWorkflowId(workspaceId, id)).result();
  /** A launched broadcast's recipients of one group (test, rest, holdout, all). */
  const groupOf = (id: string, grp: 'all' | 'test' | 'rest' | 'holdout') =>
    db
      .select()
      .from(broadcastRecipients)
      .where(and(eq(broadcastRecipients.broadcastId, id), eq(broadcastRecipients.grp, grp)));
  /** Email opens or clicks of these recipients' messages, now. */
  const engage = (
    workspaceId: string,
    rows: { messageId: string | null; contactId: string }[],
    what: 'opened' | 'clicked',
  ) =>
    db.insert(events).values(
      rows.map((r) => ({
        workspaceId,
        messageId: `${r.messageId}:${what}`,
        contactId: r.contactId,
        type: 'track',
        name: what === 'opened' ? 'Email Opened' : 'Email Link Clicked',
        properties: { messageId: r.messageId, channel: 'email' },
        timestamp: new Date(),
      })),
    );

  it('sends once to every contact of the frozen audience in batches, and a second launch sends nothing more', async () => {
    const seeded = await seedAudience(db, 300);
    const draft = await draftBroadcast(db, seeded);
    const first = await launchBroadcast(deps(), seeded.workspace.id, draft.id, await now());
    expect(first.launched).toBe(true);
    expect(first.broadcast.audienceSize).toBe(300);
    const again = await launchBroadcast(deps(), seeded.workspace.id, draft.id, await now());
    expect(again.launched).toBe(false);
    await resultOf(seeded.workspace.id, draft.id);

    const sent = await db.select().from(messages).where(eq(messages.broadcastId, draft.id));
    expect(sent).toHaveLength(300);
    expect(new Set(sent.map((m) => m.contactId)).size).toBe(300);
    expect(sent.every((m) => m.idempotencyKey === `broadcast:${draft.id}:${m.contactId}`)).toBe(true);
    const progress = await broadcastProgress(db, seeded.workspace.id, draft.id);
    expect(progress).toMatchObject({ status: 'completed', audience: 300, sent: 300, queued: 0, failed: 0 });
    // A launch after completion starts nothing either.
    expect((await launchBroadcast(deps(), seeded.workspace.id, draft.id)).launched).toBe(false);
    const [{ n }] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(messages)
      .where(eq(messages.broadcastId, draft.id));
    expect(n).toBe(300);
  }, 120_000);

  it('delivers at 09:00 on each contact’s own clock across time zones', async () => {
    const seeded = await seedAudience(db, [
      { email: 'tokyo@example.com', timezone: 'Asia/Tokyo' },
      { email: 'berlin@example.com', timezone: 'Europe/Berlin' },
      { email: 'newyork@example.com', timezone: 'America/New_York' },
      { email: 'nozone@example.com', timezone: null },
    ]);
    const start = await now();
    // Two days ahead, so 09:00 lies in the future in every zone.
    const day = new Date(start + 2 * 86_400_000).toISOString().slice(0, 10);
    const draft = await draftBroadcast(db, seeded, { schedule: { kind: 'local', date: day, time: '09:00' } });
    const launched = await launchBroadcast(deps(), seeded.workspace.id, draft.id, start);
    expect(launched.broadcast.status).toBe('scheduled');
    await resultOf(seeded.workspace.id, draft.id);

    const sent = await db.select().from(messages).where(eq(messages.broadcastId, draft.id));
    expect(sent).toHaveLength(4);
    const zoneOf: Record<string, string> = {
      'tokyo@example.com': 'Asia/Tokyo',
      'berlin@example.com': 'Europe/Berlin',
      'newyork@example.com': 'America/New_York',
      // No zone of its own and none for the workspace: UTC.
      'nozone@example.com': 'UTC',
    };
    for (const message of sent) {
      // The ledger's clock is the workflow's: the send happened at 09:00 local (the same minute).
      const local = wallClockAt(message.createdAt.getTime(), zoneOf[message.recipient!]);
      expect([local.hour, local.minute], message.recipient!).toEqual([9, 0]);
    }
    // Tokyo (UTC+9) goes first, New York (UTC−5) last: 14 hours apart.
    const at = (email: string) => sent.find((m) => m.recipient === email)!.createdAt.getTime();
    expect(Math.abs(at('newyork@example.com') - at('tokyo@example.com') - 14 * 3_600_000)).toBeLessThan(
      2_000,
    );
  });

  it('pauses before the next batch and resumes where it stopped, nothing twice', async () => {
    const seeded = await seedAudience(db, 12);
    // 6 a minute: one message per batch, ten seconds apart.
    const draft = await draftBroadcast(db, seeded, { throttlePerMinute: 6 });
    await launchBroadcast(deps(), seeded.workspace.id, draft.id, await now());
    await until(
      () => broadcastProgress(db, seeded.workspace.id, draft.id),
      (p) => p.sent >= 1,
    );
    await controlBroadcast(deps(), seeded.workspace.id, draft.id, 'pause');
    const pausedAt = (await broadcastProgress(db, seeded.workspace.id, draft.id)).sent;
    // A day passes while paused: nothing more goes out.
    await temporal.env!.sleep('1 day');
    const held = await broadcastProgress(db, seeded.workspace.id, draft.id);
    expect(held.status).toBe('paused');
    expect(held.sent).toBeLessThanOrEqual(pausedAt + 1);
    expect(held.queued).toBeGreaterThan(0);

    await controlBroadcast(deps(), seeded.workspace.id, draft.id, 'resume');
    await resultOf(seeded.workspace.id, draft.id);
    const done = await broadcastProgress(db, seeded.workspace.id, draft.id);
    expect(done).toMatchObject({ status: 'completed', sent: 12, queued: 0 });
    const sent = await db.select().from(messages).where(eq(messages.broadcastId, draft.id));
    expect(sent).toHaveLength(12);
    // Throttled: the sends after the resume are at least ten seconds apart.
    const times = sent.map((m) => m.createdAt.getTime()).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(9_900);
  });

  it('continues as new every few batches, carrying its state: every contact once across the runs', async () => {
    const seeded = await seedAudience(db, 7);
    // 6 a minute: one message per batch; a new run every 2 batches → at least 3 continuations.
    const draft = await draftBroadcast(db, seeded, { throttlePerMinute: 6 });
    await freezeBroadcast(db, seeded.workspace.id, draft.id, await now());
    const workflowId = broadcastWorkflowId(seeded.workspace.id, draft.id);
    const handle = await temporal.client.workflow.start('broadcast', {
      workflowId,
      taskQueue: temporal.taskQueue,
      args: [{ workspaceId: seeded.workspace.id, broadcastId: draft.id, batchesPerRun: 2 }],
    });
    const state = (await handle.result()) as { batches: number; phase: string };
    // The count of batches went on across the runs instead of starting again.
    expect(state).toMatchObject({ phase: 'done', batches: 7 });
    const latest = await temporal.client.workflow.getHandle(workflowId).describe();
    expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    const sent = await db.select().from(messages).where(eq(messages.broadcastId, draft.id));
    expect(sent).toHaveLength(7);
    expect(new Set(sent.map((m) => m.contactId)).size).toBe(7);
    expect(await broadcastProgress(db, seeded.workspace.id, draft.id)).toMatchObject({
      status: 'completed',
      sent: 7,
      queued: 0,
    });
  });

  it('cancel ends the broadcast and drops what is queued', async () => {
    const seeded = await seedAudience(db, 10);
    const draft = await draftBroadcast(db, seeded, { throttlePerMinute: 6 });
    await launchBroadcast(deps(), seeded.workspace.id, draft.id, await now());
    await until(
      () => broadcastProgress(db, seeded.workspace.id, draft.id),
      (p) => p.sent >= 1,
    );
    await controlBroadcast(deps(), seeded.workspace.id, draft.id, 'cancel');
    await resultOf(seeded.workspace.id, draft.id);
    const done = await broadcastProgress(db, seeded.workspace.id, draft.id);
    expect(done.status).toBe('cancelled');
    expect(done.sent + done.cancelled).toBe(10);
    expect(done.cancelled).toBeGreaterThan(0);
    const sent = await db.select().from(messages).where(eq(messages.broadcastId, draft.id));
    expect(sent).toHaveLength(done.sent);
  });

  it('A/B test: the variant with the better open rate wins after the window and goes to the rest', async () => {
    const seeded = await seedAudience(db, 40);
    const draft = await draftBroadcast(db, seeded, {
      variants: [
        { key: 'A', templateId: seeded.templates.email.id },
        { key: 'B', templateId: seeded.templates.emailB.id },
      ],
      abTest: { testShare: 0.5, metric: 'open', windowHours: 4, autoSend: true },
    });
    await launchBroadcast(deps(), seeded.workspace.id, draft.id, await now());
    // The test share (20: 10 per variant) goes out, then the window starts.
    await until(
      () => getBroadcast(db, seeded.workspace.id, draft.id),
      (b) => b.status === 'testing',
    );
    const test = await groupOf(draft.id, 'test');
    expect(test).toHaveLength(20);
    expect(test.filter((r) => r.variant === 'A' && r.status === 'sent')).toHaveLength(10);
    // Opens during the window: 2 of A's 10, 6 of B's 10.
    const opened = [
      ...test.filter((r) => r.variant === 'A').slice(0, 2),
      ...test.filter((r) => r.variant === 'B').slice(0, 6),
    ];
    await engage(seeded.workspace.id, opened, 'opened');
    await resultOf(seeded.workspace.id, draft.id);

    const done = await getBroadcast(db, seeded.workspace.id, draft.id);
    expect(done.status).toBe('completed');
    expect(done.winnerVariant).toBe('B');
    const rest = await groupOf(draft.id, 'rest');
    expect(rest).toHaveLength(20);
    expect(rest.every((r) => r.variant === 'B' && r.status === 'sent')).toBe(true);
    // The rest went out after the four-hour window.
    const testSent = Math.max(...test.map((r) => r.sentAt!.getTime()));
    expect(Math.min(...rest.map((r) => r.sentAt!.getTime())) - testSent).toBeGreaterThanOrEqual(
      4 * 3_600_000,
    );
    // B 6/10 against A 2/10: pooled p = 0.4, se = sqrt(0.4·0.6·(1/10+1/10)) = 0.21909,
    // z = 0.4 / 0.21909 = 1.8257, two-sided p = 2·(1 − Φ(1.8257)) = 0.0679: not significant at 5 %.
    const result = await abTestResult(db, seeded.workspace.id, draft.id);
    expect(result.winner).toBe('B');
    expect(result.significance!.z).toBeCloseTo(1.8257, 3);
    expect(result.significance!.pValue).toBeCloseTo(0.0679, 3);
    expect(result.significance!.significant).toBe(false);
  });

  it('A/B/n by click rate without auto-send: waits after the window until a person picks the winner', async () => {
    const seeded = await seedAudience(db, 30, 'A/B/n by hand');
    const draft = await draftBroadcast(db, seeded, {
      variants: [
        { key: 'A', templateId: seeded.templates.email.id },
        { key: 'B', templateId: seeded.templates.emailB.id },
        { key: 'C', templateId: seeded.templates.email.id, subject: 'Only today' },
      ],
      abTest: { testShare: 0.6, metric: 'click', windowHours: 2, autoSend: false },
    });
    await launchBroadcast(deps(), seeded.workspace.id, draft.id, await now());
    await until(
      () => getBroadcast(db, seeded.workspace.id, draft.id),
      (b) => b.status === 'testing',
    );
    // The test share: 18 of 30, 6 per variant.
    const test = await groupOf(draft.id, 'test');
    expect(
      ['A', 'B', 'C'].map((v) => test.filter((r) => r.variant === v && r.status === 'sent').length),
    ).toEqual([6, 6, 6]);
    // Clicks: 1 of A's 6, 1 of B's 6, 4 of C's 6.
    const clicked = (['A', 'B', 'C'] as const).flatMap((v, i) =>
      test.filter((r) => r.variant === v).slice(0, [1, 1, 4][i]),
    );
    await engage(seeded.workspace.id, clicked, 'clicked');
    // The window passes; without auto-send nothing more goes out until someone picks.
    await temporal.env!.sleep('3 hours');
    await until(
      () => getBroadcast(db, seeded.workspace.id, draft.id),
      (b) => b.status === 'awaiting-winner',
    );
    expect((await broadcastProgress(db, seeded.workspace.id, draft.id)).awaitingWinner).toBe(12);
    // C leads 4/6 against 1/6: pooled p = 5/12, se = sqrt(5/12 · 7/12 · (1/6 + 1/6)) = 0.28464,
    // z = 0.5 / 0.28464 = 1.7566, two-sided p = 0.0790: not significant at 5 %.
    const result = await abTestResult(db, seeded.workspace.id, draft.id);
    expect(result.winner).toBe('C');
    expect(result.significance!.z).toBeCloseTo(1.7566, 3);
    expect(result.significance!.pValue).toBeCloseTo(0.079, 3);
    // The marketer picks B anyway (a hand pick decides); an unknown variant is refused.
    await expect(pickBroadcastWinner(deps(), seeded.workspace.id, draft.id, 'Z')).rejects.toMatchObject({
      code: 'variant_unknown',
    });
    await pickBroadcastWinner(deps(), seeded.workspace.id, draft.id, 'B');
    await resultOf(seeded.workspace.id, draft.id);
    const done = await getBroadcast(db, seeded.workspace.id, draft.id);
    expect(done).toMatchObject({ status: 'completed', winnerVariant: 'B' });
    const rest = await groupOf(draft.id, 'rest');
    expect(rest).toHaveLength(12);
    expect(rest.every((r) => r.variant === 'B' && r.status === 'sent')).toBe(true);
  });

  it('stops at the campaign budget: what the budget no longer pays for is skipped', async () => {
    const seeded = await seedAudience(db, 8);
    const campaign = await createCampaign(db, seeded.workspace.id, {
      name: 'Capped',
      objective: { event: 'Order Completed' },
      budget: 10,
      costModel: { email: 1 },
      channels: ['email'],
      stopAtBudget: true,
    });
    const start = await now();
    const draft = await draftBroadcast(db, seeded, {
      campaignId: campaign.id,
      schedule: { kind: 'at', at: new Date(start + 3_600_000).toISOString() },
    });
    // 8 emails at 1.00 fit the budget of 10 at launch...
    await launchBroadcast(deps(), seeded.workspace.id, draft.id, start);
    // ...but 5.00 of ad spend is entered before the send time: 5 emails are left.
    await addCampaignCost(db, seeded.workspace.id, campaign.id, { label: 'Ads', amount: 5 });
    await resultOf(seeded.workspace.id, draft.id);
    const done = await broadcastProgress(db, seeded.workspace.id, draft.id);
    expect(done).toMatchObject({ status: 'completed', sent: 5, skipped: 3, queued: 0 });
    expect(done.skippedReasons).toEqual([{ reason: 'budget-exhausted', count: 3 }]);
  });
});
