import { and, eq, gte, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import {
  channelSettings,
  events,
  journeys,
  journeyVersions,
  segmentMembers,
  segments,
  templates,
} from '../../../db/schema';
import { type Duration, durationMs, formatDuration } from '../../time/duration';
import { SEND_NODE_CHANNELS } from '../nodes/send-channels';
import { type JourneyGraph, type JourneyNode, journeyGraphSchema } from './model';
import type { Problem } from './validate';

/** Two journeys sending the same channel this close to entry are reported as overlapping. */
export const OVERLAP_WINDOW_MS = 24 * 3_600_000;
/** A goal event nobody sent for this long is probably misspelt. */
export const GOAL_SILENCE_MS = 30 * 86_400_000;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Found = Omit<Problem, 'severity'>;
const warning = (problem: Found): Problem => ({ ...problem, severity: 'warning' });
const error = (problem: Found): Problem => ({ ...problem, severity: 'error' });

/**
 * The checks graph validation cannot make because they need the workspace: the templates and
 * segments a journey names, the events it waits for, the caps it runs into, and the other live
 * journeys its contacts may also be in. Errors block publishing; warnings are shown only.
 */
export interface LintOptions {
  /** The journey itself, never reported as overlapping with itself. */
  journeyId?: string;
  now?: number;
  /** Templates about to be saved with the journey (journeys as code): they count as present. */
  templates?: TemplateLike[];
  /** Segment references about to resolve to segments being created: they count as present. */
  pendingSegments?: string[];
}

interface TemplateLike {
  id?: string;
  name: string;
  channel: string;
  body: string;
  html?: string | null;
}

export async function lintJourney(
  db: Db,
  workspaceId: string,
  input: unknown,
  options: LintOptions = {},
): Promise<Problem[]> {
  const parsed = journeyGraphSchema.safeParse(input);
  if (!parsed.success) return [];
  const graph = parsed.data;
  const now = options.now ?? Date.now();
  return [
    ...(await templateProblems(db, workspaceId, graph, options.templates ?? [])),
    ...(await segmentProblems(db, workspaceId, graph, new Set(options.pendingSegments))),
    ...(await goalProblems(db, workspaceId, graph, now)),
    ...(await capProblems(db, workspaceId, graph)),
    ...splitProblems(graph),
    ...(await overlapProblems(db, workspaceId, graph, options.journeyId)),
  ];
}

function describe(node: JourneyNode): string {
  return node.label ? `"${node.label}" (${node.id})` : `"${node.id}"`;
}

function isMarketing(node: JourneyNode): boolean {
  const channel = SEND_NODE_CHANNELS[node.type];
  if (!channel) return false;
  const fallback = channel === 'webhook' || channel === 'slack';
  return node.config.transactional === undefined ? !fallback : node.config.transactional !== true;
}

async function templateProblems(
  db: Db,
  workspaceId: string,
  graph: JourneyGraph,
  incoming: TemplateLike[],
): Promise<Problem[]> {
  const problems: Problem[] = [];
  // Every template the sends name, in one read (a large journey sends the same few many times).
  const named = [
    ...new Set(
      graph.nodes.flatMap((node) =>
        SEND_NODE_CHANNELS[node.type] &&
        typeof node.config.template === 'string' &&
        node.config.template !== ''
          ? [node.config.template]
          : [],
      ),
    ),
  ].filter((name) => !incoming.some((t) => t.name === name));
  const stored: TemplateLike[] =
    named.length > 0
      ? await db
          .select({
            id: templates.id,
            name: templates.name,
            channel: templates.channel,
            body: templates.body,
            html: templates.html,
          })
          .from(templates)
          .where(and(eq(templates.workspaceId, workspaceId), inArray(templates.name, named)))
      : [];
  for (const node of graph.nodes) {
    const channel = SEND_NODE_CHANNELS[node.type];
    const name = node.config.template;
    if (!channel || typeof name !== 'string' || name === '') continue;
    const template: TemplateLike | undefined =
      incoming.find((t) => t.name === name) ?? stored.find((t) => t.name === name);
    if (!template) {
      problems.push(
        error({
          code: 'template_missing',
          message: `Send ${describe(node)} uses template “${name}”, which does not exist in this workspace.`,
          nodeId: node.id,
          field: 'template',
          link: { kind: 'template', name },
        }),
      );
      continue;
    }
    const link = { kind: 'template' as const, ...(template.id ? { id: template.id } : {}), name };
    if (template.channel !== channel) {
      problems.push(
        error({
          code: 'template_wrong_channel',
          message: `Send ${describe(node)} is a ${channel} send but template “${name}” is a ${template.channel} template.`,
          nodeId: node.id,
          field: 'template',
          link,
        }),
      );
      continue;
    }
    const text = [template.body, template.html ?? ''].join('\n');
    if (text.trim() === '') {
      problems.push(
        warning({
          code: 'template_empty',
          message: `Template “${name}” of send ${describe(node)} has no content.`,
          nodeId: node.id,
          field: 'template',
          link,
        }),
      );
    }
    if (channel === 'email' && isMarketing(node) && !/unsubscribe_url|preferences_url/.test(text)) {
      problems.push(
        warning({
          code: 'unsubscribe_missing',
          message: `Marketing email ${describe(node)}: template “${name}” has no unsubscribe link ({{ unsubscribe_url }} or {{ preferences_url }}).`,
          nodeId: node.id,
          field: 'template',
          link,
        }),
      );
    }
  }
  return problems;
}

async function segmentProblems(
  db: Db,
  workspaceId: string,
  graph: JourneyGraph,
  pending: Set<string>,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  const named = graph.nodes.flatMap((node) => {
    const id = node.config.segmentId;
    return typeof id === 'string' && id !== '' && !pending.has(id) ? [{ node, id }] : [];
  });
  // The named segments and their member counts, in one read whatever the number of nodes.
  const ids = [...new Set(named.map((n) => n.id).filter((id) => uuidPattern.test(id)))];
  const found =
    ids.length > 0
      ? await db
          .select({
            id: segments.id,
            name: segments.name,
            members: sql<number>`(select count(*) from segment_members m
              where m.workspace_id = ${workspaceId} and m.segment_id = segments.id)`,
          })
          .from(segments)
          .where(and(eq(segments.workspaceId, workspaceId), inArray(segments.id, ids)))
      : [];
  for (const { node, id } of named) {
    const segment = found.find((s) => s.id === id);
    if (!segment) {
      problems.push(
        error({
          code: 'segment_missing',
          message: `${describe(node)} names segment “${id}”, which does not exist in this workspace.`,
          nodeId: node.id,
          field: 'segmentId',
          link: { kind: 'segment', id, name: id },
        }),
      );
      continue;
    }
    if (Number(segment.members) === 0) {
      problems.push(
        warning({
          code: 'segment_empty',
          message: `Segment “${segment.name}” of ${describe(node)} has no members now.`,
          nodeId: node.id,
          field: 'segmentId',
          link: { kind: 'segment', id, name: segment.name },
        }),
      );
    }
  }
  return problems;
}

async function goalProblems(
  db: Db,
  workspaceId: string,
  graph: JourneyGraph,
  now: number,
): Promise<Problem[]> {
  const goal = graph.settings.goal?.event;
  if (!goal) return [];
  const [seen] = await db
    .select({ id: events.id })
    .from(events)
    .where(
      and(
        eq(events.workspaceId, workspaceId),
        eq(events.name, goal),
        gte(events.receivedAt, new Date(now - GOAL_SILENCE_MS)),
      ),
    )
    .limit(1);
  if (seen) return [];
  return [
    warning({
      code: 'goal_event_unseen',
      message: `No contact sent the goal event “${goal}” in the last 30 days; check its spelling.`,
      field: 'settings.goal.event',
    }),
  ];
}

interface Cap {
  max: number;
  windowMs: number;
  source: string;
}

/** The tightest cap on each channel: the workspace's channel policy, or the journey's own. */
async function capsByChannel(db: Db, workspaceId: string, graph: JourneyGraph): Promise<Map<string, Cap>> {
  const caps = new Map<string, Cap>();
  const rows = await db
    .select({ channel: channelSettings.channel, policy: channelSettings.policy })
    .from(channelSettings)
    .where(eq(channelSettings.workspaceId, workspaceId));
  for (const row of rows) {
    const cap = row.policy?.frequencyCap;
    if (cap)
      caps.set(row.channel, { max: cap.max, windowMs: cap.windowHours * 3_600_000, source: 'channel' });
  }
  const own = graph.settings.frequencyCap;
  if (own) {
    const channels = own.channel ? [own.channel] : [...new Set(Object.values(SEND_NODE_CHANNELS))];
    for (const channel of channels) {
      const windowMs = durationMs(own.window);
      const current = caps.get(channel);
      if (!current || windowMs / own.limit > current.windowMs / current.max) {
        caps.set(channel, { max: own.limit, windowMs, source: 'journey' });
      }
    }
  }
  return caps;
}

/** The least time a run can spend in a node: a fixed wait's duration, nothing for the rest. */
function minimumStay(node: JourneyNode): number {
  return node.type === 'wait.duration' ? durationMs(node.config.duration as Duration) : 0;
}

function successors(graph: JourneyGraph): Map<string, string[]> {
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) {
    next.set(edge.source, [...(next.get(edge.source) ?? []), edge.target]);
  }
  return next;
}

