import { useState } from 'react';
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { type Dashboard, useDashboard } from '../api/analytics';
import { downloadCsv } from '../lib/download';
import { SegmentFilter } from './SegmentFilter';
import { formatNumber, formatPercent } from './shared';

const day = (date: Date) => date.toISOString().slice(0, 10);

/** The workspace's headline numbers over a date range, with their weekly series. */
export function DashboardPage() {
  const [from, setFrom] = useState(day(new Date(Date.now() - 90 * 86_400_000)));
  const [to, setTo] = useState(day(new Date()));
  const [segmentId, setSegmentId] = useState('');
  const dashboard = useDashboard(`${from}T00:00:00Z`, `${to}T23:59:59Z`, segmentId);
  const totals = dashboard.data?.totals;
  return (
    <section>
      <div className="form-row">
        <label>
          From
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <SegmentFilter value={segmentId} onChange={setSegmentId} />
      </div>
      {dashboard.error && <div className="alert error">{dashboard.error.message}</div>}
      <section className="headline" aria-label="Headline numbers">
        <Figure label="Contacts" value={formatNumber(totals?.contacts)} />
        <Figure label="Active journeys" value={formatNumber(totals?.activeJourneys)} />
        <Figure label="Messages sent" value={formatNumber(totals?.messages)} />
        <Figure label="Conversions" value={formatNumber(totals?.conversions)} />
        <Figure label="Revenue" value={formatNumber(totals?.revenue, 2)} />
        <Figure
          label="Attributed revenue"
          value={formatNumber(totals?.attributedRevenue, 2)}
          hint="Revenue the campaigns' attribution credits to them (last touch)"
        />
        <Figure label="Campaign spend" value={formatNumber(totals?.spend, 2)} />
        <Figure
          label="ROI"
          value={
            totals?.roi === null || totals?.roi === undefined ? 'n/a' : `${(totals.roi * 100).toFixed(0)} %`
          }
          hint="(attributed revenue − spend) / spend of all campaigns over the range; n/a without spend"
        />
      </section>
      <div className="chart">
        <ResponsiveContainer>
          <ComposedChart data={dashboard.data?.weekly ?? []}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="week" />
            <YAxis yAxisId="count" />
            <YAxis yAxisId="revenue" orientation="right" />
            <Tooltip />
            <Legend />
            <Bar
              yAxisId="count"
              dataKey="messages"
              name="Messages"
              fill="#a5d8ff"
              isAnimationActive={false}
            />
            <Bar
              yAxisId="count"
              dataKey="conversions"
              name="Conversions"
              fill="#8ce99a"
              isAnimationActive={false}
            />
            <Line
              yAxisId="revenue"
              dataKey="revenue"
              name="Revenue"
              stroke="#e8590c"
              dot={false}
              isAnimationActive={false}
            />
            <Line
              yAxisId="count"
              dataKey="newContacts"
              name="New contacts"
              stroke="#5f3dc4"
              dot={false}
              isAnimationActive={false}
            />
            <Line
              yAxisId="revenue"
              dataKey="attributedRevenue"
              name="Attributed revenue"
              stroke="#2b8a3e"
              dot={false}
              isAnimationActive={false}
            />
            <Line
              yAxisId="revenue"
              dataKey="spend"
              name="Campaign spend"
              stroke="#c92a2a"
              dot={false}
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <WeeklyTable weeks={dashboard.data?.weekly ?? []} />
    </section>
  );
}

function WeeklyTable(props: { weeks: Dashboard['weekly'] }) {
  const columns = [
    'week',
    'newContacts',
    'messages',
    'conversions',
    'revenue',
    'attributedRevenue',
    'spend',
    'roi',
  ] as const;
  return (
    <>
      <div className="form-row">
        <button
          type="button"
          className="link-button"
          disabled={props.weeks.length === 0}
          onClick={() =>
            downloadCsv(
              'dashboard-weekly',
              [...columns],
              props.weeks.map((w) => columns.map((c) => w[c])),
            )
          }
        >
          Download CSV
        </button>
      </div>
      <table className="table" aria-label="Weekly numbers">
        <thead>
          <tr>
            <th>Week</th>
            <th>New contacts</th>
            <th>Messages</th>
            <th>Conversions</th>
            <th>Revenue</th>
            <th>Attributed revenue</th>
            <th>Campaign spend</th>
            <th>ROI</th>
          </tr>
        </thead>
        <tbody>
          {props.weeks.map((w) => (
            <tr key={w.week}>
              <td>{w.week}</td>
              <td>{formatNumber(w.newContacts)}</td>
              <td>{formatNumber(w.messages)}</td>
              <td>{formatNumber(w.conversions)}</td>
              <td>{formatNumber(w.revenue, 2)}</td>
              <td>{formatNumber(w.attributedRevenue, 2)}</td>
              <td>{formatNumber(w.spend, 2)}</td>
              <td>{formatPercent(w.roi, 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Figure(props: { label: string; value: string; hint?: string }) {
  return (
    <div className="figure" title={props.hint}>
      <span className="muted">{props.label}</span>
      <strong>{props.value}</strong>
    </div>
  );
}
