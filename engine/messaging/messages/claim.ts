import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { channelSettings, journeyVersions, messages, workspaces } from '../../../db/schema';
import { BoundedCache } from '../../bounded-cache';
import { type Duration, durationMs } from '../../time/duration';
import type { ChannelSettingsRow, ResolvedChannel } from '../channels/channel-settings';
import {
  decidePolicy,
  type JourneyPolicy,
  loadPolicyFacts,
  type PolicyDecision,
  type PolicyFacts,
  recordAllowed,
  type SendRequest,
} from '../policy/send-policy';
import { normalizeAddress } from '../policy/suppression';
import type { MessageRow } from './ledger';

/** What a claim needs of a send (see `SendInput`): the policy's request plus where it comes from. */
export interface ClaimInput
  extends Pick<
    SendRequest,
    | 'workspaceId'
    | 'contact'
    | 'channel'
    | 'recipient'
    | 'transactional'
    | 'topic'
    | 'onCap'
    | 'idempotencyKey'
    | 'now'
  > {
  /** The sending journey; null for a broadcast's or a one-off send. */
  journeyId: string | null;
  journeyVersion: number;
  /** The sending broadcast (kept in the ledger's `broadcast_id`). */
  broadcastId?: string | null;
  runId: string;
  nodeId: string;
}

export type Claimed =
  | { kind: 'existing'; row: MessageRow }
  | { kind: 'blocked'; row: MessageRow }
  | { kind: 'deferred'; row: MessageRow; until: number }
  | { kind: 'send'; row: MessageRow };

/**
 * Claims ledger rows for sends of one workspace and channel, in one transaction whatever their
 * number: the contacts' send locks (so two senders at the same moment see each other's rows and
 * a cap holds across them), then in one statement the channel's settings, the rows already there
 * (a retried send finds its key) and the other facts of the claim (`claimFacts`), the rest of the
 * policy's facts for the new sends, the policy per send (`decidePolicy`, the same rule as a single
 * send), then one multi-row insert with ON CONFLICT on the idempotency key. A claimed row is
 * `queued` (allowed), `suppressed` (blocked with its reason) or `deferred`. `openChannel` turns the
 * stored settings into the channel the sends go through (its secrets opened). Results follow
 * `inputs`.
 */
