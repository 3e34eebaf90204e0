import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, queryRows } from '../../db';
import { inSegment } from './segment-filter';

export const cohortInputSchema = z.object({
  firstEvent: z
    .string()
    .min(1)
    .optional()
    .describe('The event that places a contact in a cohort; any event when absent'),
  returnEvent: z
    .string()
    .min(1)
    .optional()
    .describe('The event that counts as coming back; any event when absent'),
  from: z.coerce.date(),
  to: z.coerce.date(),
  weeks: z.number().int().min(1).max(104).default(12),
  segmentId: z.uuid().optional().describe('Only contacts that are members of this segment now'),
});
export type CohortInput = z.input<typeof cohortInputSchema>;

/**
 * Retention by week of first event (weeks start on Monday, UTC): for each cohort its size and,
 * for each week after, how many of its contacts had a return event in that week.
 */
export async function retentionCohorts(db: Db, workspaceId: string, input: CohortInput) {
  const { firstEvent, returnEvent, from, to, weeks, segmentId } = cohortInputSchema.parse(input);
  const firstName = firstEvent ? sql`and name = ${firstEvent}` : sql``;
  const returnName = returnEvent ? sql`and e.name = ${returnEvent}` : sql``;
  const rows = await queryRows<{ cohort: string; size: number; week: number | null; active: number }>(
    db,
    sql`with firsts as (
        select contact_id, date_trunc('week', min(timestamp) at time zone 'UTC') as cohort
        from events where workspace_id = ${workspaceId} and contact_id is not null ${firstName}
          ${segmentId ? inSegment(workspaceId, segmentId, sql`events.contact_id`) : sql``}
        group by contact_id
        having min(timestamp) >= ${from.toISOString()}::timestamptz and min(timestamp) <= ${to.toISOString()}::timestamptz
      ), sizes as (select cohort, count(*)::int as size from firsts group by cohort),
      activity as (
        select distinct f.cohort, e.contact_id,
          (extract(epoch from (date_trunc('week', e.timestamp at time zone 'UTC') - f.cohort)) / 604800)::int as week
        from events e join firsts f on f.contact_id = e.contact_id
        where e.workspace_id = ${workspaceId} ${returnName}
      )
      select to_char(s.cohort, 'YYYY-MM-DD') as cohort, s.size, a.week, count(a.contact_id)::int as active
      from sizes s left join activity a on a.cohort = s.cohort and a.week between 0 and ${weeks}
      group by s.cohort, s.size, a.week order by s.cohort, a.week`,
  );
  const cohorts = new Map<string, { cohort: string; size: number; active: number[]; retention: number[] }>();
  for (const row of rows) {
    let entry = cohorts.get(row.cohort);
    if (!entry) {
      entry = {
        cohort: row.cohort,
        size: Number(row.size),
        active: new Array(weeks + 1).fill(0),
        retention: [],
      };
      cohorts.set(row.cohort, entry);
    }
    if (row.week !== null) entry.active[Number(row.week)] = Number(row.active);
  }
  return [...cohorts.values()].map((c) => ({
    ...c,
    retention: c.active.map((a) => (c.size ? a / c.size : 0)),
  }));
}
