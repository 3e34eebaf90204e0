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
import { useDashboard } from '../api/analytics';
import { SegmentFilter } from './SegmentFilter';
import { formatNumber } from './shared';

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
          label="ROI"
          value={
            totals?.roi === null || totals?.roi === undefined ? 'n/a' : `${(totals.roi * 100).toFixed(0)} %`
          }
          hint="(revenue − cost) / cost; needs campaign costs"
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
            <Bar yAxisId="count" dataKey="messages" name="Messages" fill="#a5d8ff" />
            <Bar yAxisId="count" dataKey="conversions" name="Conversions" fill="#8ce99a" />
            <Line yAxisId="revenue" dataKey="revenue" name="Revenue" stroke="#e8590c" dot={false} />
            <Line yAxisId="count" dataKey="newContacts" name="New contacts" stroke="#5f3dc4" dot={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </section>
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
