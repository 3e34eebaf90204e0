import { eq, type SQL, sql } from 'drizzle-orm';
import { commitsWithoutFlush, type Db, inWorkspace, queryRows as rowsOf } from '../../../db';
import { contacts, events, outbox } from '../../../db/schema';
import { aliasContact, type ResolvedContact, resolveContact } from './identity';
import type { NormalizedMessage } from './normalize';
import { applyContactUpdate, type StoreResult } from './store';
import type { ContactUpdate } from './traits';
import { retried, type Tx, withRetriedTransaction } from './tx';

export interface BatchItem {
  index: number;
  message: NormalizedMessage;
  update?: ContactUpdate;
}

/** A contact as the batch sees it; `id` is unset until a new contact is inserted. */
interface ContactRef {
  id?: string;
  externalId: string | null;
  anonymousId: string | null;
}

/**
 * Stores a batch in one transaction (or, when every event is plain, none: `storePlain`), set-based: ids already stored found in one select, the
 * contacts the rest name found in one select and the new ones created in one insert, the events
 * with their contact in one insert (the first write of a message id wins, in the batch and
 * against concurrent requests), the identify traits and the outbox rows each in one statement. An event that claims or merges a contact (an `alias`, an anonymous visitor who
 * identifies) is resolved on its own between the set-based chunks, in arrival order, so the
 * outcome is the one of storing the messages one after another.
 */
export async function storeBatch(
  db: Db,
  workspaceId: string,
  items: BatchItem[],
): Promise<Map<number, StoreResult>> {
  const firstOfId = new Map<string, BatchItem>();
  const repeated: BatchItem[] = [];
  for (const item of items) {
    if (firstOfId.has(item.message.messageId)) repeated.push(item);
    else firstOfId.set(item.message.messageId, item);
  }
  const fresh = [...firstOfId.values()];
  // Ids stored by earlier requests leave before touching any contact; a concurrent request
  // storing the same id meanwhile is caught by the events insert's ON CONFLICT.
  const known = fresh.length
    ? await rowsOf<{ message_id: string }>(
        db,
        storedMessageIds(
          workspaceId,
          fresh.map((item) => item.message.messageId),
        ),
      )
    : [];
  const storedBefore = new Set(known.map((row) => row.message_id));
  const stored = fresh.filter((item) => !storedBefore.has(item.message.messageId));
  const plainContacts = await retried(() => createPlainContacts(db, workspaceId, stored));
  const duplicates = [...repeated, ...fresh.filter((f) => storedBefore.has(f.message.messageId))];
  if (stored.length > 0 && stored.every(isPlain)) {
    const results = new Map<number, StoreResult>(
      duplicates.map((item) => [item.index, { status: 'duplicate' }]),
    );
    if (await retried(() => storePlain(db, workspaceId, stored, results, plainContacts))) return results;
  }
  return withRetriedTransaction(db, async (tx) => {
    const results = new Map<number, StoreResult>();
    for (const item of duplicates) results.set(item.index, { status: 'duplicate' });
    if (stored.length === 0) return results;

    const identities = new IdentityMap(workspaceId);
    // When every event names its contact by one id, `createPlainContacts` has them all.
    if (plainContacts && stored.every(namesOneId)) identities.use(plainContacts);
    else await identities.load(tx, stored);
    let chunk: { item: BatchItem; ref: ContactRef }[] = [];
    for (const [position, item] of stored.entries()) {
      const ref = identities.plan(item.message);
      if (ref) {
        chunk.push({ item, ref });
        continue;
      }
      await storeChunk(tx, workspaceId, chunk, results);
      chunk = [];
      await storeOnItsOwn(tx, workspaceId, item, results);
      // A claim or merge changed contacts the rest of the batch may name: read them again.
      await identities.load(tx, stored.slice(position + 1));
    }
    await storeChunk(tx, workspaceId, chunk, results);
    return results;
  });
}

