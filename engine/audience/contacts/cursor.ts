import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { InvalidInput } from '../../errors';

/**
 * Keyset pagination over (timestamp, id), newest first. The cursor carries the timestamp as
 * Postgres prints it (microseconds), so rows created in the same millisecond are never skipped.
 */
export function exactTime(column: PgColumn): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

export function encodeCursor(time: string, id: string): string {
  return Buffer.from(JSON.stringify([time, id])).toString('base64url');
}

export function beforeCursor(cursor: string | undefined, time: PgColumn, id: PgColumn): SQL | undefined {
  if (!cursor) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    Number.isNaN(Date.parse(parsed[0])) ||
    typeof parsed[1] !== 'string' ||
    !/^[0-9a-f-]{36}$/i.test(parsed[1])
  ) {
    throw new InvalidInput('cursor_invalid', 'The cursor is not one this API returned', 'cursor');
  }
  return sql`(${time}, ${id}) < (${parsed[0]}::timestamptz, ${parsed[1]}::uuid)`;
}
