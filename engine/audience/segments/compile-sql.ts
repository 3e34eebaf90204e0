import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import {
  contacts,
  dealContacts,
  deals,
  events,
  listMembers,
  lists,
  messages,
  tickets,
} from '../../../db/schema';
import { durationMs } from '../../time/duration';
import { analyticsDocumentSql } from '../conditions/analytics';
import type { PropertyCondition } from '../conditions/filters';
import { isGroup, type SegmentCondition, type SegmentGroup } from './definition';

/**
 * Compiles a segment definition into a boolean SQL expression over the `contacts` table, with the
 * semantics of `matchesCondition` in engine/audience/conditions/filters.ts (numbers and numeric strings
 * compare as numbers, a missing value never equals anything and always differs).
 * Plain jsonb operators only, so it runs the same on PGlite and PostgreSQL 15.
 */
export function segmentWhere(definition: SegmentGroup, now: Date): SQL {
  return groupSql(definition, now);
}

/**
 * The ids of a workspace's contacts that meet a segment's rules, for evaluating the whole
 * workspace at once (previews, full refreshes). Same answers as `segmentWhere`, but each event
 * count and list rule reads its rows once — a per-contact count (or membership) left-joined to the
 * contacts — instead of one lookup per contact, so the database hashes instead of probing an
 * index a million times, whatever `and`/`or` nesting the rule sits in.
 * `segmentWhere` stays the form for a few contacts (one contact's branch condition, incremental
 * re-evaluation), where a lookup per contact is the cheap way.
 */
export function segmentMatchesSql(definition: SegmentGroup, now: Date, workspaceId: string): SQL {
  const bulk: Bulk = { workspaceId, joins: [] };
  const where = groupSql(definition, now, bulk);
  return sql`select ${contacts.id} as id from ${contacts} ${sql.join(bulk.joins, sql` `)}
    where ${contacts.workspaceId} = ${workspaceId} and ${where}`;
}

/** Whole-workspace compilation: the joins the rules add to the query over `contacts`. */
interface Bulk {
  workspaceId: string;
  joins: SQL[];
}

function groupSql(group: SegmentGroup, now: Date, bulk?: Bulk): SQL {
  const parts = group.rules.map((rule) =>
    isGroup(rule) ? groupSql(rule, now, bulk) : conditionSql(rule, now, bulk),
  );
  return sql`(${sql.join(parts, group.match === 'all' ? sql` and ` : sql` or `)})`;
}

/** The contact as branch conditions see it: attributes plus the identity columns. */
const profile = sql`(${contacts.attributes} || jsonb_build_object('email', ${contacts.email}, 'phone', ${contacts.phone}, 'timezone', ${contacts.timezone}, 'userId', ${contacts.externalId}))`;

