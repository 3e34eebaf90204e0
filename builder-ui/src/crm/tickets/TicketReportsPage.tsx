import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useTicketReport } from '../../api/tickets';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FieldMessage, TicketTabs } from './shared';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const minutes = (value: number | null) =>
  value === null
    ? '—'
    : value >= 120
      ? `${Math.round((value / 60) * 10) / 10} h`
      : `${Math.round(value)} min`;
const percent = (value: number | null) => (value === null ? '—' : `${Math.round(value * 1000) / 10}%`);

/** Service figures over a period: volume, response and resolution times, SLA attainment, CSAT. */
export function TicketReportsPage() {
  const [period, setPeriod] = useState({ from: day(-27), to: day(1), bucket: 'week' });
  const report = useTicketReport(period);
  const data = report.data;
  const set = (key: keyof typeof period) => (e: { target: { value: string } }) =>
    setPeriod((current) => ({ ...current, [key]: e.target.value }));

  return (
    <div className="page" data-testid="ticket-reports">
      <div className="page-head">
        <h1>Ticket reports</h1>
      </div>
      <TicketTabs />
      <div className="ticket-filters">
        <label>
          From
          <input type="date" value={period.from} onChange={set('from')} />
        </label>
        <label>
          To (exclusive)
          <input type="date" value={period.to} onChange={set('to')} />
          <FieldMessage error={report.error} field="to" />
        </label>
        <label>
          By
          <select value={period.bucket} onChange={set('bucket')}>
            <option value="day">day</option>
            <option value="week">week</option>
            <option value="month">month</option>
          </select>
        </label>
      </div>
      <ErrorAlert error={report.error} />
      {data && (
        <>
          <div className="report-cards">
            <div className="card" data-testid="report-volume">
              Tickets created <strong>{data.volume.created}</strong>
              <span className="muted">{data.volume.resolved} resolved</span>
            </div>
            <div className="card" data-testid="report-first-response">
              First response, median <strong>{minutes(data.firstResponse.medianMinutes)}</strong>
              <span className="muted">p90 {minutes(data.firstResponse.p90Minutes)}</span>
            </div>
            <div className="card" data-testid="report-resolution">
              Resolution, median <strong>{minutes(data.resolution.medianMinutes)}</strong>
              <span className="muted">p90 {minutes(data.resolution.p90Minutes)}</span>
            </div>
            <div className="card" data-testid="report-sla">
              SLA attainment <strong>{percent(data.sla.firstResponse.attainment)}</strong>
              <span className="muted">
                first response; resolution {percent(data.sla.resolution.attainment)}
              </span>
            </div>
            <div className="card" data-testid="report-csat">
              CSAT <strong>{percent(data.csat.satisfied)}</strong>
              <span className="muted">
                {data.csat.count} ratings, mean {data.csat.average ?? '—'}
              </span>
            </div>
          </div>
          <h2 className="section-title">Volume by {data.bucket}</h2>
          <div style={{ height: 240 }}>
            <ResponsiveContainer>
              <BarChart data={data.volume.byPeriod}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="period" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Bar dataKey="created" name="Created" fill="#4f6df5" />
                <Bar dataKey="resolved" name="Resolved" fill="#2bb673" />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <h2 className="section-title">CSAT by {data.bucket}</h2>
          <div style={{ height: 200 }}>
            <ResponsiveContainer>
              <BarChart data={data.csat.byPeriod}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="period" />
                <YAxis domain={[0, 5]} />
                <Tooltip />
                <Bar dataKey="average" name="Mean rating" fill="#f5a623" />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <h2 className="section-title">CSAT by agent</h2>
          <table className="table" data-testid="csat-by-agent">
            <thead>
              <tr>
                <th>Agent</th>
                <th>Ratings</th>
                <th>Mean</th>
                <th>Satisfied (4–5)</th>
              </tr>
            </thead>
            <tbody>
              {data.csat.byAgent.map((a) => (
                <tr key={a.agentUserId ?? 'none'}>
                  <td>{a.agent}</td>
                  <td>{a.count}</td>
                  <td>{a.average}</td>
                  <td>{percent(a.satisfied)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