export async function claimSends(
  db: Db,
  inputs: ClaimInput[],
  openChannel: (settings: ChannelSettingsRow | null) => ResolvedChannel,
): Promise<{ channel: ResolvedChannel; claimed: Claimed[] }> {
  if (inputs.length === 0) return { channel: openChannel(null), claimed: [] };
  const { workspaceId, channel } = inputs[0];
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    await lockContacts(
      t,
      inputs.map((i) => `${i.workspaceId}:${i.contact.id}:${i.channel}`),
    );
    const facts = await claimFacts(t, inputs);
    const resolved = openChannel(facts.settings);
    const existing = facts.found;
    const fresh = inputs.filter((i) => {
      const row = existing.get(i.idempotencyKey);
      return !row || row.status === 'deferred';
    });
    const decided = new Map<string, PolicyDecision>();
    if (fresh.length > 0) {
      const decisions = await decideClaims(t, fresh, resolved.policy, facts.timezone, {
        suppressed: facts.suppressed,
      });
      fresh.forEach((input, i) => {
        decided.set(input.idempotencyKey, decisions[i]);
      });
      const labels = ledgerLabels(fresh, facts);
      const updatedAt = new Date().toISOString();
      const claims = fresh.map((input, i) => {
        const decision = decided.get(input.idempotencyKey)!;
        const label = labels[i];
        return {
          idempotency_key: input.idempotencyKey,
          contact_id: input.contact.id,
          journey_id: input.journeyId,
          broadcast_id: input.broadcastId ?? null,
          workflow_id: input.runId,
          run_id: label.runId,
          trigger_event_id: label.triggerEventId,
          node_id: input.nodeId,
          test: label.test,
          transactional: input.transactional,
          status:
            decision.action === 'send' ? 'queued' : decision.action === 'block' ? 'suppressed' : 'deferred',
          reason:
            decision.action === 'send'
              ? null
              : decision.action === 'block'
                ? decision.reason
                : `${decision.reason} until ${new Date(decision.until).toISOString()}`,
          recipient: input.recipient,
          payload: input.topic ? { topic: input.topic } : {},
          // The policy's clock, so caps count in the same time as quiet hours.
          created_at: new Date(input.now).toISOString(),
          updated_at: updatedAt,
        };
      });
      // The rows travel as one JSON parameter: the statement's text is the same for any number
      // of sends, so it is prepared once per connection instead of built and parsed per batch.
      const rows = await t
        .insert(messages)
        .select(sql`select gen_random_uuid(), ${workspaceId}::uuid, c.idempotency_key, c.contact_id,
            c.journey_id, c.broadcast_id, c.workflow_id, c.run_id, c.trigger_event_id, c.node_id,
            c.test, ${channel}::text, c.transactional, c.status, c.reason, null, null, c.recipient,
            null, null, c.payload, c.created_at, c.updated_at
          from jsonb_to_recordset(${JSON.stringify(claims)}::jsonb) as c(idempotency_key text,
            contact_id uuid, journey_id uuid, broadcast_id uuid, workflow_id text, run_id uuid,
            trigger_event_id text, node_id text, test boolean, transactional boolean, status text,
            reason text, recipient text, payload jsonb, created_at timestamptz, updated_at timestamptz)`)
        .onConflictDoUpdate({
          target: [messages.workspaceId, messages.idempotencyKey],
          set: {
            status: sql`excluded.status`,
            reason: sql`excluded.reason`,
            recipient: sql`excluded.recipient`,
            transactional: sql`excluded.transactional`,
            createdAt: sql`excluded.created_at`,
            updatedAt: sql`excluded.updated_at`,
          },
          // Only a deferred send is decided again; any other row found under the lock stands.
          setWhere: sql`${messages.status} = 'deferred'`,
        })
        .returning();
      for (const row of rows) existing.set(row.idempotencyKey, row as MessageRow);
    }
    const claimed = inputs.map((input): Claimed => {
      const row = existing.get(input.idempotencyKey)!;
      const decision = decided.get(input.idempotencyKey);
      if (!decision) return { kind: 'existing', row };
      if (decision.action === 'block') return { kind: 'blocked', row };
      if (decision.action === 'defer') return { kind: 'deferred', row, until: decision.until };
      return { kind: 'send', row };
    });
    return { channel: resolved, claimed };
  });
}

/**
 * The policy's decision for each of these sends (one workspace and channel), set-based and
 * read-only: the sending journeys' contexts, the facts for the whole batch in a few statements,
 * then `decidePolicy` per send in order, each allowed send counted for the ones after it. The one
 * definition a claim (under the contacts' locks) and a preview (`previewSends`) both use.
 */
export async function decideClaims(
  db: Db,
  inputs: ClaimInput[],
  policy: ResolvedChannel['policy'],
  /** The workspace's default zone, when already read (see `claimFacts`). */
  workspaceTimezone?: string | null,
  /** Policy facts already read (see `claimFacts`). */
  known?: Pick<Partial<PolicyFacts>, 'suppressed'>,
): Promise<PolicyDecision[]> {
  if (inputs.length === 0) return [];
  const { workspaceId, channel } = inputs[0];
  const contexts = await journeyContexts(db, inputs, workspaceTimezone);
  const requests = inputs.map(
    (input): SendRequest => ({
      workspaceId,
      contact: input.contact,
      channel,
      recipient: input.recipient,
      transactional: input.transactional,
      topic: input.topic,
      onCap: input.onCap,
      idempotencyKey: input.idempotencyKey,
      now: input.now,
      ...contexts(input),
      policy,
    }),
  );
  const facts = await loadPolicyFacts(db, requests, known);
  return requests.map((request, i) => {
    const decision = decidePolicy(request, facts);
    if (decision.action === 'send') recordAllowed(facts, request, inputs[i].journeyId);
    return decision;
  });
}

