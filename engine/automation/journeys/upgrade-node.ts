import type { Db } from '../../../db';
import { DomainError, InvalidInput, NotFound } from '../../errors';
import { portsOf } from '../../sdk/define-node';
import type { NodeRegistry } from '../nodes/registry';
import { getJourney, getVersion, type JourneyRow, saveDraft } from './journeys';
import { type JourneyGraph, journeyGraphSchema } from './model';
import type { Plan } from './plan';
import { edgePort } from './validate';

export interface UpgradeProblem {
  code: 'config_invalid' | 'port_removed';
  message: string;
  /** The config field, or `edges.<edgeId>` for an edge leaving by a port the new version lacks. */
  field?: string;
}

export interface UpgradeRequest {
  /** The version to move to; the latest installed one when absent. */
  version?: number;
  /** A replacement config for the new version; the node's current config when absent. */
  config?: Record<string, unknown>;
  /** Check only: report problems, save nothing. */
  dryRun?: boolean;
}

export interface UpgradeCheck {
  nodeId: string;
  type: string;
  from: number;
  to: number;
  upgradable: boolean;
  problems: UpgradeProblem[];
  /** The node as it would be (or now is) in the draft. */
  node: JourneyGraph['nodes'][number];
  /** Whether the draft was saved. */
  applied: boolean;
  journey?: JourneyRow;
}

export class NodeUpgradeInvalid extends DomainError {
  constructor(nodeId: string, to: number, problems: UpgradeProblem[]) {
    super(
      'node_upgrade_invalid',
      `Node "${nodeId}" cannot move to version ${to}: ${problems.map((p) => p.message).join(' ')}`,
      'unprocessable',
      problems[0]?.field,
      { problems },
    );
  }
}

/**
 * Moves one node of a journey's draft to another installed version of its type after checking
 * its config against that version's schema and its connected ports against that version's
 * ports. Published versions keep the node version they were compiled with.
 */
export async function upgradeDraftNode(
  db: Db,
  registry: NodeRegistry,
  workspaceId: string,
  journeyId: string,
  nodeId: string,
  request: UpgradeRequest,
): Promise<UpgradeCheck> {
  const journey = await getJourney(db, workspaceId, journeyId);
  const draft = journeyGraphSchema.parse(journey.draft);
  const node = draft.nodes.find((n) => n.id === nodeId);
  if (!node) throw new NotFound('Node', nodeId);
  const latest = registry.latest(node.type);
  if (!latest) {
    throw new InvalidInput('node_type_unknown', `No installed node defines type ${node.type}`, 'type');
  }
  const from = node.version ?? (await publishedVersionOf(db, journey, nodeId)) ?? latest.version;
  const to = request.version ?? latest.version;
  const target = registry.get(node.type, to);
  if (!target) {
    const available = registry
      .versions(node.type)
      .sort((a, b) => a - b)
      .join(', ');
    throw new InvalidInput(
      'node_version_unknown',
      `${node.type} has no version ${to} (installed: ${available})`,
      'version',
    );
  }

  const config = request.config ?? node.config;
  const problems: UpgradeProblem[] = [];
  const parsed = target.config.safeParse(config);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.map(String).join('.');
      problems.push({
        code: 'config_invalid',
        message: `${field ? `"${field}"` : 'The config'} is not valid for version ${to}: ${issue.message}.`,
        ...(field ? { field } : {}),
      });
    }
  }
  // Fixed ports are known even while the config is still wrong, so the builder can show both
  // kinds of problem at once; config-dependent ports need a valid config.
  if (parsed.success || typeof target.ports !== 'function') {
    const ports = new Set(portsOf(target, parsed.data).map((p) => p.id));
    for (const edge of draft.edges.filter((e) => e.source === nodeId)) {
      const port = edgePort(edge);
      if (!ports.has(port)) {
        problems.push({
          code: 'port_removed',
          message: `Edge "${edge.id}" leaves by port "${port}", which version ${to} does not have.`,
          field: `edges.${edge.id}`,
        });
      }
    }
  }

  const upgraded = { ...node, version: to, config };
  const check: UpgradeCheck = {
    nodeId,
    type: node.type,
    from,
    to,
    upgradable: problems.length === 0,
    problems,
    node: upgraded,
    applied: false,
  };
  if (request.dryRun) return check;
  if (problems.length > 0) throw new NodeUpgradeInvalid(nodeId, to, problems);
  const nodes = draft.nodes.map((n) => (n.id === nodeId ? upgraded : n));
  const journeyRow = await saveDraft(db, workspaceId, journeyId, { ...draft, nodes });
  return { ...check, applied: true, journey: journeyRow };
}

/** An unpinned draft node runs, in the live journey, the version its active plan pinned. */
async function publishedVersionOf(db: Db, journey: JourneyRow, nodeId: string): Promise<number | undefined> {
  if (journey.activeVersion === null) return undefined;
  const active = await getVersion(db, journey.workspaceId, journey.id, journey.activeVersion);
  return (active.plan as unknown as Plan).nodes[nodeId]?.version;
}
