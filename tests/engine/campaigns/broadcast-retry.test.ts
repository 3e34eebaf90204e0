import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Db } from '../../../db';
import { broadcastRecipients, messages } from '../../../db/schema';
import { freezeBroadcast } from '../../../engine/campaigns/freeze';
import { setBroadcastStatus } from '../../../engine/campaigns/lifecycle';
import { broadcastProgress } from '../../../engine/campaigns/progress';
import { RETRY_ATTEMPTS, sendDueBatch } from '../../../engine/campaigns/send-batch';
import { type ChannelDeps, closeChannelDeps } from '../../../engine/messaging/channels/deps';
import { launchBroadcast } from '../../../engine/operations/launch-broadcast';
import { emailThroughSmtp } from '../../helpers/channel-stack';
import { testChannelDeps } from '../../helpers/channels';
import { openTestDb } from '../../helpers/databases';
import { draftBroadcast, seedAudience, timeSkippingBroadcastStack } from './fixtures';

/**
 * A real SMTP peer on 127.0.0.1 that answers `451` (try again later) to chosen recipients: to
 * `flaky` ones on their first attempt only, to `down` ones always. It counts every attempt and
 * every accepted message per recipient.
 */
async function startGreylistingPeer(rules: { flaky: string[]; down: string[] }) {
  const attempts = new Map<string, number>();
  const accepted = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const to = address.address;
      const n = (attempts.get(to) ?? 0) + 1;
      attempts.set(to, n);
      if (rules.down.includes(to) || (rules.flaky.includes(to) && n === 1)) {
        return callback(Object.assign(new Error('4.7.1 greylisted, try again later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        for (const rcpt of session.envelope.rcptTo) {
          accepted.set(rcpt.address, (accepted.get(rcpt.address) ?? 0) + 1);
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    attempts,
    accepted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('broadcast sends a provider asks to retry (PGlite, smtp-server answering 451)', () => {
  let database: Database;
  let db: Db;
  let channels: ChannelDeps;
  let peer: Awaited<ReturnType<typeof startGreylistingPeer>>;

  beforeAll(async () => {
    database = await openTestDb();
    db = database.db;
    channels = testChannelDeps(db);
    peer = await startGreylistingPeer({ flaky: ['c1@example.com'], down: ['c2@example.com'] });
  });
  afterAll(async () => {
    await closeChannelDeps(channels);
    await peer?.close();
    await database?.close();
  });

  const t0 = Date.parse('2026-12-01T10:00:00Z');
  /** A broadcast to `n` contacts over SMTP to the peer, its audience frozen at `t0`. */
  async function frozenBroadcast(n: number, name: string) {
    const seeded = await seedAudience(db, n, name);
    await emailThroughSmtp(db, channels, seeded.workspace.id, peer.port, 'Shop <news@shop.test>');
    const draft = await draftBroadcast(db, seeded);
    await freezeBroadcast(db, seeded.workspace.id, draft.id, t0);
    return { seeded, draft };
  }

  it('keeps a 451 recipient due after a backoff, sends it on the next attempt, and fails one only after the retry budget', async () => {
    const { seeded, draft } = await frozenBroadcast(3, 'Retry batches');
    const batch = (now: number) =>
      sendDueBatch(channels, { workspaceId: seeded.workspace.id, broadcastId: draft.id, now, limit: 100 });
    const recipient = async (i: number) => {
      const [row] = await db
        .select()
        .from(broadcastRecipients)
        .where(eq(broadcastRecipients.contactId, seeded.contacts[i].id));
      return row;
    };

    // First batch: c0 accepted; c1 and c2 answered 451, so both stay pending, due a minute later.
    const first = await batch(t0);
    expect(first).toMatchObject({ processed: 1, sent: 1, deferred: 2, failed: 0 });
    expect((await recipient(1)).status).toBe('pending');
    expect((await recipient(1)).dueAt.getTime()).toBe(t0 + 60_000);
    expect((await recipient(1)).reason).toMatch(/attempt 1 of 5 failed.*451|451.*/);
    // Before the backoff ends nothing is due: the batch sends nothing and reports when to come back.
    const early = await batch(t0 + 30_000);
    expect(early).toMatchObject({ processed: 0, remaining: 2, nextDueAt: t0 + 60_000 });

    // Second attempt: c1 is accepted; c2 is refused again and waits 2 minutes (1, 2, 4, 8).
    await batch(t0 + 60_000);
    expect((await recipient(1)).status).toBe('sent');
    expect((await recipient(2)).dueAt.getTime()).toBe(t0 + 60_000 + 120_000);
    let at = t0 + 60_000 + 120_000;
    await batch(at);
    at += 240_000;
    await batch(at);
    at += 480_000;
    await batch(at);
    const last = await recipient(2);
    expect(last.status).toBe('failed');
    expect(last.reason).toMatch(/451/);

    // The peer saw c2 exactly RETRY_ATTEMPTS times and accepted c0 and c1 once each.
    expect(peer.attempts.get('c2@example.com')).toBe(RETRY_ATTEMPTS);
    expect(peer.attempts.get('c1@example.com')).toBe(2);
    expect(peer.accepted.get('c0@example.com')).toBe(1);
    expect(peer.accepted.get('c1@example.com')).toBe(1);
    expect(peer.accepted.get('c2@example.com')).toBeUndefined();
    const ledger = await db.select().from(messages).where(eq(messages.broadcastId, draft.id));
    expect(ledger).toHaveLength(3);
    const byContact = new Map(ledger.map((m) => [m.contactId, m]));
    expect(byContact.get(seeded.contacts[1].id)).toMatchObject({ status: 'sent' });
    expect(byContact.get(seeded.contacts[2].id)).toMatchObject({ status: 'failed' });
    expect(byContact.get(seeded.contacts[2].id)?.payload).toMatchObject({ retryable: true, attempts: 5 });
    expect(await broadcastProgress(db, seeded.workspace.id, draft.id)).toMatchObject({
      sent: 2,
      failed: 1,
      queued: 0,
    });
  }, 300_000);

  it('records a send the worker left mid-call as unknown and never calls the provider for it again', async () => {
    const { seeded, draft } = await frozenBroadcast(2, 'Unknown outcome');
    await sendDueBatch(channels, {
      workspaceId: seeded.workspace.id,
      broadcastId: draft.id,
      now: t0,
      limit: 100,
    });
    // A worker died between the provider call and the record: its row says `sending`, its
    // recipient is still pending (the batch never marked it).
    const [row] = await db.select().from(messages).where(eq(messages.contactId, seeded.contacts[0].id));
    await db.update(messages).set({ status: 'sending' }).where(eq(messages.id, row.id));
    await db
      .update(broadcastRecipients)
      .set({ status: 'pending' })
      .where(eq(broadcastRecipients.contactId, seeded.contacts[0].id));
    const before = peer.attempts.get('c0@example.com');
    const retried = await sendDueBatch(channels, {
      workspaceId: seeded.workspace.id,
      broadcastId: draft.id,
      now: t0 + 1_000,
      limit: 100,
    });
    expect(retried).toMatchObject({ processed: 1, sent: 1 });
    expect(peer.attempts.get('c0@example.com')).toBe(before);
    const [after] = await db.select().from(messages).where(eq(messages.id, row.id));
    expect(after.status).toBe('unknown');
  }, 300_000);
});

describe('the broadcast workflow retries a 451 after its backoff (time-skipping server, smtp-server)', () => {
  let stack: Awaited<ReturnType<typeof timeSkippingBroadcastStack>>;
  let peer: Awaited<ReturnType<typeof startGreylistingPeer>>;
  beforeAll(async () => {
    stack = await timeSkippingBroadcastStack();
    peer = await startGreylistingPeer({ flaky: ['c1@example.com'], down: ['c2@example.com'] });
  });
  afterAll(async () => {
    await stack?.close();
    await peer?.close();
  });

  it('completes with the greylisted contact sent once and the refused one failed after 5 attempts', async () => {
    const { db } = stack;
    const seeded = await seedAudience(db, 4, 'Retry workflow');
    await emailThroughSmtp(db, stack.channels, seeded.workspace.id, peer.port, 'Shop <news@shop.test>');
    const draft = await draftBroadcast(db, seeded);
    await launchBroadcast(stack.deps(), seeded.workspace.id, draft.id, await stack.now());
    // The retries wait 1 + 2 + 4 + 8 minutes of workflow time; the test server skips them.
    await stack.result(seeded.workspace.id, draft.id);
    expect(await broadcastProgress(db, seeded.workspace.id, draft.id)).toMatchObject({
      status: 'completed',
      sent: 3,
      failed: 1,
      queued: 0,
    });
    expect(peer.accepted.get('c1@example.com')).toBe(1);
    expect(peer.attempts.get('c1@example.com')).toBe(2);
    expect(peer.attempts.get('c2@example.com')).toBe(RETRY_ATTEMPTS);
    expect(peer.accepted.get('c0@example.com')).toBe(1);
    expect(peer.accepted.get('c3@example.com')).toBe(1);
  }, 300_000);
});

describe('a broadcast batch on its own: its sending budget and its pages (PGlite, smtp-server)', () => {
  let database: Database;
  let channels: ChannelDeps;
  let peer: Awaited<ReturnType<typeof startGreylistingPeer>>;
  beforeAll(async () => {
    database = await openTestDb();
    channels = testChannelDeps(database.db);
    peer = await startGreylistingPeer({ flaky: [], down: [] });
  });
  afterAll(async () => {
    await closeChannelDeps(channels);
    await peer?.close();
    await database?.close();
  });

  it('starts no chunk after its budget: the rest stays pending for the next batch, and nobody gets two', async () => {
    const { db } = database;
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    const seeded = await seedAudience(db, 350, 'Budgeted batches');
    await emailThroughSmtp(db, channels, seeded.workspace.id, peer.port, 'Shop <news@shop.test>');
    const draft = await draftBroadcast(db, seeded);
    await freezeBroadcast(db, seeded.workspace.id, draft.id, t0);
    const ref = { workspaceId: seeded.workspace.id, broadcastId: draft.id };
    const pending = async () =>
      (
        await db.select().from(broadcastRecipients).where(eq(broadcastRecipients.broadcastId, draft.id))
      ).filter((r) => r.status === 'pending').length;

    // A spent budget: only the chunks the pipeline starts at once (3 × 100) go out.
    const first = await sendDueBatch(channels, { ...ref, now: t0, limit: 2_000, budgetMs: 0 });
    expect(first).toMatchObject({ processed: 300, sent: 300, deferred: 0, remaining: null });
    expect(await pending()).toBe(50);
    const second = await sendDueBatch(channels, { ...ref, now: t0 + 1_000, limit: 2_000 });
    expect(second).toMatchObject({ processed: 50, sent: 50 });
    expect(await pending()).toBe(0);

    expect(peer.accepted.size).toBe(350);
    expect([...peer.accepted.values()].every((n) => n === 1)).toBe(true);
    expect(await broadcastProgress(db, seeded.workspace.id, draft.id)).toMatchObject({
      sent: 350,
      queued: 0,
    });
  }, 300_000);

  const frozen = async (size: number, name: string, t0: number) => {
    const { db } = database;
    const seeded = await seedAudience(db, size, name);
    await emailThroughSmtp(db, channels, seeded.workspace.id, peer.port, 'Shop <news@shop.test>');
    const draft = await draftBroadcast(db, seeded);
    await freezeBroadcast(db, seeded.workspace.id, draft.id, t0);
    return { seeded, draft, ref: { workspaceId: seeded.workspace.id, broadcastId: draft.id } };
  };

  it('sends every due recipient in one batch, a page at a time, each once', async () => {
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    const { seeded, draft, ref } = await frozen(250, 'Paged batches', t0);
    const before = new Map(peer.accepted);
    // One page of 100 without `morePages`; with it the same call reads on until nothing is due.
    const one = await sendDueBatch(channels, { ...ref, now: t0, limit: 100 });
    expect(one).toMatchObject({ processed: 100, sent: 100 });
    const rest = await sendDueBatch(channels, { ...ref, now: t0 + 1_000, limit: 100, morePages: true });
    expect(rest).toMatchObject({ processed: 150, sent: 150, deferred: 0 });
    expect(seeded.contacts.every((c) => acceptedSince(before, c.email!) === 1)).toBe(true);
    expect(await broadcastProgress(database.db, seeded.workspace.id, draft.id)).toMatchObject({
      sent: 250,
      queued: 0,
    });
  }, 300_000);

  it('takes no page once the broadcast is paused, and goes on where it stopped when resumed', async () => {
    const t0 = Date.parse('2026-12-01T11:00:00Z');
    const { seeded, draft, ref } = await frozen(120, 'Paused pages', t0);
    const before = new Map(peer.accepted);
    await setBroadcastStatus(database.db, seeded.workspace.id, draft.id, 'paused');
    const held = await sendDueBatch(channels, { ...ref, now: t0, limit: 50, morePages: true });
    expect(held).toMatchObject({ processed: 0, sent: 0, remaining: 120 });
    await setBroadcastStatus(database.db, seeded.workspace.id, draft.id, 'sending');
    const resumed = await sendDueBatch(channels, { ...ref, now: t0 + 1_000, limit: 50, morePages: true });
    expect(resumed).toMatchObject({ processed: 120, sent: 120 });
    expect(seeded.contacts.every((c) => acceptedSince(before, c.email!) === 1)).toBe(true);
  }, 300_000);

  /** Messages the peer accepted for an address since `before` was taken. */
  const acceptedSince = (before: Map<string, number>, address: string) =>
    (peer.accepted.get(address) ?? 0) - (before.get(address) ?? 0);
});
