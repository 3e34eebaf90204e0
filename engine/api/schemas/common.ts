import { type Column, getTableColumns, type Table } from 'drizzle-orm';
import { z } from 'zod';
import { errorBodySchema } from '../errors';

type Row<T extends Table> = T['$inferSelect'];
type RowShape<T extends Table> = { [K in keyof Row<T>]: z.ZodType<Row<T>[K], Row<T>[K]> };
type Overrides<T extends Table> = { [K in keyof Row<T>]?: z.ZodType };

function columnSchema(column: Column): z.ZodType {
  const base = (): z.ZodType => {
    if (column.enumValues?.length) return z.enum(column.enumValues as [string, ...string[]]);
    switch (column.dataType) {
      case 'date':
        return z.date();
      case 'number':
        return column.columnType === 'PgInteger' ? z.number().int() : z.number();
      case 'boolean':
        return z.boolean();
      case 'array':
        return z.array(z.string());
      case 'json':
        return z.record(z.string(), z.unknown());
      default:
        // Postgres takes any 8-4-4-4-12 hex as a uuid; an answer must not fail on a non-RFC one.
        return column.columnType === 'PgUUID' ? z.guid() : z.string();
    }
  };
  return column.notNull ? base() : base().nullable();
}

/**
 * The zod schema of a table's row as the domain returns it (`$inferSelect`), built from the
 * drizzle columns so a new column reaches the API answer and its documentation by itself.
 * `overrides` name the shape of jsonb columns (typed only as records by drizzle) or narrow a column.
 */
export function rowSchema<T extends Table, const O extends Overrides<T> = Record<never, never>>(
  table: T,
  overrides?: O,
): z.ZodObject<Omit<RowShape<T>, keyof O> & O> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, column] of Object.entries(getTableColumns(table) as Record<string, Column>)) {
    shape[key] = (overrides as Record<string, z.ZodType> | undefined)?.[key] ?? columnSchema(column);
  }
  return z.object(shape) as unknown as z.ZodObject<Omit<RowShape<T>, keyof O> & O>;
}

/**
 * A jsonb column the domain writes only after parsing it with `schema`. Documented as that
 * schema (a named component), but not re-checked on the way out: a row written under an older
 * version of the schema must still be readable, and drizzle types the column as a plain record.
 */
export function stored(schema: z.ZodType, id: string) {
  if (!z.globalRegistry.get(schema)?.id) z.globalRegistry.add(schema, { id });
  return z
    .record(z.string(), z.unknown())
    .meta({ allOf: [{ $ref: `#/components/schemas/${z.globalRegistry.get(schema)?.id}` }] });
}

/** A value as it arrives in JSON: dates become ISO strings. */
export type Json<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/** `{ data: [...] }`, the list envelope of every collection route. */
export const listOf = <S extends z.ZodType>(item: S) => z.object({ data: z.array(item) });

/** A 204 (or a redirect): no body. */
export const noContent = (description = 'No content') => z.undefined().describe(description);

const errorReasons = {
  400: 'Invalid request: `error.field` names the field',
  401: 'No key or session, or a wrong one',
  403: "The caller's role or key scope does not allow it",
  404: 'Not found in this workspace',
  409: 'Conflicts with the current state (`error.code` says which)',
  413: 'The body is too large',
  415: 'Unsupported content type',
  422: 'Understood but not possible, e.g. an invalid journey (`error.problems`)',
  429: 'Too many requests: retry after `Retry-After` seconds',
} as const;
type ErrorStatus = keyof typeof errorReasons;

const errorAnswers = Object.fromEntries(
  Object.entries(errorReasons).map(([status, reason]) => [status, errorBodySchema.describe(reason)]),
) as Record<ErrorStatus, typeof errorBodySchema>;

/** The 4xx answers a route can give, all of them the one error body. */
export function errors<const C extends readonly ErrorStatus[]>(
  ...codes: C
): Record<C[number], typeof errorBodySchema> {
  return Object.fromEntries(codes.map((code) => [code, errorAnswers[code]])) as Record<
    C[number],
    typeof errorBodySchema
  >;
}

/** The errors of every secret-key route: a bad request, no or a wrong key, a role without the permission. */
export const authedErrors = errors(400, 401, 403);

/** A non-JSON answer, documented by its media type: text, or bytes (a Buffer) when `binary`. */
export function mediaResponse<const B extends boolean = false>(
  contentType: string,
  description: string,
  binary?: B,
) {
  const schema = binary
    ? z.custom<Buffer>((value) => Buffer.isBuffer(value)).meta({ type: 'string', format: 'binary' })
    : z.string();
  return {
    description,
    content: { [contentType]: { schema: schema as B extends true ? z.ZodType<Buffer> : z.ZodString } },
  };
}

type Keys<T> = T extends unknown ? keyof T : never;
type Missing<S extends z.ZodType, T> = Exclude<Keys<T>, Keys<z.output<S>>>;

/**
 * A response schema for the domain type `T`: its output must fit `T` and name every key of `T`,
 * optional ones included, since the serializer drops the keys a schema does not name.
 */
export const describes =
  <T>() =>
  <S extends z.ZodType<T>>(
    schema: S & ([Missing<S, T>] extends [never] ? unknown : { missing: Missing<S, T> }),
  ): S =>
    schema;

/** A stored version number from a path or query: a positive Postgres integer, else a 400 naming it. */
export const versionNumber = z.coerce.number().int().positive().max(2_147_483_647);
