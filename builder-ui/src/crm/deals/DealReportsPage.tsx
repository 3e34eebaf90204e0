import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useDealReports, usePipelines } from '../../api/deals';
import { ErrorAlert } from '../../components/ErrorAlert';
import { percent } from '../../lib/format';
import { money } from './money';
import './deals.css';

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

function days(seconds: number | null): string {
  if (seconds === null) return '—';
  const d = seconds / 86_400;
  return d >= 1 ? `${d.toFixed(1)} days` : `${(seconds / 3600).toFixed(1)} h`;
}

/** Pipeline reports over a period: funnel, time in stage, win rate, weighted forecast, owners. */
export function DealReportsPage() {
  const pipelines = usePipelines();
  const [params, setParams] = useSearchParams();
  const pipeline = pipelines.data?.find((p) => p.id === params.get('pipeline')) ?? pipelines.data?.[0];
  const [to, setTo] = useState(isoDay(new Date()));
  const [from, setFrom] = useState(isoDay(new Date(Date.now() - 89 * 86_400_000)));
  const report = useDealReports(pipeline?.id, from, to);
  const r = report.data;

  return (
    <div className="page deal-reports" data-testid="deal-reports">
      <div className="page-head">
        <h1>Deal reports</h1>
        <div className="page-actions">
          <Link to={`/deals${pipeline ? `?pipeline=${pipeline.id}` : ''}`}>Board</Link>
        </div>
      </div>
      <div className="inline-form">
        <select
          aria-label="Pipeline"
          value={pipeline?.id ?? ''}
          onChange={(e) => setParams({ pipeline: e.target.value })}
        >
          {pipelines.data?.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <label htmlFor="report-from">From</label>
        <input
          id="report-from"
          type="date"
          value={from}
          onChange={(e) => e.target.value && setFrom(e.target.value)}
        />
        <label htmlFor="report-to">To</label>
        <input
          id="report-to"
          type="date"
          value={to}
          onChange={(e) => e.target.value && setTo(e.target.value)}
        />
      </div>
      <ErrorAlert error={pipelines.error ?? report.error} />
      {r && (
        <>
          <div className="cards deal-kpis">
            <section className="card" data-testid="win-rate">
              <h2 className="section-title">Win rate</h2>
              <div className="deal-kpi">{r.winRate.rate === null ? '—' : percent(r.winRate.rate)}</div>
              <div className="muted">
                {r.winRate.won} won · {r.winRate.lost} lost (closed in the period)
              </div>
            </section>
            <section className="card">
              <h2 className="section-title">Weighted forecast</h2>
              <div className="deal-kpi">
                {money(
                  r.forecast.reduce((s, f) => s + f.weightedValue, 0),
                  r.currency,
                )}
              </div>
              <div className="muted">open deals × stage probability, {r.currency}</div>
            </section>
          </div>

          <section className="card">
            <h2 className="section-title">Conversion funnel (deals created in the period)</h2>
            <div className="deal-chart">
              <ResponsiveContainer>
                <BarChart data={r.funnel}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="stage" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Bar dataKey="reached" name="Deals reaching the stage" fill="#4dabf7" />
                </BarChart>
              </ResponsiveContainer>
            </div>
            <table className="table" data-testid="funnel-table">
              <thead>
                <tr>
                  <th>Stage</th>
                  <th className="num">Reached</th>
                  <th className="num">From previous</th>
                </tr>
              </thead>
              <tbody>
                {r.funnel.map((f) => (
                  <tr key={f.stageId}>
                    <td>{f.stage}</td>
                    <td className="num">{f.reached}</td>
                    <td className="num">
                      {f.conversionFromPrevious === null ? '—' : percent(f.conversionFromPrevious)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <div className="cards">
            <section className="card">
              <h2 className="section-title">Average time in stage</h2>
              <table className="table" data-testid="time-in-stage">
                <tbody>
                  {r.timeInStage.map((t) => (
                    <tr key={t.stageId}>
                      <td>{t.stage}</td>
                      <td className="num">{days(t.averageSeconds)}</td>
                      <td className="num muted">{t.stays} stays</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className="card">
              <h2 className="section-title">Forecast by close month ({r.currency})</h2>
              <div className="deal-chart">
                <ResponsiveContainer>
                  <BarChart data={r.forecast}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="month" />
                    <YAxis />
                    <Tooltip />
                    <Legend />
                    <Bar dataKey="value" name="Value" fill="#ced4da" />
                    <Bar dataKey="weightedValue" name="Weighted" fill="#40c057" />
                  </BarChart>
                </ResponsiveContainer>
              </div>
            </section>
          </div>

          <section className="card">
            <h2 className="section-title">Owners (deals closed in the period)</h2>
            <table className="table" data-testid="owner-table">
              <thead>
                <tr>
                  <th>Owner</th>
                  <th className="num">Won value</th>
                  <th className="num">Won</th>
                  <th className="num">Lost</th>
                  <th className="num">Win rate</th>
                  <th className="num">Open now</th>
                </tr>
              </thead>
              <tbody>
                {r.owners.map((o) => (
                  <tr key={o.ownerUserId ?? 'none'}>
                    <td>{o.name}</td>
                    <td className="num">{money(o.wonValue, r.currency)}</td>
                    <td className="num">{o.won}</td>
                    <td className="num">{o.lost}</td>
                    <td className="num">{o.winRate === null ? '—' : percent(o.winRate)}</td>
                    <td className="num">{o.open}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </div>
  );
}