/**
 * An event that names its contact by one id (a user id or an anonymous id), sets no traits and
 * claims, merges or aliases nothing: its contact exists once `createPlainContacts` ran.
 */
function isPlain(item: BatchItem): boolean {
  return !item.update && namesOneId(item);
}

/** Whether an event names its contact by a user id alone or an anonymous id alone (no alias). */
function namesOneId({ message }: BatchItem): boolean {
  if (message.type === 'alias') return false;
  return message.userId ? !message.anonymousId : !!message.anonymousId;
}

/**
 * Stores plain events (`isPlain`) without a transaction: their contacts are those
 * `createPlainContacts` found or created (`found`; read in one select when it has not all of
 * them), and the events with their outbox rows are one statement, atomic on its own. Two round
 * trips (`BEGIN`, `COMMIT`) fewer than the transaction, which a store of single events arriving
 * together waited for. False, with nothing written, when a contact is missing (deleted since it
 * was created): the transaction then resolves it as it resolves any other.
 */
async function storePlain(
  db: Db,
  workspaceId: string,
  stored: BatchItem[],
  results: Map<number, StoreResult>,
  found: ContactIds[] | undefined,
): Promise<boolean> {
  const identities = new IdentityMap(workspaceId);
  if (found) identities.use(found);
  else await identities.load(db, stored);
  const chunk = stored.map((item) => ({ item, ref: identities.plan(item.message) }));
  if (chunk.some(({ ref }) => !ref?.id)) return false;
  await insertEvents(db, workspaceId, chunk as { item: BatchItem; ref: ContactRef }[], new Map(), results);
  return true;
}

/**
 * Creates the contacts named by a user id alone or an anonymous id alone that do not exist yet,
 * in one insert of its own (after a lookup of those that do) before the batch's transaction:
 * concurrent requests naming the same new users then wait for each other only for this
 * statement (rows inserted in key order), not for each other's whole transaction, which
 * serialized concurrent batches. Ids that take part in a claim, merge or alias in this batch
 * are left to the batch's transaction, which resolves them in arrival order. A contact created
 * here when the batch's transaction then fails is the one the client's retry finds. Returns the
 * contacts it found and created, or undefined when it has not all of them (one was created
 * meanwhile by a concurrent request) or there are none (no event names its contact by one id
 * alone).
 */
async function createPlainContacts(
  db: Db,
  workspaceId: string,
  stored: BatchItem[],
): Promise<ContactIds[] | undefined> {
  const userIds = new Set<string>();
  const anonymousIds = new Set<string>();
  const involved = new Set<string>();
  for (const { message } of stored) {
    const { userId, anonymousId } = message;
    if (message.type === 'alias' || (userId && anonymousId)) {
      for (const id of [userId, anonymousId, message.previousId]) if (id) involved.add(id);
    } else if (userId) userIds.add(userId);
    else if (anonymousId) anonymousIds.add(anonymousId);
  }
  const plain = [
    ...[...userIds].filter((id) => !involved.has(id)).map((id) => ({ externalId: id, anonymousId: null })),
    ...[...anonymousIds]
      .filter((id) => !involved.has(id))
      .map((id) => ({ externalId: null, anonymousId: id })),
  ];
  if (plain.length === 0) return undefined;
  // Most named contacts exist: they are looked up in their unique indexes, and only the others
  // are inserted (often none, so no insert at all). Inserting every one with ON CONFLICT DO
  // NOTHING built each existing contact's row, new id included, before finding the conflict:
  // four times the time of the lookup for a batch of known users.
  const existing = await rowsOf<ContactIds>(
    db,
    contactsByIds(
      workspaceId,
      plain.flatMap((c) => (c.externalId ? [c.externalId] : [])),
      plain.flatMap((c) => (c.anonymousId ? [c.anonymousId] : [])),
    ),
  );
  const users = new Set(existing.map((row) => row.external_id));
  const visitors = new Set(existing.map((row) => row.anonymous_id));
  const missing = plain.filter((c) =>
    c.externalId ? !users.has(c.externalId) : !visitors.has(c.anonymousId),
  );
  if (missing.length === 0) return existing;
  // A contact created meanwhile by a concurrent request is the conflict left alone (and the
  // contacts are then read again where they are used). The insert commits without waiting for
  // the disk: the events that name these contacts are committed after it, and that commit, which
  // waits, flushes this one too; a contact lost in a crash before it was never answered for.
  const created = await rowsOf<ContactIds>(
    db,
    sql`insert into ${contacts} (workspace_id, external_id, anonymous_id)
      select ${workspaceId}::uuid, c.external_id, c.anonymous_id
      from unnest(${sql.param(missing.map((c) => c.externalId))}::text[],
        ${sql.param(missing.map((c) => c.anonymousId))}::text[]) as c(external_id, anonymous_id)
      where ${commitsWithoutFlush}
      order by c.external_id, c.anonymous_id
      on conflict do nothing
      returning id, external_id, anonymous_id`,
  );
  return created.length === missing.length ? [...existing, ...created] : undefined;
}

