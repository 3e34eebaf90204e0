import { useEffect, useState } from 'react';
import { useJourneyDiff } from '../../../api/journeys';
import type { KeyedStore } from '../../../lib/store';
import type { JourneyVersion } from '../../../lib/types';
import type { DiffMark } from '../context';
import '../lifecycle.css';

/** Two versions to compare: a version number or `draft` each. */
export interface Compare {
  from: string;
  to: string;
}

const show = (value: unknown) => (value === undefined ? '—' : JSON.stringify(value));
const refLabel = (ref: string) => (ref === 'draft' ? 'the draft' : `version ${ref}`);

/**
 * Pick two versions (or a version and the draft): the later one opens on the canvas with added
 * nodes in green and changed ones in amber; removed nodes, rewired edges and changed fields are
 * listed here.
 */
export function VersionDiffView(props: {
  journeyId: string;
  versions: JourneyVersion[];
  activeVersion: number | null;
  diffStore: KeyedStore<DiffMark>;
  compare: Compare | null;
  onCompare: (compare: Compare | null) => void;
  onView: (version: number | null) => void;
}) {
  const { versions, diffStore, compare: shown } = props;
  const defaultFrom = String(props.activeVersion ?? versions[0]?.version ?? '');
  const [from, setFrom] = useState(shown?.from ?? defaultFrom);
  const [to, setTo] = useState(shown?.to ?? 'draft');
  const diff = useJourneyDiff(props.journeyId, shown?.from ?? null, shown?.to ?? null);

  useEffect(() => {
    const marks = new Map<string, DiffMark>();
    if (diff.data && shown) {
      for (const node of diff.data.nodes.added) marks.set(node.id, 'added');
      for (const node of diff.data.nodes.changed) marks.set(node.id, 'changed');
    }
    diffStore.replace(marks);
  }, [diff.data, shown, diffStore]);

  const options = [
    <option key="draft" value="draft">
      Draft
    </option>,
    ...versions.map((v) => (
      <option key={v.version} value={String(v.version)}>
        Version {v.version}
      </option>
    )),
  ];
  const data = diff.data;
  return (
    <div className="version-diff" data-testid="version-diff">
      <h3 className="panel-section">Compare versions</h3>
      <div className="diff-compare">
        <select aria-label="Compare from" value={from} onChange={(e) => setFrom(e.target.value)}>
          {options}
        </select>
        <span>→</span>
        <select aria-label="Compare to" value={to} onChange={(e) => setTo(e.target.value)}>
          {options}
        </select>
        <button
          type="button"
          className="button"
          disabled={from === '' || from === to}
          onClick={() => {
            props.onCompare({ from, to });
            props.onView(to === 'draft' ? null : Number(to));
          }}
        >
          Show diff
        </button>
        {shown && (
          <button type="button" className="link-button" onClick={() => props.onCompare(null)}>
            Clear
          </button>
        )}
      </div>
      {diff.isError && <p className="error-text">{(diff.error as Error).message}</p>}
      {shown && data && (
        <div data-testid="diff-result">
          <p className="diff-legend muted">
            From {refLabel(shown.from)} to {refLabel(shown.to)} (shown on the canvas):{' '}
            <span className="added">■ added</span> <span className="changed">■ changed</span>{' '}
            <span className="removed">■ removed</span>
          </p>
          {data.same && <p className="muted">No changes.</p>}
          <ul className="diff-list">
            {data.nodes.added.map((n) => (
              <li key={`a-${n.id}`} className="added" data-diff-item="added">
                + {n.label ?? n.id} <span className="muted">({n.type})</span>
              </li>
            ))}
            {data.nodes.removed.map((n) => (
              <li key={`r-${n.id}`} className="removed" data-diff-item="removed">
                − {n.label ?? n.id} <span className="muted">({n.type})</span>
              </li>
            ))}
            {data.nodes.changed.map((n) => (
              <li key={`c-${n.id}`} className="changed" data-diff-item="changed">
                ~ {n.label ?? n.id}
                <ul>
                  {n.fields.map((f) => (
                    <li key={f.path}>
                      <code>{f.path}</code>: {show(f.before)} → {show(f.after)}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
            {data.edges.rewired.map((e) => (
              <li key={`w-${e.source}-${e.port}`} className="changed" data-diff-item="rewired">
                ↷ {e.source} ({e.port}): {e.before} → {e.after}
              </li>
            ))}
            {data.edges.added.map((e) => (
              <li key={`ea-${e.source}-${e.port}`} className="added" data-diff-item="edge-added">
                + edge {e.source} ({e.port}) → {e.target}
              </li>
            ))}
            {data.edges.removed.map((e) => (
              <li key={`er-${e.source}-${e.port}`} className="removed" data-diff-item="edge-removed">
                − edge {e.source} ({e.port}) → {e.target}
              </li>
            ))}
            {data.settings.map((f) => (
              <li key={`s-${f.path}`} className="changed" data-diff-item="setting">
                ~ <code>{f.path}</code>: {show(f.before)} → {show(f.after)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
