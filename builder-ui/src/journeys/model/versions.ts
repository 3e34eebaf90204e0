import { defaultValue, humanize, variantsOf } from '../../lib/schema';
import type { GraphNode, JourneyGraph, JsonSchema, NodeType, UpgradeProblem } from '../../lib/types';

/** Every installed `type@version`, and the newest version of each type (the palette's). */
export interface TypeIndex {
  latest: Map<string, NodeType>;
  byKey: Map<string, NodeType>;
  /** Installed versions of each type, ascending. */
  versions: Map<string, number[]>;
}

export function indexTypes(types: NodeType[]): TypeIndex {
  const latest = new Map<string, NodeType>();
  const byKey = new Map<string, NodeType>();
  const versions = new Map<string, number[]>();
  for (const t of types) {
    byKey.set(`${t.type}@${t.version}`, t);
    versions.set(
      t.type,
      [...(versions.get(t.type) ?? []), t.version].sort((a, b) => a - b),
    );
    const known = latest.get(t.type);
    if (!known || t.version > known.version) latest.set(t.type, t);
  }
  return { latest, byKey, versions };
}

/**
 * Where a node stands against the installed versions of its type. An unpinned node runs the
 * latest version when published, so it is current.
 */
export type VersionStatus =
  | { kind: 'current'; type: NodeType }
  | { kind: 'outdated'; type: NodeType; latest: NodeType }
  | { kind: 'missing'; version: number; latest: NodeType; installed: number[] }
  | { kind: 'unknown-type' };

export function versionStatus(index: TypeIndex, nodeType: string, version?: number): VersionStatus {
  const latest = index.latest.get(nodeType);
  if (!latest) return { kind: 'unknown-type' };
  if (version === undefined) return { kind: 'current', type: latest };
  const pinned = index.byKey.get(`${nodeType}@${version}`);
  if (!pinned) return { kind: 'missing', version, latest, installed: index.versions.get(nodeType) ?? [] };
  return pinned.version < latest.version
    ? { kind: 'outdated', type: pinned, latest }
    : { kind: 'current', type: pinned };
}

/** The node type whose schema and ports apply to a node: its pinned version, else the latest. */
export function typeOfNode(index: TypeIndex, nodeType: string, version?: number): NodeType | undefined {
  const status = versionStatus(index, nodeType, version);
  return status.kind === 'current' || status.kind === 'outdated' ? status.type : undefined;
}

/** The config problem of an upgrade check in the marketer's words. */
export function describeConfigProblem(
  problem: UpgradeProblem,
  config: Record<string, unknown>,
  to: number,
): string {
  if (!problem.field) return problem.message;
  const label = problem.field.split('.').map(humanize).join(' › ');
  if (valueAt(config, problem.field) === undefined) return `“${label}” is required by version ${to}.`;
  const detail = problem.message.replace(/^.*? is not valid for version \d+: /, '').replace(/\.$/, '');
  return `“${label}”: ${detail}.`;
}

/**
 * The config to start an upgrade from: the current values for the fields the new version still
 * has, the new version's defaults for the rest. Fields the new version dropped are left out so
 * they do not linger in the journey; unions and free-form objects keep everything.
 */
export function startingConfig(config: Record<string, unknown>, schema: JsonSchema): Record<string, unknown> {
  const defaults = (defaultValue(schema) ?? {}) as Record<string, unknown>;
  if (!schema.properties || variantsOf(schema)?.length || schema.additionalProperties) {
    return { ...defaults, ...config };
  }
  const kept = Object.fromEntries(Object.entries(config).filter(([key]) => key in schema.properties!));
  return { ...defaults, ...kept };
}

/** The upgrade check's config problems as form messages by field path ("Required" for a missing value). */
export function upgradeFieldErrors(
  problems: UpgradeProblem[],
  config: Record<string, unknown>,
): Map<string, string> {
  const errors = new Map<string, string>();
  for (const p of problems) {
    if (p.code !== 'config_invalid' || !p.field) continue;
    const missing = valueAt(config, p.field) === undefined;
    const detail = p.message.replace(/^.*? is not valid for version \d+: /, '').replace(/\.$/, '');
    errors.set(p.field, missing ? 'Required' : detail);
  }
  return errors;
}

function valueAt(value: unknown, path: string): unknown {
  let at = value;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/**
 * A node moved to another version, with its keys in the order the canvas writes them, so the
 * draft the server saved and the draft the canvas serialises compare equal.
 */
export function withVersion(
  node: GraphNode,
  version: number,
  config: Record<string, unknown> = node.config,
): GraphNode {
  const { id, type, version: _old, config: _config, ...rest } = node;
  return { id, type, version, config, ...rest };
}

/** The same change on a whole draft: one node upgraded, or the versions publishing pinned. */
export function pinNodes(
  graph: JourneyGraph,
  change: Map<string, { version: number; config?: Record<string, unknown> }>,
): JourneyGraph {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      const pin = change.get(n.id);
      return pin ? withVersion(n, pin.version, pin.config ?? n.config) : n;
    }),
  };
}

/** The versions a server-side draft pins that the local draft leaves open (after publishing). */
export function newPins(local: GraphNode[], server: GraphNode[]): Map<string, { version: number }> {
  const pins = new Map<string, { version: number }>();
  const serverById = new Map(server.map((n) => [n.id, n]));
  for (const n of local) {
    const version = serverById.get(n.id)?.version;
    if (n.version === undefined && version !== undefined && serverById.get(n.id)?.type === n.type) {
      pins.set(n.id, { version });
    }
  }
  return pins;
}