/**
 * The message ids of these that the workspace has stored: a lateral subquery per id, with the
 * workspace hidden from the planner (`inWorkspace`), looks each id up in the unique index
 * whatever the statistics say. For a workspace newer than the statistics `message_id = any(…)`
 * read the workspace's events through `events_contact_idx` (43 ms at 60,000 events); and in the
 * plan PostgreSQL keeps for a prepared statement after five runs, which knows no array's length,
 * it read every entry of the workspace in the unique index and filtered them (519 ms at 60,000),
 * growing with the workspace, on every request.
 */
export function storedMessageIds(workspaceId: string, messageIds: string[]): SQL {
  return sql`select e.message_id from unnest(${sql.param(messageIds)}::text[]) as k(v)
    cross join lateral (select message_id from ${events}
      where ${inWorkspace(events.workspaceId, workspaceId)} and message_id = k.v offset 0) as e`;
}

/**
 * The workspace's contacts with these user ids or anonymous ids (a contact found by both comes
 * twice): a lateral subquery the planner keeps per id, with the workspace hidden, looks each id
 * up in its unique index whatever the statistics say, where `external_id = any(…) or
 * anonymous_id = any(…)` could read every contact of a workspace newer than them.
 */
export function contactsByIds(workspaceId: string, userIds: string[], anonymousIds: string[]): SQL {
  const byId = (column: 'external_id' | 'anonymous_id', ids: string[]) => sql`
    select c.id, c.external_id, c.anonymous_id from unnest(${sql.param(ids)}::text[]) as k(v)
    cross join lateral (select id, external_id, anonymous_id from ${contacts}
      where ${inWorkspace(contacts.workspaceId, workspaceId)} and ${sql.raw(column)} = k.v offset 0) as c`;
  return sql`${byId('external_id', userIds)} union all ${byId('anonymous_id', anonymousIds)}`;
}

/** A contact's ids, as `contactsByIds` and the inserts creating contacts return them. */
interface ContactIds {
  id: string;
  external_id: string | null;
  anonymous_id: string | null;
}

/** The batch's contacts by user id and anonymous id, including those it is about to create. */
class IdentityMap {
  private byUser = new Map<string, ContactRef>();
  private byAnonymous = new Map<string, ContactRef>();

  constructor(private workspaceId: string) {}

  async load(tx: Tx | Db, stored: BatchItem[]): Promise<void> {
    this.byUser.clear();
    this.byAnonymous.clear();
    const userIds = new Set<string>();
    const anonymousIds = new Set<string>();
    for (const item of stored) {
      if (item.message.userId) userIds.add(item.message.userId);
      if (item.message.anonymousId) anonymousIds.add(item.message.anonymousId);
    }
    if (userIds.size === 0 && anonymousIds.size === 0) return;
    this.use(await rowsOf<ContactIds>(tx, contactsByIds(this.workspaceId, [...userIds], [...anonymousIds])));
  }

