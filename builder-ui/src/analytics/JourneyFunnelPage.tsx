import { useMemo, useState } from 'react';
import { useJourneyFunnel } from '../api/analytics';
import { useJourneys, useJourneyVersion, useJourneyVersions } from '../api/journeys';
import { downloadCsv } from '../lib/download';
import type { JourneyGraph } from '../lib/types';
import { FunnelChart, type FunnelRow, FunnelTable } from './FunnelView';

/** The nodes of a graph from its triggers outward, so the default funnel reads like the canvas. */
function nodesInFlowOrder(graph: JourneyGraph) {
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) next.set(edge.source, [...(next.get(edge.source) ?? []), edge.target]);
  const targets = new Set(graph.edges.map((e) => e.target));
  const queue = graph.nodes.filter((n) => !targets.has(n.id)).map((n) => n.id);
  const seen = new Set<string>();
  while (queue.length) {
    const id = queue.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...(next.get(id) ?? []));
  }
  const order = [...seen, ...graph.nodes.map((n) => n.id).filter((id) => !seen.has(id))];
  return order.map((id) => graph.nodes.find((n) => n.id === id)).filter((n) => n !== undefined);
}

/** A journey's own funnel from its node visits: pick the nodes, read runs and drop-off per node. */
export function JourneyFunnelPage() {
  const journeys = useJourneys().data?.filter((j) => j.activeVersion !== null) ?? [];
  const [journeyId, setJourneyId] = useState('');
  const versions = useJourneyVersions(journeyId).data ?? [];
  const [version, setVersion] = useState<number | null>(null);
  const latest = versions.reduce((max, v) => Math.max(max, v.version), 0) || null;
  const shown = useJourneyVersion(journeyId, version ?? latest).data;
  const nodes = useMemo(() => (shown ? nodesInFlowOrder(shown.graph) : []), [shown]);
  const [picked, setPicked] = useState<string[] | null>(null);
  const steps = picked ?? nodes.map((n) => n.id);
  const funnel = useJourneyFunnel();
  const name = (nodeId: string) => {
    const node = nodes.find((n) => n.id === nodeId);
    return node?.label || `${nodeId} (${node?.type ?? 'removed'})`;
  };
  const rows = funnel.data?.map((s): FunnelRow & { nodeId: string; runs: number } => ({
    ...s,
    key: s.nodeId,
    name: name(s.nodeId),
    count: s.runs,
  }));
  const choose = (id: string) => {
    setJourneyId(id);
    setVersion(null);
    setPicked(null);
    funnel.reset();
  };

  return (
    <section>
      <div className="form-row">
        <label>
          Journey
          <select name="journeyId" value={journeyId} onChange={(e) => choose(e.target.value)}>
            <option value="">Choose a published journey</option>
            {journeys.map((j) => (
              <option key={j.id} value={j.id}>
                {j.name}
              </option>
            ))}
          </select>
        </label>
        {journeyId && (
          <label>
            Version
            <select
              name="version"
              value={version ?? ''}
              onChange={(e) => {
                setVersion(e.target.value ? Number(e.target.value) : null);
                setPicked(null);
              }}
            >
              <option value="">All versions (nodes of the latest)</option>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  Version {v.version}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {nodes.length > 0 && (
        <fieldset className="node-picker">
          <legend>Funnel steps, in flow order</legend>
          {nodes.map((node) => (
            <label key={node.id} className="checkbox">
              <input
                type="checkbox"
                checked={steps.includes(node.id)}
                onChange={(e) =>
                  setPicked(
                    nodes
                      .map((n) => n.id)
                      .filter((id) => (id === node.id ? e.target.checked : steps.includes(id))),
                  )
                }
              />
              {name(node.id)}
            </label>
          ))}
        </fieldset>
      )}
      {journeyId && (
        <div className="form-row">
          <button
            type="button"
            disabled={steps.length < 2 || funnel.isPending}
            onClick={() => funnel.mutate({ journeyId, nodeIds: steps, ...(version ? { version } : {}) })}
          >
            Run funnel
          </button>
          {steps.length < 2 && <span className="muted">Pick at least two steps.</span>}
          {rows && (
            <button
              type="button"
              className="link-button"
              onClick={() =>
                downloadCsv(
                  'journey-funnel',
                  ['node', 'name', 'runs', 'conversion', 'overall_conversion', 'drop_off', 'median_seconds'],
                  rows.map((r) => [
                    r.nodeId,
                    r.name,
                    r.runs,
                    r.conversion,
                    r.overallConversion,
                    r.dropOff,
                    r.medianSeconds,
                  ]),
                )
              }
            >
              Download CSV
            </button>
          )}
        </div>
      )}
      {funnel.error && <div className="alert error">{funnel.error.message}</div>}
      {rows && (
        <>
          <FunnelChart rows={rows} countName="Runs" />
          <FunnelTable
            rows={rows}
            ariaLabel="Journey funnel"
            labels={{ step: 'Node', count: 'Runs', overall: 'Overall', medianUnit: 'minutes' }}
          />
        </>
      )}
    </section>
  );
}