/**
 * From `start`, the least time until each send that can follow it with no other send in
 * between (Dijkstra over node stays; sends stop the walk).
 */
function nextSends(graph: JourneyGraph, start: string): Map<string, number> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const next = successors(graph);
  const best = new Map<string, number>([[start, 0]]);
  const found = new Map<string, number>();
  const queue: [string, number][] = [[start, 0]];
  while (queue.length > 0) {
    queue.sort((a, b) => a[1] - b[1]);
    const [id, at] = queue.shift()!;
    if (at > (best.get(id) ?? Number.POSITIVE_INFINITY)) continue;
    const node = byId.get(id);
    if (!node) continue;
    const leaving = at + (id === start ? 0 : minimumStay(node));
    for (const target of next.get(id) ?? []) {
      const targetNode = byId.get(target);
      if (!targetNode) continue;
      if (SEND_NODE_CHANNELS[targetNode.type]) {
        if (leaving < (found.get(target) ?? Number.POSITIVE_INFINITY)) found.set(target, leaving);
        continue;
      }
      if (leaving < (best.get(target) ?? Number.POSITIVE_INFINITY)) {
        best.set(target, leaving);
        queue.push([target, leaving]);
      }
    }
  }
  return found;
}

async function capProblems(db: Db, workspaceId: string, graph: JourneyGraph): Promise<Problem[]> {
  const caps = await capsByChannel(db, workspaceId, graph);
  if (caps.size === 0) return [];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const problems: Problem[] = [];
  const reported = new Set<string>();
  for (const first of graph.nodes) {
    const channel = SEND_NODE_CHANNELS[first.type];
    const cap = channel && caps.get(channel);
    if (!cap || cap.max > 1 || !isMarketing(first)) continue;
    for (const [secondId, gap] of nextSends(graph, first.id)) {
      const second = byId.get(secondId)!;
      if (SEND_NODE_CHANNELS[second.type] !== channel || !isMarketing(second) || gap >= cap.windowMs)
        continue;
      if (reported.has(second.id)) continue;
      reported.add(second.id);
      const window = formatDuration({ amount: cap.windowMs / 3_600_000, unit: 'hours' });
      problems.push(
        warning({
          code: 'wait_shorter_than_cap',
          message: `Send ${describe(second)} can come ${gap === 0 ? 'right' : formatDuration({ amount: gap / 3_600_000, unit: 'hours' })} after ${describe(first)}, but the ${cap.source === 'channel' ? `${channel} channel's` : "journey's"} frequency cap allows ${cap.max} ${channel} per ${window}: it will be deferred or skipped.`,
          nodeId: second.id,
        }),
      );
    }
  }
  return problems;
}

