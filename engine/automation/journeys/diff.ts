import type { JourneyGraphInput } from './model';

/** One field that differs, by its dotted path (`config.duration.amount`, `label`). */
export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface NodeSummary {
  id: string;
  type: string;
  label?: string;
}

export interface NodeChange extends NodeSummary {
  fields: FieldChange[];
}

/** An edge by where it leaves from: a node's port. */
export interface EdgeSummary {
  source: string;
  port: string;
  target: string;
}

export interface EdgeRewire {
  source: string;
  port: string;
  before: string;
  after: string;
}

export interface JourneyDiff {
  nodes: { added: NodeSummary[]; removed: NodeSummary[]; changed: NodeChange[] };
  edges: { added: EdgeSummary[]; removed: EdgeSummary[]; rewired: EdgeRewire[] };
  settings: FieldChange[];
  /** Nothing differs but positions. */
  same: boolean;
}

type Graphish = Pick<JourneyGraphInput, 'nodes' | 'edges'> & { settings?: unknown; name?: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Leaf-by-leaf differences of two JSON values; arrays compare whole. */
export function fieldChanges(before: unknown, after: unknown, prefix = ''): FieldChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => fieldChanges(before[key], after[key], prefix ? `${prefix}.${key}` : key));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const change: FieldChange = { path: prefix };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  return [change];
}

const summary = (node: Graphish['nodes'][number]): NodeSummary => ({
  id: node.id,
  type: node.type,
  ...(node.label ? { label: node.label } : {}),
});

function edgesBySource(graph: Graphish): Map<string, EdgeSummary> {
  const edges = new Map<string, EdgeSummary>();
  for (const edge of graph.edges) {
    const port = edge.sourceHandle ?? 'next';
    edges.set(`${edge.source}\u0000${port}`, { source: edge.source, port, target: edge.target });
  }
  return edges;
}

/**
 * What changed from one journey graph to another: nodes added, removed and changed (each
 * changed field with its old and new value; positions are ignored), edges added, removed and
 * rewired (the same port of the same node now leading elsewhere), and settings by field.
 */
export function diffJourneys(from: Graphish, to: Graphish): JourneyDiff {
  const before = new Map(from.nodes.map((n) => [n.id, n]));
  const after = new Map(to.nodes.map((n) => [n.id, n]));
  const added = to.nodes.filter((n) => !before.has(n.id)).map(summary);
  const removed = from.nodes.filter((n) => !after.has(n.id)).map(summary);
  const changed: NodeChange[] = [];
  for (const node of to.nodes) {
    const old = before.get(node.id);
    if (!old) continue;
    const fields = [
      ...fieldChanges(old.type, node.type, 'type'),
      // No version means the latest: only two pinned versions can differ.
      ...(old.version !== undefined && node.version !== undefined
        ? fieldChanges(old.version, node.version, 'version')
        : []),
      ...fieldChanges(old.label, node.label, 'label'),
      ...fieldChanges(old.config ?? {}, node.config ?? {}, 'config'),
    ];
    if (fields.length > 0) changed.push({ ...summary(node), fields });
  }

  const oldEdges = edgesBySource(from);
  const newEdges = edgesBySource(to);
  const edgeAdded: EdgeSummary[] = [];
  const rewired: EdgeRewire[] = [];
  for (const [key, edge] of newEdges) {
    const old = oldEdges.get(key);
    if (!old) edgeAdded.push(edge);
    else if (old.target !== edge.target) {
      rewired.push({ source: edge.source, port: edge.port, before: old.target, after: edge.target });
    }
  }
  const edgeRemoved = [...oldEdges].filter(([key]) => !newEdges.has(key)).map(([, edge]) => edge);
  const settings = [
    ...fieldChanges(from.name, to.name, 'name'),
    ...fieldChanges(from.settings ?? {}, to.settings ?? {}, 'settings'),
  ];
  return {
    nodes: { added, removed, changed },
    edges: { added: edgeAdded, removed: edgeRemoved, rewired },
    settings,
    same:
      added.length +
        removed.length +
        changed.length +
        edgeAdded.length +
        edgeRemoved.length +
        rewired.length ===
        0 && settings.length === 0,
  };
}