/** Takes the per-contact-and-channel send locks of a batch, in one order so two batches never deadlock. */
async function lockContacts(db: Db, locks: string[]) {
  const unique = [...new Set(locks)].sort();
  if (unique.length === 1) {
    await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${unique[0]}, 0))`);
    return;
  }
  await db.execute(
    sql`select count(pg_advisory_xact_lock(hashtextextended(k, 0))) from
        (select k from unnest(array[${sql.join(
          unique.map((k) => sql`${k}`),
          sql`, `,
        )}]::text[]) as k order by k) as locks`,
  );
}

/** A send run's row id and the event that started it (if any), and whether that event was a test. */
interface RunLabel {
  workflowId: string;
  id: string;
  triggerEventId: string | null;
  testTrigger: boolean;
}

interface ClaimFacts {
  settings: ChannelSettingsRow | null;
  /** Ledger rows already there, by idempotency key. */
  found: Map<string, MessageRow>;
  timezone: string | null;
  testContacts: Set<string>;
  runs: Map<string, RunLabel>;
  suppressed: Map<string, string>;
}

/** Event ids are uuids; a run's trigger id that is not one names no stored event. */
const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * What a claim reads under the contacts' locks, in one statement: the channel's settings, the
 * ledger rows already there for the sends' keys, the workspace's default zone, which of the
 * contacts are test contacts (their messages are labelled test and left out of counts, stats and
 * reports), the sending runs (their row ids, the events that started them and whether such an
 * event was sent with `context.test: true`), and the suppressed ones among the recipients. The
 * lists come as text (both drivers answer text alike; they parse arrays differently).
 */
async function claimFacts(db: Db, inputs: ClaimInput[]): Promise<ClaimFacts> {
  const { workspaceId, channel } = inputs[0];
  const list = (values: string[]) =>
    sql.join(
      values.map((v) => sql`${v}`),
      sql`, `,
    );
  const contactIds = [...new Set(inputs.map((i) => i.contact.id))];
  const runIds = [...new Set(inputs.map((i) => i.runId))];
  const addresses = [
    ...new Set(inputs.flatMap((i) => (i.recipient ? [normalizeAddress(channel, i.recipient)] : []))),
  ];
  const rows = await db
    .select({
      settings: channelSettings,
      message: messages,
      timezone: workspaces.defaultTimezone,
      testContacts: sql<string | null>`(select string_agg(c.id::text, ',') from contacts c
        where c.workspace_id = ${workspaceId} and c.is_test and c.id in (${list(contactIds)}))`,
      runs: sql<string | null>`(select json_agg(json_build_object(
          'workflowId', r.workflow_id, 'id', r.id, 'triggerEventId', r.trigger_event_id,
          'testTrigger', exists (select 1 from events e
            where e.workspace_id = ${workspaceId}
              and e.id = case when r.trigger_event_id ~ ${UUID_PATTERN} then r.trigger_event_id::uuid end
              and (e.context ->> 'test') = 'true')))::text
        from journey_runs r where r.workflow_id in (${list(runIds)}))`,
      suppressed:
        addresses.length > 0
          ? sql<
              string | null
            >`(select json_agg(json_build_array(s.address, s.reason))::text from suppressions s
              where s.workspace_id = ${workspaceId} and s.channel = ${channel} and s.address in (${list(addresses)}))`
          : sql<string | null>`null`,
    })
    .from(workspaces)
    .leftJoin(
      channelSettings,
      and(eq(channelSettings.workspaceId, workspaces.id), eq(channelSettings.channel, channel)),
    )
    .leftJoin(
      messages,
      and(
        eq(messages.workspaceId, workspaces.id),
        inArray(
          messages.idempotencyKey,
          inputs.map((i) => i.idempotencyKey),
        ),
      ),
    )
    .where(eq(workspaces.id, workspaceId));
  const first = rows[0];
  const runs = JSON.parse(first?.runs ?? '[]') as RunLabel[];
  return {
    settings: first?.settings ?? null,
    found: new Map(
      rows.flatMap((r) => (r.message ? [[r.message.idempotencyKey, r.message as MessageRow]] : [])),
    ),
    timezone: first?.timezone ?? null,
    testContacts: new Set(first?.testContacts?.split(',') ?? []),
    runs: new Map(runs.map((r) => [r.workflowId, r])),
    suppressed: new Map(JSON.parse(first?.suppressed ?? '[]') as [string, string][]),
  };
}

/** Published versions never change: the settings the policy reads of each are read once per process. */
const versionSettings = new BoundedCache<string, JourneyPlanSettings | undefined>(500);
const versionKey = (journeyId: string, version: number) => `${journeyId}@${version}`;

/** The policy's settings of the sending journeys' versions, from memory or in one statement. */
async function journeySettings(db: Db, inputs: ClaimInput[]) {
  const missing = inputs.filter(
    (i) => i.journeyId && !versionSettings.has(versionKey(i.journeyId, i.journeyVersion)),
  );
  if (missing.length > 0) {
    const rows = await db
      .select({
        journeyId: journeyVersions.journeyId,
        version: journeyVersions.version,
        plan: journeyVersions.plan,
      })
      .from(journeyVersions)
      .where(
        and(
          inArray(journeyVersions.journeyId, [...new Set(missing.map((i) => i.journeyId!))]),
          inArray(journeyVersions.version, [...new Set(missing.map((i) => i.journeyVersion))]),
        ),
      );
    for (const row of rows) {
      const settings = (row.plan as { settings?: JourneyPlanSettings } | null)?.settings;
      versionSettings.set(versionKey(row.journeyId, row.version), settings);
    }
  }
  return (input: ClaimInput) =>
    input.journeyId ? versionSettings.get(versionKey(input.journeyId, input.journeyVersion)) : undefined;
}

/**
 * What the policy takes from each sending journey: its fallback zone, then the workspace default
 * (the contact's own zone comes first), and the journey's own quiet hours and cap. The versions'
 * settings come from memory after their first read; the workspace's zone is read unless given.
 */
async function journeyContexts(
  db: Db,
  inputs: ClaimInput[],
  knownTimezone?: string | null,
): Promise<(input: ClaimInput) => { fallbackZones: (string | null)[]; journey?: JourneyPolicy }> {
  const settingsOf = await journeySettings(db, inputs);
  const workspaceTz =
    knownTimezone !== undefined
      ? knownTimezone
      : ((
          await db
            .select({ tz: workspaces.defaultTimezone })
            .from(workspaces)
            .where(eq(workspaces.id, inputs[0].workspaceId))
        )[0]?.tz ?? null);
  return (input) => {
    const settings = settingsOf(input);
    const fallbackZones = [settings?.timezone ?? null, workspaceTz];
    if (!input.journeyId || (!settings?.quietHours && !settings?.frequencyCap)) return { fallbackZones };
    const cap = settings.frequencyCap;
    return {
      fallbackZones,
      journey: {
        journeyId: input.journeyId,
        quietHours: settings.quietHours && {
          ...settings.quietHours,
          action: settings.quietHours.action ?? 'defer',
        },
        frequencyCap: cap && {
          channel: cap.channel,
          limit: cap.limit,
          windowHours: durationMs(cap.window) / 3_600_000,
          action: cap.action ?? 'skip',
        },
      },
    };
  };
}

/** The journey settings the policy reads from a stored plan (see the journey model). */
interface JourneyPlanSettings {
  timezone?: string;
  quietHours?: { start: string; end: string; action?: 'defer' | 'skip' };
  frequencyCap?: { channel?: string; limit: number; window: Duration; action?: 'defer' | 'skip' };
}

/**
 * What a new ledger row records beyond the send itself: the journey run (its row id) and the
 * event that started it, and whether it is a test: a test contact's, or a run's started by an
 * event sent with `context.test: true` (see `claimFacts`).
 */
function ledgerLabels(inputs: ClaimInput[], facts: ClaimFacts) {
  return inputs.map((input) => {
    const run = facts.runs.get(input.runId);
    return {
      runId: run?.id ?? null,
      triggerEventId: run?.triggerEventId ?? null,
      test: facts.testContacts.has(input.contact.id) || (run?.testTrigger ?? false),
    };
  });
}
