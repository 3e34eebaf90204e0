import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Db } from '../../../db';
import { contacts, listMembers, lists } from '../../../db/schema';
import { createBroadcastActivities } from '../../../engine/activities/broadcasts';
import { createBroadcast } from '../../../engine/campaigns/broadcasts';
import { broadcastWorkflowId } from '../../../engine/campaigns/freeze';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { type ChannelDeps, closeChannelDeps } from '../../../engine/messaging/channels/deps';
import { createTemplate } from '../../../engine/messaging/templates/templates';
import { testChannelDeps } from '../../helpers/channels';
import { openTestDb } from '../../helpers/databases';
import { type TemporalHarness, timeSkippingTemporal } from '../../helpers/temporal';

export interface SeedContact {
  email?: string | null;
  phone?: string | null;
  timezone?: string | null;
}

/** A workspace with a list of contacts (inserted set-based) and an email and an SMS template. */
export async function seedAudience(db: Db, people: SeedContact[] | number, name = 'Broadcast workspace') {
  const workspace = await createWorkspace(db, name);
  const rows =
    typeof people === 'number'
      ? Array.from({ length: people }, (_, i) => ({ email: `c${i}@example.com` }) as SeedContact)
      : people;
  const inserted: { id: string; email: string | null; timezone: string | null }[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    inserted.push(
      ...(await db
        .insert(contacts)
        .values(
          rows.slice(i, i + 1000).map((r, j) => ({
            workspaceId: workspace.id,
            externalId: `u-${i + j}`,
            email: r.email ?? null,
            phone: r.phone ?? null,
            timezone: r.timezone ?? null,
          })),
        )
        .returning({ id: contacts.id, email: contacts.email, timezone: contacts.timezone })),
    );
  }
  const [list] = await db.insert(lists).values({ workspaceId: workspace.id, name: 'Newsletter' }).returning();
  for (let i = 0; i < inserted.length; i += 1000) {
    await db
      .insert(listMembers)
      .values(
        inserted
          .slice(i, i + 1000)
          .map((c) => ({ workspaceId: workspace.id, listId: list.id, contactId: c.id })),
      );
  }
  const email = await createTemplate(db, workspace.id, {
    name: 'autumn-sale',
    channel: 'email',
    subject: 'Autumn sale for {{ contact.email }}',
    body: 'Hello {{ contact.email }}, 20% off this week.',
    html: '<p>Hello {{ contact.email }}, <a href="https://shop.example/sale">20% off</a> this week.</p>',
  });
  const emailB = await createTemplate(db, workspace.id, {
    name: 'autumn-sale-b',
    channel: 'email',
    subject: 'Last days: 20% off',
    body: 'Hello {{ contact.email }}, the sale ends soon.',
  });
  const sms = await createTemplate(db, workspace.id, { name: 'sms-sale', channel: 'sms', body: 'Sale!' });
  return { workspace, contacts: inserted, list, templates: { email, emailB, sms } };
}

export type Seeded = Awaited<ReturnType<typeof seedAudience>>;

export function broadcastTo(seeded: Seeded, extra: Record<string, unknown> = {}) {
  return {
    name: 'Autumn sale',
    channel: 'email',
    variants: [{ key: 'A', templateId: seeded.templates.email.id }],
    audience: { segmentIds: [], listIds: [seeded.list.id], excludeSegmentIds: [], excludeListIds: [] },
    ...extra,
  };
}

export async function draftBroadcast(db: Db, seeded: Seeded, extra: Record<string, unknown> = {}) {
  return createBroadcast(db, seeded.workspace.id, broadcastTo(seeded, extra));
}

/** A worker with the broadcast activities on the test's task queue (the workflow bundle of the test run). */
export async function startBroadcastWorker(temporal: TemporalHarness, channels: ChannelDeps) {
  const worker = await Worker.create({
    connection: temporal.connection,
    namespace: 'default',
    taskQueue: temporal.taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: createBroadcastActivities(channels),
  });
  const running = worker.run();
  return {
    worker,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

/**
 * The time-skipping test server with a broadcast worker over a fresh PGlite database: what a
 * broadcast workflow test needs. `close` stops all of it.
 */
export async function timeSkippingBroadcastStack() {
  const database = await openTestDb();
  const temporal = await timeSkippingTemporal();
  const channels = testChannelDeps(database.db);
  const worker = await startBroadcastWorker(temporal, channels);
  return {
    database,
    db: database.db,
    temporal,
    channels,
    deps: () => ({ db: database.db, temporal: temporal.client, taskQueue: temporal.taskQueue }),
    now: () => temporal.env!.currentTimeMs(),
    result: (workspaceId: string, broadcastId: string) =>
      temporal.client.workflow.getHandle(broadcastWorkflowId(workspaceId, broadcastId)).result(),
    async close() {
      await worker.stop();
      await closeChannelDeps(channels);
      await temporal.close();
      await database.close();
    },
  };
}

/** Polls `probe` until `ok` holds (every `everyMs`), failing with the last value after `timeoutMs`. */
export async function until<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  { timeoutMs = 60_000, everyMs = 200 } = {},
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
