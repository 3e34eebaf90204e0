import { useState } from 'react';
import { downloadPostCsv, useCohorts } from '../api/analytics';
import { useCan } from '../api/session';
import { SegmentFilter } from './SegmentFilter';
import { formatPercent } from './shared';

const day = (date: Date) => date.toISOString().slice(0, 10);

/** Retention by week of first event. */
export function CohortsPage() {
  const can = useCan();
  const cohorts = useCohorts();
  const [segmentId, setSegmentId] = useState('');
  const [form, setForm] = useState({
    firstEvent: '',
    returnEvent: '',
    from: day(new Date(Date.now() - 84 * 86_400_000)),
    to: day(new Date()),
    weeks: 12,
  });
  const body = {
    ...(form.firstEvent ? { firstEvent: form.firstEvent } : {}),
    ...(form.returnEvent ? { returnEvent: form.returnEvent } : {}),
    from: `${form.from}T00:00:00Z`,
    to: `${form.to}T23:59:59Z`,
    weeks: form.weeks,
    ...(segmentId ? { segmentId } : {}),
  };
  const weeks = Array.from({ length: cohorts.data?.[0]?.active.length ?? 0 }, (_, i) => `W${i}`);
  return (
    <section>
      <div className="form-row">
        <label>
          First event (any when empty)
          <input value={form.firstEvent} onChange={(e) => setForm({ ...form, firstEvent: e.target.value })} />
        </label>
        <label>
          Return event (any when empty)
          <input
            value={form.returnEvent}
            onChange={(e) => setForm({ ...form, returnEvent: e.target.value })}
          />
        </label>
        <label>
          From
          <input type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </label>
        <label>
          Weeks
          <input
            type="number"
            min={1}
            max={104}
            value={form.weeks}
            onChange={(e) => setForm({ ...form, weeks: Number(e.target.value) })}
          />
        </label>
        <SegmentFilter value={segmentId} onChange={setSegmentId} />
        <button type="button" onClick={() => cohorts.mutate(body)}>
          Show cohorts
        </button>
        {can('exports') && (
          <button
            type="button"
            className="link-button"
            onClick={() => downloadPostCsv('/analytics/cohorts.csv', body, 'cohorts')}
          >
            Download CSV
          </button>
        )}
      </div>
      {cohorts.error && <div className="alert error">{cohorts.error.message}</div>}
      {cohorts.data && (
        <table className="table heat">
          <thead>
            <tr>
              <th>Cohort (week of)</th>
              <th>Size</th>
              {weeks.map((week) => (
                <th key={week}>{week}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cohorts.data.map((c) => (
              <tr key={c.cohort}>
                <td>{c.cohort}</td>
                <td>{c.size}</td>
                {weeks.map((week, i) => (
                  <td
                    key={week}
                    className="pct"
                    style={{ background: `rgba(28, 126, 214, ${c.retention[i] * 0.6})` }}
                  >
                    {formatPercent(c.retention[i], 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
