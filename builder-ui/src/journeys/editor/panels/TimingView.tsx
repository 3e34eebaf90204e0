import { useEffect, useRef, useState } from 'react';
import { useJourneyTiming } from '../../../api/journeys';
import type { KeyedStore } from '../../../lib/store';
import type { DiffMark } from '../context';

/** 1234 ms → "1.2 s", 90 000 ms → "1.5 min", and so on. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

const deferralKinds = [
  ['quietHours', 'quiet hours'],
  ['frequencyCap', 'frequency cap'],
  ['other', 'rate limit / other'],
] as const;

/**
 * Where time goes in a version: a table of median and p95 time per node (sends: due → sent,
 * deferred ones apart) and, on demand, a heat overlay on the canvas (the slowest third hot).
 */
export function TimingView(props: {
  journeyId: string;
  version: number | null;
  heatStore: KeyedStore<DiffMark>;
}) {
  const [open, setOpen] = useState(false);
  const [heat, setHeat] = useState(false);
  const timing = useJourneyTiming(props.journeyId, props.version, open);
  const nodes = timing.data?.nodes ?? [];
  const heatShown = useRef(false);
  useEffect(() => {
    // The store is shared with the version diff: leave it alone unless the heat is or was on.
    if (!heat && !heatShown.current) return;
    heatShown.current = heat;
    const nodes = timing.data?.nodes ?? [];
    const marks = new Map<string, DiffMark>();
    if (heat && nodes.length > 0) {
      const sorted = [...nodes].sort((a, b) => b.medianMs - a.medianMs);
      const hot = Math.max(1, Math.ceil(sorted.length / 3));
      for (const [i, n] of sorted.entries()) marks.set(n.nodeId, i < hot ? 'hot' : 'cool');
    }
    props.heatStore.replace(marks);
  }, [heat, timing.data, props.heatStore]);
  return (
    <div data-testid="timing">
      <h3 className="panel-section">
        <button type="button" className="link-button" onClick={() => setOpen(!open)}>
          {open ? '▾' : '▸'} Time in each node
        </button>
      </h3>
      {open && timing.isLoading && <p className="muted">Loading…</p>}
      {open && timing.data && nodes.length === 0 && <p className="muted">No node left yet.</p>}
      {open && nodes.length > 0 && (
        <>
          <label className="muted">
            <input type="checkbox" checked={heat} onChange={(e) => setHeat(e.target.checked)} /> Heat on the
            canvas
          </label>
          <table className="table timing-table" data-testid="timing-table">
            <thead>
              <tr>
                <th>Node</th>
                <th>Left</th>
                <th>Median</th>
                <th>p95</th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((n) => (
                <tr key={n.nodeId} data-node={n.nodeId}>
                  <td>
                    {n.nodeId}
                    {n.send && (
                      <div className="muted">
                        on time {n.send.onTime.visits} (median {formatMs(n.send.onTime.medianMs)}), deferred{' '}
                        {n.send.deferred.visits}
                        {n.send.deferred.visits > 0 ? ` (median ${formatMs(n.send.deferred.medianMs)})` : ''}
                        {n.send.deferred.visits > 0 && (
                          <ul className="deferred-by" data-testid="deferred-by">
                            {deferralKinds.map(([key, label]) => {
                              const part = n.send!.deferredBy[key];
                              return part.visits > 0 ? (
                                <li key={key} data-reason={key}>
                                  {label}: {part.visits} (median {formatMs(part.medianMs)}, p95{' '}
                                  {formatMs(part.p95Ms)})
                                </li>
                              ) : null;
                            })}
                          </ul>
                        )}
                      </div>
                    )}
                  </td>
                  <td>{n.visits}</td>
                  <td>{formatMs(n.medianMs)}</td>
                  <td>{formatMs(n.p95Ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
