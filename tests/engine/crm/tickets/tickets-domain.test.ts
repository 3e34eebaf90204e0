import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { contacts, events, tickets } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { saveSlaPolicy } from '../../../../engine/crm/tickets/sla-policies';
import { createTicket } from '../../../../engine/crm/tickets/tickets';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { openTestDb } from '../../../helpers/databases';

describe('opening a ticket when Temporal is out of reach (PGlite, a Temporal address nobody listens on)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDb();
  });
  afterAll(() => database?.close());

  it('refuses with Unavailable and writes nothing: no ticket without its SLA timers', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Offline');
    const contact = await createContact(db, workspace.id, { email: 'off@example.com' });
    await saveSlaPolicy(db, workspace.id, {
      priority: 'normal',
      firstResponseMinutes: 60,
      resolutionMinutes: 120,
    });
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
    const temporal = new Client({ connection });
    await expect(
      createTicket(
        { db, sla: { temporal, taskQueue: 'nowhere' } },
        workspace.id,
        { subject: 'Lost', email: 'new-person@example.com' },
        { userId: null },
      ),
    ).rejects.toMatchObject({ kind: 'unavailable' });
    expect(await db.select().from(tickets).where(eq(tickets.workspaceId, workspace.id))).toEqual([]);
    expect(await db.select().from(events).where(eq(events.workspaceId, workspace.id))).toEqual([]);
    // The contact the ticket would have created by e-mail was rolled back too.
    expect(
      (await db.select().from(contacts).where(eq(contacts.workspaceId, workspace.id))).map((c) => c.id),
    ).toEqual([contact.id]);
    await connection.close();
  }, 60_000);
});
