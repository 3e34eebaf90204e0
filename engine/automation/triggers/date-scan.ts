import { and, eq, inArray, sql } from 'drizzle-orm';
import { contacts, triggerFirings } from '../../../db/schema';
import { workspaceTimezone } from '../../audience/contacts/contact-store';
import { DomainError } from '../../errors';
import { resolveTimeZone } from '../../time/zoned';
import { enrollContact, type TemporalDeps } from '../runs/enroll';
import { candidateMonthDays, type DateTriggerConfig, occurrencesBetween } from './date-occurrence';
import { journeysWithTrigger } from './trigger-index';

/**
 * How far back a scan looks for occurrences it has not acted on: a worker that was down for a
 * while still greets today's birthdays, but never a day late.
 */
export const DATE_SCAN_LOOKBACK_MS = 12 * 3_600_000;

export interface DateScanResult {
  journeys: number;
  enrolled: number;
  skipped: number;
  failed: number;
}

/**
 * Enrolls every contact whose date attribute (± offset) has reached the trigger's local hour
 * in its own time zone since the last scans, once per occurrence (the firing key includes the
 * year). Occurrences before the journey was first published never fire: a contact whose hour
 * had already passed that day waits for the next occurrence.
 */
export async function scanDateTriggers(deps: TemporalDeps, now: number): Promise<DateScanResult> {
  const { db } = deps;
  const result: DateScanResult = { journeys: 0, enrolled: 0, skipped: 0, failed: 0 };
  for (const journey of await journeysWithTrigger(db, 'trigger.date')) {
    result.journeys += 1;
    const config = journey.trigger.config as unknown as DateTriggerConfig;
    const from = Math.max(journey.since.getTime(), now - DATE_SCAN_LOOKBACK_MS);
    if (from > now) continue;
    const fallbackZone = resolveTimeZone(
      journey.plan.settings.timezone,
      await workspaceTimezone(db, journey.workspaceId),
    );
    const attribute = sql`(${contacts.attributes} ->> ${config.attribute})`;
    const candidates = await db
      .select({ id: contacts.id, timezone: contacts.timezone, value: attribute })
      .from(contacts)
      .where(
        and(
          eq(contacts.workspaceId, journey.workspaceId),
          inArray(
            sql`substring(${attribute} from 6 for 5)`,
            candidateMonthDays(from, now, config.offsetDays),
          ),
        ),
      );
    for (const contact of candidates) {
      const zone = resolveTimeZone(contact.timezone, fallbackZone);
      for (const occurrence of occurrencesBetween(contact.value, config, zone, from, now)) {
        const key = `date:${journey.journeyId}:${contact.id}:${occurrence.year}`;
        const [claimed] = await db
          .insert(triggerFirings)
          .values({
            workspaceId: journey.workspaceId,
            journeyId: journey.journeyId,
            key,
            contactId: contact.id,
          })
          .onConflictDoNothing()
          .returning({ key: triggerFirings.key });
        if (!claimed) continue;
        try {
          const enrolled = await enrollContact(deps, {
            workspaceId: journey.workspaceId,
            journeyId: journey.journeyId,
            contactId: contact.id,
            trigger: {
              id: key,
              name: null,
              properties: {
                attribute: config.attribute,
                date: occurrence.date,
                year: occurrence.year,
                timezone: zone,
              },
              timestamp: new Date(occurrence.instant).toISOString(),
            },
          });
          await db
            .update(triggerFirings)
            .set({ outcome: enrolled.enrolled ? 'enrolled' : enrolled.reason })
            .where(and(eq(triggerFirings.journeyId, journey.journeyId), eq(triggerFirings.key, key)));
          if (enrolled.enrolled) result.enrolled += 1;
          else result.skipped += 1;
        } catch (error) {
          // Temporal away or a transient failure: release the claim so the next scan retries.
          result.failed += 1;
          if (!(error instanceof DomainError && error.expected)) {
            await db
              .delete(triggerFirings)
              .where(and(eq(triggerFirings.journeyId, journey.journeyId), eq(triggerFirings.key, key)));
          }
        }
      }
    }
  }
  return result;
}
