/**
 * A broadcast to N contacts through a local SMTP peer, against raw pooled nodemailer sends to the
 * same peer in the same run: messages per second (goal ≥ 0.8 of raw) and the time from launch to
 * the first message at the peer. One workflow for the whole audience, never one per contact.
 *
 *   BROADCAST_CONTACTS=100000 npx tsx bench/broadcast.ts    (DATABASE_URL for a Postgres server)
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
import { reportResult } from './helpers/report';

const N = Number(process.env.BROADCAST_CONTACTS ?? 100_000);
const CONNECTIONS = 5;
const CONCURRENCY = 16;

/** A peer that accepts and counts messages, remembering when the first and last arrived. */
async function startPeer() {
  const peer = { count: 0, first: 0, last: 0, port: 0, close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        peer.count++;
        peer.last = Date.now();
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

  const raw = await rawNodemailer(peer.port, N);
  peer.count = 0;
  peer.first = 0;

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
  const draft = await createBroadcast(db, workspace.id, {
    name: 'Autumn sale',
    channel: 'email',
    variants: [{ key: 'A', templateId: template.id }],
    audience: { segmentIds: [], listIds: [list.id], excludeSegmentIds: [], excludeListIds: [] },
  });
  const launchedAt = Date.now();
  await launchBroadcast({ db, temporal: stack.temporal, taskQueue: stack.taskQueue }, workspace.id, draft.id);
  const frozenAt = Date.now();
  await stack.temporal.workflow.getHandle(broadcastWorkflowId(workspace.id, draft.id)).result();
  const doneAt = Date.now();
  const progress = await broadcastProgress(db, workspace.id, draft.id);
  worker.shutdown();
  await running;
  await connection.close();

  const rate = (peer.count / (doneAt - launchedAt)) * 1000;
  const duplicates = peer.count - progress.sent;
  console.log(
    JSON.stringify(
      {
        database: stack.database.driver,
        // The machine's load while the run ended (1, 5, 15 minutes): the ratio is only fair when both halves saw the same.
        loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
        contacts: N,
        sentByBroadcast: progress.sent,
        receivedByPeer: peer.count,
        duplicates,
        freezeMs: frozenAt - launchedAt,
        timeToFirstMessageMs: peer.first - launchedAt,
        broadcastMessagesPerSecond: Math.round(rate),
        rawNodemailerMessagesPerSecond: Math.round(raw),
        ratio: Number((rate / raw).toFixed(3)),
      },
      null,
      2,
    ),
  );
  reportResult({
    name: 'broadcast send rate',
    baseline: 'raw pooled nodemailer sends to the same SMTP peer',
    unit: 'messages/s',
    values: [rate],
    baselineValues: [raw],
    target: { atLeast: 0.8 },
    note: `${N} contacts; first message ${peer.first - launchedAt} ms after launch; ${duplicates} duplicates`,
  });
} finally {
  await closeChannelDeps(channels);
  await peer.close();
  await stack.close();
}
