import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { and, asc, eq, getTableColumns, type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../../db';
import * as schema from '../../db/schema';
import { isStorable } from '../audience/ingest/clean-strings';
import { InvalidInput } from '../errors';

/**
 * A workspace as a stream of JSON lines: a header, then every row of every table that holds
 * what people made (journeys and their versions, templates, segments, lists, content, channel
 * settings, CRM objects, campaigns, contacts and events), table by table, then a footer with the
 * row counts so a cut-off archive is refused. Left out on purpose: secrets (API keys, workspace
 * secrets, hook and social-account credentials, channel credentials), people's accounts and
 * sessions, the audit log (its hash chain belongs to the workspace it was written in), run state
 * that lives in Temporal, queues, and results the analytics recompute.
 */
export const ARCHIVE_FORMAT = 'wayline-workspace-archive';
export const ARCHIVE_VERSION = 1;

const LEFT_OUT = new Set([
  'workspaces',
  'users',
  'sign_in_failures',
  'api_keys',
  'audit_log',
  'memberships',
  'sessions',
  'user_tokens',
  'workspace_secrets',
  'hook_secrets',
  'social_accounts',
  'jobs',
  'outbox',
  'journey_runs',
  'node_visits',
  'trigger_firings',
  'journey_migrations',
  'journey_run_migrations',
  'segment_members',
  'rfm_scores',
  'clv_scores',
  'contact_clusters',
  'affinity_rules',
  'analytics_results',
  'broadcast_recipients',
  'deal_owner_rotations',
]);

/** References that no foreign key declares (ingest writes events without their checks): column → table. */
const REFERENCES_WITHOUT_KEY: Record<string, Record<string, string>> = {
  events: { workspace_id: 'workspaces', contact_id: 'contacts' },
};

/** Encrypted credentials: written as null, so an imported channel needs its credentials again. */
const SECRET_COLUMNS = new Set(['secrets']);

interface TableInfo {
  name: string;
  table: PgTable;
  /** Property name → column. */
  columns: Record<string, AnyPgColumn>;
  primaryKey: string[];
  /** Property name → the table its uuid points at. */
  references: Map<string, string>;
  /** Holds contacts or rows about them: streamed, never referenced from configuration JSON. */
  bulk: boolean;
}

let cachedTables: TableInfo[] | undefined;

/** Every archived table in an order where each comes after the tables it references. */
export function archivedTables(): TableInfo[] {
  if (cachedTables) return cachedTables;
  const infos = new Map<string, TableInfo>();
  for (const value of Object.values(schema)) {
    if (!(value instanceof PgTable)) continue;
    const config = getTableConfig(value);
    if (LEFT_OUT.has(config.name)) continue;
    if (!config.columns.some((c) => c.name === 'workspace_id')) continue;
    const columns = getTableColumns(value) as Record<string, AnyPgColumn>;
    const propertyOf = new Map(Object.entries(columns).map(([key, column]) => [column.name, key]));
    const primary =
      config.primaryKeys[0]?.columns.map((c) => c.name) ??
      config.columns.filter((c) => c.primary).map((c) => c.name);
    const references = new Map<string, string>();
    for (const fk of config.foreignKeys) {
      const reference = fk.reference();
      if (reference.columns.length !== 1) continue;
      references.set(
        propertyOf.get(reference.columns[0].name) as string,
        getTableConfig(reference.foreignTable).name,
      );
    }
    for (const [column, target] of Object.entries(REFERENCES_WITHOUT_KEY[config.name] ?? {}))
      references.set(propertyOf.get(column) as string, target);
    infos.set(config.name, {
      name: config.name,
      table: value,
      columns,
      primaryKey: primary.map((name) => propertyOf.get(name) as string),
      references,
      bulk: false,
    });
  }
  // A row that cannot exist without a left-out one (a social post needs its account) stays out too.
  for (let dropped = true; dropped; ) {
    dropped = false;
    for (const info of infos.values()) {
      const orphaned = [...info.references].some(
        ([key, target]) =>
          !infos.has(target) && target !== 'users' && target !== 'workspaces' && info.columns[key].notNull,
      );
      if (orphaned) {
        infos.delete(info.name);
        dropped = true;
      }
    }
  }
  // Contacts and everything that points at them (events, messages, memberships of lists, …).
  let changed = true;
  while (changed) {
    changed = false;
    for (const info of infos.values()) {
      if (info.bulk) continue;
      if (
        info.name === 'contacts' ||
        [...info.references.values()].some((target) => infos.get(target)?.bulk)
      ) {
        info.bulk = true;
        changed = true;
      }
    }
  }
  const ordered: TableInfo[] = [];
  const placed = new Set<string>();
  const place = (info: TableInfo, path: string[]) => {
    if (placed.has(info.name) || path.includes(info.name)) return;
    for (const target of info.references.values()) {
      const parent = infos.get(target);
      if (parent && parent !== info) place(parent, [...path, info.name]);
    }
    placed.add(info.name);
    ordered.push(info);
  };
  const byName = [...infos.values()].sort((a, b) => a.name.localeCompare(b.name));
  for (const info of byName.filter((t) => !t.bulk)) place(info, []);
  for (const info of byName.filter((t) => t.bulk)) place(info, []);
  cachedTables = ordered;
  return ordered;
}

type Header = {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  exportedAt: string;
  workspace: { name: string; defaultTimezone: string };
};
type Line =
  | Header
  | { table: string; row: Record<string, unknown> }
  | { end: true; counts: Record<string, number> };

const PAGE = 1000;

/** The archive of a workspace as JSON lines (each ends with a newline), read page by page. */
export async function* exportWorkspace(db: Db, workspaceId: string): AsyncGenerator<string> {
  const [workspace] = await db
    .select({ name: schema.workspaces.name, defaultTimezone: schema.workspaces.defaultTimezone })
    .from(schema.workspaces)
    .where(eq(schema.workspaces.id, workspaceId));
  if (!workspace) throw new InvalidInput('workspace_unknown', 'No such workspace', 'workspaceId');
  const header: Header = {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    exportedAt: new Date().toISOString(),
    workspace,
  };
  yield `${JSON.stringify(header)}\n`;
  const counts: Record<string, number> = {};
  for (const info of archivedTables()) {
    counts[info.name] = 0;
    const key = info.primaryKey.map((p) => info.columns[p]);
    let after: unknown[] | undefined;
    for (;;) {
      const filters: SQL[] = [eq(info.columns.workspaceId, workspaceId)];
      if (after)
        filters.push(
          sql`(${sql.join(key, sql`, `)}) > (${sql.join(
            after.map((v) => sql`${v}`),
            sql`, `,
          )})`,
        );
      const rows = (await db
        .select()
        .from(info.table)
        .where(and(...filters))
        .orderBy(...key.map((c) => asc(c)))
        .limit(PAGE)) as Record<string, unknown>[];
      for (const row of rows) {
        const { workspaceId: _workspace, ...rest } = row;
        for (const column of SECRET_COLUMNS) if (column in rest) rest[column] = null;
        counts[info.name]++;
        yield `${JSON.stringify({ table: info.name, row: rest })}\n`;
      }
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1];
      after = info.primaryKey.map((p) => toDriver(last[p]));
    }
  }
  yield `${JSON.stringify({ end: true, counts })}\n`;
}

