import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { events, outbox } from '../../../db/schema';
import { buildNodeContext } from '../../../engine/activities/node-context';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { ingestMessages } from '../../../engine/audience/ingest/ingest';
import { changeKey, unionChange } from '../../../engine/audience/segments/dependencies';
import { deliveredEventColumns } from '../../../engine/dispatch/deliver';
import { changeOfRow } from '../../../engine/dispatch/dispatcher';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { testSecretBox } from '../../helpers/channels';
import { databaseKinds, openTestDb } from '../../helpers/databases';

/**
 * What each kind of outbox row tells the dispatcher about its contact, read from the rows the
 * real producers write: the tracking API (every Segment call type) and a journey node's
 * context (list join and leave, contact update, emitted event).
 */
describe.each(databaseKinds())('the change an outbox row describes (%s)', (kind) => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(async () => database?.close());

  /** The change of each of the workspace's rows, in the order they were written. */
  async function changes(workspaceId: string) {
    const rows = await database.db
      .select({ row: outbox, event: deliveredEventColumns })
      .from(outbox)
      .innerJoin(events, eq(events.id, outbox.eventId))
      .where(eq(outbox.workspaceId, workspaceId))
      .orderBy(asc(outbox.id));
    return rows.map(({ row, event }) => changeOfRow(row, event) ?? 'every segment');
  }

  it('maps every tracking API call type', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Call types');
    const common = () => ({ userId: 'ada', messageId: randomUUID() });
    const outcomes = await ingestMessages(db, {
      workspaceId: workspace.id,
      messages: [
        { type: 'track', event: 'Order Completed', properties: { total: 5 }, ...common() },
        { type: 'page', name: 'Pricing', ...common() },
        { type: 'page', ...common() },
        { type: 'screen', name: 'Home', ...common() },
        { type: 'identify', traits: { plan: 'pro' }, ...common() },
        // A trait of that name from the API is a profile change, not a list join.
        { type: 'identify', traits: { addedToList: 'VIP' }, ...common() },
        { type: 'group', groupId: 'acme', traits: { name: 'Acme' }, ...common() },
        { type: 'alias', previousId: 'visitor-1', ...common() },
      ],
    });
    expect(outcomes.map((o) => o.status)).toEqual(Array(8).fill('stored'));
    expect(await changes(workspace.id)).toEqual([
      { events: ['Order Completed'] },
      { events: ['Pricing'] },
      { events: [] },
      { events: ['Home'] },
      { profile: true },
      { profile: true },
      'every segment',
      'every segment',
    ]);
  });

  it("maps a journey node's list join and leave, contact update and emitted event", async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Node changes');
    const contact = await createContact(db, workspace.id, { userId: 'bo' });
    const silent = () => {};
    const ctx = buildNodeContext(
      { db, logger: { info: silent, warn: silent, error: silent }, secretBox: testSecretBox },
      {
        workspaceId: workspace.id,
        journeyId: randomUUID(),
        journeyVersion: 1,
        contactId: contact.id,
        runId: 'run-1',
        nodeId: 'node-1',
        visit: 1,
        idempotencyKey: 'run-1:node-1:1',
        trigger: null,
        steps: {},
      },
      contact,
    );
    await ctx.addToList('VIP');
    await ctx.removeFromList('Newsletter');
    await ctx.updateContact({ set: { plan: 'pro' }, addTags: ['hot'] });
    await ctx.emitEvent('Nudged', { step: 1 });
    expect(await changes(workspace.id)).toEqual([
      { lists: ['VIP'] },
      { lists: ['Newsletter'] },
      { profile: true },
      { events: ['Nudged'] },
    ]);
  });

  it('joins the changes of one contact; "every segment" absorbs the rest', () => {
    expect(unionChange({ events: ['B', 'A'] }, { lists: ['VIP'], events: ['A'] })).toEqual({
      events: ['A', 'B'],
      lists: ['VIP'],
    });
    expect(unionChange({ profile: true }, { events: [] })).toEqual({ profile: true });
    expect(unionChange({ profile: true }, undefined)).toBeUndefined();
    expect(changeKey({ events: ['B', 'A'] })).toBe(changeKey({ events: ['A', 'B', 'A'], lists: [] }));
    expect(changeKey({ events: ['A'] })).not.toBe(changeKey({ lists: ['A'] }));
    expect(changeKey(undefined)).toBe('*');
  });
});
