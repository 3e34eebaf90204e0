import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db';
import { messages } from '../../db/schema';
import { broadcastWorkflowId } from '../../engine/campaigns/freeze';
import { broadcastProgress } from '../../engine/campaigns/progress';
import { closeChannelDeps } from '../../engine/messaging/channels/deps';
import { launchBroadcast } from '../../engine/operations/launch-broadcast';
import { startSmtpSink } from '../connectors/peers';
import { draftBroadcast, seedAudience, startBroadcastWorker } from '../engine/campaigns/fixtures';
import { emailThroughSmtp } from '../helpers/channel-stack';
import { testChannelDeps } from '../helpers/channels';
import { openTestDb } from '../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../helpers/temporal';

/**
 * The worker running a broadcast stops mid-way and another takes over: on the real Temporal dev
 * server, with a real SMTP peer counting what it receives. Every contact gets exactly one email.
 */
describe('a broadcast survives its worker (real Temporal dev server, smtp-server peer, PGlite)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink?.close();
    await temporal?.close();
    await database?.close();
  });

  it('a new worker resumes where the stopped one ended: none twice, none lost', async () => {
    const db = database.db;
    const seeded = await seedAudience(db, 60, 'Restart workspace');
    const first = testChannelDeps(db);
    await emailThroughSmtp(db, first, seeded.workspace.id, sink.port, 'Shop <news@shop.test>');
    // 120 a minute: batches of 20, ten seconds apart.
    const draft = await draftBroadcast(db, seeded, { throttlePerMinute: 120 });
    const workerA = await startBroadcastWorker(temporal, first);
    await launchBroadcast(
      { db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      seeded.workspace.id,
      draft.id,
    );

    const started = Date.now();
    while ((await broadcastProgress(db, seeded.workspace.id, draft.id)).sent < 20) {
      if (Date.now() - started > 60_000) throw new Error('the first batch never went out');
      await new Promise((r) => setTimeout(r, 100));
    }
    await workerA.stop();
    await closeChannelDeps(first);
    const atStop = await broadcastProgress(db, seeded.workspace.id, draft.id);
    expect(atStop.queued).toBeGreaterThan(0);

    // Nobody works for a while; then a fresh worker with fresh connections takes over.
    await new Promise((r) => setTimeout(r, 2_000));
    const second = testChannelDeps(db);
    const workerB = await startBroadcastWorker(temporal, second);
    try {
      await temporal.client.workflow.getHandle(broadcastWorkflowId(seeded.workspace.id, draft.id)).result();
    } finally {
      await workerB.stop();
      await closeChannelDeps(second);
    }

    const done = await broadcastProgress(db, seeded.workspace.id, draft.id);
    expect(done).toMatchObject({ status: 'completed', sent: 60, queued: 0, failed: 0 });
    const recipients = sink.mails
      .map((m) => (m.to && 'text' in m.to ? m.to.text : ''))
      .filter((t) => t.includes('@example.com'));
    expect(recipients).toHaveLength(60);
    expect(new Set(recipients).size).toBe(60);
    const ledger = await db.select().from(messages).where(eq(messages.broadcastId, draft.id));
    expect(ledger).toHaveLength(60);
    expect(ledger.every((m) => m.status === 'sent')).toBe(true);
  }, 180_000);
});