function conditionSql(condition: SegmentCondition, now: Date, bulk?: Bulk): SQL {
  if (bulk && (condition.kind === 'event' || condition.kind === 'list'))
    return joinedSql(condition, now, bulk);
  switch (condition.kind) {
    case 'attribute':
      return propertySql(profile, condition);
    case 'tag':
      return condition.present
        ? sql`(${condition.tag}::text = any(${contacts.tags}))`
        : sql`(not (${condition.tag}::text = any(${contacts.tags})))`;
    case 'list': {
      const member = sql`exists (select 1 from ${listMembers} inner join ${lists} on ${lists.id} = ${listMembers.listId} where ${lists.workspaceId} = ${contacts.workspaceId} and ${lists.name} = ${condition.list} and ${listMembers.contactId} = ${contacts.id})`;
      return condition.member ? member : sql`(not ${member})`;
    }
    case 'analytics':
      return propertySql(analyticsDocumentSql(sql`${contacts.workspaceId}`, sql`${contacts.id}`), {
        path: condition.field,
        op: condition.op,
        value: condition.value,
      });
    case 'engagement': {
      const reached = {
        sent: ['sent', 'delivered', 'opened', 'clicked'],
        delivered: ['delivered', 'opened', 'clicked'],
        opened: ['opened', 'clicked'],
        clicked: ['clicked'],
      }[condition.status];
      // Qualified by hand: this expression also runs in select lists, where drizzle leaves columns bare.
      const filters = [
        sql`m.workspace_id = "contacts"."workspace_id"`,
        sql`m.contact_id = "contacts"."id"`,
        sql`m.test = false`,
        sql`m.status in (${sql.join(
          reached.map((r) => sql`${r}`),
          sql`, `,
        )})`,
      ];
      if (condition.template) filters.push(sql`(m.payload ->> 'template') = ${condition.template}`);
      if (condition.journeyId) filters.push(sql`m.journey_id::text = ${condition.journeyId}`);
      if (condition.within) {
        const since = new Date(now.getTime() - durationMs(condition.within));
        filters.push(sql`m.created_at >= ${since.toISOString()}::timestamptz`);
      }
      const seen = sql`(select count(*) from ${messages} m where ${sql.join(filters, sql` and `)})`;
      return condition.minCount === 0 ? sql`(${seen} = 0)` : sql`(${seen} >= ${condition.minCount})`;
    }
    case 'deal': {
      const filters = [sql`dc.contact_id = "contacts"."id"`, sql`d.workspace_id = "contacts"."workspace_id"`];
      if (condition.pipelineId) filters.push(sql`d.pipeline_id::text = ${condition.pipelineId}`);
      if (condition.stageId) filters.push(sql`d.stage_id::text = ${condition.stageId}`);
      if (condition.status) filters.push(sql`d.status = ${condition.status}`);
      const has = sql`exists (select 1 from ${dealContacts} dc inner join ${deals} d on d.id = dc.deal_id where ${sql.join(filters, sql` and `)})`;
      return condition.present ? has : sql`(not ${has})`;
    }
    case 'ticket': {
      const filters = [sql`t.contact_id = "contacts"."id"`, sql`t.workspace_id = "contacts"."workspace_id"`];
      if (condition.status)
        filters.push(
          sql`t.status in (${sql.join(
            condition.status.map((s) => sql`${s}`),
            sql`, `,
          )})`,
        );
      if (condition.priority) filters.push(sql`t.priority = ${condition.priority}`);
      const has = sql`exists (select 1 from ${tickets} t where ${sql.join(filters, sql` and `)})`;
      return condition.present ? has : sql`(not ${has})`;
    }
    case 'event': {
      const filters = [
        sql`${events.workspaceId} = ${contacts.workspaceId}`,
        sql`${events.contactId} = ${contacts.id}`,
        ...eventFilters(condition, now),
      ];
      const seen = sql`(select count(*) from ${events} where ${sql.join(filters, sql` and `)})`;
      return countChecks(seen, condition);
    }
  }
}

type EventCondition = Extract<SegmentCondition, { kind: 'event' }>;

function eventFilters(condition: EventCondition, now: Date): SQL[] {
  const filters = [sql`${events.name} = ${condition.event}`];
  if (condition.within) {
    const since = new Date(now.getTime() - durationMs(condition.within));
    filters.push(sql`${events.timestamp} >= ${since.toISOString()}::timestamptz`);
  }
  for (const where of condition.where ?? []) {
    filters.push(propertySql(sql`${events.properties}`, where));
  }
  return filters;
}

function countChecks(seen: SQL, condition: EventCondition): SQL {
  const checks: SQL[] = [];
  if (condition.minCount === 0) checks.push(sql`${seen} = 0`);
  else checks.push(sql`${seen} >= ${condition.minCount}`);
  if (condition.maxCount !== undefined) checks.push(sql`${seen} <= ${condition.maxCount}`);
  return sql`(${sql.join(checks, sql` and `)})`;
}

/** An event-count or list rule as a left join of its per-contact rows (whole-workspace form). */
function joinedSql(
  condition: EventCondition | Extract<SegmentCondition, { kind: 'list' }>,
  now: Date,
  bulk: Bulk,
): SQL {
  const alias = sql.raw(`"segment_rule_${bulk.joins.length}"`);
  if (condition.kind === 'list') {
    bulk.joins.push(sql`left join (select ${listMembers.contactId} as contact_id from ${listMembers}
      inner join ${lists} on ${lists.id} = ${listMembers.listId}
      where ${lists.workspaceId} = ${bulk.workspaceId} and ${lists.name} = ${condition.list}) ${alias}
      on ${alias}.contact_id = ${contacts.id}`);
    return condition.member ? sql`(${alias}.contact_id is not null)` : sql`(${alias}.contact_id is null)`;
  }
  bulk.joins.push(sql`left join (select ${events.contactId} as contact_id, count(*) as n from ${events}
      where ${events.workspaceId} = ${bulk.workspaceId} and ${sql.join(eventFilters(condition, now), sql` and `)}
      group by ${events.contactId}) ${alias}
      on ${alias}.contact_id = ${contacts.id}`);
  return countChecks(sql`coalesce(${alias}.n, 0)`, condition);
}

