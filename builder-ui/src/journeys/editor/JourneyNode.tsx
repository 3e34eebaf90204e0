import { Handle, type NodeProps, Position, useStore } from '@xyflow/react';
import { memo, useMemo } from 'react';
import { formatOffset } from '../../lib/format';
import { useKeyed } from '../../lib/store';
import type { NodeCounts, NodeType, Problem } from '../../lib/types';
import { portsOf } from '../model/ports';
import { summarize } from '../model/summary';
import { type VersionStatus, versionStatus } from '../model/versions';
import { drawnInFull, type FlowNode, useEditor } from './context';

const kindIcon: Record<string, string> = { trigger: '⚡', control: '◆', action: '▶' };

function categoryClass(category: string | undefined): string {
  return `cat-${(category ?? 'other').toLowerCase().replace(/[^a-z]+/g, '-')}`;
}

/**
 * One journey node: title, summary, live counts, problems, and one labelled handle per port.
 * Zoomed out below readable text, or outside the view, it draws in outline (the title and the
 * entered count large, no other text), at the same size; a card on the simulated path keeps its
 * steps at every zoom.
 */
function JourneyNodeView({ id, data, selected }: NodeProps<FlowNode>) {
  const { typeIndex, counts, problems, simulation, diff, showCounts } = useEditor();
  const full = useStore(useMemo(() => drawnInFull(id), [id]));
  const status = versionStatus(typeIndex, data.nodeType, data.version);
  // The pinned version decides ports and kind; a missing version shows the latest's title.
  const type = status.kind === 'current' || status.kind === 'outdated' ? status.type : undefined;
  const shown = status.kind === 'missing' ? status.latest : type;
  const nodeCounts = useKeyed(counts, id);
  const nodeProblems = useKeyed(problems, id);
  const marks = useKeyed(simulation, id);
  const diffMark = useKeyed(diff, id);
  const ports = portsOf(type, data.config);
  const errors = nodeProblems?.filter((p) => p.severity === 'error') ?? [];
  const warnings = nodeProblems?.filter((p) => p.severity === 'warning') ?? [];
  const outline = !full && !marks;
  const title = data.label || shown?.title || data.nodeType;
  const portCounts = showCounts ? nodeCounts?.ports : undefined;
  const classes = [
    'jn',
    `kind-${shown?.kind ?? 'unknown'}`,
    categoryClass(shown?.category),
    selected ? 'selected' : '',
    errors.length ? 'has-errors' : warnings.length ? 'has-warnings' : '',
    marks ? 'on-path' : '',
    diffMark ? `diff-${diffMark}` : '',
    outline ? 'outline' : '',
  ];
  return (
    <div
      className={classes.filter(Boolean).join(' ')}
      data-node-type={data.nodeType}
      data-node-version={data.version ?? ''}
      data-diff={diffMark ?? undefined}
      title={outline ? title : undefined}
    >
      {shown?.kind !== 'trigger' && <Handle type="target" position={Position.Top} className="jn-in" />}
      {outline ? (
        <div className="jn-outline">{title}</div>
      ) : (
        <CardHead
          data={data}
          title={title}
          shown={shown}
          status={status}
          errors={errors}
          warnings={warnings}
        />
      )}
      {showCounts &&
        (outline ? (
          <div className="jn-counts" title="Entered this node">
            <b className="jn-outline-count">{(nodeCounts?.entered ?? 0).toLocaleString()}</b>
          </div>
        ) : (
          <div className="jn-counts" title="Entered this node / waiting here now">
            <span>
              <b data-count="entered">{nodeCounts?.entered ?? 0}</b> entered
            </span>
            {(nodeCounts?.waiting ?? 0) > 0 && (
              <span>
                <b data-count="waiting">{nodeCounts?.waiting}</b> waiting
              </span>
            )}
          </div>
        ))}
      {showCounts &&
        nodeCounts?.messages &&
        (outline ? <div className="jn-counts" /> : <MessageStatsLine stats={nodeCounts.messages} />)}
      {marks && (
        <div className="jn-sim" title="Simulated path">
          {marks.map((m) => (
            <span key={m.order} className="jn-step">
              <b>{m.order}</b> {m.atMs < 1000 ? 'at start' : formatOffset(m.atMs)}
            </span>
          ))}
        </div>
      )}
      {ports.length > 0 && (
        <div
          className={ports.some((p) => portCounts?.[p.id] !== undefined) ? 'jn-ports counted' : 'jn-ports'}
        >
          {ports.map((port) => (
            <div className="jn-port" key={port.id} data-port={port.id}>
              {!outline && <span className="jn-port-label">{port.label}</span>}
              {!outline && portCounts?.[port.id] !== undefined && (
                <span className="jn-port-count" data-port-count={port.id}>
                  {portCounts[port.id]}
                </span>
              )}
              <Handle type="source" position={Position.Bottom} id={port.id} className="jn-out" />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

/** The full card's head and summary: icon, title, type and version, update mark, problem badge. */
function CardHead(props: {
  data: FlowNode['data'];
  title: string;
  /** The type the card shows: the pinned version's, or the latest when that version is missing. */
  shown: NodeType | undefined;
  status: VersionStatus;
  errors: Problem[];
  warnings: Problem[];
}) {
  const { data, shown, status, errors, warnings } = props;
  const { typeIndex } = useEditor();
  return (
    <>
      <div className="jn-head">
        <span className="jn-icon">{kindIcon[shown?.kind ?? ''] ?? '?'}</span>
        <div className="jn-titles">
          <div className="jn-title">{props.title}</div>
          <div className="jn-type">
            {shown?.title ?? `Unknown type ${data.nodeType}`}
            {data.version !== undefined && (typeIndex.versions.get(data.nodeType)?.length ?? 0) > 1 && (
              <span className="jn-version"> v{data.version}</span>
            )}
          </div>
        </div>
        {status.kind === 'outdated' && (
          <span
            className="jn-update"
            data-testid="update-available"
            title={`Update available: version ${status.latest.version} (this node uses ${status.type.version})`}
          >
            ↑ v{status.latest.version}
          </span>
        )}
        {status.kind === 'missing' && (
          <span
            className="jn-update missing"
            data-testid="version-missing"
            title={`Version ${status.version} is not installed (installed: ${status.installed.join(', ')})`}
          >
            v{status.version} missing
          </span>
        )}
        {errors.length > 0 && (
          <span className="jn-badge error" title={errors.map((p) => p.message).join('\n')}>
            {errors.length}
          </span>
        )}
        {errors.length === 0 && warnings.length > 0 && (
          <span className="jn-badge warning" title={warnings.map((p) => p.message).join('\n')}>
            !
          </span>
        )}
      </div>
      <div className="jn-summary">{summarize(data.nodeType, data.config) || '\u00a0'}</div>
    </>
  );
}

/**
 * Re-rendered only when what it shows changes: React Flow also passes the node's measured size,
 * absolute position and drag state, which change for all 300 nodes of a large journey when they
 * are first measured (and for a dragged node on every move) but never change the card.
 */
export const JourneyNode = memo(
  JourneyNodeView,
  (before, after) =>
    before.id === after.id && before.data === after.data && before.selected === after.selected,
);

const percent = (rate: number) => `${Math.round(rate * 100)}%`;

/** A send node's messages: how many went out, and the share delivered, opened, clicked, converted. */
function MessageStatsLine({ stats }: { stats: NonNullable<NodeCounts['messages']> }) {
  return (
    <div
      className="jn-counts jn-messages"
      data-testid="message-stats"
      title={`Sent ${stats.sent}: delivered ${stats.delivered}, opened ${stats.opened}, clicked ${stats.clicked}, unsubscribed ${stats.unsubscribed}, bounced ${stats.bounced}, converted ${stats.converted}`}
    >
      <span>
        <b data-count="sent">{stats.sent}</b> sent
      </span>
      <span>
        <b>{percent(stats.rates.opened)}</b> opened
      </span>
      <span>
        <b>{percent(stats.rates.clicked)}</b> clicked
      </span>
      <span>
        <b>{percent(stats.rates.converted)}</b> conv.
      </span>
    </div>
  );
}
