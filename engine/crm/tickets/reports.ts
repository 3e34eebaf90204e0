import { and, eq, gte, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { TICKET_PRIORITIES, TICKET_STATUSES, ticketRatings, tickets, users } from '../../../db/schema';
import { InvalidInput } from '../../errors';

export const ticketReportQuerySchema = z.object({
  from: z.coerce.date().describe('Start of the period (inclusive), e.g. 2026-11-01'),
  to: z.coerce.date().describe('End of the period (exclusive)'),
  bucket: z
    .enum(['day', 'week', 'month'])
    .default('week')
    .describe('Size of the periods of the series (UTC)'),
});
export type TicketReportQuery = z.input<typeof ticketReportQuerySchema>;

export interface DurationStats {
  /** Tickets with the duration (answered, resolved). */
  count: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
}

export interface Attainment {
  met: number;
  breached: number;
  /** Targets not yet due and not yet met: left out of the share. */
  open: number;
  /** met / (met + breached), 0–1; null when nothing was due. */
  attainment: number | null;
}

export interface CsatStats {
  count: number;
  /** Mean rating, 1–5. */
  average: number | null;
  /** Share of ratings of 4 or 5, 0–1 (the usual CSAT score). */
  satisfied: number | null;
}

export interface TicketReport {
  from: string;
  to: string;
  bucket: 'day' | 'week' | 'month';
  volume: {
    created: number;
    resolved: number;
    byStatus: Record<string, number>;
    byPriority: Record<string, number>;
    byPeriod: { period: string; created: number; resolved: number }[];
  };
  firstResponse: DurationStats;
  resolution: DurationStats;
  sla: { firstResponse: Attainment; resolution: Attainment };
  csat: CsatStats & {
    byAgent: (CsatStats & { agentUserId: string | null; agent: string })[];
    byPeriod: (CsatStats & { period: string })[];
  };
}

/**
 * The value below which `p` of the sorted values lie, interpolated linearly between the two
 * nearest ranks (as Postgres `percentile_cont`): rank = p·(n−1).
 */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** The UTC period a time falls in: `2026-11-30` (day), the Monday of its week, or `2026-11`. */
export function periodOf(at: Date, bucket: 'day' | 'week' | 'month'): string {
  if (bucket === 'month') return at.toISOString().slice(0, 7);
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (bucket === 'week') day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

const round = (value: number | null, digits = 2) =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

function durations(values: number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    medianMinutes: round(percentile(sorted, 0.5)),
    p90Minutes: round(percentile(sorted, 0.9)),
  };
}

function csatOf(ratings: number[]): CsatStats {
  if (!ratings.length) return { count: 0, average: null, satisfied: null };
  return {
    count: ratings.length,
    average: round(ratings.reduce((a, b) => a + b, 0) / ratings.length),
    satisfied: round(ratings.filter((r) => r >= 4).length / ratings.length, 4),
  };
}

function attainment(targets: { due: Date | null; doneAt: Date | null }[], now: Date): Attainment {
  let met = 0;
  let breached = 0;
  let open = 0;
  for (const { due, doneAt } of targets) {
    if (!due) continue;
    if (doneAt) doneAt <= due ? met++ : breached++;
    else if (now > due) breached++;
    else open++;
  }
  return { met, breached, open, attainment: met + breached ? round(met / (met + breached), 4) : null };
}

const minutesBetween = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 60_000;

/**
 * Service figures of the tickets created in [from, to): volume, first-response and resolution
 * times (median and p90, minutes), SLA attainment (as of `now`), and CSAT of the ratings given
 * in the period, by agent (the assignee when rated) and by period.
 */
export async function ticketReport(
  db: Db,
  workspaceId: string,
  raw: TicketReportQuery,
  now: Date = new Date(),
): Promise<TicketReport> {
  const { from, to, bucket } = ticketReportQuerySchema.parse(raw);
  if (to <= from) throw new InvalidInput('report_period_empty', '`to` must be after `from`', 'to');
  const rows = await db
    .select()
    .from(tickets)
    .where(
      and(eq(tickets.workspaceId, workspaceId), gte(tickets.createdAt, from), lt(tickets.createdAt, to)),
    );

  const byStatus = Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0]));
  const byPriority = Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, 0]));
  const periods = new Map<string, { created: number; resolved: number }>();
  const period = (key: string) => {
    const entry = periods.get(key) ?? { created: 0, resolved: 0 };
    periods.set(key, entry);
    return entry;
  };
  const firstResponse: number[] = [];
  const resolution: number[] = [];
  for (const ticket of rows) {
    byStatus[ticket.status]++;
    byPriority[ticket.priority]++;
    period(periodOf(ticket.createdAt, bucket)).created++;
    if (ticket.firstResponseAt) firstResponse.push(minutesBetween(ticket.createdAt, ticket.firstResponseAt));
    if (ticket.resolvedAt) {
      resolution.push(minutesBetween(ticket.createdAt, ticket.resolvedAt));
      period(periodOf(ticket.resolvedAt, bucket)).resolved++;
    }
  }

  const ratings = await db
    .select({
      rating: ticketRatings.rating,
      at: ticketRatings.updatedAt,
      agentUserId: ticketRatings.agentUserId,
      name: users.name,
      email: users.email,
    })
    .from(ticketRatings)
    .leftJoin(users, eq(users.id, ticketRatings.agentUserId))
    .where(
      and(
        eq(ticketRatings.workspaceId, workspaceId),
        gte(ticketRatings.updatedAt, from),
        lt(ticketRatings.updatedAt, to),
      ),
    );
  const group = <K>(key: (r: (typeof ratings)[number]) => K) => {
    const groups = new Map<K, (typeof ratings)[number][]>();
    for (const r of ratings) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
    return [...groups.entries()];
  };

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    bucket,
    volume: {
      created: rows.length,
      resolved: resolution.length,
      byStatus,
      byPriority,
      byPeriod: [...periods.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, counts]) => ({ period: key, ...counts })),
    },
    firstResponse: durations(firstResponse),
    resolution: durations(resolution),
    sla: {
      firstResponse: attainment(
        // A ticket resolved without a reply met its first-response target as the SLA timer judges it.
        rows.map((t) => ({ due: t.firstResponseDueAt, doneAt: t.firstResponseAt ?? t.resolvedAt })),
        now,
      ),
      resolution: attainment(
        rows.map((t) => ({ due: t.resolutionDueAt, doneAt: t.resolvedAt })),
        now,
      ),
    },
    csat: {
      ...csatOf(ratings.map((r) => r.rating)),
      byAgent: group((r) => r.agentUserId)
        .map(([agentUserId, list]) => ({
          agentUserId,
          agent: list[0].name || list[0].email || 'Unassigned',
          ...csatOf(list.map((r) => r.rating)),
        }))
        .sort((a, b) => a.agent.localeCompare(b.agent)),
      byPeriod: group((r) => periodOf(r.at, bucket))
        .map(([key, list]) => ({ period: key, ...csatOf(list.map((r) => r.rating)) }))
        .sort((a, b) => a.period.localeCompare(b.period)),
    },
  };
}