const NUMERIC = '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$';

/** A predicate on one dotted path of a jsonb document, as `matchesCondition` decides it. */
export function propertySql(document: SQL, condition: PropertyCondition): SQL {
  const path = `{${condition.path
    .split('.')
    .map((k) => `"${k.replace(/["\\]/g, '\\$&')}"`)
    .join(',')}}`;
  const value = sql`(${document} #> ${path}::text[])`;
  const text = sql`(${document} #>> ${path}::text[])`;
  const present = sql`(${value} is not null and jsonb_typeof(${value}) <> 'null')`;
  switch (condition.op) {
    case 'exists':
      return present;
    case 'not_exists':
      return sql`(not ${present})`;
    case 'eq':
      return sql`coalesce(${equals(value, text, condition.value)}, false)`;
    case 'neq':
      return sql`(not coalesce(${equals(value, text, condition.value)}, false))`;
    case 'in': {
      const options = Array.isArray(condition.value) ? condition.value : [];
      if (options.length === 0) return sql`false`;
      return sql`coalesce((${sql.join(
        options.map((o) => equals(value, text, o)),
        sql` or `,
      )}), false)`;
    }
    case 'contains': {
      const expected = condition.value;
      const inArray = sql`(jsonb_typeof(${value}) = 'array' and ${value} @> ${JSON.stringify([expected ?? null])}::jsonb)`;
      if (typeof expected !== 'string') return sql`coalesce(${inArray}, false)`;
      return sql`coalesce(${inArray} or (jsonb_typeof(${value}) = 'string' and strpos(${text}, ${expected}) > 0), false)`;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return sql`coalesce(${compare(value, text, condition.op, condition.value)}, false)`;
  }
}

function asNumber(text: SQL): SQL {
  return sql`(case when ${text} ~ ${NUMERIC} then (${text})::numeric end)`;
}

function isNumeric(expected: unknown): expected is number | string {
  if (typeof expected === 'number') return Number.isFinite(expected);
  return typeof expected === 'string' && new RegExp(NUMERIC).test(expected);
}

function equals(value: SQL, text: SQL, expected: unknown): SQL {
  if (typeof expected === 'number') return sql`(${asNumber(text)} = ${expected}::numeric)`;
  if (typeof expected === 'string') {
    const asText = sql`(jsonb_typeof(${value}) = 'string' and ${text} = ${expected})`;
    if (!isNumeric(expected)) return asText;
    // A stored number equals a numeric string, as in matchesCondition.
    return sql`(${asText} or (jsonb_typeof(${value}) = 'number' and ${asNumber(text)} = ${expected}::numeric))`;
  }
  return sql`(${value} = ${JSON.stringify(expected ?? null)}::jsonb)`;
}

function compare(value: SQL, text: SQL, op: 'gt' | 'gte' | 'lt' | 'lte', expected: unknown): SQL {
  const operator = sql.raw({ gt: '>', gte: '>=', lt: '<', lte: '<=' }[op]);
  if (isNumeric(expected) && expected !== '') {
    return sql`(jsonb_typeof(${value}) in ('number', 'string') and ${asNumber(text)} ${operator} ${String(expected)}::numeric)`;
  }
  if (typeof expected === 'string') {
    // Strings compare by code point, like JavaScript, whatever the database collation is.
    return sql`(jsonb_typeof(${value}) = 'string' and ${text} collate "C" ${operator} ${expected} collate "C")`;
  }
  return sql`false`;
}

/** Whether one contact meets one condition now, decided by the same SQL as segments. */
export async function contactMeets(
  db: Db,
  workspaceId: string,
  contactId: string,
  condition: SegmentCondition,
  now = new Date(),
): Promise<boolean> {
  const [row] = await db
    .select({ holds: sql<boolean>`(${conditionSql(condition, now)})` })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)));
  return row?.holds === true;
}
