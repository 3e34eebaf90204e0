import { useMemo, useState } from 'react';
import { type Pickers, SchemaForm } from '../components/SchemaForm';
import { portsOf } from '../lib/ports';
import type { NodeType, Problem } from '../lib/types';
import type { FlowEdge, FlowNode } from './context';
import type { GraphApi } from './useGraph';

/** The selected node: label, id, the form generated from its config schema, its connections and problems. */
export function NodePanel(props: {
  node: FlowNode;
  type: NodeType | undefined;
  nodes: FlowNode[];
  edges: FlowEdge[];
  problems: Problem[];
  graph: GraphApi;
  pickers: Pickers;
  readOnly: boolean;
  onClose: () => void;
}) {
  const { node, type, graph, readOnly } = props;
  const [idDraft, setIdDraft] = useState(node.id);
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
            {type?.category ?? 'Unknown'} · {type?.type ?? node.data.nodeType}
          </div>
          <h2>{type?.title ?? node.data.nodeType}</h2>
        </div>
        <button type="button" className="icon-button" title="Close" onClick={props.onClose}>
          ×
        </button>
      </div>
      {type?.description && <p className="panel-description">{type.description}</p>}
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
      {type && (
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
      {ports.length > 0 && (
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
      {props.problems.length > 0 && (
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
      {!readOnly && (
        <div className="panel-actions">
          <button type="button" className="danger" onClick={() => graph.deleteSelection()}>
            Delete node
          </button>
        </div>
      )}
    </div>
  );
}
