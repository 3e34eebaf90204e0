import { Link, useParams } from 'react-router';
import {
  type Broadcast,
  isRunning,
  useAbTest,
  useBroadcast,
  useConfirmation,
  useControl,
  useLaunch,
  usePickWinner,
  useProgress,
} from '../api/campaigns';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { count, money, pct } from './format';
import './campaigns.css';

/** A draft with its confirmation and launch button, or a launched broadcast with its live progress. */
export function BroadcastPage() {
  const { broadcastId } = useParams();
  const broadcast = useBroadcast(broadcastId);
  if (broadcast.error) return <ErrorAlert error={broadcast.error} />;
  if (!broadcast.data) return <p className="muted">Loading…</p>;
  const b = broadcast.data;
  return (
    <div className="page campaigns-page">
      <div className="page-head">
        <h1>{b.name}</h1>
        <div className="page-actions">
          {b.campaignId && <Link to={`/campaigns/${b.campaignId}`}>Campaign</Link>}
          {b.status !== 'draft' && <Link to={`/broadcasts/${b.id}/report`}>Report</Link>}
        </div>
      </div>
      <p>
        <span className={`status status-${b.status}`} data-testid="broadcast-status">
          {b.status}
        </span>{' '}
        · {b.channel} ·{' '}
        {b.variants.length > 1 ? `variants ${b.variants.map((v) => v.key).join(', ')}` : 'one template'}
        {b.throttlePerMinute ? ` · ${b.throttlePerMinute} per minute` : ''}
      </p>
      {b.status === 'draft' ? <Confirm broadcast={b} /> : <Progress broadcast={b} />}
    </div>
  );
}

function Confirm(props: { broadcast: Broadcast }) {
  const { broadcast } = props;
  const can = useCan();
  const confirmation = useConfirmation(broadcast.id, true);
  const launch = useLaunch(broadcast.id);
  const c = confirmation.data;
  return (
    <section className="card" aria-label="Confirmation">
      <h2 className="section-title">Before you launch</h2>
      <ErrorAlert error={confirmation.error} />
      {c && (
        <>
          <p data-testid="confirmation">
            <strong>{count(c.willSend)}</strong> of {count(c.audience)} contacts will get this message
            {c.holdout > 0 ? ` (${count(c.holdout)} held out as the control group)` : ''}.
          </p>
          {c.skipped.length > 0 && (
            <ul aria-label="Skipped by the send policy">
              {c.skipped.map((s) => (
                <li key={s.reason}>
                  {s.reason}: {count(s.count)}
                </li>
              ))}
            </ul>
          )}
          {c.estimatedCost !== null && (
            <p>
              Estimated cost {money(c.estimatedCost, c.currency)}
              {c.budgetRemaining !== null
                ? ` of ${money(c.budgetRemaining, c.currency)} left in the budget`
                : ''}
              .
            </p>
          )}
          {c.overBudget && (
            <p className="budget-warning budget-exhausted">This send would exceed the campaign budget.</p>
          )}
        </>
      )}
      {can('broadcasts:write') && (
        <button
          type="button"
          className="primary"
          disabled={launch.isPending || !c || c.audience === 0}
          onClick={() => launch.mutate()}
        >
          {launch.isPending ? 'Launching…' : 'Launch'}
        </button>
      )}
      <ErrorAlert error={launch.error} />
    </section>
  );
}

function Progress(props: { broadcast: Broadcast }) {
  const { broadcast } = props;
  const can = useCan();
  const live = isRunning(broadcast.status);
  const progress = useProgress(broadcast.id, live);
  const control = useControl(broadcast.id);
  const p = progress.data;
  const total = p ? Math.max(1, p.audience - p.holdout) : 1;
  const width = (n: number) => `${(100 * n) / total}%`;
  return (
    <section className="card" aria-label="Progress">
      {p && (
        <>
          <div
            className="progress-bar"
            role="progressbar"
            aria-label="Broadcast progress"
            aria-valuemin={0}
            aria-valuemax={total}
            aria-valuenow={p.sent + p.skipped + p.failed}
          >
            <span className="sent" style={{ width: width(p.sent) }} />
            <span className="skipped" style={{ width: width(p.skipped) }} />
            <span className="failed" style={{ width: width(p.failed) }} />
          </div>
          <div className="progress-legend" data-testid="progress-legend">
            <span>Queued {count(p.queued + p.awaitingWinner)}</span>
            <span>Sent {count(p.sent)}</span>
            <span>Skipped {count(p.skipped)}</span>
            <span>Failed {count(p.failed)}</span>
            {p.holdout > 0 && <span>Held out {count(p.holdout)}</span>}
            {p.cancelled > 0 && <span>Cancelled {count(p.cancelled)}</span>}
          </div>
          {p.skippedReasons.length > 0 && (
            <ul aria-label="Skipped reasons">
              {p.skippedReasons.map((r) => (
                <li key={r.reason}>
                  {r.reason}: {count(r.count)}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {live && can('broadcasts:write') && (
        <div className="form-actions">
          {broadcast.status === 'paused' ? (
            <button type="button" onClick={() => control.mutate('resume')}>
              Resume
            </button>
          ) : (
            <button type="button" onClick={() => control.mutate('pause')}>
              Pause
            </button>
          )}
          <button type="button" onClick={() => control.mutate('cancel')}>
            Cancel
          </button>
        </div>
      )}
      <ErrorAlert error={control.error} />
      {broadcast.abTest && <AbTest broadcast={broadcast} />}
    </section>
  );
}

function AbTest(props: { broadcast: Broadcast }) {
  const { broadcast } = props;
  const can = useCan();
  const result = useAbTest(broadcast.id, true);
  const pick = usePickWinner(broadcast.id);
  const r = result.data;
  if (!r) return null;
  const choosing = ['testing', 'awaiting-winner'].includes(broadcast.status) && !broadcast.winnerVariant;
  return (
    <div>
      <h2 className="section-title">A/B test by {r.metric} rate</h2>
      <table className="table" aria-label="A/B test">
        <thead>
          <tr>
            <th>Variant</th>
            <th className="num">Sent</th>
            <th className="num">Opened</th>
            <th className="num">Clicked</th>
            <th className="num">Converted</th>
            <th className="num">Rate</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {r.variants.map((v) => (
            <tr key={v.key}>
              <td>
                {v.key}
                {(broadcast.winnerVariant ?? r.winner) === v.key
                  ? broadcast.winnerVariant
                    ? ' (winner)'
                    : ' (leading)'
                  : ''}
              </td>
              <td className="num">{v.sent}</td>
              <td className="num">{v.opened}</td>
              <td className="num">{v.clicked}</td>
              <td className="num">{v.converted}</td>
              <td className="num">{pct(v.rate)}</td>
              <td>
                {choosing && can('broadcasts:write') && (
                  <button type="button" onClick={() => pick.mutate(v.key)}>
                    Send {v.key} to the rest
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.significance && (
        <p>
          {r.winner} against {r.significance.runnerUp}: z = {r.significance.z.toFixed(2)}, p ={' '}
          {r.significance.pValue.toFixed(3)} ({r.significance.significant ? 'significant' : 'not significant'}{' '}
          at 5 %)
        </p>
      )}
      <ErrorAlert error={pick.error} />
    </div>
  );
}
