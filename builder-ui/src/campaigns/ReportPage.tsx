import { useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { type AttributionModel, type Report, useReport } from '../api/campaigns';
import { ErrorAlert } from '../components/ErrorAlert';
import { downloadCsv } from '../lib/download';
import { count, money, pct } from './format';
import './campaigns.css';

type Row = Report['totals'];

const COLUMNS: [keyof Row, string][] = [
  ['audience', 'Audience'],
  ['sent', 'Sent'],
  ['delivered', 'Delivered'],
  ['bounced', 'Bounced'],
  ['opened', 'Opened (unique)'],
  ['clicked', 'Clicked (unique)'],
  ['unsubscribed', 'Unsubscribed'],
  ['complained', 'Complained'],
  ['converted', 'Converted'],
  ['revenue', 'Revenue'],
  ['cost', 'Cost'],
  ['roi', 'ROI'],
  ['roas', 'ROAS'],
  ['costPerConversion', 'Cost per conversion'],
];

/** A holdout's lift in words: treated against control rate, relative lift and the extra conversions. */
function Lift(props: { lift: NonNullable<Report['holdout']> }) {
  const h = props.lift;
  return (
    <>
      {pct(h.treated.rate)} of treated contacts converted against {pct(h.control.rate)} of the control group —
      lift {pct(h.lift)}, about {count(h.incrementalConversions)} extra conversions.
    </>
  );
}

export function BudgetLine(props: { budget: NonNullable<Report['budget']>; currency: string | null }) {
  const { budget, currency } = props;
  if (budget.budget === null) return <p>Spent {money(budget.spent, currency)} (no budget set).</p>;
  return (
    <p
      className={
        budget.warning ? `budget-warning${budget.warning === 'exhausted' ? ' budget-exhausted' : ''}` : ''
      }
      data-testid="budget"
    >
      Budget {money(budget.budget, currency)}: spent {money(budget.spent, currency)}, remaining{' '}
      {money(budget.remaining, currency)}
      {budget.warning === 'running-out' && ' — running out'}
      {budget.warning === 'exhausted' && ' — spent'}
    </p>
  );
}

/** A campaign's or a broadcast's report: KPIs with ROI and ROAS, charts over time and as a funnel, tables, CSV. */
export function ReportPage(props: { kind: 'campaigns' | 'broadcasts' }) {
  const params = useParams();
  const id = props.kind === 'campaigns' ? params.campaignId : params.broadcastId;
  const [model, setModel] = useState<AttributionModel>('last');
  const report = useReport(props.kind, id, model);
  if (report.error) return <ErrorAlert error={report.error} />;
  if (!report.data) return <p className="muted">Loading…</p>;
  const r = report.data;
  const value = (row: Row, key: keyof Row) => {
    const v = row[key];
    if (key === 'roi' || key === 'roas') return pct(v as number | null);
    if (key === 'revenue' || key === 'cost' || key === 'costPerConversion')
      return money(v as number | null, r.currency);
    return count(v as number);
  };
  const exportCsv = () =>
    downloadCsv(
      `${r.kind}-report`,
      ['section', 'key', ...COLUMNS.map(([k]) => k)],
      [
        ['total', r.name, ...COLUMNS.map(([k]) => r.totals[k])],
        ...r.byChannel.map((x) => ['channel', x.channel, ...COLUMNS.map(([k]) => x[k])]),
        ...r.byVariant.map((x) => ['variant', x.variant, ...COLUMNS.map(([k]) => x[k])]),
        ...r.byDay.map((x) => ['day', x.day, ...COLUMNS.map(([k]) => x[k])]),
        ...r.bySource.map((x) => [x.kind, x.name, ...COLUMNS.map(([k]) => x[k])]),
      ],
    );
  const funnel = [
    { step: 'Sent', value: r.totals.sent },
    { step: 'Delivered', value: r.totals.delivered },
    { step: 'Opened', value: r.totals.opened },
    { step: 'Clicked', value: r.totals.clicked },
    { step: 'Converted', value: r.totals.converted },
  ];
  const breakdown = (label: string, rows: (Row & { key: string })[]) =>
    rows.length > 0 && (
      <>
        <h2 className="section-title">{label}</h2>
        <table className="table" aria-label={label}>
          <thead>
            <tr>
              <th />
              {COLUMNS.map(([k, l]) => (
                <th key={k} className="num">
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <td>{row.key}</td>
                {COLUMNS.map(([k]) => (
                  <td key={k} className="num">
                    {value(row, k)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </>
    );
  return (
    <div className="page campaigns-page">
      <div className="page-head">
        <h1>Report: {r.name}</h1>
        <div className="page-actions">
          <Link to={props.kind === 'campaigns' ? `/campaigns/${r.id}` : `/broadcasts/${r.id}`}>Back</Link>
          <label>
            Attribution
            <select
              aria-label="Attribution model"
              value={model}
              onChange={(e) => setModel(e.target.value as AttributionModel)}
            >
              <option value="last">Last touch</option>
              <option value="first">First touch</option>
              <option value="linear">Linear</option>
            </select>
          </label>
          <button type="button" onClick={exportCsv}>
            Export CSV
          </button>
        </div>
      </div>
      <p className="muted">
        Conversions: {r.attribution.event ?? 'no conversion event set'} within{' '}
        {r.attribution.clickWindowHours} h of a click or {r.attribution.openWindowHours} h of an open.
      </p>
      {r.budget && <BudgetLine budget={r.budget} currency={r.currency} />}
      <section className="kpis" aria-label="Totals">
        {COLUMNS.map(([k, label]) => (
          <div className="kpi" key={k} data-testid={`kpi-${k}`}>
            <span>{label}</span>
            <strong>{value(r.totals, k)}</strong>
            {k === 'roi' && <small>(revenue − cost) / cost</small>}
            {k === 'roas' && <small>revenue / cost</small>}
          </div>
        ))}
      </section>
      {r.holdout && (
        <p data-testid="holdout">
          Holdout: <Lift lift={r.holdout} />
        </p>
      )}
      {r.kind === 'campaign' &&
        r.bySource.map(
          (s) =>
            s.holdout && (
              <p key={s.sourceId} data-testid={`holdout-${s.sourceId}`}>
                Holdout of {s.kind} {s.name}: <Lift lift={s.holdout} />
              </p>
            ),
        )}
      <figure className="chart" aria-label="Over time">
        <ResponsiveContainer>
          <LineChart data={r.byDay}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis />
            <Tooltip />
            <Legend />
            <Line dataKey="sent" name="Sent" stroke="#4dabf7" isAnimationActive={false} />
            <Line dataKey="converted" name="Converted" stroke="#40c057" isAnimationActive={false} />
            <Line dataKey="revenue" name="Revenue" stroke="#f76707" isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart" aria-label="Funnel">
        <ResponsiveContainer>
          <BarChart data={funnel}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="step" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Bar dataKey="value" name="Messages" fill="#748ffc" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </figure>
      {breakdown(
        'By channel',
        r.byChannel.map((x) => ({ ...x, key: x.channel })),
      )}
      {breakdown(
        'By variant',
        r.byVariant.map((x) => ({ ...x, key: x.variant })),
      )}
      {breakdown(
        'By source',
        r.bySource.map((x) => ({ ...x, key: `${x.kind}: ${x.name}` })),
      )}
      {breakdown(
        'By day',
        r.byDay.map((x) => ({ ...x, key: x.day })),
      )}
    </div>
  );
}