function splitProblems(graph: JourneyGraph): Problem[] {
  const problems: Problem[] = [];
  for (const node of graph.nodes) {
    if (node.type !== 'split.random' || !Array.isArray(node.config.branches)) continue;
    const weights = (node.config.branches as { weight?: unknown }[]).map((b) => Number(b.weight));
    const total = weights.reduce((sum, w) => sum + (Number.isFinite(w) ? w : 0), 0);
    if (Math.abs(total - 100) > 1e-9) {
      problems.push(
        warning({
          code: 'split_weights_not_100',
          message: `A/B split ${describe(node)} has weights summing to ${total}, not 100; each path gets its weight's share of ${total}.`,
          nodeId: node.id,
          field: 'branches',
        }),
      );
    }
  }
  return problems;
}

interface Entry {
  type: string;
  event?: string;
  segmentId?: string;
}

function entryOf(graph: Pick<JourneyGraph, 'nodes'>): Entry | undefined {
  const trigger = graph.nodes.find((n) => n.type.startsWith('trigger.'));
  if (!trigger) return undefined;
  return {
    type: trigger.type,
    event: typeof trigger.config.event === 'string' ? trigger.config.event : undefined,
    segmentId: typeof trigger.config.segmentId === 'string' ? trigger.config.segmentId : undefined,
  };
}

