import { useState } from 'react';
import { Link } from 'react-router';
import { type RfmCell, useCreateAnalyticsSegment, useRefreshRfm, useRfm } from '../api/analytics';
import { useCan } from '../api/session';
import { SegmentFilter } from './SegmentFilter';
import { ComputedAt, CsvLink, formatNumber } from './shared';

const label = (segment: string) => segment.replaceAll('_', ' ').replace('cant ', 'can’t ');

/** The R × FM grid with contacts and revenue per cell; a cell becomes a segment in one click. */
export function RfmPage() {
  const [segmentId, setSegmentId] = useState('');
  const rfm = useRfm(segmentId);
  const refresh = useRefreshRfm();
  const createSegment = useCreateAnalyticsSegment();
  const can = useCan();
  const [windowDays, setWindowDays] = useState(365);
  const [monetary, setMonetary] = useState<'total' | 'average'>('total');
  const [selected, setSelected] = useState<RfmCell | null>(null);
  const [created, setCreated] = useState<{ id: string; name: string; members: number } | null>(null);

  const cell = (r: number, fm: number) => rfm.data?.cells.find((c) => c.r === r && c.fm === fm);
  const makeSegment = async (c: RfmCell) => {
    const segment = await createSegment.mutateAsync({
      name: `RFM ${label(c.segment)} R${c.r} FM${c.fm} ${new Date().toISOString().slice(0, 16)}`,
      rules: [
        { kind: 'analytics', field: 'rfm.r', op: 'eq', value: c.r },
        { kind: 'analytics', field: 'rfm.fm', op: 'eq', value: c.fm },
      ],
    });
    setCreated(segment);
  };

  return (
    <section>
      <div className="form-row">
        <label>
          Window (days)
          <input
            type="number"
            min={1}
            value={windowDays}
            onChange={(e) => setWindowDays(Number(e.target.value))}
          />
        </label>
        <label>
          Monetary
          <select value={monetary} onChange={(e) => setMonetary(e.target.value as 'total' | 'average')}>
            <option value="total">Total spend</option>
            <option value="average">Average order</option>
          </select>
        </label>
        <SegmentFilter value={segmentId} onChange={setSegmentId} />
        {can('analytics:run') && (
          <button
            type="button"
            disabled={refresh.isPending}
            onClick={() => refresh.mutate({ windowDays, monetary })}
          >
            {refresh.isPending ? 'Refreshing…' : 'Refresh RFM'}
          </button>
        )}
        {can('exports') && <CsvLink href="/analytics/rfm/scores.csv" label="Scores CSV" />}
      </div>
      {refresh.error && <div className="alert error">{refresh.error.message}</div>}
      <ComputedAt at={rfm.data?.computedAt} />
      <table className="rfm-grid" aria-label="RFM grid">
        <thead>
          <tr>
            <th>R ↓ / FM →</th>
            {[1, 2, 3, 4, 5].map((fm) => (
              <th key={fm}>FM {fm}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[5, 4, 3, 2, 1].map((r) => (
            <tr key={r}>
              <th>R {r}</th>
              {[1, 2, 3, 4, 5].map((fm) => {
                const c = cell(r, fm);
                return (
                  <td key={fm} className={c ? `seg-${c.segment}` : 'seg-empty'}>
                    {c ? (
                      <button
                        type="button"
                        aria-pressed={selected === c}
                        aria-label={`R${r} FM${fm} ${label(c.segment)}: ${c.contacts} contacts`}
                        onClick={() => {
                          setSelected(c);
                          setCreated(null);
                        }}
                      >
                        <span className="cell-class">{label(c.segment)}</span>
                        <span className="cell-count">{formatNumber(c.contacts)}</span>
                        <span className="cell-revenue">{formatNumber(c.revenue, 2)}</span>
                      </button>
                    ) : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {selected && (
        <div className="card">
          <h2 className="section-title">
            R{selected.r} · FM{selected.fm}: {label(selected.segment)}
          </h2>
          <p>
            {formatNumber(selected.contacts)} contacts, revenue {formatNumber(selected.revenue, 2)}.
          </p>
          {can('segments:write') ? (
            <button type="button" disabled={createSegment.isPending} onClick={() => makeSegment(selected)}>
              Make a segment from this cell
            </button>
          ) : (
            <p className="muted">Making segments needs the segments:write permission.</p>
          )}
          {createSegment.error && <div className="alert error">{createSegment.error.message}</div>}
          {created && (
            <p role="status">
              Segment “{created.name}” created with {created.members} contacts. Use it in a journey’s segment
              trigger or a branch condition.
            </p>
          )}
        </div>
      )}
      <div className="cards">
        <ClassTable title="Named classes" rows={rfm.data?.segments ?? []} />
        <ClassTable title="Value classes (high/low R, F, M)" rows={rfm.data?.valueClasses ?? []} />
      </div>
      <p className="help">
        Scores are quintiles 1–5 in the window; FM is the rounded mean of F and M. See{' '}
        <Link to="/analytics">the overview</Link> for the headline numbers.
      </p>
    </section>
  );
}

function ClassTable(props: { title: string; rows: { name: string; contacts: number; revenue: number }[] }) {
  return (
    <section className="card">
      <h2 className="section-title">{props.title}</h2>
      <table className="table">
        <thead>
          <tr>
            <th>Class</th>
            <th>Contacts</th>
            <th>Revenue</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={row.name}>
              <td>{label(row.name)}</td>
              <td>{formatNumber(row.contacts)}</td>
              <td>{formatNumber(row.revenue, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
