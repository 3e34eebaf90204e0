import { useMemo, useState } from 'react';
import { type Pickers, SchemaForm } from '../../../components/schema-form/SchemaForm';
import type { Problem } from '../../../lib/types';
import { portsOf } from '../../model/ports';
import { type TypeIndex, versionStatus } from '../../model/versions';
import type { FlowEdge, FlowNode } from '../context';
import type { GraphApi } from '../useGraph';
import { SplitReportView } from './SplitReportView';
import { type UpgradeActions, UpgradePanel } from './UpgradePanel';

/** The selected node: label, id, the form generated from its config schema, its connections and problems. */
export function NodePanel(props: {
  node: FlowNode;
  typeIndex: TypeIndex;
  upgrades: UpgradeActions;
  nodes: FlowNode[];
  edges: FlowEdge[];
  problems: Problem[];
  graph: GraphApi;
  pickers: Pickers;
  readOnly: boolean;
  onClose: () => void;
  /** A published journey's split shows its A/B results. */
  journeyId?: string;
  published?: boolean;
}) {
  const { node, graph, readOnly } = props;
  const [idDraft, setIdDraft] = useState(node.id);
  const [upgrading, setUpgrading] = useState(false);
  const status = versionStatus(props.typeIndex, node.data.nodeType, node.data.version);
  // The pinned version's schema and ports; none when that version is not installed.
  const type = status.kind === 'current' || status.kind === 'outdated' ? status.type : undefined;
  const latest = status.kind === 'outdated' || status.kind === 'missing' ? status.latest : undefined;
  const shown = type ?? latest;
  const errors = useMemo(() => {
    const map = new Map<string, string>();
    for (const p of props.problems) {
      if (!p.field || p.code !== 'config_invalid') continue;
      const detail = p.message.replace(/^.*? setting: /, '').replace(/\.$/, '');
      map.set(p.field, /received undefined/.test(detail) ? 'Required' : detail);
    }
    return map;
  }, [props.problems]);
  const ports = portsOf(type, node.data.config, props.edges, node.id);
  const outgoing = props.edges.filter((e) => e.source === node.id);
  const targets = props.nodes.filter((n) => n.id !== node.id && n.data.nodeType.split('.')[0] !== 'trigger');

  return (
    <div className="panel node-panel" data-node-panel={node.id}>
      <div className="panel-head">
        <div>
          <div className="panel-kicker">
            {shown?.category ?? 'Unknown'} · {shown?.type ?? node.data.nodeType}
            {node.data.version !== undefined &&
              (status.kind !== 'current' ||
                (props.typeIndex.versions.get(node.data.nodeType)?.length ?? 0) > 1) &&
              ` · v${node.data.version}`}
          </div>
          <h2>{shown?.title ?? node.data.nodeType}</h2>
        </div>
        <button type="button" className="icon-button" title="Close" onClick={props.onClose}>
          ×
        </button>
      </div>
      {shown?.description && <p className="panel-description">{shown.description}</p>}
      {status.kind === 'missing' && (
        <div className="version-note error" data-testid="version-missing">
          This node is pinned to version {status.version} of {status.latest.type}, which is not installed on
          this server (installed: {status.installed.map((v) => `v${v}`).join(', ')}). It cannot be published
          or edited until it moves to an installed version.
        </div>
      )}
      {status.kind === 'outdated' && !upgrading && (
        <div className="version-note" data-testid="update-available">
          Version {status.latest.version} of {status.latest.title} is available; this node uses version{' '}
          {status.type.version}.
        </div>
      )}
      {latest && !readOnly && !upgrading && (
        <button type="button" className="primary upgrade-button" onClick={() => setUpgrading(true)}>
          Upgrade to v{latest.version}
        </button>
      )}
      {latest && upgrading && (
        <UpgradePanel
          node={node}
          from={node.data.version}
          target={latest}
          edges={props.edges}
          nodes={props.nodes}
          graph={graph}
          pickers={props.pickers}
          actions={props.upgrades}
          onDone={() => setUpgrading(false)}
          onCancel={() => setUpgrading(false)}
        />
      )}
      <div className="field">
        <label htmlFor="node-label">Label</label>
        <input
          id="node-label"
          name="label"
          readOnly={readOnly}
          value={node.data.label ?? ''}
          placeholder={type?.title}
          onChange={(e) => graph.updateNode(node.id, { label: e.target.value || undefined })}
        />
      </div>
      <div className="field">
        <label htmlFor="node-id">Node id</label>
        <input
          id="node-id"
          name="nodeId"
          readOnly={readOnly}
          value={idDraft}
          onChange={(e) => setIdDraft(e.target.value.replace(/[^A-Za-z0-9_-]/g, '-'))}
          onBlur={() => (idDraft !== node.id ? graph.renameNode(node.id, idDraft) : undefined)}
        />
        <div className="help">Used in counts, paths and edges; letters, digits, “-” and “_”.</div>
      </div>
      {type && !upgrading && (
        <>
          <h3 className="panel-section">Settings</h3>
          <SchemaForm
            schema={type.configSchema}
            value={node.data.config}
            onChange={(config) =>
              graph.updateNode(node.id, { config: (config ?? {}) as Record<string, unknown> })
            }
            pickers={props.pickers}
            readOnly={readOnly}
            errors={errors}
          />
        </>
      )}
      {ports.length > 0 && !upgrading && (
        <>
          <h3 className="panel-section">Connections</h3>
          {ports.map((port) => {
            const edge = outgoing.find((e) => (e.sourceHandle ?? 'next') === port.id);
            return (
              <div className="field field-inline" key={port.id}>
                <label htmlFor={`port-${port.id}`}>{port.label} →</label>
                <select
                  id={`port-${port.id}`}
                  name={`port.${port.id}`}
                  disabled={readOnly}
                  value={edge?.target ?? ''}
                  onChange={(e) =>
                    e.target.value
                      ? graph.connect(
                          {
                            source: node.id,
                            sourceHandle: port.id,
                            target: e.target.value,
                            targetHandle: null,
                          },
                          edge,
                        )
                      : edge && graph.onEdgesChange([{ type: 'remove', id: edge.id }])
                  }
                >
                  <option value="">
                    {port.whenUnconnected === 'next' ? '(continue by Next)' : '(exit the journey)'}
                  </option>
                  {targets.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.data.label || t.id}
                    </option>
                  ))}
                </select>
              </div>
            );
          })}
        </>
      )}
      {props.journeyId && props.published && node.data.nodeType === 'split.random' && !upgrading && (
        <SplitReportView journeyId={props.journeyId} nodeId={node.id} />
      )}
      {props.problems.length > 0 && !upgrading && (
        <>
          <h3 className="panel-section">Problems</h3>
          <ul className="problem-list compact">
            {props.problems.map((p) => (
              <li key={`${p.code}-${p.field}-${p.message}`} className={p.severity}>
                {p.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {!readOnly && !upgrading && (
        <div className="panel-actions">
          <button type="button" className="danger" onClick={() => graph.deleteSelection()}>
            Delete node
          </button>
        </div>
      )}
    </div>
  );
}
