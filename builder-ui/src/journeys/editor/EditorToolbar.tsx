import { Link } from 'react-router';
import type { LifecycleAction } from '../../api/journeys';
import { useCan } from '../../api/session';
import { percent } from '../../lib/format';
import type { Journey, JourneyCounts } from '../../lib/types';
import type { SaveState } from './useAutosave';
import type { GraphApi } from './useGraph';

export type SidePanel = 'selection' | 'simulate' | 'versions';

const saveLabel: Record<SaveState, string> = {
  saved: 'Draft saved',
  saving: 'Saving…',
  unsaved: 'Unsaved changes',
  error: 'Save failed',
};

/** The editor's header: title and state, live totals, and the journey's actions. */
export function EditorToolbar(props: {
  journey: Journey;
  title: string;
  readOnly: boolean;
  saveState: SaveState;
  counts: JourneyCounts | null;
  countsVersion: number | null;
  graph: GraphApi;
  onLayout: () => void;
  side: SidePanel;
  onSide: (side: SidePanel) => void;
  onExport: () => void;
  onLifecycle: (action: LifecycleAction) => void;
  canPublish: boolean;
  hasErrors: boolean;
  onPublish: () => void;
}) {
  const { journey, readOnly, graph, counts, side } = props;
  const mayEdit = useCan()('journeys:write');
  const toggle = (panel: SidePanel) => props.onSide(side === panel ? 'selection' : panel);
  return (
    <header className="editor-bar">
      <Link className="back" to="/journeys" title="All journeys">
        ←
      </Link>
      <div className="editor-title">
        <h1>{props.title || 'Untitled journey'}</h1>
        <span className={`badge status-${journey.status}`}>{journey.status}</span>
        {journey.activeVersion !== null && <span className="muted">v{journey.activeVersion} live</span>}
        {!readOnly && (
          <span className={`save-state ${props.saveState}`} data-save-state={props.saveState}>
            {saveLabel[props.saveState]}
          </span>
        )}
      </div>
      {counts && (
        <div
          className="journey-stats"
          title={`Counts of version ${props.countsVersion}, refreshed every few seconds`}
        >
          <span>
            <b data-stat="entered">{counts.entered}</b> entered
          </span>
          <span>
            <b>{counts.running}</b> in journey
          </span>
          <span>
            <b>{counts.converted}</b> converted ({percent(counts.conversionRate)})
          </span>
          {counts.keys > 0 && (
            <span title="Distinct entry keys: a keyed trigger runs once per key">
              <b data-stat="keys">{counts.keys}</b> keys
            </span>
          )}
        </div>
      )}
      <div className="editor-actions">
        {!readOnly && (
          <>
            <button type="button" title="Undo (Ctrl+Z)" disabled={!graph.canUndo} onClick={graph.undo}>
              ↶
            </button>
            <button type="button" title="Redo (Ctrl+Shift+Z)" disabled={!graph.canRedo} onClick={graph.redo}>
              ↷
            </button>
            <button type="button" title="Arrange the nodes top to bottom" onClick={props.onLayout}>
              Auto-layout
            </button>
          </>
        )}
        <button type="button" onClick={props.onExport}>
          Export
        </button>
        <button
          type="button"
          className={side === 'versions' ? 'active' : ''}
          onClick={() => toggle('versions')}
        >
          History
        </button>
        <button
          type="button"
          className={side === 'simulate' ? 'active' : ''}
          onClick={() => toggle('simulate')}
        >
          Simulate
        </button>
        {mayEdit && journey.status === 'active' && (
          <button type="button" onClick={() => props.onLifecycle('pause')}>
            Pause
          </button>
        )}
        {mayEdit && journey.status === 'paused' && (
          <button type="button" onClick={() => props.onLifecycle('resume')}>
            Resume
          </button>
        )}
        {!readOnly && (
          <button
            type="button"
            className="primary"
            data-testid="publish"
            disabled={!props.canPublish}
            title={
              props.canPublish
                ? 'Publish the draft as a new version'
                : props.hasErrors
                  ? 'Fix the errors first'
                  : 'Checking the draft…'
            }
            onClick={props.onPublish}
          >
            Publish
          </button>
        )}
      </div>
    </header>
  );
}
