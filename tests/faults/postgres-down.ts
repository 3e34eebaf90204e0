/**
 * Fault scenario: PostgreSQL stops (crashes: `pg_ctl stop -m immediate`) and starts again while
 * clients POST `/v1/batch` to a `wayline api` process without pause.
 *
 *   npx tsx tests/faults/postgres-down.ts
 *   FAULT_CLIENTS=4 FAULT_BATCH=20 FAULT_DOWN_SECONDS=8 FAULT_MAX_PG_RECOVERY_SECONDS=30
 *
 * Runs its own PostgreSQL server (initdb into a temporary folder), so it needs no
 * TEST_DATABASE_URL and stops nobody else's database. Each client sends batches of unique
 * messageIds; a 503 is retried with the same ids after its Retry-After (capped at 1 s to keep
 * the run short), as Segment's libraries do. Bounds: every answer while the database is away is
 * a 503 with Retry-After (any other 5xx, or a request without answer, fails); every messageId
 * answered 2xx is stored exactly once; every stored event has its contact and its one outbox
 * row (nothing half-written); requests succeed again within FAULT_MAX_PG_RECOVERY_SECONDS of
 * the server being back.
 */
import postgres from 'postgres';
import { batchClients, env, finish, logger, openScenario, quick, seconds, sleep, startApi } from './parts';

const CLIENTS = env('FAULT_CLIENTS', 4);
const BATCH = env('FAULT_BATCH', 20);
const DOWN_SECONDS = env('FAULT_DOWN_SECONDS', 8, 5);
const MAX_RECOVERY_SECONDS = env('FAULT_MAX_PG_RECOVERY_SECONDS', 30);
const log = logger('postgres-down');

const { server, database, workspace, temporal, closeSetup, close } = await openScenario({
  workspace: 'Postgres down',
  ownPostgres: true,
});
const pgServer = server!;
// The setup connections would break at the crash.
await closeSetup();
const api = await startApi({
  DATABASE_URL: database.url,
  TEMPORAL_ADDRESS: temporal.address,
  WAYLINE_SECRET_KEY: 'ab'.repeat(32),
});
log(`API ready in ${seconds(api.readyMs)} s`);
let apiExit: string | undefined;
api.child.once('exit', (code, signal) => {
  if (!running) return;
  apiExit = `the API process exited (${code ?? signal}) during the fault:\n${api.tail()}`;
  log(apiExit);
});

const accepted = new Set<string>();
const statuses = new Map<string, number>();
const badAnswers: string[] = [];
let refused = 0;
let firstSuccessAfterStart: number | undefined;
let databaseBackAt: number | undefined;
let running = true;

/** Each batch is sent until answered 2xx; a 503 again after its Retry-After (at most 1 s). */
const load = batchClients({
  port: api.port,
  writeKey: workspace.writeKey,
  clients: CLIENTS,
  badAnswers,
  batch: (client, seq) => {
    const ids = Array.from({ length: BATCH }, (_, i) => `${client}-${seq}-${i}`);
    const events = ids.map((messageId, i) => ({
      type: i % 5 === 0 ? 'identify' : 'track',
      ...(i % 5 === 0 ? { traits: { email: `${messageId}@faults.test` } } : { event: 'Fault Ping' }),
      userId: `user-${messageId.split('-')[0]}-${i % 7}`,
      messageId,
      properties: { i },
    }));
    return { ids, events };
  },
  answered: (response, text, ids) => {
    const key = String(response.status);
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    if (response.status < 300) {
      const answer = JSON.parse(text) as { accepted: number; duplicates: number; rejected: unknown[] };
      if (answer.accepted + answer.duplicates !== ids.length)
        badAnswers.push(
          `2xx accounting for ${answer.accepted + answer.duplicates} of ${ids.length}: ${text}`,
        );
      for (const id of ids) accepted.add(id);
      if (databaseBackAt !== undefined && firstSuccessAfterStart === undefined)
        firstSuccessAfterStart = performance.now();
      return 'done';
    }
    if (response.status === 503) {
      const retryAfter = Number(response.headers.get('retry-after'));
      if (!Number.isFinite(retryAfter) || retryAfter <= 0)
        badAnswers.push(`503 without a usable Retry-After: ${response.headers.get('retry-after')}`);
      refused += 1;
      return Math.min(retryAfter || 1, 1) * 1000;
    }
    badAnswers.push(`${response.status}: ${text.slice(0, 300)}`);
    // A 4xx for valid events is a defect too, but sending it again is pointless.
    return response.status < 500 ? 'done' : 500;
  },
});

const failures: string[] = [];
let numbers: Record<string, unknown> = {};
try {
  await sleep(quick ? 2500 : 4000);
  log(`${accepted.size} events accepted; crashing PostgreSQL for ${DOWN_SECONDS} s`);
  pgServer.stop('immediate');
  await sleep(DOWN_SECONDS * 1000);
  const startAt = performance.now();
  pgServer.start();
  databaseBackAt = performance.now();
  log(`PostgreSQL back after ${seconds(databaseBackAt - startAt)} s start-up; clients continue`);
  const deadline = performance.now() + MAX_RECOVERY_SECONDS * 1000;
  while (firstSuccessAfterStart === undefined && performance.now() < deadline) await sleep(100);
  await sleep(quick ? 2500 : 4000);
  running = false;
  await load.stop();

  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  const stored = await sql<{ message_id: string; n: number }[]>`
    select message_id, count(*)::int as n from events where workspace_id = ${workspace.id} group by message_id`;
  const storedCount = new Map(stored.map((r) => [r.message_id, r.n]));
  const [{ orphans }] = await sql<{ orphans: number }[]>`
    select count(*)::int as orphans from events e
    where e.workspace_id = ${workspace.id}
      and (e.contact_id is null
        or (select count(*) from outbox o where o.event_id = e.id) <> 1)`;
  await sql.end();

  const lost = [...accepted].filter((id) => !storedCount.has(id)).length;
  const duplicated = stored.filter((r) => r.n > 1).length;
  const other5xx = [...statuses].filter(([status]) => status >= '500' && status !== '503');
  const recovery =
    firstSuccessAfterStart === undefined ? null : seconds(firstSuccessAfterStart - databaseBackAt);
  if (lost > 0) failures.push(`${lost} events answered 2xx are not stored`);
  if (duplicated > 0) failures.push(`${duplicated} messageIds stored more than once`);
  if (orphans > 0) failures.push(`${orphans} events without their contact or their one outbox row`);
  if (other5xx.length)
    failures.push(`answers other than 503 while the database was away: ${JSON.stringify(other5xx)}`);
  if (refused === 0) failures.push('no request was refused while the database was away: the fault missed');
  if (recovery === null || recovery > MAX_RECOVERY_SECONDS)
    failures.push(`ingest did not succeed within ${MAX_RECOVERY_SECONDS} s of the database's return`);
  if (apiExit) failures.push(apiExit);
  failures.push(...[...new Set(badAnswers)].slice(0, 5));
  numbers = {
    clients: CLIENTS,
    downSeconds: DOWN_SECONDS,
    eventsSent: load.sent(),
    accepted: accepted.size,
    storedEvents: stored.length,
    refusedWith503: refused,
    statuses: Object.fromEntries(statuses),
    lost,
    duplicated,
    halfWritten: orphans,
    recoverySeconds: recovery,
  };
} finally {
  running = false;
  await load.stop(0);
  if (failures.length) log(`the API's last log lines:\n${api.tail()}`);
  await api.kill();
  await close();
}
finish('postgres-down', numbers, failures);
