import type { Sql } from 'postgres';

/**
 * Statements with at most this many parameters are prepared once per connection. Above it sit
 * the multi-row inserts, whose text differs with their row count: preparing each would keep a
 * statement per batch size on every connection for little gain, as their describe round trip is
 * shared by hundreds of rows.
 */
export const MAX_PREPARED_PARAMETERS = 200;

/**
 * The postgres.js client drizzle is given: its queries run as named prepared statements.
 *
 * drizzle hands every query to `sql.unsafe`, which does not prepare. postgres.js then sends an
 * unnamed statement with parameters in two round trips (parse and describe, then bind and
 * execute) and PostgreSQL parses and plans it each time. Prepared, a statement seen before on the
 * connection is one round trip and no parse. postgres.js keeps them per connection and prepares
 * again when the server has dropped one. A URL with `?prepare=false` (a pooler in transaction
 * mode) keeps every statement unnamed.
 */
export function preparingClient<T extends Sql>(sql: T): T {
  return sql.options.prepare === false ? sql : preparing(sql);
}

/** `sql` (a client, or a transaction's or savepoint's) with its `unsafe` preparing, down to nested savepoints. */
function preparing<T extends Sql>(sql: T): T {
  const unsafe = preparedUnsafe(sql);
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === 'unsafe') return unsafe;
      if (property === 'begin') {
        return (...args: unknown[]) => {
          const body = args.pop() as (tx: Sql) => unknown;
          return (target.begin as (...a: unknown[]) => unknown)(...args, (tx: Sql) => body(preparing(tx)));
        };
      }
      if (property === 'savepoint') {
        return (...args: unknown[]) => {
          const body = args.pop() as (tx: Sql) => unknown;
          return (target as unknown as { savepoint: (...a: unknown[]) => unknown }).savepoint(
            ...args,
            (tx: Sql) => body(preparing(tx)),
          );
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

function preparedUnsafe(sql: Sql): Sql['unsafe'] {
  return ((query: string, parameters?: unknown[], options?: { prepare?: boolean }) => {
    const count = Array.isArray(parameters) ? parameters.length : 0;
    const prepare = count > 0 && count <= MAX_PREPARED_PARAMETERS;
    return sql.unsafe(query, parameters as never, { ...options, prepare });
  }) as Sql['unsafe'];
}
