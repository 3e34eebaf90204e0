import { useEffect, useMemo, useState } from 'react';
import { ApiError } from '../../../api/client';
import { type Pickers, SchemaForm } from '../../../components/schema-form/SchemaForm';
import type { NodeType, UpgradeCheck, UpgradeProblem } from '../../../lib/types';
import { describeConfigProblem, startingConfig, upgradeFieldErrors } from '../../model/versions';
import type { FlowEdge, FlowNode } from '../context';
import type { GraphApi } from '../useGraph';

export interface UpgradeActions {
  /** Dry run against the server's draft: the problems the upgrade would have. */
  check: (nodeId: string, version: number, config: Record<string, unknown>) => Promise<UpgradeCheck>;
  /** The real upgrade: saves the draft server-side and puts the node on the new version. */
  apply: (nodeId: string, version: number, config: Record<string, unknown>) => Promise<UpgradeCheck>;
}

/**
 * Moving one node to a newer version of its type: the server checks the config against the new
 * schema and the node's connections against the new ports; the marketer fixes the config in the
 * new version's form (nothing changes on the canvas) and applies when nothing is left.
 */
export function UpgradePanel(props: {
  node: FlowNode;
  from: number | undefined;
  target: NodeType;
  edges: FlowEdge[];
  nodes: FlowNode[];
  graph: GraphApi;
  pickers: Pickers;
  actions: UpgradeActions;
  onDone: () => void;
  onCancel: () => void;
}) {
  const { node, target, actions } = props;
  const [config, setConfig] = useState(() => startingConfig(node.data.config, target.configSchema));
  const [check, setCheck] = useState<UpgradeCheck | null>(null);
  const [checking, setChecking] = useState(true);
  const [applying, setApplying] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const outgoing = props.edges.filter((e) => e.source === node.id);
  const connections = outgoing.map((e) => `${e.id}:${e.sourceHandle}`).join(',');
  const configJson = JSON.stringify(config);

  // biome-ignore lint/correctness/useExhaustiveDependencies: rechecks when the config or the node's connections change
  useEffect(() => {
    let stale = false;
    setChecking(true);
    const timer = setTimeout(async () => {
      try {
        const result = await actions.check(node.id, target.version, JSON.parse(configJson));
        if (!stale) {
          setCheck(result);
          setFailure(null);
        }
      } catch (error) {
        if (!stale) setFailure((error as Error).message);
      } finally {
        if (!stale) setChecking(false);
      }
    }, 300);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [configJson, connections, node.id, target.version, actions]);

  const problems = check?.problems ?? [];
  const fieldErrors = useMemo(() => upgradeFieldErrors(problems, config), [problems, config]);

  const apply = async () => {
    setApplying(true);
    try {
      await actions.apply(node.id, target.version, config);
      props.onDone();
    } catch (error) {
      const answer = error instanceof ApiError ? error.problems : undefined;
      if (answer && check) setCheck({ ...check, upgradable: false, problems: answer as UpgradeProblem[] });
      setFailure((error as Error).message);
      setApplying(false);
    }
  };

  const describe = (p: UpgradeProblem) => {
    if (p.code !== 'port_removed') return describeConfigProblem(p, config, target.version);
    const edge = outgoing.find((e) => `edges.${e.id}` === p.field);
    if (!edge) return p.message;
    const to = props.nodes.find((n) => n.id === edge.target);
    return `The “${edge.sourceHandle ?? 'next'}” connection to ${to?.data.label || edge.target} would disappear: version ${target.version} has no such port.`;
  };

  return (
    <div className="upgrade" data-upgrade={node.id}>
      <h3 className="panel-section">
        Upgrade to v{target.version}
        {props.from !== undefined && <span className="muted"> (from v{props.from})</span>}
      </h3>
      <p className="help">
        The form below is version {target.version}’s. Nothing changes on the canvas until you apply; published
        versions of this journey keep version {props.from ?? 'they were published with'}.
      </p>
      <div className="upgrade-check" data-testid="upgrade-check" data-state={checking ? 'checking' : 'done'}>
        {checking && !check ? (
          <span className="muted">Checking the upgrade…</span>
        ) : problems.length === 0 && !failure ? (
          <div className="upgrade-ok">
            Ready: the settings are valid for version {target.version} and every connection stays.
          </div>
        ) : (
          <ul className="problem-list compact" data-testid="upgrade-problems">
            {problems.map((p) => {
              const edge = outgoing.find((e) => `edges.${e.id}` === p.field);
              return (
                <li key={`${p.code}-${p.field}-${p.message}`} className="error" data-problem={p.code}>
                  <span>
                    {describe(p)}{' '}
                    {edge && (
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => props.graph.onEdgesChange([{ type: 'remove', id: edge.id }])}
                      >
                        Remove connection
                      </button>
                    )}
                  </span>
                </li>
              );
            })}
            {failure && problems.length === 0 && <li className="error">{failure}</li>}
          </ul>
        )}
      </div>
      <SchemaForm
        schema={target.configSchema}
        value={config}
        onChange={(next) => setConfig((next ?? {}) as Record<string, unknown>)}
        pickers={props.pickers}
        errors={fieldErrors}
      />
      <div className="panel-actions">
        <button type="button" onClick={props.onCancel} disabled={applying}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          data-testid="apply-upgrade"
          disabled={applying || checking || !check?.upgradable}
          onClick={apply}
        >
          {applying ? 'Upgrading…' : `Apply upgrade to v${target.version}`}
        </button>
      </div>
    </div>
  );
}
