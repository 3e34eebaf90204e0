import { and, asc, eq, gt } from 'drizzle-orm';
import { contacts, triggerFirings } from '../../../db/schema';
import { workspaceTimezone } from '../../audience/contacts/contact-store';
import { DomainError } from '../../errors';
import { instantOf, parseCalendarDate, resolveTimeZone } from '../../time/zoned';
import { listHolidays } from '../holidays/holidays';
import { enrollContact, type TemporalDeps } from '../runs/enroll';
import { DATE_SCAN_LOOKBACK_MS, type DateScanResult } from './date-scan';
import { journeysWithTrigger } from './trigger-index';

const DAY = 86_400_000;
const PAGE = 1000;

interface HolidayTriggerConfig {
  holidays: string[];
  hour: number;
  minute: number;
}

const isoDay = (instant: number) => new Date(instant).toISOString().slice(0, 10);

/**
 * Enrolls every contact whose local hour on a holiday of the workspace's calendar has come
 * since the last scans, once per holiday (the firing key holds its date and name). As with date
 * triggers, a holiday hour that passed before the journey was first published never fires, and
 * a local time in a spring-forward gap fires at the first minute after it.
 */
export async function scanHolidayTriggers(deps: TemporalDeps, now: number): Promise<DateScanResult> {
  const { db } = deps;
  const result: DateScanResult = { journeys: 0, enrolled: 0, skipped: 0, failed: 0 };
  for (const journey of await journeysWithTrigger(db, 'trigger.holiday')) {
    result.journeys += 1;
    const config = journey.trigger.config as unknown as HolidayTriggerConfig;
    const from = Math.max(journey.since.getTime(), now - DATE_SCAN_LOOKBACK_MS);
    if (from > now) continue;
    // Local dates run from UTC−12 to UTC+14: a day either side covers every zone.
    const due = await listHolidays(db, journey.workspaceId, {
      from: isoDay(from - 2 * DAY),
      to: isoDay(now + 2 * DAY),
      names: config.holidays,
    });
    if (due.length === 0) continue;
    const fallbackZone = resolveTimeZone(
      journey.plan.settings.timezone,
      await workspaceTimezone(db, journey.workspaceId),
    );
    let cursor: string | null = null;
    for (;;) {
      const page: { id: string; timezone: string | null }[] = await db
        .select({ id: contacts.id, timezone: contacts.timezone })
        .from(contacts)
        .where(
          and(eq(contacts.workspaceId, journey.workspaceId), cursor ? gt(contacts.id, cursor) : undefined),
        )
        .orderBy(asc(contacts.id))
        .limit(PAGE);
      if (page.length === 0) break;
      cursor = page[page.length - 1].id;
      for (const contact of page) {
        const zone = resolveTimeZone(contact.timezone, fallbackZone);
        for (const holiday of due) {
          const day = parseCalendarDate(holiday.date);
          if (!day) continue;
          const instant = instantOf({ ...day, hour: config.hour, minute: config.minute }, zone);
          if (instant < from || instant > now) continue;
          await fire(deps, result, journey, contact.id, holiday, zone, instant);
        }
      }
    }
  }
  return result;
}

async function fire(
  deps: TemporalDeps,
  result: DateScanResult,
  journey: { workspaceId: string; journeyId: string },
  contactId: string,
  holiday: { name: string; date: string },
  zone: string,
  instant: number,
) {
  const { db } = deps;
  const key = `holiday:${journey.journeyId}:${contactId}:${holiday.date}:${holiday.name}`;
  const [claimed] = await db
    .insert(triggerFirings)
    .values({ workspaceId: journey.workspaceId, journeyId: journey.journeyId, key, contactId })
    .onConflictDoNothing()
    .returning({ key: triggerFirings.key });
  if (!claimed) return;
  const firing = and(eq(triggerFirings.journeyId, journey.journeyId), eq(triggerFirings.key, key));
  try {
    const enrolled = await enrollContact(deps, {
      workspaceId: journey.workspaceId,
      journeyId: journey.journeyId,
      contactId,
      trigger: {
        id: key,
        name: null,
        properties: { holiday: holiday.name, date: holiday.date, timezone: zone },
        timestamp: new Date(instant).toISOString(),
      },
    });
    await db
      .update(triggerFirings)
      .set({ outcome: enrolled.enrolled ? 'enrolled' : enrolled.reason })
      .where(firing);
    if (enrolled.enrolled) result.enrolled += 1;
    else result.skipped += 1;
  } catch (error) {
    // Temporal away or a transient failure: release the claim so the next scan retries.
    result.failed += 1;
    if (!(error instanceof DomainError && error.expected)) await db.delete(triggerFirings).where(firing);
  }
}
