import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { journeyRuns } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { addHoliday } from '../../../../engine/automation/holidays/holidays';
import { scanHolidayTriggers } from '../../../../engine/automation/triggers/holiday-scan';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { findTemplateByName } from '../../../../engine/messaging/templates/templates';
import { createJourneyFromTemplate } from '../../../../engine/operations/journey-templates';
import { line, publishGraph } from '../../../helpers/fixtures';
import { journeyStack } from '../../../helpers/stack';

const at = (iso: string) => Date.parse(iso);

describe('holiday trigger scan (real Temporal time-skipping test server, PGlite)', () => {
  const stack = journeyStack('time-skipping');

  async function setup(holidays: { name: string; date: string }[], names: string[]) {
    const { db } = stack;
    const workspace = await createWorkspace(db, 'Holidays');
    for (const holiday of holidays) await addHoliday(db, workspace.id, holiday);
    const paris = await createContact(db, workspace.id, { userId: 'paris', timezone: 'Europe/Paris' });
    const newYork = await createContact(db, workspace.id, { userId: 'ny', timezone: 'America/New_York' });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line('Holiday greeting', [
        { id: 'holiday', type: 'trigger.holiday', config: { holidays: names, hour: 2, minute: 30 } },
        { id: 'greet', type: 'contact.update', config: { addTags: ['greeted'] } },
      ]),
    );
    const runsOf = async (contactId: string) =>
      stack.db
        .select()
        .from(journeyRuns)
        .where(and(eq(journeyRuns.journeyId, journey.id), eq(journeyRuns.contactId, contactId)));
    const scan = (iso: string) =>
      scanHolidayTriggers(
        { db: stack.db, temporal: stack.temporal.client, taskQueue: stack.temporal.taskQueue },
        at(iso),
      );
    return { paris, newYork, runsOf, scan };
  }

  it('fires at the first minute after a local hour that spring-forward skips, in each zone, once', async () => {
    const { paris, newYork, runsOf, scan } = await setup(
      [
        { name: 'Spring Fest', date: '2027-03-28' },
        { name: 'Spring Fest', date: '2027-03-14' },
      ],
      ['Spring Fest'],
    );
    // Paris, 28 March 2027: 02:30 does not exist; 03:00 CEST is 01:00 UTC.
    await scan('2027-03-28T00:59:00Z');
    expect(await runsOf(paris.id)).toHaveLength(0);
    await scan('2027-03-28T01:00:00Z');
    expect((await runsOf(paris.id)).map((r) => r.triggerEventId)).toEqual([
      expect.stringMatching(/:2027-03-28:Spring Fest$/),
    ]);
    // New York, 14 March 2027: 02:30 does not exist either; 03:00 EDT is 07:00 UTC.
    await scan('2027-03-14T06:59:00Z');
    expect(await runsOf(newYork.id)).toHaveLength(0);
    await scan('2027-03-14T07:00:00Z');
    expect(await runsOf(newYork.id)).toHaveLength(1);
    await scan('2027-03-14T08:00:00Z');
    expect(await runsOf(newYork.id)).toHaveLength(1);
  });

  it('fires at the first of the two 02:30s on a fall-back night, and not at the second', async () => {
    const { paris, runsOf, scan } = await setup(
      [
        { name: 'Harvest', date: '2027-10-31' },
        { name: 'Other', date: '2027-10-31' },
      ],
      ['Harvest'],
    );
    // Paris, 31 October 2027: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
    await scan('2027-10-31T00:29:00Z');
    expect(await runsOf(paris.id)).toHaveLength(0);
    const first = await scan('2027-10-31T00:30:00Z');
    expect(first.enrolled).toBeGreaterThanOrEqual(1);
    const second = await scan('2027-10-31T01:30:00Z');
    expect(second.enrolled).toBe(0);
    // Only the holidays the trigger names fire.
    expect((await runsOf(paris.id)).map((r) => r.triggerEventId)).toEqual([
      expect.stringMatching(/:2027-10-31:Harvest$/),
    ]);
  });

  it('creates the Holiday greeting journey from its template with its message template, keeping an existing one', async () => {
    const { db } = stack;
    const workspace = await createWorkspace(db, 'Greetings');
    const journey = await createJourneyFromTemplate(db, workspace.id, 'holiday-greeting');
    expect(journey.draft.nodes).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'trigger.holiday' })]),
    );
    const template = await findTemplateByName(db, workspace.id, 'holiday-greeting');
    expect(template?.subject).toContain('{{ event.holiday }}');
    await createJourneyFromTemplate(db, workspace.id, 'holiday-greeting', 'Second');
    expect((await findTemplateByName(db, workspace.id, 'holiday-greeting'))?.id).toBe(template?.id);
  });
});
