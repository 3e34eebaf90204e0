import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, queryRows } from '../../db';
import { propertyFilterSchema } from '../audience/conditions/filter-schema';
import { propertySql } from '../audience/segments/compile-sql';
import { inSegment } from './segment-filter';
import { pathLiteral } from './settings';

export const funnelInputSchema = z.object({
  steps: z
    .array(z.object({ event: z.string().min(1), where: propertyFilterSchema.optional() }))
    .min(2)
    .max(10)
    .describe('Ordered steps; each must follow the one before'),
  windowHours: z
    .number()
    .positive()
    .max(24 * 365)
    .default(24 * 7)
    .describe('From the first step to the last'),
  from: z.coerce.date(),
  to: z.coerce.date(),
  breakdown: z.string().min(1).optional().describe('A property of the first step’s event to split by'),
  segmentId: z.uuid().optional().describe('Only contacts that are members of this segment now'),
});
export type FunnelInput = z.input<typeof funnelInputSchema>;

export interface FunnelStep {
  event: string;
  contacts: number;
  /** Of the contacts at the step before (1 for the first step). */
  conversion: number;
  /** Of the contacts at the first step. */
  overallConversion: number;
  dropOff: number;
  /** Median seconds from the step before, null for the first step or when nobody reached it. */
  medianSeconds: number | null;
}

/**
 * A contact enters at its first event of step 1 inside [from, to]; each later step counts at
 * the first matching event after the previous step and within the window from the entry.
 * One statement: a chain of correlated minimums over the events table.
 */
export async function runFunnel(db: Db, workspaceId: string, input: FunnelInput) {
  const { steps, windowHours, from, to, breakdown, segmentId } = funnelInputSchema.parse(input);
  const window = sql`(${`${windowHours} hours`}::interval)`;
  const filters = (alias: string, step: (typeof steps)[number]): SQL =>
    sql.join(
      [
        sql`${sql.raw(alias)}.workspace_id = ${workspaceId}`,
        sql`${sql.raw(alias)}.name = ${step.event}`,
        ...(step.where ?? []).map((w) => propertySql(sql.raw(`${alias}.properties`), w)),
      ],
      sql` and `,
    );
  const group = breakdown
    ? sql`coalesce(e.properties #>> ${pathLiteral(breakdown)}::text[], '(none)')`
    : sql`'all'`;
  const ctes: SQL[] = [
    sql`s0 as (select distinct on (e.contact_id) e.contact_id, e.timestamp as t0, ${group} as grp
      from events e where ${filters('e', steps[0])} and e.contact_id is not null
        and e.timestamp >= ${from.toISOString()}::timestamptz and e.timestamp <= ${to.toISOString()}::timestamptz
        ${segmentId ? inSegment(workspaceId, segmentId, sql`e.contact_id`) : sql``}
      order by e.contact_id, e.timestamp)`,
  ];
  for (let i = 1; i < steps.length; i++) {
    const after = steps[i].event === steps[i - 1].event ? sql`>` : sql`>=`;
    ctes.push(sql`${sql.raw(`s${i}`)} as (select p.*, (select min(e.timestamp) from events e
      where ${filters('e', steps[i])} and e.contact_id = p.contact_id
        and e.timestamp ${after} p.${sql.raw(`t${i - 1}`)} and e.timestamp <= p.t0 + ${window}) as ${sql.raw(`t${i}`)}
      from ${sql.raw(`s${i - 1}`)} p)`);
  }
  const columns: SQL[] = [sql`grp`, sql`count(*)::int as c0`];
  for (let i = 1; i < steps.length; i++) {
    columns.push(sql`count(${sql.raw(`t${i}`)})::int as ${sql.raw(`c${i}`)}`);
    columns.push(
      sql`(percentile_cont(0.5) within group (order by extract(epoch from (${sql.raw(`t${i} - t${i - 1}`)}))))::double precision as ${sql.raw(`m${i}`)}`,
    );
  }
  const last = `s${steps.length - 1}`;
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`with ${sql.join(ctes, sql`, `)} select ${sql.join(columns, sql`, `)} from ${sql.raw(last)}
      group by grouping sets ((grp), ()) order by grp nulls first`,
  );
  const shape = (row: Record<string, unknown>): FunnelStep[] =>
    steps.map((step, i) => {
      const contacts = Number(row[`c${i}`]);
      const first = Number(row.c0);
      const previous = i === 0 ? contacts : Number(row[`c${i - 1}`]);
      const median = i === 0 ? null : row[`m${i}`];
      return {
        event: step.event,
        contacts,
        conversion: previous ? contacts / previous : 0,
        overallConversion: first ? contacts / first : 0,
        dropOff: previous - contacts,
        medianSeconds: median === null || median === undefined ? null : Number(median),
      };
    });
  const total = rows.find((r) => r.grp === null);
  return {
    steps: total
      ? shape(total)
      : steps.map((s) => ({
          event: s.event,
          contacts: 0,
          conversion: 0,
          overallConversion: 0,
          dropOff: 0,
          medianSeconds: null,
        })),
    breakdown: breakdown
      ? rows.filter((r) => r.grp !== null).map((r) => ({ value: String(r.grp), steps: shape(r) }))
      : [],
  };
}
