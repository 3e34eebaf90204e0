import { useState } from 'react';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { type ForecastResult, useModelResult } from '../api/analytics';
import { useCan } from '../api/session';
import { ComputedAt, CsvLink, formatNumber, JobButton } from './shared';

/** History, least-squares fit and forecast with its 95 % prediction interval. */
export function ForecastPage() {
  const can = useCan();
  const result = useModelResult<Partial<ForecastResult>>('forecast');
  const [options, setOptions] = useState({
    metric: 'revenue',
    granularity: 'week',
    history: 104,
    horizon: 12,
    holdout: 4,
  });
  const data = result.data?.result;
  const metric = (result.data?.params.metric as 'revenue' | 'orders' | undefined) ?? 'revenue';
  const points = [
    ...(data?.history ?? []).map((h, i) => ({
      period: h.period,
      actual: h[metric],
      fitted: data?.fitted?.[i],
    })),
    ...(data?.forecast ?? []).map((f, i) => ({
      period: `+${i + 1}`,
      forecast: f.value,
      interval: [f.lower, f.upper] as [number, number],
    })),
  ];
  return (
    <section>
      <div className="form-row">
        <label>
          Metric
          <select value={options.metric} onChange={(e) => setOptions({ ...options, metric: e.target.value })}>
            <option value="revenue">Revenue</option>
            <option value="orders">Orders</option>
          </select>
        </label>
        <label>
          Period
          <select
            value={options.granularity}
            onChange={(e) => setOptions({ ...options, granularity: e.target.value })}
          >
            <option value="day">Day (weekly season)</option>
            <option value="week">Week (yearly season)</option>
            <option value="month">Month (yearly season)</option>
          </select>
        </label>
        <label>
          History
          <input
            type="number"
            min={4}
            value={options.history}
            onChange={(e) => setOptions({ ...options, history: Number(e.target.value) })}
          />
        </label>
        <label>
          Horizon
          <input
            type="number"
            min={1}
            value={options.horizon}
            onChange={(e) => setOptions({ ...options, horizon: Number(e.target.value) })}
          />
        </label>
        {can('analytics:run') && <JobButton model="forecast" options={options} label="Forecast" />}
        {can('exports') && <CsvLink href="/analytics/forecast.csv" />}
      </div>
      <ComputedAt at={result.data?.computedAt} />
      {data?.forecast && (
        <p>
          Trend {formatNumber(data.trend, 2)} per period · season {data.season ?? 'none'} · MAPE on held-out
          periods {data.mape === null || data.mape === undefined ? 'n/a' : `${data.mape.toFixed(1)} %`}
        </p>
      )}
      <div className="chart">
        <ResponsiveContainer>
          <ComposedChart data={points}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="period" />
            <YAxis />
            <Tooltip />
            <Legend />
            <Area dataKey="interval" name="95 % interval" fill="#d0ebff" stroke="none" />
            <Line dataKey="actual" name="Actual" stroke="#1c7ed6" dot={false} />
            <Line dataKey="fitted" name="Fit" stroke="#adb5bd" dot={false} strokeDasharray="4 4" />
            <Line dataKey="forecast" name="Forecast" stroke="#e8590c" dot={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}
