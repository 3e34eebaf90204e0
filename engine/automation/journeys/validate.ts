import type { z } from 'zod';
import { type AnyNodeDefinition, type PortSpec, portsOf } from '../../sdk/define-node';
import type { NodeRegistry } from '../nodes/registry';
import { type JourneyEdge, type JourneyGraph, type JourneyNode, journeyGraphSchema } from './model';

export const problemCodes = [
  'graph_invalid',
  'node_id_duplicate',
  'edge_id_duplicate',
  'trigger_missing',
  'trigger_extra',
  'node_type_unknown',
  'node_version_unknown',
  'config_invalid',
  'edge_dangling',
  'port_unknown',
  'port_multiple_edges',
  'edge_into_trigger',
  'node_unreachable',
  'cycle_without_wait',
  'port_unconnected',
  'reentry_interval_required',
  'reenter_at_exit_needs_reentry',
  'same_key_without_key',
  'timezone_invalid',
] as const;

/** Problems the workspace lint (lint.ts) reports: what the journey names must exist and make sense. */
export const lintCodes = [
  'template_missing',
  'template_wrong_channel',
  'template_empty',
  'unsubscribe_missing',
  'segment_missing',
  'segment_empty',
  'goal_event_unseen',
  'wait_shorter_than_cap',
  'split_weights_not_100',
  'entries_overlap',
] as const;

export const allProblemCodes = [...problemCodes, ...lintCodes] as const;

export type ProblemCode = (typeof allProblemCodes)[number];

export interface Problem {
  code: ProblemCode;
  severity: 'error' | 'warning';
  /** A sentence the builder can show as is. */
  message: string;
  nodeId?: string;
  edgeId?: string;
  field?: string;
  /** What the problem is about elsewhere in the workspace, for the builder to link to. */
  link?: { kind: 'template' | 'segment' | 'journey'; id?: string; name: string };
}

export interface ValidationResult {
  /** True when there are no errors; warnings never make a journey invalid. */
  valid: boolean;
  errors: Problem[];
  warnings: Problem[];
}

/** The port an edge leaves by: React Flow stores `null` for a node's single default handle. */
export function edgePort(edge: Pick<JourneyEdge, 'sourceHandle'>): string {
  return edge.sourceHandle ?? 'next';
}

/**
 * Checks everything that would stop a journey from being published, and returns every problem
 * at once so the builder can mark all the nodes concerned in one pass.
 */
export function validateJourney(input: unknown, registry: NodeRegistry): ValidationResult {
  const parsed = journeyGraphSchema.safeParse(input);
  if (!parsed.success) return toResult(shapeProblems(input, parsed.error.issues));
  return toResult(graphProblems(parsed.data, registry));
}

export function toResult(problems: Problem[]): ValidationResult {
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.filter((p) => p.severity === 'warning');
  return { valid: errors.length === 0, errors, warnings };
}

type Location = Pick<Problem, 'nodeId' | 'edgeId' | 'field'>;

function error(code: ProblemCode, message: string, where: Location = {}): Problem {
  return { code, severity: 'error', message, ...where };
}

function describeNode(node: Pick<JourneyNode, 'id' | 'type' | 'label'>): string {
  return node.label
    ? `Node "${node.id}" ("${node.label}", ${node.type})`
    : `Node "${node.id}" (${node.type})`;
}

function describeEdge(edge: JourneyEdge): string {
  return `Edge "${edge.id}" (${edge.source} → ${edge.target})`;
}

function joinPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

function shapeProblems(input: unknown, issues: z.core.$ZodIssue[]): Problem[] {
  return issues.map((issue) => {
    const field = joinPath(issue.path);
    const [collection, index] = issue.path;
    const itemId = typeof index === 'number' ? readId(input, collection, index) : undefined;
    const where: Location = field ? { field } : {};
    if (itemId !== undefined && collection === 'nodes') where.nodeId = itemId;
    if (itemId !== undefined && collection === 'edges') where.edgeId = itemId;
    const subject = where.nodeId
      ? `Node "${where.nodeId}"`
      : where.edgeId
        ? `Edge "${where.edgeId}"`
        : 'The journey';
    const at = field ? ` at "${field}"` : '';
    return error('graph_invalid', `${subject} is malformed${at}: ${issue.message}.`, where);
  });
}