const toDriver = (value: unknown) => (value instanceof Date ? value.toISOString() : value);

export interface ImportOptions {
  /** The new workspace's name; the archive's when absent. */
  name?: string;
  /** Becomes the owner; imported rows that name a person who is not on this instance name them instead. */
  ownerUserId?: string;
}

export interface ImportResult {
  workspaceId: string;
  name: string;
  counts: Record<string, number>;
}

/** One row per line; no row Wayline writes comes near this. */
const MAX_LINE = 32 * 1024 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Imports an archive as a new workspace, in one transaction: any bad line, unknown table or a
 * missing end leaves nothing behind. Every id is replaced by a new one derived from it, so the
 * same archive imports next to its source on one instance; references between rows (and ids of
 * configuration rows inside JSON, such as a segment named in a journey node) follow. Journeys
 * arrive paused, since their runs did not travel: resume them to go live.
 */
export async function importWorkspace(
  db: Db,
  lines: AsyncIterable<string>,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const tables = new Map(archivedTables().map((t) => [t.name, t]));
  const nonce = crypto.randomUUID();
  const newId = (id: string) => {
    const hex = createHash('sha256').update(`${nonce}:${id}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
  return db.transaction(async (tx) => {
    let header: Header | undefined;
    let workspaceId = '';
    let ended: Record<string, number> | undefined;
    const counts: Record<string, number> = {};
    const configRows: { info: TableInfo; row: Record<string, unknown> }[] = [];
    const configIds = new Set<string>();
    let configWritten = false;
    let batch: { info: TableInfo; rows: Record<string, unknown>[] } | undefined;
    const knownUsers = new Map<string, boolean>();
    let lineNumber = 0;

    const userExists = async (id: string) => {
      if (!knownUsers.has(id)) {
        const [found] = await tx
          .select({ id: schema.users.id })
          .from(schema.users)
          .where(eq(schema.users.id, id));
        knownUsers.set(id, Boolean(found));
      }
      return knownUsers.get(id) as boolean;
    };
    const remapJson = (value: unknown): unknown => {
      if (typeof value === 'string') return UUID.test(value) && configIds.has(value) ? newId(value) : value;
      if (Array.isArray(value)) return value.map(remapJson);
      if (value && typeof value === 'object')
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, remapJson(v)]));
      return value;
    };
    const prepare = async (info: TableInfo, input: Record<string, unknown>) => {
      const row: Record<string, unknown> = { workspaceId };
      for (const [key, value] of Object.entries(input)) {
        const column = info.columns[key];
        if (!column) throw bad(`table ${info.name} has no column ${key}`);
        const target = info.references.get(key);
        if (value === null || value === undefined) row[key] = value;
        else if (target && tables.has(target)) row[key] = newId(String(value));
        else if (target === 'users') {
          const person = String(value);
          row[key] = (await userExists(person)) ? person : column.notNull ? options.ownerUserId : null;
          if (row[key] === undefined)
            throw bad(`${info.name}.${key} names a person missing here; import as a signed-in user`);
        } else if (target) row[key] = column.notNull ? value : null;
        else if (info.primaryKey.includes(key) && column.columnType === 'PgUUID')
          row[key] = newId(String(value));
        else if (column.dataType === 'date') row[key] = new Date(value as string);
        else if (column.dataType === 'json') row[key] = remapJson(value);
        else row[key] = value;
      }
      if (info.name === 'journeys' && row.status === 'active') row.status = 'paused';
      return row;
    };
    const flush = async () => {
      if (!batch?.rows.length) return;
      try {
        await tx.insert(batch.info.table).values(batch.rows);
      } catch (error) {
        // Integrity and data errors (SQLSTATE classes 22, 23) are the archive's fault, not ours.
        const code = String(
          (error as { code?: unknown; cause?: { code?: unknown } }).cause?.code ??
            (error as { code?: unknown }).code ??
            '',
        );
        if (/^2[23]/.test(code))
          throw bad(
            `rows of ${batch.info.name} were refused: ${(error as { cause?: Error }).cause?.message ?? (error as Error).message}`,
          );
        throw error;
      }
      batch.rows = [];
    };
    const writeConfig = async () => {
      configWritten = true;
      for (const { info, row } of configRows) {
        if (batch?.info !== info) {
          await flush();
          batch = { info, rows: [] };
        }
        batch.rows.push(await prepare(info, row));
        if (batch.rows.length >= 500) await flush();
      }
      await flush();
    };
    const bad = (message: string) =>
      new InvalidInput('archive_invalid', `Line ${lineNumber} of the archive: ${message}`, 'archive');

    for await (const text of lines) {
      lineNumber++;
      if (text.trim() === '') continue;
      if (ended) throw bad('content after the end line');
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        throw bad('not JSON');
      }
      if (!header) {
        if (!('format' in line) || line.format !== ARCHIVE_FORMAT)
          throw bad('not a Wayline workspace archive');
        if (line.version !== ARCHIVE_VERSION)
          throw bad(`archive version ${line.version} is not ${ARCHIVE_VERSION}`);
        header = line;
        const [created] = await tx
          .insert(schema.workspaces)
          .values({
            name: options.name ?? line.workspace.name,
            defaultTimezone: line.workspace.defaultTimezone,
          })
          .returning({ id: schema.workspaces.id });
        workspaceId = created.id;
        if (options.ownerUserId)
          await tx
            .insert(schema.memberships)
            .values({ workspaceId, userId: options.ownerUserId, role: 'owner' });
        continue;
      }
      if ('end' in line) {
        ended = line.counts;
        continue;
      }
      if (!('table' in line) || typeof line.row !== 'object' || line.row === null)
        throw bad('expected a row');
      if (!storable(line.row)) throw bad('a value holds a NUL character or invalid Unicode');
      const info = tables.get(line.table);
      if (!info) throw bad(`unknown table ${line.table}`);
      counts[info.name] = (counts[info.name] ?? 0) + 1;
      if (!info.bulk) {
        if (configWritten) throw bad(`table ${info.name} after the contacts`);
        configRows.push({ info, row: line.row });
        const id = line.row.id;
        if (typeof id === 'string' && UUID.test(id)) configIds.add(id);
        continue;
      }
      if (!configWritten) await writeConfig();
      if (batch?.info !== info) {
        await flush();
        batch = { info, rows: [] };
      }
      batch.rows.push(await prepare(info, line.row));
      if (batch.rows.length >= 500) await flush();
    }
    if (!header) throw new InvalidInput('archive_empty', 'The archive is empty', 'archive');
    if (!ended) throw bad('the archive ends early (no end line): it was cut off');
    for (const [table, count] of Object.entries(ended))
      if ((counts[table] ?? 0) !== count)
        throw bad(`${table} holds ${counts[table] ?? 0} rows, the end line says ${count}`);
    if (!configWritten) await writeConfig();
    await flush();
    return { workspaceId, name: options.name ?? header.workspace.name, counts };
  });
}

function storable(value: unknown): boolean {
  if (typeof value === 'string') return isStorable(value);
  if (value === null || typeof value !== 'object') return true;
  return Object.entries(value).every(([key, item]) => isStorable(key) && storable(item));
}

/** Splits a text stream (chunks of any size) into lines. */
export async function* linesOf(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const chunkIterator = chunks[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<string | Buffer>;
    try {
      next = await chunkIterator.next();
    } catch (error) {
      // A corrupt or truncated gzip stream is the archive's fault.
      throw new InvalidInput(
        'archive_unreadable',
        `The archive cannot be read: ${(error as Error).message}`,
        'archive',
      );
    }
    if (next.done) break;
    rest += typeof next.value === 'string' ? next.value : decoder.write(next.value);
    let end = rest.indexOf('\n');
    while (end >= 0) {
      yield rest.slice(0, end);
      rest = rest.slice(end + 1);
      end = rest.indexOf('\n');
    }
    if (rest.length > MAX_LINE)
      throw new InvalidInput(
        'archive_invalid',
        `A line of the archive is longer than ${MAX_LINE} characters`,
        'archive',
      );
  }
  if (rest) yield rest;
}
