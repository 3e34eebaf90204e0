import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { contactActivities } from '../../../../db/schema';
import { logActivity } from '../../../../engine/crm/timeline/activities';
import { contactStream } from '../../../../engine/crm/timeline/timeline';
import { openTestDb } from '../../../helpers/databases';
import { line, publishGraph, runToEnd, workspaceWithContact } from '../../../helpers/fixtures';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../../helpers/temporal';

describe('the "Add a note" journey node (real Temporal dev server, PGlite)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let stopWorker: () => Promise<void>;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    ({ stop: stopWorker } = await startWorker(temporal, database.db));
  });
  afterAll(async () => {
    await stopWorker?.();
    await temporal?.close();
    await database?.close();
  });

  it("writes a note with the contact's values on its timeline, once per visit", async () => {
    const { db } = database;
    const { workspace, contact } = await workspaceWithContact(db, {
      userId: 'note-1',
      email: 'noted@example.com',
      attributes: { plan: 'gold' },
    });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line('Onboarding notes', [
        { id: 'start', type: 'trigger.manual', config: {} },
        {
          id: 'note',
          type: 'timeline.note',
          config: { subject: 'Onboarded', body: 'Plan {{plan}}, email {{ email }}, missing "{{nothing}}"' },
        },
      ]),
    );
    const { result } = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    expect(result.status).toBe('completed');
    const notes = await db
      .select()
      .from(contactActivities)
      .where(eq(contactActivities.contactId, contact.id));
    expect(notes).toEqual([
      expect.objectContaining({
        kind: 'note',
        subject: 'Onboarded',
        body: 'Plan gold, email noted@example.com, missing ""',
        journeyId: journey.id,
        authorId: null,
      }),
    ]);
    expect(notes[0].dedupKey).toMatch(/:note:1$/);
    // A retried activity writes with the same key (workflow, node, visit) and finds the note.
    const again = await logActivity(
      db,
      workspace.id,
      contact.id,
      { kind: 'note', body: 'retry' },
      { journeyId: journey.id, dedupKey: notes[0].dedupKey },
    );
    expect(again.id).toBe(notes[0].id);
    expect(
      await db.select().from(contactActivities).where(eq(contactActivities.contactId, contact.id)),
    ).toHaveLength(1);
    const timeline = await contactStream(db, workspace.id, contact.id, { kinds: 'note,journey', limit: 10 });
    // Newest first: the note is written while its node runs, after the run entered that node.
    expect(timeline.data.map((i) => [i.kind, i.title])).toEqual([
      ['note', 'Onboarded'],
      ['journey', 'Onboarding notes: note'],
      ['journey', 'Onboarding notes: start'],
    ]);
  });
});