function readId(input: unknown, collection: PropertyKey | undefined, index: number): string | undefined {
  if (typeof collection !== 'string' || input === null || typeof input !== 'object') return undefined;
  const items = (input as Record<string, unknown>)[collection];
  if (!Array.isArray(items)) return undefined;
  const item: unknown = items[index];
  if (item === null || typeof item !== 'object') return undefined;
  const id = (item as Record<string, unknown>).id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

interface ResolvedNode {
  node: JourneyNode;
  /** The definition for the pinned version, or the latest one; undefined when unknown. */
  definition?: AnyNodeDefinition;
  /** Undefined when the type, version or config is invalid, which skips port checks. */
  ports?: PortSpec[];
}

function graphProblems(graph: JourneyGraph, registry: NodeRegistry): Problem[] {
  const problems: Problem[] = [];
  const nodes = new Map<string, ResolvedNode>();
  const triggers: JourneyNode[] = [];

  for (const node of graph.nodes) {
    if (nodes.has(node.id)) {
      problems.push(
        error('node_id_duplicate', `${describeNode(node)} reuses an id another node already has.`, {
          nodeId: node.id,
        }),
      );
    }
    const resolved = resolveNode(node, registry, problems);
    if (!nodes.has(node.id)) nodes.set(node.id, resolved);
    if (resolved.definition?.kind === 'trigger') triggers.push(node);
  }

  if (triggers.length === 0) {
    problems.push(error('trigger_missing', 'The journey has no trigger; add one node that enters contacts.'));
  }
  for (const extra of triggers.slice(1)) {
    problems.push(
      error(
        'trigger_extra',
        `${describeNode(extra)} is a second trigger; a journey has exactly one (the first is "${triggers[0].id}").`,
        { nodeId: extra.id },
      ),
    );
  }

  const edges = edgeProblems(graph.edges, nodes, problems);
  problems.push(...reachabilityProblems(graph.nodes, triggers, edges));
  problems.push(...cycleProblems(graph.nodes, triggers, edges));
  problems.push(...unconnectedPortWarnings(nodes, edges));
  problems.push(...settingsProblems(graph.settings));
  if (triggers[0]) problems.push(...entryProblems(triggers[0], graph));
  return problems;
}

/** Entry options that only make sense with the right trigger and re-entry rule. */
function entryProblems(trigger: JourneyNode, graph: JourneyGraph): Problem[] {
  const problems: Problem[] = [];
  const { reEntry } = graph.settings;
  if (trigger.config.reenterAtExit === true && (reEntry.mode === 'never' || !reEntry.minInterval)) {
    problems.push(
      error(
        'reenter_at_exit_needs_reentry',
        'Re-entering at exit needs re-entry "after-exit" or "always" with a minimum interval, so a contact staying in the segment is not looped without pause.',
        { nodeId: trigger.id, field: 'settings.reEntry.minInterval' },
      ),
    );
  }
  const keyed = trigger.type === 'trigger.event' && typeof trigger.config.key === 'string';
  if (!keyed) {
    const matches = [
      ...(graph.settings.goal ? [['settings.goal', graph.settings.goal] as const] : []),
      ...graph.settings.exitCriteria.map((match, i) => [`settings.exitCriteria.${i}`, match] as const),
    ];
    for (const [field, match] of matches) {
      if (match.sameKey) problems.push(sameKeyWithoutKey({ field }));
    }
    for (const node of graph.nodes) {
      if (node.type === 'wait.event' && node.config.sameKey === true) {
        problems.push(sameKeyWithoutKey({ nodeId: node.id, field: 'sameKey' }));
      }
    }
  }
  return problems;
}

const sameKeyWithoutKey = (where: { nodeId?: string; field: string }) =>
  error(
    'same_key_without_key',
    '"Same key" needs an event trigger with an entry key (e.g. properties.cart_id).',
    where,
  );

function resolveNode(node: JourneyNode, registry: NodeRegistry, problems: Problem[]): ResolvedNode {
  const latest = registry.latest(node.type);
  if (!latest) {
    problems.push(
      error('node_type_unknown', `${describeNode(node)} has a type no installed node defines.`, {
        nodeId: node.id,
        field: 'type',
      }),
    );
    return { node };
  }
  const definition = node.version === undefined ? latest : registry.get(node.type, node.version);
  if (!definition) {
    const available = registry
      .versions(node.type)
      .sort((a, b) => a - b)
      .join(', ');
    problems.push(
      error(
        'node_version_unknown',
        `${describeNode(node)} is pinned to version ${node.version}, which does not exist (available: ${available}).`,
        { nodeId: node.id, field: 'version' },
      ),
    );
    // The latest definition still tells whether the node is a trigger.
    return { node, definition: latest };
  }
  const config = definition.config.safeParse(node.config);
  if (!config.success) {
    for (const issue of config.error.issues) {
      const field = joinPath(issue.path);
      const what = field ? `an invalid "${field}" setting` : 'invalid settings';
      problems.push(
        error('config_invalid', `${describeNode(node)} has ${what}: ${issue.message}.`, {
          nodeId: node.id,
          ...(field ? { field } : {}),
        }),
      );
    }
    return { node, definition };
  }
  return { node, definition, ports: portsOf(definition, config.data) };
}

/** Reports edge problems and returns the edges whose both ends exist, for the graph walks. */
function edgeProblems(
  edges: JourneyEdge[],
  nodes: Map<string, ResolvedNode>,
  problems: Problem[],
): JourneyEdge[] {
  const seenIds = new Set<string>();
  const usedPorts = new Map<string, JourneyEdge>();
  const linked: JourneyEdge[] = [];

  for (const edge of edges) {
    if (seenIds.has(edge.id)) {
      problems.push(
        error('edge_id_duplicate', `${describeEdge(edge)} reuses an id another edge already has.`, {
          edgeId: edge.id,
        }),
      );
    }
    seenIds.add(edge.id);

    const source = nodes.get(edge.source);
    const target = nodes.get(edge.target);
    for (const [end, id, found] of [
      ['source', edge.source, source],
      ['target', edge.target, target],
    ] as const) {
      if (!found) {
        problems.push(
          error(
            'edge_dangling',
            `${describeEdge(edge)} has ${end} "${id}", which is not a node of this journey.`,
            {
              edgeId: edge.id,
              field: end,
            },
          ),
        );
      }
    }
    if (!source || !target) continue;
    linked.push(edge);

    const port = edgePort(edge);
    if (source.ports && !source.ports.some((p) => p.id === port)) {
      const available = source.ports.map((p) => `"${p.id}"`).join(', ') || 'none';
      problems.push(
        error(
          'port_unknown',
          `${describeEdge(edge)} leaves ${describeNode(source.node)} by port "${port}", which it does not have (ports: ${available}).`,
          { edgeId: edge.id, nodeId: source.node.id, field: 'sourceHandle' },
        ),
      );
      continue;
    }
    const key = `${edge.source}\u0000${port}`;
    const first = usedPorts.get(key);
    if (first) {
      problems.push(
        error(
          'port_multiple_edges',
          `${describeEdge(edge)} leaves port "${port}" of ${describeNode(source.node)}, which edge "${first.id}" already leaves; a port leads to one node.`,
          { edgeId: edge.id, nodeId: source.node.id, field: 'sourceHandle' },
        ),
      );
    } else {
      usedPorts.set(key, edge);
    }

    if (target.definition?.kind === 'trigger') {
      problems.push(
        error(
          'edge_into_trigger',
          `${describeEdge(edge)} leads into ${describeNode(target.node)}, a trigger; contacts only enter a trigger from outside.`,
          { edgeId: edge.id, nodeId: target.node.id },
        ),
      );
    }
  }
  return linked;
}

function successorsOf(edges: JourneyEdge[], include: (id: string) => boolean = () => true) {
  const successors = new Map<string, string[]>();
  for (const edge of edges) {
    if (!include(edge.source) || !include(edge.target)) continue;
    const list = successors.get(edge.source) ?? [];
    list.push(edge.target);
    successors.set(edge.source, list);
  }
  return successors;
}

function reachabilityProblems(
  nodes: JourneyNode[],
  triggers: JourneyNode[],
  edges: JourneyEdge[],
): Problem[] {
  // Without a trigger everything is unreachable; trigger_missing already says why.
  if (triggers.length === 0) return [];
  const successors = successorsOf(edges);
  // Extra triggers are walked too, so their paths are not reported twice.
  const reached = new Set(triggers.map((t) => t.id));
  const queue = [...reached];
  while (queue.length > 0) {
    for (const next of successors.get(queue.shift()!) ?? []) {
      if (!reached.has(next)) {
        reached.add(next);
        queue.push(next);
      }
    }
  }
  const reported = new Set<string>();
  const problems: Problem[] = [];
  for (const node of nodes) {
    if (reached.has(node.id) || reported.has(node.id)) continue;
    reported.add(node.id);
    problems.push(
      error(
        'node_unreachable',
        `${describeNode(node)} cannot be reached from the trigger; connect it or remove it.`,
        {
          nodeId: node.id,
        },
      ),
    );
  }
  return problems;
}

/**
 * A loop with no wait in it would spin a contact through its nodes without pause. Every cycle
 * of the graph without its wait nodes is such a loop, so each strongly connected component of
 * that subgraph (or self-loop) is one problem, reported on the node whose edge closes the loop.
 */
function cycleProblems(nodes: JourneyNode[], triggers: JourneyNode[], edges: JourneyEdge[]): Problem[] {
  const byId = new Map<string, JourneyNode>();
  for (const node of nodes) if (!byId.has(node.id)) byId.set(node.id, node);
  const waitFree = (id: string) => !byId.get(id)?.type.startsWith('wait.');
  const successors = successorsOf(edges, waitFree);
  const order = [...new Set([...triggers.map((t) => t.id), ...byId.keys()])].filter(waitFree);

  const problems: Problem[] = [];
  for (const component of stronglyConnected(order, successors)) {
    const root = component[0];
    const loop = component.length > 1 || (successors.get(root) ?? []).includes(root);
    if (!loop) continue;
    const path = loopThrough(root, new Set(component), successors);
    const closer = byId.get(path[path.length - 2])!;
    problems.push(
      error(
        'cycle_without_wait',
        `${describeNode(closer)} closes a loop with no wait in it (${path.map((id) => `"${id}"`).join(' → ')}); add a wait to the loop or break it.`,
        { nodeId: closer.id },
      ),
    );
  }
  return problems;
}

/** Tarjan's algorithm, iterative; each component lists its root (first visited) first. */
function stronglyConnected(order: string[], successors: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const visit = (id: string) => {
    index.set(id, counter);
    low.set(id, counter);
    counter++;
    stack.push(id);
    onStack.add(id);
  };

  for (const start of order) {
    if (index.has(start)) continue;
    visit(start);
    const frames = [{ id: start, next: 0 }];
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const targets = successors.get(frame.id) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!index.has(target)) {
          visit(target);
          frames.push({ id: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(target)!));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        components.push(component.reverse());
      }
    }
  }
  return components;
}