  /** Takes these contacts (as `contactsByIds` reads them) as the batch's, without reading. */
  use(rows: ContactIds[]): void {
    for (const row of rows) {
      this.remember({ id: row.id, externalId: row.external_id, anonymousId: row.anonymous_id });
    }
  }

  private remember(ref: ContactRef): void {
    if (ref.externalId !== null) this.byUser.set(ref.externalId, ref);
    if (ref.anonymousId !== null) this.byAnonymous.set(ref.anonymousId, ref);
  }

  /**
   * The contact of a message that needs no claim or merge (found, or new), as `resolveContact`
   * would decide; undefined when the message must be resolved on its own.
   */
  plan(message: NormalizedMessage): ContactRef | undefined {
    const { userId, anonymousId } = message;
    if (message.type === 'alias') return undefined;
    if (userId) {
      const known = this.byUser.get(userId);
      const anonymous = anonymousId ? this.byAnonymous.get(anonymousId) : undefined;
      if (known) {
        if (!anonymousId || anonymous === known) return known;
        if (anonymous) return anonymous.externalId === null ? undefined : known;
        return known.anonymousId === null ? undefined : known;
      }
      if (anonymous?.externalId === null) return undefined;
      const ref: ContactRef = { externalId: userId, anonymousId: anonymous ? null : (anonymousId ?? null) };
      this.remember(ref);
      return ref;
    }
    if (!anonymousId) return undefined;
    const found = this.byAnonymous.get(anonymousId);
    if (found) return found;
    const ref: ContactRef = { externalId: null, anonymousId };
    this.remember(ref);
    return ref;
  }
}

/**
 * Creates the chunk's new contacts, inserts its events with their contact (a message id stored
 * meanwhile by a concurrent request is a duplicate: it changes nothing more) and their outbox
 * rows, then applies the stored identifies' traits.
 */
async function storeChunk(
  tx: Tx,
  workspaceId: string,
  chunk: { item: BatchItem; ref: ContactRef }[],
  results: Map<number, StoreResult>,
): Promise<void> {
  if (chunk.length === 0) return;
  const exitWorkflowIds = new Map<ContactRef, string[]>();
  const creating = [...new Set(chunk.map((c) => c.ref).filter((ref) => !ref.id))].sort((a, b) =>
    `${a.externalId}\u0001${a.anonymousId}` < `${b.externalId}\u0001${b.anonymousId}` ? -1 : 1,
  );
  if (creating.length) {
    const created = (
      await rowsOf<{ id: string; external_id: string | null; anonymous_id: string | null }>(
        tx,
        sql`insert into ${contacts} (workspace_id, external_id, anonymous_id)
          select ${workspaceId}::uuid, c.external_id, c.anonymous_id
          from unnest(${sql.param(creating.map((ref) => ref.externalId))}::text[],
            ${sql.param(creating.map((ref) => ref.anonymousId))}::text[]) as c(external_id, anonymous_id)
          on conflict do nothing
          returning id, external_id, anonymous_id`,
      )
    ).map((row) => ({ id: row.id, externalId: row.external_id, anonymousId: row.anonymous_id }));
    const byUser = new Map(created.filter((r) => r.externalId).map((r) => [r.externalId, r.id]));
    const byAnonymous = new Map(created.filter((r) => !r.externalId).map((r) => [r.anonymousId, r.id]));
    for (const ref of creating) {
      ref.id = ref.externalId ? byUser.get(ref.externalId) : byAnonymous.get(ref.anonymousId);
      if (ref.id) continue;
      // A concurrent request created it first: resolve as a single message would (rare).
      const resolved: ResolvedContact = await resolveContact(tx, workspaceId, {
        userId: ref.externalId ?? undefined,
        anonymousId: ref.anonymousId ?? undefined,
      });
      ref.id = resolved.contactId;
      if (resolved.exitWorkflowIds.length) exitWorkflowIds.set(ref, resolved.exitWorkflowIds);
    }
  }
  const stored = await insertEvents(tx, workspaceId, chunk, exitWorkflowIds, results);
  if (stored.length === 0) return;
  await applyContactUpdates(
    tx,
    stored.flatMap(({ item, ref }) =>
      item.update ? [{ contactId: ref.id as string, update: item.update, at: item.message.timestamp }] : [],
    ),
  );
}

