import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, rowsOf } from '../../../db';
import {
  contactActivities,
  events,
  journeyRuns,
  journeys,
  messages,
  nodeVisits,
  users,
} from '../../../db/schema';
import { InvalidInput } from '../../errors';

export const TIMELINE_KINDS = [
  'event',
  'deal',
  'ticket',
  'message',
  'journey',
  'note',
  'call',
  'meeting',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const timelineStreamQuerySchema = z.object({
  kinds: z
    .string()
    .regex(new RegExp(`^(${TIMELINE_KINDS.join('|')})(,(${TIMELINE_KINDS.join('|')}))*$`), {
      message: `must be a comma-separated list of ${TIMELINE_KINDS.join(', ')}`,
    })
    .optional()
    .describe('Only these kinds, comma-separated; all when absent'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional().describe('nextCursor of the previous page'),
});

export interface TimelineItem {
  kind: TimelineKind;
  id: string;
  at: Date;
  title: string;
  detail: Record<string, unknown>;
}

/** Deal and ticket changes arrive as events on the contact; the timeline files them apart. */
const eventKind = sql`(case when ${events.name} like 'Deal %' then 'deal' when ${events.name} like 'Ticket %' or ${events.name} = 'CSAT Received' then 'ticket' else 'event' end)`;

function sources(
  workspaceId: string,
  contactId: string,
): Record<'events' | 'messages' | 'journey' | 'activities', SQL> {
  return {
    events: sql`select ${eventKind} as kind, ${events.id}::text as id, ${events.timestamp} as at,
        coalesce(${events.name}, case when ${events.type} = 'identify' then 'Profile updated' else ${events.type} end) as title,
        jsonb_build_object('type', ${events.type}, 'properties', ${events.properties}) as detail
      from ${events} where ${events.workspaceId} = ${workspaceId}::uuid and ${events.contactId} = ${contactId}::uuid`,
    messages: sql`select 'message' as kind, ${messages.id}::text as id, ${messages.createdAt} as at,
        ${messages.channel} || ': ' || coalesce(${messages.subject}, ${messages.payload} ->> 'template', 'message') as title,
        jsonb_build_object('status', ${messages.status}, 'channel', ${messages.channel}, 'reason', ${messages.reason},
          'template', ${messages.payload} ->> 'template', 'journeyId', ${messages.journeyId}, 'nodeId', ${messages.nodeId},
          'updatedAt', ${messages.updatedAt}) as detail
      from ${messages} where ${messages.workspaceId} = ${workspaceId}::uuid and ${messages.contactId} = ${contactId}::uuid and ${messages.test} = false`,
    journey: sql`select 'journey' as kind, ${nodeVisits.id}::text as id, ${nodeVisits.enteredAt} as at,
        ${journeys.name} || ': ' || ${nodeVisits.nodeId} as title,
        jsonb_build_object('journeyId', ${nodeVisits.journeyId}, 'version', ${nodeVisits.version}, 'nodeId', ${nodeVisits.nodeId},
          'port', ${nodeVisits.port}, 'leftAt', ${nodeVisits.leftAt}, 'runStatus', ${journeyRuns.status}) as detail
      from ${nodeVisits}
      inner join ${journeyRuns} on ${journeyRuns.workflowId} = ${nodeVisits.workflowId}
      inner join ${journeys} on ${journeys.id} = ${nodeVisits.journeyId}
      where ${nodeVisits.workspaceId} = ${workspaceId}::uuid and ${journeyRuns.contactId} = ${contactId}::uuid`,
    activities: sql`select ${contactActivities.kind} as kind, ${contactActivities.id}::text as id, ${contactActivities.occurredAt} as at,
        coalesce(${contactActivities.subject}, initcap(${contactActivities.kind})) as title,
        jsonb_build_object('body', ${contactActivities.body}, 'subject', ${contactActivities.subject},
          'durationMinutes', ${contactActivities.durationMinutes}, 'outcome', ${contactActivities.outcome},
          'authorId', ${contactActivities.authorId}, 'author', ${users.name}, 'authorEmail', ${users.email},
          'journeyId', ${contactActivities.journeyId}) as detail
      from ${contactActivities} left join ${users} on ${users.id} = ${contactActivities.authorId}
      where ${contactActivities.workspaceId} = ${workspaceId}::uuid and ${contactActivities.contactId} = ${contactId}::uuid`,
  };
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      !Number.isNaN(Date.parse(parsed[0])) &&
      typeof parsed[1] === 'string'
    )
      return [parsed[0], parsed[1]];
  } catch {
    // falls through to the error below
  }
  throw new InvalidInput('cursor_invalid', 'The cursor is not one this API returned', 'cursor');
}

/**
 * One chronological stream (newest first) of everything that happened with a contact: its
 * events (deal and ticket changes among them), messages with their engagement, journey steps, and
 * the notes, calls and meetings people logged.
 */
export async function contactStream(
  db: Db,
  workspaceId: string,
  contactId: string,
  query: z.infer<typeof timelineStreamQuerySchema>,
): Promise<{ data: TimelineItem[]; nextCursor: string | null }> {
  const kinds = new Set<TimelineKind>(
    query.kinds ? (query.kinds.split(',') as TimelineKind[]) : TIMELINE_KINDS,
  );
  const all = sources(workspaceId, contactId);
  const parts: SQL[] = [];
  if (kinds.has('event') || kinds.has('deal') || kinds.has('ticket')) parts.push(all.events);
  if (kinds.has('message')) parts.push(all.messages);
  if (kinds.has('journey')) parts.push(all.journey);
  if (kinds.has('note') || kinds.has('call') || kinds.has('meeting')) parts.push(all.activities);
  const wanted = sql.join(
    [...kinds].map((k) => sql`${k}`),
    sql`, `,
  );
  const after = query.cursor
    ? (() => {
        const [at, id] = decodeCursor(query.cursor);
        return sql`and (s.at, s.id) < (${at}::timestamptz, ${id})`;
      })()
    : sql``;
  const result = await db.execute(sql`
    select s.kind, s.id, s.at, to_char(s.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as exact, s.title, s.detail
    from (${sql.join(parts, sql` union all `)}) s
    where s.kind in (${wanted}) ${after}
    order by s.at desc, s.id desc
    limit ${query.limit + 1}`);
  const rows = rowsOf<Row>(result);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: page.map((r) => ({
      kind: r.kind,
      id: r.id,
      at: new Date(r.at),
      title: r.title,
      detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail,
    })),
    nextCursor:
      rows.length > query.limit && last
        ? Buffer.from(JSON.stringify([last.exact, last.id])).toString('base64url')
        : null,
  };
}

interface Row {
  kind: TimelineKind;
  id: string;
  at: string | Date;
  exact: string;
  title: string;
  detail: Record<string, unknown> | string;
}