/** The shortest walk from root back to itself inside one component: [root, …, closer, root]. */
function loopThrough(root: string, members: Set<string>, successors: Map<string, string[]>): string[] {
  const previous = new Map<string, string>();
  const queue = [root];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const next of successors.get(current) ?? []) {
      if (next === root) {
        const path = [root];
        for (let step = current; step !== root; step = previous.get(step)!) path.splice(1, 0, step);
        path.push(root);
        return path;
      }
      if (members.has(next) && !previous.has(next)) {
        previous.set(next, current);
        queue.push(next);
      }
    }
  }
  return [root, root];
}

function unconnectedPortWarnings(nodes: Map<string, ResolvedNode>, edges: JourneyEdge[]): Problem[] {
  const connected = new Set(edges.map((edge) => `${edge.source}\u0000${edgePort(edge)}`));
  const warnings: Problem[] = [];
  for (const { node, ports } of nodes.values()) {
    for (const port of ports ?? []) {
      if (port.whenUnconnected === 'next' || connected.has(`${node.id}\u0000${port.id}`)) continue;
      warnings.push({
        code: 'port_unconnected',
        severity: 'warning',
        message: `${describeNode(node)} has nothing connected to port "${port.id}" (${port.label}); contacts leaving by it exit the journey.`,
        nodeId: node.id,
        field: port.id,
      });
    }
  }
  return warnings;
}

function settingsProblems(settings: JourneyGraph['settings']): Problem[] {
  const problems: Problem[] = [];
  if (settings.reEntry.mode === 'always' && !settings.reEntry.minInterval) {
    problems.push(
      error(
        'reentry_interval_required',
        'Re-entry "always" needs a minimum interval between entries, so a contact cannot be looped into a message storm.',
        { field: 'settings.reEntry.minInterval' },
      ),
    );
  }
  if (settings.timezone !== undefined && !isTimeZone(settings.timezone)) {
    problems.push(
      error(
        'timezone_invalid',
        `"${settings.timezone}" is not an IANA time zone (for example "Europe/Paris" or "America/New_York").`,
        { field: 'settings.timezone' },
      ),
    );
  }
  return problems;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
