import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { events, journeyRuns, messages, suppressions } from '../../../../db/schema';
import { toSnapshot } from '../../../../engine/audience/contacts/contact-store';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { createJourney } from '../../../../engine/automation/journeys/journeys';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { saveChannelSettings } from '../../../../engine/messaging/channels/channel-settings';
import { type ChannelDeps, closeChannelDeps } from '../../../../engine/messaging/channels/deps';
import { type SendInput, sendMessages } from '../../../../engine/messaging/messages/send-message';
import { testChannelDeps, testSecretBox } from '../../../helpers/channels';
import { databaseKinds, openTestDb } from '../../../helpers/databases';
import { vipWelcomeGraph } from '../../../helpers/fixtures';

/**
 * A batch's claim reads what it decides by under the contacts' locks: the channel's policy, the
 * suppressions, the rows already there, which contacts are test contacts and which runs a test
 * event started. Each of them changes what this batch of sends records.
 */
describe.each(databaseKinds())('a send batch claims by what is stored (%s)', (kind) => {
  let database: Database;
  let channels: ChannelDeps;

  beforeAll(async () => {
    database = await openTestDb(kind);
    channels = testChannelDeps(database.db);
  });
  afterAll(async () => {
    if (channels) await closeChannelDeps(channels);
    await database?.close();
  });

  it('labels test sends, skips suppressed and capped ones, and finds its rows when retried', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Claims');
    const journey = await createJourney(db, workspace.id, vipWelcomeGraph('Claims', 'seen'));
    const person = (userId: string, test = false) =>
      createContact(db, workspace.id, { userId, email: `${userId}@example.com`, test });
    const qa = await person('qa', true);
    const ada = await person('ada');
    const bob = await person('bob');
    const cy = await person('cy');
    // A channel cap of one marketing email a day, stored as a marketer sets it.
    await saveChannelSettings(db, testSecretBox, workspace.id, 'email', {
      provider: null,
      policy: { frequencyCap: { max: 1, windowHours: 24 } },
    });
    await db
      .insert(suppressions)
      .values({ workspaceId: workspace.id, channel: 'email', address: 'cy@example.com', reason: 'manual' });
    const [testEvent] = await db
      .insert(events)
      .values({
        workspaceId: workspace.id,
        contactId: bob.id,
        messageId: 'qa-signup',
        type: 'track',
        name: 'Signed Up',
        context: { test: true },
        timestamp: new Date(),
      })
      .returning();
    const run = async (workflowId: string, contactId: string, triggerEventId: string | null) => {
      const [row] = await db
        .insert(journeyRuns)
        .values({
          workspaceId: workspace.id,
          journeyId: journey.id,
          version: 1,
          contactId,
          entry: 1,
          workflowId,
          triggerEventId,
        })
        .returning();
      return row;
    };
    const qaRun = await run('wl:claims:qa', qa.id, null);
    const bobRun = await run('wl:claims:bob', bob.id, testEvent.id);
    // A trigger id that names no stored event (not an event id at all) labels nothing.
    const adaRun = await run('wl:claims:ada', ada.id, 'manual-7');
    const cyRun = await run('wl:claims:cy', cy.id, null);

    const send = (
      contact: Awaited<ReturnType<typeof person>>,
      runId: string,
      key: string,
      recipient = contact.email!,
    ): SendInput => ({
      workspaceId: workspace.id,
      journeyId: journey.id,
      journeyVersion: 1,
      runId,
      nodeId: 'mail',
      idempotencyKey: key,
      contact: toSnapshot(contact),
      channel: 'email',
      recipient,
      transactional: false,
      onCap: 'skip',
      now: Date.now(),
      render: async () => ({ subject: 'Hello', text: 'Hi' }),
    });
    const batch = [
      send(qa, qaRun.workflowId, 'k-qa'),
      send(bob, bobRun.workflowId, 'k-bob'),
      send(ada, adaRun.workflowId, 'k-ada'),
      // The second of the day for Ada: over the channel's cap.
      send(ada, adaRun.workflowId, 'k-ada-2'),
      // Suppressed whatever the case of the address.
      send(cy, cyRun.workflowId, 'k-cy', 'CY@Example.com'),
    ];
    const outcomes = await sendMessages(channels, batch);
    expect(outcomes.map((o) => o.result)).toEqual(['sent', 'sent', 'sent', 'skipped', 'skipped']);
    expect(outcomes[3]).toMatchObject({ reason: expect.stringContaining('frequency') });
    expect(outcomes[4]).toMatchObject({ reason: 'suppressed:manual' });

    const rows = await db.select().from(messages).where(eq(messages.workspaceId, workspace.id));
    const byKey = new Map(rows.map((r) => [r.idempotencyKey, r]));
    expect(byKey.get('k-qa')).toMatchObject({ test: true, runId: qaRun.id, triggerEventId: null });
    expect(byKey.get('k-bob')).toMatchObject({ test: true, runId: bobRun.id, triggerEventId: testEvent.id });
    expect(byKey.get('k-ada')).toMatchObject({ test: false, runId: adaRun.id, triggerEventId: 'manual-7' });
    expect(byKey.get('k-ada-2')).toMatchObject({ status: 'suppressed', test: false });
    expect(byKey.get('k-cy')).toMatchObject({ status: 'suppressed', reason: 'suppressed:manual' });

    // The same batch again (a retried activity): every row is found, none is added or sent again.
    const again = await sendMessages(channels, batch);
    expect(again.map((o) => o.messageId)).toEqual(outcomes.map((o) => o.messageId));
    expect(again.map((o) => o.result)).toEqual(['sent', 'sent', 'sent', 'skipped', 'skipped']);
    expect(await db.select().from(messages).where(eq(messages.workspaceId, workspace.id))).toHaveLength(5);
  });
});
