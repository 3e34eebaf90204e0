import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber, formatPercent } from './shared';

/** One step of any funnel (events, a journey's nodes, a campaign's delivery), as the views show it. */
export interface FunnelRow {
  key: string;
  name: string;
  count: number;
  conversion: number | null;
  overallConversion: number | null;
  dropOff: number;
  /** Median time from the previous step; omitted where the funnel does not measure it. */
  medianSeconds?: number | null;
}

/** Column titles and the unit of the median, which differ between funnels. */
export interface FunnelLabels {
  step: string;
  count: string;
  overall: string;
  medianUnit?: 'minutes' | 'hours';
}

const UNIT_SECONDS = { minutes: 60, hours: 3600 };
const UNIT_SUFFIX = { minutes: 'min', hours: 'h' };

function formatMedian(seconds: number | null | undefined, unit: 'minutes' | 'hours') {
  if (seconds === null || seconds === undefined) return '—';
  return `${formatNumber(seconds / UNIT_SECONDS[unit], 1)} ${UNIT_SUFFIX[unit]}`;
}

/** The funnel as bars, one per step, in order. */
export function FunnelChart(props: { rows: FunnelRow[]; countName: string }) {
  return (
    <div className="chart">
      <ResponsiveContainer>
        <BarChart data={props.rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="name" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Bar dataKey="count" name={props.countName} fill="#4dabf7" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** The funnel as a table: each step's count, conversion from the previous and from the first, and drop-off. */
export function FunnelTable(props: { rows: FunnelRow[]; labels: FunnelLabels; ariaLabel?: string }) {
  const { labels } = props;
  const unit = labels.medianUnit;
  return (
    <table className="table" aria-label={props.ariaLabel}>
      <thead>
        <tr>
          <th>{labels.step}</th>
          <th>{labels.count}</th>
          <th>Conversion</th>
          <th>{labels.overall}</th>
          <th>Drop-off</th>
          {unit && <th>Median time from previous</th>}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((s) => (
          <tr key={s.key}>
            <td>{s.name}</td>
            <td>{formatNumber(s.count)}</td>
            <td>{formatPercent(s.conversion)}</td>
            <td>{formatPercent(s.overallConversion)}</td>
            <td>{formatNumber(s.dropOff)}</td>
            {unit && <td>{formatMedian(s.medianSeconds, unit)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
