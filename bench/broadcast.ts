/**
 * A broadcast to N contacts through a local SMTP peer, against raw pooled nodemailer sends to the
 * same peer in the same run: messages per second (goal ≥ 0.8 of raw) and the time from launch to
 * the first message at the peer. One workflow for the whole audience, never one per contact.
 * Each run sends N with raw nodemailer, then launches one more broadcast to the same N contacts.
 *
 *   npx tsx bench/broadcast.ts [contacts=100000]    (or BROADCAST_CONTACTS; DATABASE_URL for a
 *   Postgres server; BENCH_RUNS=5 runs)
 */
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { contacts, listMembers, lists } from '../db/schema';
import { createBroadcast } from '../engine/campaigns/broadcasts';
import { broadcastWorkflowId } from '../engine/campaigns/freeze';
import { broadcastProgress } from '../engine/campaigns/progress';
import { createWorkspace } from '../engine/identity/workspaces';
import { saveChannelSettings } from '../engine/messaging/channels/channel-settings';
import { closeChannelDeps, createChannelDeps } from '../engine/messaging/channels/deps';
import { createTemplate } from '../engine/messaging/templates/templates';
import { launchBroadcast } from '../engine/operations/launch-broadcast';
import { connectWorker, createJourneyWorker } from '../engine/temporal/worker';
import { startIngestStack } from './helpers/ingest-stack';
import { benchRuns, reportResult, summary } from './helpers/report';

const N = Number(process.argv[2] ?? process.env.BROADCAST_CONTACTS ?? 100_000);
const CONNECTIONS = 5;
const CONCURRENCY = 16;
const runs = benchRuns();

/** A peer that accepts and counts messages, remembering when each arrived. */
async function startPeer() {
  const peer = { count: 0, first: 0, last: 0, port: 0, arrivals: [] as number[], close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        peer.count++;
        peer.last = Date.now();
        peer.arrivals.push(peer.last);
        if (peer.first === 0) peer.first = peer.last;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.port = (server.server.address() as AddressInfo).port;
  peer.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return peer;
}

/** Time the peer received nothing for 50 ms or more at a stretch (connections recycled, batches changing). */
function pausesMs(arrivals: number[]): number {
  let total = 0;
  for (let i = 1; i < arrivals.length; i++) {
    const gap = arrivals[i] - arrivals[i - 1];
    if (gap >= 50) total += gap;
  }
  return total;
}

async function rawNodemailer(port: number, count: number): Promise<number> {
  const transport = nodemailer.createTransport({
    pool: true,
    host: '127.0.0.1',
    port,
    maxConnections: CONNECTIONS,
  });
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await transport.sendMail({
        from: 'Shop <news@shop.test>',
        to: `c${i}@example.com`,
        subject: 'Autumn sale',
        text: `Hello c${i}@example.com, 20% off this week.`,
        html: `<p>Hello c${i}@example.com, <a href="https://shop.example/sale">20% off</a> this week.</p>`,
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  transport.close();
  return (count / (Date.now() - started)) * 1000;
}

const stack = await startIngestStack();
const { db } = stack;
const peer = await startPeer();
const channels = createChannelDeps({ db, box: stack.secretBox, publicUrl: 'http://127.0.0.1:1' });
try {
  const workspace = await createWorkspace(db, 'Broadcast bench');
  await saveChannelSettings(db, stack.secretBox, workspace.id, 'email', {
    provider: 'smtp',
    config: {
      host: '127.0.0.1',
      port: peer.port,
      from: 'Shop <news@shop.test>',
      maxConnections: CONNECTIONS,
    },
  });
  const [list] = await db.insert(lists).values({ workspaceId: workspace.id, name: 'Everyone' }).returning();
  for (let i = 0; i < N; i += 5_000) {
    const ids = await db
      .insert(contacts)
      .values(
        Array.from({ length: Math.min(5_000, N - i) }, (_, j) => ({
          workspaceId: workspace.id,
          externalId: `u-${i + j}`,
          email: `c${i + j}@example.com`,
        })),
      )
      .returning({ id: contacts.id });
    await db
      .insert(listMembers)
      .values(ids.map((c) => ({ workspaceId: workspace.id, listId: list.id, contactId: c.id })));
  }
  const template = await createTemplate(db, workspace.id, {
    name: 'autumn-sale',
    channel: 'email',
    subject: 'Autumn sale',
    body: 'Hello {{ contact.email }}, 20% off this week.',
    html: '<p>Hello {{ contact.email }}, <a href="https://shop.example/sale">20% off</a> this week.</p>',
  });

  const connection = await connectWorker(stack.server.address);
  const worker = await createJourneyWorker({
    connection,
    namespace: 'default',
    taskQueue: stack.taskQueue,
    db,
    registry: stack.registry,
    secretBox: stack.secretBox,
    channels,
  });
  const running = worker.run();
  const rates: number[] = [];
  const raws: number[] = [];
  const firsts: number[] = [];
  let duplicates = 0;
  try {
    // Each run: raw sends, then one more broadcast to the same list, so both halves share its hour.
    for (let run = 1; run <= runs; run++) {
      peer.arrivals = [];
      raws.push(await rawNodemailer(peer.port, N));
      const rawPauses = pausesMs(peer.arrivals);
      peer.count = 0;
      peer.first = 0;
      peer.arrivals = [];
      const draft = await createBroadcast(db, workspace.id, {
        name: `Autumn sale ${run}`,
        channel: 'email',
        variants: [{ key: 'A', templateId: template.id }],
        audience: { segmentIds: [], listIds: [list.id], excludeSegmentIds: [], excludeListIds: [] },
      });
      const launchedAt = Date.now();
      await launchBroadcast(
        { db, temporal: stack.temporal, taskQueue: stack.taskQueue },
        workspace.id,
        draft.id,
      );
      const frozenAt = Date.now();
      await stack.temporal.workflow.getHandle(broadcastWorkflowId(workspace.id, draft.id)).result();
      const doneAt = Date.now();
      const progress = await broadcastProgress(db, workspace.id, draft.id);
      rates.push((peer.count / (doneAt - launchedAt)) * 1000);
      firsts.push(peer.first - launchedAt);
      duplicates += peer.count - progress.sent;
      console.log(
        JSON.stringify({
          run,
          database: stack.database.driver,
          // The machine's load as the run ended (1, 5, 15 minutes): the ratio is only fair when both halves saw the same.
          loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
          contacts: N,
          sentByBroadcast: progress.sent,
          receivedByPeer: peer.count,
          duplicates: peer.count - progress.sent,
          freezeMs: frozenAt - launchedAt,
          timeToFirstMessageMs: peer.first - launchedAt,
          broadcastMessagesPerSecond: Math.round(rates[run - 1]),
          rawNodemailerMessagesPerSecond: Math.round(raws[run - 1]),
          ratio: Number((rates[run - 1] / raws[run - 1]).toFixed(3)),
          // The SMTP pool closes each connection after 100 messages and waits 100 ms to go on.
          peerPausesMs: { broadcast: pausesMs(peer.arrivals), raw: rawPauses },
        }),
      );
    }
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
  reportResult({
    name: 'broadcast send rate',
    baseline: 'raw pooled nodemailer sends to the same SMTP peer, same run',
    unit: 'messages/s',
    values: rates,
    baselineValues: raws,
    target: { atLeast: 0.8 },
    note: `${N} contacts a run; first message ${summary(firsts).median} ms after launch (median); ${duplicates} duplicates`,
  });
} finally {
  await closeChannelDeps(channels);
  await peer.close();
  await stack.close();
}
