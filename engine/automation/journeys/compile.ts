import { createHash } from 'node:crypto';
import { portsOf } from '../../sdk/define-node';
import type { NodeRegistry } from '../nodes/registry';
import { type JourneyGraph, journeyGraphSchema } from './model';
import { PLAN_VERSION, type Plan, type PlanNode } from './plan';
import { edgePort, type Problem, validateJourney } from './validate';

/** A graph that cannot be published; `problems` lists every error, each naming its node or field. */
export class JourneyInvalid extends Error {
  readonly code = 'journey_invalid';

  constructor(readonly problems: Problem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`The journey has ${count}: ${problems.map((p) => p.message).join(' ')}`);
    this.name = 'JourneyInvalid';
  }
}

/** Validates a draft and turns it into the immutable plan a run interprets. */
export function compileJourney(input: unknown, registry: NodeRegistry): { graph: JourneyGraph; plan: Plan } {
  const result = validateJourney(input, registry);
  if (!result.valid) throw new JourneyInvalid(result.errors);
  const graph = journeyGraphSchema.parse(input);

  const targets = new Map<string, string>();
  for (const edge of graph.edges) targets.set(portKey(edge.source, edgePort(edge)), edge.target);

  const nodes: Record<string, PlanNode> = {};
  let trigger: string | undefined;
  for (const node of graph.nodes) {
    // Validation guarantees the definition exists and the config parses.
    const definition = registry.get(node.type, node.version)!;
    const config = definition.config.parse(node.config) as Record<string, unknown>;
    const targetOf = (port: string) => targets.get(portKey(node.id, port)) ?? null;
    const next: Record<string, string | null> = {};
    for (const port of portsOf(definition, config)) {
      next[port.id] = targetOf(port.id) ?? (port.whenUnconnected === 'next' ? targetOf('next') : null);
    }
    nodes[node.id] = {
      id: node.id,
      type: node.type,
      version: definition.version,
      kind: definition.kind,
      config,
      next,
    };
    if (definition.kind === 'trigger') trigger = node.id;
  }

  const plan: Plan = {
    planVersion: PLAN_VERSION,
    contentHash: contentHash(graph, nodes),
    trigger: trigger!,
    nodes,
    settings: graph.settings,
  };
  return { graph, plan };
}

function portKey(nodeId: string, port: string): string {
  return `${nodeId}\u0000${port}`;
}

/** Only what changes how a run behaves is hashed: not positions, labels, names or edge ids. */
function contentHash(graph: JourneyGraph, nodes: Record<string, PlanNode>): string {
  const canonical = {
    nodes: Object.values(nodes)
      .map(({ id, type, version, config }) => ({ id, type, version, config }))
      .sort((a, b) => compareStrings(a.id, b.id)),
    edges: graph.edges
      .map((edge) => ({ source: edge.source, sourceHandle: edgePort(edge), target: edge.target }))
      .sort(
        (a, b) =>
          compareStrings(a.source, b.source) ||
          compareStrings(a.sourceHandle, b.sourceHandle) ||
          compareStrings(a.target, b.target),
      ),
    settings: graph.settings,
  };
  return createHash('sha256').update(canonicalJson(canonical)).digest('hex');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted at every depth, so key order in the input never changes the hash. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, current: unknown) =>
    current !== null && typeof current === 'object' && !Array.isArray(current)
      ? Object.fromEntries(
          Object.entries(current as Record<string, unknown>).sort(([a], [b]) => compareStrings(a, b)),
        )
      : current,
  );
}