/**
 * One statement: the events with their contact (inserted in message id order, so concurrent
 * batches lock their rows in one order: no deadlock) and, for those inserted, the outbox rows
 * in arrival order (a contact's rows, delivered in id order, keep its events' order). The rows
 * as one JSON parameter: two parameters however long the batch. A message id stored
 * meanwhile by a concurrent request is answered as a duplicate; each result is set, and the
 * entries stored come back.
 */
async function insertEvents(
  tx: Tx | Db,
  workspaceId: string,
  chunk: { item: BatchItem; ref: ContactRef }[],
  exitWorkflowIds: Map<ContactRef, string[]>,
  results: Map<number, StoreResult>,
) {
  // The runs of a contact merged away end after commit: every row of that contact carries
  // them (ending a run twice is harmless), so a concurrent duplicate cannot drop them.
  const work = (ref: ContactRef) => {
    const exits = exitWorkflowIds.get(ref);
    return exits ? { exitWorkflowIds: exits } : {};
  };
  // The chunk as one JSON parameter, properties and context nested as they are: one native
  // JSON.stringify, where a text array per column was escaped element by element (a tenth of
  // the API's time per 500-event request).
  const entries = JSON.stringify(
    chunk.map((e, position) => ({
      message_id: e.item.message.messageId,
      contact_id: e.ref.id,
      type: e.item.message.type,
      name: e.item.message.name,
      properties: e.item.message.properties,
      context: e.item.message.context,
      timestamp: e.item.message.timestamp.toISOString(),
      received_at: e.item.message.receivedAt.toISOString(),
      work: work(e.ref),
      position,
    })),
  );
  const rows = await rowsOf<{ outbox_id: number | string; event_id: string; message_id: string }>(
    tx,
    sql`with m as (
        select * from json_to_recordset(${entries}::json) as m(message_id text, contact_id uuid, type text,
          name text, properties jsonb, context jsonb, timestamp timestamptz, received_at timestamptz,
          work jsonb, position integer)
      ), e as (
        insert into ${events} (workspace_id, message_id, contact_id, type, name, properties, context, timestamp, received_at)
        select ${workspaceId}::uuid, m.message_id, m.contact_id, m.type, m.name, m.properties,
          m.context, m.timestamp, m.received_at
        from m order by m.message_id
        on conflict do nothing
        returning id, message_id, contact_id
      ), o as (
        insert into ${outbox} (workspace_id, event_id, contact_id, work)
        select ${workspaceId}::uuid, e.id, e.contact_id, m.work
        from e join m on m.message_id = e.message_id
        order by m.position
        returning id, event_id
      )
      select o.id as outbox_id, o.event_id, e.message_id from o join e on e.id = o.event_id`,
  );
  const byMessageId = new Map(rows.map((row) => [row.message_id, row]));
  return chunk.filter((entry) => {
    const row = byMessageId.get(entry.item.message.messageId);
    results.set(
      entry.item.index,
      row
        ? {
            status: 'stored',
            eventId: row.event_id,
            contactId: entry.ref.id as string,
            outboxId: Number(row.outbox_id),
          }
        : { status: 'duplicate' },
    );
    return row !== undefined;
  });
}

/**
 * The identify traits of a chunk, set-based with the semantics of `applyContactUpdate` (per
 * trait, the latest event time wins, decided in SQL against `trait_times`): one statement per
 * round, round k holding the k-th identify of each contact, so a contact's identifies apply in
 * arrival order.
 */
