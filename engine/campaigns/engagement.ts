import { sql } from 'drizzle-orm';

/** Tracking events that name the message they are about (`properties.messageId`). */
export const OPEN_EVENT = 'Email Opened';
export const CLICK_EVENT = 'Email Link Clicked';

/** True when a click (which implies an open) or an open was tracked for message `m` of contact `m.contact_id`. */
export function engagedSql(workspaceId: string, kind: 'open' | 'click', alias = 'm') {
  const names = kind === 'open' ? sql`(${OPEN_EVENT}, ${CLICK_EVENT})` : sql`(${CLICK_EVENT})`;
  return sql`exists (select 1 from events e where e.workspace_id = ${workspaceId}
    and e.contact_id = ${sql.raw(alias)}.contact_id and e.name in ${names}
    and e.properties ->> 'messageId' = ${sql.raw(alias)}.id::text)`;
}

/** True when an event named `name` with the message's id was stored for its contact. */
export function messageEventSql(workspaceId: string, names: string[], alias = 'm') {
  return sql`exists (select 1 from events e where e.workspace_id = ${workspaceId}
    and e.contact_id = ${sql.raw(alias)}.contact_id and e.name in (${sql.join(
      names.map((n) => sql`${n}`),
      sql`, `,
    )})
    and e.properties ->> 'messageId' = ${sql.raw(alias)}.id::text)`;
}
