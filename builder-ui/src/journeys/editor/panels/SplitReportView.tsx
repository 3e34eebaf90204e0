import { useState } from 'react';
import { usePromoteSplit, useSplitReport } from '../../../api/journeys';
import { useCan } from '../../../api/session';

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

/**
 * A random split's A/B report on the canvas: per branch the runs, sends, open, click and
 * conversion rates, the winner on the chosen metric with its significance, and "promote the
 * winner" (publishes a version where everyone takes that branch, optionally moving waiting runs).
 */
export function SplitReportView(props: { journeyId: string; nodeId: string }) {
  const [metric, setMetric] = useState<'open' | 'click' | 'conversion'>('conversion');
  const [migrate, setMigrate] = useState(false);
  const report = useSplitReport(props.journeyId, props.nodeId, metric);
  const promote = usePromoteSplit(props.journeyId, props.nodeId);
  const mayPromote = useCan()('journeys:write');
  const data = report.data;
  return (
    <div data-testid="split-report">
      <h3 className="panel-section">A/B results</h3>
      <label className="muted">
        Winner by{' '}
        <select
          aria-label="Winner by"
          value={metric}
          onChange={(e) => setMetric(e.target.value as typeof metric)}
        >
          <option value="conversion">conversion</option>
          <option value="open">open</option>
          <option value="click">click</option>
        </select>
      </label>
      {report.isLoading && <p className="muted">Loading…</p>}
      {report.error && <div className="alert error">{report.error.message}</div>}
      {data && (
        <>
          <table className="table split-table">
            <thead>
              <tr>
                <th>Branch</th>
                <th>Runs</th>
                <th>Sent</th>
                <th>Open</th>
                <th>Click</th>
                <th>Conv.</th>
              </tr>
            </thead>
            <tbody>
              {data.branches.map((b) => (
                <tr
                  key={b.branch}
                  data-branch={b.branch}
                  className={b.branch === data.winner ? 'winner' : ''}
                >
                  <td>
                    {b.branch}
                    {b.branch === data.winner && <span className="badge status-active">winner</span>}
                  </td>
                  <td>{b.runs}</td>
                  <td>{b.sent}</td>
                  <td>{percent(b.openRate)}</td>
                  <td>{percent(b.clickRate)}</td>
                  <td data-testid="conversion-rate">{percent(b.conversionRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted" data-testid="split-significance">
            {data.winner === null
              ? 'No run has gone through the split yet.'
              : data.significance
                ? `${data.winner} vs ${data.significance.runnerUp}: p = ${data.significance.pValue.toFixed(3)} — ${
                    data.significance.significant ? 'significant' : 'not significant yet'
                  }`
                : `${data.winner} leads; nothing to compare it with yet.`}
          </p>
          {mayPromote && data.winner !== null && (
            <div className="panel-actions">
              <label className="muted">
                <input type="checkbox" checked={migrate} onChange={(e) => setMigrate(e.target.checked)} />{' '}
                Also move runs waiting on earlier versions
              </label>
              <button
                type="button"
                data-testid="promote-winner"
                disabled={promote.isPending}
                onClick={() =>
                  promote.mutate(
                    { branch: data.winner!, migrate },
                    // The draft changed on the server: open it afresh.
                    { onSuccess: () => window.location.reload() },
                  )
                }
              >
                Promote “{data.winner}” to everyone
              </button>
              {promote.error && <div className="alert error">{promote.error.message}</div>}
            </div>
          )}
        </>
      )}
    </div>
  );
}
