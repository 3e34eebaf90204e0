import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { journeyRuns } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { scanDateTriggers } from '../../../../engine/automation/triggers/date-scan';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { addDays, instantOf, wallClockAt } from '../../../../engine/time/zoned';
import { line, publishGraph } from '../../../helpers/fixtures';
import { journeyStack } from '../../../helpers/stack';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (c: { year: number; month: number; day: number }) => `1990-${pad(c.month)}-${pad(c.day)}`;

function birthdayGraph(name: string) {
  return line(
    name,
    [
      { id: 'birthday', type: 'trigger.date', config: { attribute: 'birthday', hour: 9, minute: 0 } },
      { id: 'greet', type: 'contact.update', config: { addTags: ['greeted'] } },
    ],
    { reEntry: { mode: 'always', minInterval: { amount: 300, unit: 'days' } }, exitCriteria: [] },
  );
}

describe('birthday scan (real Temporal time-skipping test server, PGlite)', () => {
  const stack = journeyStack('time-skipping');

  it('enrolls a contact in Tokyo and one in New York each at 09:00 their local time, once', async () => {
    const { db, temporal } = stack;
    const env = temporal.env!;
    const workspace = await createWorkspace(db, 'Birthdays');
    const start = await env.currentTimeMs();
    // Tomorrow in each zone, so 09:00 local comes after the journey is published.
    const tomorrow = (zone: string) => isoDate(addDays(wallClockAt(start, zone), 1));
    const tokyo = await createContact(db, workspace.id, {
      userId: 'tokyo',
      timezone: 'Asia/Tokyo',
      attributes: { birthday: tomorrow('Asia/Tokyo') },
    });
    const newYork = await createContact(db, workspace.id, {
      userId: 'new-york',
      timezone: 'America/New_York',
      attributes: { birthday: tomorrow('America/New_York') },
    });
    await publishGraph(db, workspace.id, birthdayGraph('Birthday'));

    // The Schedule's job on the workflow clock: a scan every 15 minutes for 60 hours.
    const enrollments = (await temporal.client.workflow.execute('dateTriggerScanLoop', {
      workflowId: `scan-loop-${workspace.id}`,
      taskQueue: temporal.taskQueue,
      args: [{ everyMinutes: 15, scans: 240 }],
    })) as { at: number; enrolled: number }[];
    expect(enrollments.reduce((sum, e) => sum + e.enrolled, 0)).toBe(2);

    for (const [contact, zone] of [
      [tokyo, 'Asia/Tokyo'],
      [newYork, 'America/New_York'],
    ] as const) {
      const runs = await db.select().from(journeyRuns).where(eq(journeyRuns.contactId, contact.id));
      expect(runs).toHaveLength(1);
      expect(runs[0].triggerEventId).toMatch(new RegExp(`^date:[^:]+:${contact.id}:\\d{4}$`));
      const handle = temporal.client.workflow.getHandle(runs[0].workflowId);
      await handle.result();
      const started = (await handle.describe()).startTime.getTime();
      const local = wallClockAt(started, zone);
      expect(local.hour).toBe(9);
      expect(local.minute).toBeLessThan(15);
      expect(isoDate(local)).toBe(contact.attributes.birthday);
    }
  });

  it('does not enroll retroactively when the local hour had passed at publish, but does at the next occurrence', async () => {
    const { db, temporal } = stack;
    const deps = { db, temporal: temporal.client, taskQueue: temporal.taskQueue };
    const workspace = await createWorkspace(db, 'Late publish');
    const now = Date.now();
    // The most recent 09:00 in UTC before now is an occurrence that already passed.
    const today = wallClockAt(now, 'UTC');
    let passed = instantOf({ ...today, hour: 9, minute: 0 }, 'UTC');
    if (passed > now) passed -= 24 * HOUR;
    const passedDay = wallClockAt(passed, 'UTC');
    const contact = await createContact(db, workspace.id, {
      userId: 'late',
      attributes: { birthday: isoDate(passedDay) },
    });
    const { journey } = await publishGraph(db, workspace.id, birthdayGraph('Late'));

    const first = await scanDateTriggers(deps, now);
    expect(first.enrolled).toBe(0);
    const runsNow = await db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journey.id));
    expect(runsNow).toHaveLength(0);

    const nextYear = instantOf({ ...passedDay, year: passedDay.year + 1, hour: 9, minute: 5 }, 'UTC');
    await scanDateTriggers(deps, nextYear);
    await scanDateTriggers(deps, nextYear + 30 * MINUTE);
    const runs = await db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journey.id));
    expect(runs).toHaveLength(1);
    expect(runs[0].contactId).toBe(contact.id);
    expect(runs[0].triggerEventId).toBe(`date:${journey.id}:${contact.id}:${passedDay.year + 1}`);
  });
});