/** The least time from entry to the first send of each channel. */
function firstSendByChannel(graph: JourneyGraph): Map<string, number> {
  const trigger = graph.nodes.find((n) => n.type.startsWith('trigger.'));
  const firsts = new Map<string, number>();
  if (!trigger) return firsts;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const [id, at] of nextSends(graph, trigger.id)) {
    const channel = SEND_NODE_CHANNELS[byId.get(id)!.type];
    if (at < (firsts.get(channel) ?? Number.POSITIVE_INFINITY)) firsts.set(channel, at);
  }
  return firsts;
}

async function segmentsOverlap(db: Db, workspaceId: string, a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  if (!uuidPattern.test(a) || !uuidPattern.test(b)) return false;
  const [row] = await db
    .select({ contactId: segmentMembers.contactId })
    .from(segmentMembers)
    .where(
      and(
        eq(segmentMembers.workspaceId, workspaceId),
        eq(segmentMembers.segmentId, a),
        sql`exists (select 1 from ${segmentMembers} other where other.segment_id = ${b} and other.contact_id = ${segmentMembers.contactId})`,
      ),
    )
    .limit(1);
  return !!row;
}

async function overlapProblems(
  db: Db,
  workspaceId: string,
  graph: JourneyGraph,
  journeyId: string | undefined,
): Promise<Problem[]> {
  const entry = entryOf(graph);
  if (!entry) return [];
  const mine = firstSendByChannel(graph);
  if (mine.size === 0) return [];
  const others = await db
    .select({ id: journeys.id, name: journeys.name, graph: journeyVersions.graph })
    .from(journeys)
    .innerJoin(
      journeyVersions,
      and(eq(journeyVersions.journeyId, journeys.id), eq(journeyVersions.version, journeys.activeVersion)),
    )
    .where(
      and(
        eq(journeys.workspaceId, workspaceId),
        inArray(journeys.status, ['active', 'paused']),
        journeyId ? ne(journeys.id, journeyId) : undefined,
      ),
    );
  const problems: Problem[] = [];
  for (const other of others) {
    const parsed = journeyGraphSchema.safeParse(other.graph);
    if (!parsed.success) continue;
    const theirs = entryOf(parsed.data);
    if (!theirs || theirs.type !== entry.type) continue;
    let overlap = false;
    if (entry.type === 'trigger.event') overlap = theirs.event === entry.event;
    else if (entry.type === 'trigger.segment' && entry.segmentId && theirs.segmentId) {
      overlap = await segmentsOverlap(db, workspaceId, entry.segmentId, theirs.segmentId);
    } else overlap = entry.type === theirs.type && entry.type !== 'trigger.manual';
    if (!overlap) continue;
    const theirSends = firstSendByChannel(parsed.data);
    for (const [channel, at] of mine) {
      const other_at = theirSends.get(channel);
      if (other_at === undefined || Math.abs(other_at - at) >= OVERLAP_WINDOW_MS) continue;
      const why =
        entry.type === 'trigger.event'
          ? `also enters on “${entry.event}”`
          : entry.type === 'trigger.segment'
            ? 'enters contacts of an overlapping segment'
            : 'enters on the same trigger';
      problems.push(
        warning({
          code: 'entries_overlap',
          message: `Journey “${other.name}” ${why} and sends ${channel} within 24 hours of entry too: the same contacts may get both.`,
          link: { kind: 'journey', id: other.id, name: other.name },
        }),
      );
    }
  }
  return problems;
}
