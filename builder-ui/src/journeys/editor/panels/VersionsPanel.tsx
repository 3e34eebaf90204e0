import { useJourneyVersions } from '../../../api/journeys';
import { formatDate } from '../../../lib/format';
import type { KeyedStore } from '../../../lib/store';
import type { DiffMark, FlowNode, SimulationMark } from '../context';
import { ReplayView } from './ReplayView';
import { TimingView } from './TimingView';
import { type Compare, VersionDiffView } from './VersionDiffView';

/** Published versions, newest first; each opens read-only on the canvas. */
export function VersionsPanel(props: {
  journeyId: string;
  activeVersion: number | null;
  viewing: number | null;
  onView: (version: number | null) => void;
  onClose: () => void;
  diffStore: KeyedStore<DiffMark>;
  compare: Compare | null;
  onCompare: (compare: Compare | null) => void;
  replay?: { nodes: FlowNode[]; store: KeyedStore<SimulationMark[]> };
}) {
  const versions = useJourneyVersions(props.journeyId).data;
  return (
    <div className="panel versions-panel" data-testid="versions-panel">
      <div className="panel-head">
        <div>
          <div className="panel-kicker">Lifecycle</div>
          <h2>Version history</h2>
        </div>
        <button type="button" className="icon-button" title="Close" onClick={props.onClose}>
          ×
        </button>
      </div>
      <ul className="version-list">
        <li className={props.viewing === null ? 'current' : ''}>
          <button type="button" className="link-button" onClick={() => props.onView(null)}>
            <b>Draft</b> <span className="muted">editable; runs are unaffected until published</span>
          </button>
        </li>
        {versions === undefined && <li className="muted">Loading…</li>}
        {versions?.length === 0 && <li className="muted">Not published yet.</li>}
        {versions?.map((v) => (
          <li key={v.version} className={props.viewing === v.version ? 'current' : ''}>
            <button type="button" className="link-button" onClick={() => props.onView(v.version)}>
              <b>Version {v.version}</b>
              {v.version === props.activeVersion && <span className="badge status-active">active</span>}
              <span className="muted"> {formatDate(v.publishedAt)}</span>
            </button>
            {v.note && <div className="version-note">{v.note}</div>}
          </li>
        ))}
      </ul>
      {props.activeVersion !== null && props.replay && (
        <ReplayView journeyId={props.journeyId} nodes={props.replay.nodes} store={props.replay.store} />
      )}
      {props.activeVersion !== null && (
        <TimingView
          journeyId={props.journeyId}
          version={props.viewing ?? props.activeVersion}
          heatStore={props.diffStore}
        />
      )}
      {versions && versions.length > 0 && (
        <VersionDiffView
          journeyId={props.journeyId}
          versions={versions}
          activeVersion={props.activeVersion}
          diffStore={props.diffStore}
          compare={props.compare}
          onCompare={props.onCompare}
          onView={props.onView}
        />
      )}
    </div>
  );
}