async function applyContactUpdates(
  tx: Tx,
  updates: { contactId: string; update: ContactUpdate; at: Date }[],
): Promise<void> {
  const rounds: (typeof updates)[] = [];
  const seen = new Map<string, number>();
  for (const entry of updates) {
    const round = seen.get(entry.contactId) ?? 0;
    seen.set(entry.contactId, round + 1);
    if (!rounds[round]) rounds[round] = [];
    rounds[round].push(entry);
  }
  for (const round of rounds) {
    round.sort((a, b) => (a.contactId < b.contactId ? -1 : 1));
    const column = (pick: (entry: (typeof updates)[number]) => unknown) => sql.param(round.map(pick));
    const written = (update: ContactUpdate) =>
      JSON.stringify(
        Object.fromEntries(
          (['email', 'phone', 'timezone'] as const)
            .filter((c) => update[c] !== undefined)
            .map((c) => [c, true]),
        ),
      );
    const newer = (key: SQL) =>
      sql`coalesce((c.trait_times ->> ${key})::timestamptz, '-infinity') <= u.at::timestamptz`;
    const columnUpdate = (name: 'email' | 'phone' | 'timezone') =>
      sql`case when u.written::jsonb ? ${name} and ${newer(sql`${name}`)} then u.${sql.raw(name)} else c.${sql.raw(name)} end`;
    await tx.execute(sql`
      update ${contacts} c set
        email = ${columnUpdate('email')},
        phone = ${columnUpdate('phone')},
        timezone = ${columnUpdate('timezone')},
        attributes = c.attributes || (select coalesce(jsonb_object_agg(n.key, n.value), '{}'::jsonb)
          from jsonb_each(u.attributes::jsonb) n where ${newer(sql`n.key`)}),
        trait_times = c.trait_times || (select coalesce(jsonb_object_agg(k, to_jsonb(u.at)), '{}'::jsonb)
          from jsonb_object_keys(u.attributes::jsonb || u.written::jsonb) k where ${newer(sql`k`)}),
        updated_at = now()
      from unnest(${column((e) => e.contactId)}::text[], ${column((e) => e.at.toISOString())}::text[],
        ${column((e) => e.update.email ?? null)}::text[], ${column((e) => e.update.phone ?? null)}::text[],
        ${column((e) => e.update.timezone ?? null)}::text[], ${column((e) => written(e.update))}::text[],
        ${column((e) => JSON.stringify(e.update.attributes))}::text[])
        as u(contact_id, at, email, phone, timezone, written, attributes)
      where c.id = u.contact_id::uuid`);
  }
}

/**
 * An alias, claim or merge: stored as a single message is (the event first, so a concurrent
 * duplicate leaves before touching a contact), inside the batch's transaction.
 */
async function storeOnItsOwn(
  tx: Tx,
  workspaceId: string,
  item: BatchItem,
  results: Map<number, StoreResult>,
): Promise<void> {
  const { message, update } = item;
  const [event] = await tx
    .insert(events)
    .values({
      workspaceId,
      messageId: message.messageId,
      type: message.type,
      name: message.name,
      properties: message.properties,
      context: message.context,
      timestamp: message.timestamp,
      receivedAt: message.receivedAt,
    })
    .onConflictDoNothing()
    .returning({ id: events.id });
  if (!event) {
    results.set(item.index, { status: 'duplicate' });
    return;
  }
  const eventId = event.id;
  const resolved =
    message.type === 'alias' && message.userId && message.previousId
      ? await aliasContact(tx, workspaceId, message.userId, message.previousId)
      : await resolveContact(tx, workspaceId, message);
  if (update) await applyContactUpdate(tx, resolved.contactId, update, message.timestamp);
  await tx.update(events).set({ contactId: resolved.contactId }).where(eq(events.id, eventId));
  const [row] = await tx
    .insert(outbox)
    .values({
      workspaceId,
      eventId,
      contactId: resolved.contactId,
      work: resolved.exitWorkflowIds.length ? { exitWorkflowIds: resolved.exitWorkflowIds } : {},
    })
    .returning({ id: outbox.id });
  results.set(item.index, { status: 'stored', eventId, contactId: resolved.contactId, outboxId: row.id });
}
